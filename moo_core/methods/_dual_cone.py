"""Small exact solvers on the Gram matrix shared by the TorchJD-style aggregators.

`project_dual_cone` solves, per row, the dual of projecting Jᵀu onto the dual cone of the
rows of J (Quinton & Rey 2024, Prop. 1): min_v vᵀGv subject to v ≥ u. It prepares G as
TorchJD's QuadprogProjector does (divide by its trace; then add REG_EPS·I), so that the
answers agree with TorchJD 0.18 to solver precision (except where the trace is below 10⁻⁴:
see `normalize`). The regularisation bounds the conflict left: (Gw)ᵢ ≥ −REG_EPS·tr(G)·wᵢ.
For m ≤ EXACT_UP_TO the QP is solved exactly by enumerating its active sets (a strictly
convex QP: the optimum is the feasible active-set solution of least value); beyond that by
projected gradient descent with backtracking.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch

REG_EPS = 1e-4  # TorchJD's reg_eps: added to the normalised Gram's diagonal
EXACT_UP_TO = 8  # 2^m active sets: exact up to 256 small solves a step
DESCENT_STEPS = 3000


def normalize(gram: torch.Tensor) -> torch.Tensor:
    """G / tr(G) per row, or zeros where tr(G) = 0. TorchJD's `normalize` zeroes every Gram
    whose trace is below an absolute 10⁻⁴ (its norm_eps), which stops a run whose gradients
    are merely small (weights are scale-free, so nothing needs it): here only a zero Gram —
    every gradient zero, a stationary point — is zero."""
    trace = gram.diagonal(dim1=-2, dim2=-1).sum(-1)[..., None, None]
    positive = trace > 0
    return torch.where(positive, gram / torch.where(positive, trace, 1.0), 0.0)


def prepared(gram: torch.Tensor) -> torch.Tensor:
    """The Gram as TorchJD's QuadprogProjector hands it to the solver (float64)."""
    eye = torch.eye(gram.shape[-1], dtype=torch.float64, device=gram.device)
    return normalize(gram.double()) + REG_EPS * eye


def project_dual_cone(u: torch.Tensor, gram: torch.Tensor) -> torch.Tensor:
    """Weights v (B, m) of the projection of Jᵀu onto the dual cone of J's rows, for u (B, m)
    and Gram (B, m, m): argmin vᵀGv subject to v ≥ u, G prepared as TorchJD does."""
    dtype = u.dtype
    u, gram = u.double(), prepared(gram)
    if gram.shape[-1] <= EXACT_UP_TO:
        return _active_sets(u, gram).to(dtype)
    v = descend(
        lambda v: (v * (gram @ v.unsqueeze(-1)).squeeze(-1)).sum(-1),
        lambda v: 2.0 * (gram @ v.unsqueeze(-1)).squeeze(-1),
        lambda v: torch.maximum(v, u),
        u.clone(),
    )
    return v.to(dtype)


def _active_sets(u: torch.Tensor, gram: torch.Tensor) -> torch.Tensor:
    """For each set A of active constraints (v_A = u_A), the free part solves
    G_FF v_F = −G_FA u_A; keep the feasible candidate (v_F ≥ u_F) of least vᵀGv."""
    rows, m = u.shape
    best = u.clone()
    best_value = torch.full((rows,), float("inf"), dtype=u.dtype, device=u.device)
    for size in range(m + 1):
        for free in itertools.combinations(range(m), size):
            v = u.clone()
            if free:
                index = torch.tensor(free, device=u.device)
                fixed = u.clone()
                fixed[:, index] = 0.0
                rhs = -(gram[:, index] @ fixed.unsqueeze(-1))  # −G_FA u_A
                v[:, index] = torch.linalg.solve(gram[:, index][:, :, index], rhs).squeeze(-1)
            value = (v * (gram @ v.unsqueeze(-1)).squeeze(-1)).sum(-1)
            feasible = (v >= u - 1e-12).all(-1)
            better = feasible & (value < best_value)
            best = torch.where(better.unsqueeze(-1), torch.maximum(v, u), best)
            best_value = torch.where(better, value, best_value)
    return best


def descend(
    objective: Callable[[torch.Tensor], torch.Tensor],
    gradient: Callable[[torch.Tensor], torch.Tensor],
    project: Callable[[torch.Tensor], torch.Tensor],
    start: torch.Tensor,
    steps: int = DESCENT_STEPS,
) -> torch.Tensor:
    """Projected gradient descent per row with a backtracking (Armijo) step: the fallback for
    large m, where enumerating faces would take too long. Converges to solver precision only
    slowly on ill-conditioned rows; the exact paths cover m ≤ EXACT_UP_TO."""
    x, step = start, torch.ones(start.shape[0], dtype=start.dtype, device=start.device)
    value = objective(x)
    for _ in range(steps):
        grad = gradient(x)
        step = step * 2.0
        for _ in range(40):
            candidate = project(x - step.unsqueeze(-1) * grad)
            new = objective(candidate)
            enough = new <= value + 0.5 * (grad * (candidate - x)).sum(-1)
            if bool(enough.all()):
                break
            step = torch.where(enough, step, step / 2.0)
        moved = (candidate - x).abs().amax(-1)
        x, value = candidate, new
        if bool((moved < 1e-14).all()):
            break
    return x
