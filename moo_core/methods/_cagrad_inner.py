"""CAGrad's inner problem, exactly: w* = argmin over the simplex of F(w) = bᵀw + φ‖g_w‖, with
‖g_w‖ = √(wᵀGw), b = Gu the mean gradient g₀'s inner products and φ = c‖g₀‖.

Since φ√q = min over a > 0 of q/(2a) + φ²a/2 and bᵀw = ⟨g_w, g₀⟩, the optimum is, for the
right a, the min-norm point of the hull of the shifted gradients gᵢ + a·g₀ (MGDA's problem,
solved exactly by `_active_set`), and a = ‖g_w*‖/φ. On one face of the simplex that point is
linear in a, w = w₀ + a·w₁ (the face's bordered KKT system, solved by least squares so that
collinear gradients keep it solvable), and a = ‖g_w‖/φ is a root of the quadratic
(C − φ²)a² + 2Ba + A = 0 with A, B, C = w₀ᵀGw₀, w₀ᵀGw₁, w₁ᵀGw₁. So: guess a, solve the shifted
min-norm problem, take its face's exact candidate and accept it where it is feasible and
meets F's optimality conditions (∂F/∂wᵢ equal on the support, no smaller off it); else
bracket a (‖g_w(a)‖/a falls as a grows) and try again. NumPy, one row at a time.
"""

from __future__ import annotations

import math

import numpy as np

from moo_core.methods._mgda import _active_set

ROUNDS = 60  # bracketing rounds; a handful suffice (each lands on the optimal face or halves)
KKT_TOLERANCE = 1e-9  # on ∂F/∂wᵢ, which is of order one for a trace-normalised G


def inner_rows(gram: np.ndarray, b: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """w* (B, m) for Gram (B, m, m) (trace-normalised), b (B, m) and φ (B,)."""
    return np.stack([inner(gram[k], b[k], float(phi[k])) for k in range(len(b))])


def inner(gram: np.ndarray, b: np.ndarray, phi: float) -> np.ndarray:
    m = len(b)
    if not (np.isfinite(gram).all() and np.isfinite(b).all() and math.isfinite(phi)):
        return np.full(m, 1.0 / m)
    if phi <= 0.0:
        return np.eye(m)[int(np.argmin(b))]  # F = bᵀw: a vertex (c = 0 does not use it)
    best = _active_set(gram)  # a → 0: the min-norm point, F = ⟨g_w, g₀⟩ there
    best_value = _value(gram, b, phi, best)
    beta = float(b.mean())  # ‖g₀‖² = uᵀGu
    low, high = 0.0, math.inf
    a = max(math.sqrt(max(best @ gram @ best, 0.0)), 1e-3) / phi
    for _ in range(ROUNDS):
        shifted = gram + a * (b[:, None] + b[None, :]) + a * a * beta
        w = _active_set(shifted)
        for candidate in _face_candidates(gram, b, phi, w > 0.0):
            value = _value(gram, b, phi, candidate)
            if value < best_value:
                best, best_value = candidate, value
            if _optimal(gram, b, phi, candidate):
                return candidate
        if math.sqrt(max(w @ gram @ w, 0.0)) > phi * a:  # ‖g_w(a)‖/a > φ: a* lies above
            low = a
        else:
            high = a
        a = 2.0 * a if high == math.inf else (math.sqrt(low * high) if low > 0 else high / 4)
    return best


def _face_candidates(gram, b, phi, support) -> list[np.ndarray]:
    index = np.flatnonzero(support)
    size = len(index)
    bordered = np.ones((size + 1, size + 1))
    bordered[:size, :size] = gram[np.ix_(index, index)]
    bordered[size, size] = 0.0
    rhs = np.zeros((size + 1, 2))
    rhs[size, 0] = 1.0  # w₀: the face's min-norm point
    rhs[:size, 1] = -b[index]  # w₁: how it moves with a
    solved = np.linalg.lstsq(bordered, rhs, rcond=None)[0]
    w0, w1 = np.zeros(len(b)), np.zeros(len(b))
    w0[index], w1[index] = solved[:size, 0], solved[:size, 1]
    a_, b_, c_ = w0 @ gram @ w0, w0 @ gram @ w1, w1 @ gram @ w1
    lead = c_ - phi * phi
    root = math.sqrt(max(b_ * b_ - a_ * lead, 0.0))
    roots = [(-b_ + root) / lead, (-b_ - root) / lead] if lead != 0.0 else [-a_ / (2 * b_ or 1)]
    found = []
    for a in roots:
        if math.isfinite(a) and a > 0.0:
            w = w0 + a * w1
            if (w >= -1e-12).all():
                w = np.clip(w, 0.0, None)
                found.append(w / w.sum())
    return found


def _optimal(gram, b, phi, w) -> bool:
    norm = math.sqrt(max(w @ gram @ w, 0.0))
    if norm <= 1e-150:
        return False  # the kink at g_w = 0: decided by comparing values
    slope = b + phi * (gram @ w) / norm
    level = slope[w > 0.0]
    return bool(
        level.max() - level.min() <= KKT_TOLERANCE and (slope >= level.min() - KKT_TOLERANCE).all()
    )


def _value(gram, b, phi, w) -> float:
    return float(b @ w + phi * math.sqrt(max(w @ gram @ w, 0.0)))
