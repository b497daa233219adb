"""The papers' own weightings, as their published code computes them, for bench/library.py.

- MGDA: Sener & Koltun's `MinNormSolver.find_min_norm_element` (NeurIPS 2018 code,
  isl-org/MultiObjectiveOptimization), on the Gram matrix: the best pair's closed form, then
  projected-gradient steps with an exact line search (250 iterations at most, stop below
  1e-5), its 0.999/0.001 clamps included.
- PCGrad: Yu et al.'s loop over tasks and a shuffled order of the others (as LibMTL and
  TorchJD write it), summing the projected gradients.
- CAGrad: Liu et al.'s `cagrad` (Cranial-XIX/CAGrad): SciPy's SLSQP on the Gram matrix, the
  step g₀ + (c‖g₀‖ / ‖g_w‖)·g_w, rescale 0.
NumPy and SciPy, no moo_core: the hand-written references the library is measured against.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from scipy.optimize import minimize

MAX_ITER, STOP_CRIT = 250, 1e-5


def _from2(v1v1: float, v1v2: float, v2v2: float) -> tuple[float, float]:
    if v1v2 >= v1v1:
        return 0.999, v1v1
    if v1v2 >= v2v2:
        return 0.001, v2v2
    gamma = -1.0 * ((v1v2 - v2v2) / (v1v1 + v2v2 - 2 * v1v2))
    return gamma, v2v2 + gamma * (v1v2 - v2v2)


def _projection2simplex(y: np.ndarray) -> np.ndarray:
    m = len(y)
    sorted_y = np.flip(np.sort(y), axis=0)
    tmpsum, tmax_f = 0.0, (np.sum(y) - 1.0) / m
    for i in range(m - 1):
        tmpsum += sorted_y[i]
        tmax = (tmpsum - 1) / (i + 1.0)
        if tmax > sorted_y[i + 1]:
            tmax_f = tmax
            break
    return np.maximum(y - tmax_f, np.zeros(y.shape))


def _next_point(cur_val: np.ndarray, grad: np.ndarray, n: int) -> np.ndarray:
    proj_grad = grad - (np.sum(grad) / n)
    tm1 = -1.0 * cur_val[proj_grad < 0] / proj_grad[proj_grad < 0]
    tm2 = (1.0 - cur_val[proj_grad > 0]) / (proj_grad[proj_grad > 0])
    t = 1.0
    if len(tm1[tm1 > 1e-7]) > 0:
        t = np.min(tm1[tm1 > 1e-7])
    if len(tm2[tm2 > 1e-7]) > 0:
        t = min(t, np.min(tm2[tm2 > 1e-7]))
    return _projection2simplex(proj_grad * t + cur_val)


def mgda_weights(gram: np.ndarray) -> np.ndarray:
    n = gram.shape[0]
    best = None
    for i in range(n):
        for j in range(i + 1, n):
            c, d = _from2(gram[i, i], gram[i, j], gram[j, j])
            if best is None or d < best[2]:
                best = ((i, j), c, d)
    sol_vec = np.zeros(n)
    sol_vec[best[0][0]], sol_vec[best[0][1]] = best[1], 1 - best[1]
    if n < 3:
        return sol_vec
    for _ in range(MAX_ITER):
        new_point = _next_point(sol_vec, -1.0 * gram @ sol_vec, n)
        v1v1, v1v2 = sol_vec @ gram @ sol_vec, sol_vec @ gram @ new_point
        nc, _ = _from2(v1v1, v1v2, new_point @ gram @ new_point)
        new_sol_vec = nc * sol_vec + (1 - nc) * new_point
        if np.sum(np.abs(new_sol_vec - sol_vec)) < STOP_CRIT:
            return sol_vec
        sol_vec = new_sol_vec
    return sol_vec


def pcgrad_direction(grads: torch.Tensor) -> torch.Tensor:
    """grads (m, P): the sum of each gradient projected against the others in a shuffled
    order."""
    m = grads.shape[0]
    projected = grads.clone()
    squared = (grads * grads).sum(1)
    for i in range(m):
        order = list(range(m))
        random.shuffle(order)
        for j in order:
            dot = projected[i] @ grads[j]
            if dot < 0:
                projected[i] -= dot / squared[j] * grads[j]
    return projected.sum(0)


def cagrad_weights(gram: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The paper's code's weights on the gradients: 1/m + λ·w with λ = c‖g₀‖ / ‖g_w‖."""
    num_tasks = gram.shape[0]
    g0_norm = np.sqrt(gram.mean() + 1e-8)
    x_start = np.ones(num_tasks) / num_tasks
    bounds = tuple((0, 1) for _ in x_start)
    constraints = {"type": "eq", "fun": lambda x: 1 - sum(x)}
    b, c = x_start.copy(), alpha * g0_norm + 1e-8

    def objfn(x):
        return (x @ gram @ b + c * np.sqrt(x @ gram @ x + 1e-8)).sum()

    w = minimize(objfn, x_start, bounds=bounds, constraints=constraints).x
    gw_norm = np.sqrt(max(w @ gram @ w, 0.0))
    return x_start + c / (gw_norm + 1e-8) * w
