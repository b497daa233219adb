from __future__ import annotations

import itertools

from moo_core._lazy import torch
from moo_core.methods._base import Method
from moo_core.methods._dual_cone import EXACT_UP_TO, descend, normalize
from moo_core.methods._mgda import min_norm_weights
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam

STATIONARY = 1e-5  # ‖min-norm point‖ ≤ this × the smallest ‖∇Lᵢ‖: Pareto-stationary
RESCALE = {"0": "none", "1": "divide by 1 + c²", "2": "divide by 1 + c"}


@METHODS.register("cagrad")
class CaGrad(Method):
    """CAGrad (Liu et al., NeurIPS 2021, "Conflict-Averse Gradient Descent", Alg. 1), in the Gram
    form of TorchJD's CAGradWeighting: with G normalised by its trace, u = 1/m the mean's
    weights, b = Gu and φ = c·√(uᵀGu) (c times the mean gradient's norm), solve
    w* = argmin over the simplex of bᵀw + φ·√(wᵀGw) (the worst-case improvement inside the ball
    of radius φ around the mean), then step with weights u + (φ / ‖g_w*‖)·w*, where
    ‖g_w*‖ = √(w*ᵀGw*). The weights sum to 1 + φ/‖g_w*‖, not 1 (`rescale` divides them as the
    paper's code does: 0 keeps them, 1 divides by 1 + c², 2 by 1 + c). The step is zero only
    at a Pareto-stationary point: where the min-norm point of the gradients' hull (MGDA's) is
    below 10⁻⁵ of the smallest gradient's norm. (TorchJD zeroes it wherever ‖g_w*‖ < 10⁻⁴ of
    the trace-normalised scale, which fires far from the front: two orthogonal gradients of
    norms 1 and 10⁴ get no step.) The direction maximises min_i ⟨∇Lᵢ, d⟩ over the ball, so for
    c ≥ 1 (the ball holds 0) it increases no objective to first order; for c < 1 it may, as the
    paper's method converges to a stationary point of the mean, not of every task.
    The inner problem is solved exactly (`cagrad_inner`); c = 0 is the mean. ε is not used."""

    summary = "conflict-averse step in a ball around the mean gradient"
    needs_gram = True
    hyperparams = (
        Hyperparam("c", "float", 0.5, "Radius c of the ball, in mean-gradient norms", 0.0, 100.0),
        Hyperparam(
            "rescale",
            "choice",
            "0",
            "Divide the step as the paper's code: 0 no (TorchJD), 1 by 1 + c² (the paper's "
            "default), 2 by 1 + c",
            choices=tuple(RESCALE),
        ),
    )

    def weigh(self, values, gram):
        weights = cagrad_weights(gram, self.settings["c"], self.settings.get("rescale", "0"))
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]


def cagrad_weights(gram: torch.Tensor, c: torch.Tensor, rescale: str = "0") -> torch.Tensor:
    """CAGrad's weights (B, m) for Gram (B, m, m) and radius c (B,)."""
    g = normalize(gram.double())
    m = g.shape[-1]
    c = c.to(g).reshape(-1)
    u = torch.full(g.shape[:-1], 1.0 / m, dtype=g.dtype, device=g.device)
    b = (g @ u.unsqueeze(-1)).squeeze(-1)
    phi = c * (u * b).sum(-1).clamp_min(0.0).sqrt()
    w = cagrad_inner(g, b, phi)
    norm = _quadratic(g, w).clamp_min(0.0).sqrt()  # ≥ the min-norm point's, > 0 off the front
    weights = u + (phi / norm.clamp_min(1e-300)).unsqueeze(-1) * w
    if rescale != "0":
        weights = weights / (1.0 + (c**2 if rescale == "1" else c)).unsqueeze(-1)
    stationary = pareto_stationary(g)
    return torch.where(stationary.unsqueeze(-1), 0.0, weights).to(gram.dtype)


def pareto_stationary(gram: torch.Tensor, tolerance: float = STATIONARY) -> torch.Tensor:
    """(B,): whether the min-norm point of the gradients' convex hull (exact: MGDA's) is within
    `tolerance` of the origin relative to the smallest gradient's norm — some convex
    combination of the gradients vanishes, so no direction improves them all."""
    alpha = min_norm_weights(gram)
    squared = _quadratic(gram, alpha.to(gram.dtype))
    smallest = gram.diagonal(dim1=-2, dim2=-1).amin(-1)
    return squared <= tolerance**2 * smallest


def cagrad_inner(g: torch.Tensor, b: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """argmin over the simplex of bᵀw + φ√(wᵀGw). Exact for m ≤ EXACT_UP_TO: on the affine hull
    of a face F, stationarity b_F + φ·G_FF w / r = λ1 with r = √(wᵀGw) gives, for p = G_FF⁻¹1,
    q = G_FF⁻¹b_F, P = 1ᵀp, Q = 1ᵀq, R = b_Fᵀq and s = √(Q² − PR + Pφ²), the single candidate
    w_F = (λp − q)/s with λ = (Q + s)/P; the optimum is the feasible candidate (or vertex) of
    least value. Projected gradient descent beyond."""
    m = b.shape[-1]
    if m > EXACT_UP_TO:
        return descend(
            lambda w: _value(g, b, phi, w),
            lambda w: b + phi.unsqueeze(-1) * (g @ w.unsqueeze(-1)).squeeze(-1) / _norm(g, w),
            _onto_simplex,
            torch.full_like(b, 1.0 / m),
        )
    vertices = b + phi.unsqueeze(-1) * g.diagonal(dim1=-2, dim2=-1).clamp_min(0.0).sqrt()
    best_value, best_index = vertices.min(-1)
    best = torch.nn.functional.one_hot(best_index, m).to(b)
    for size in range(2, m + 1):
        for face in itertools.combinations(range(m), size):
            index = torch.tensor(face, device=b.device)
            inverse = torch.linalg.pinv(g[:, index][:, :, index])
            p, q = inverse.sum(-1), (inverse @ b[:, index].unsqueeze(-1)).squeeze(-1)
            big_p, big_q, big_r = p.sum(-1), q.sum(-1), (b[:, index] * q).sum(-1)
            discriminant = big_q**2 - big_p * big_r + big_p * phi**2
            s = discriminant.clamp_min(1e-300).sqrt()
            lam = (big_q + s) / big_p.clamp_min(1e-300)
            w = torch.zeros_like(b)
            w[:, index] = (lam.unsqueeze(-1) * p - q) / s.unsqueeze(-1)
            feasible = (discriminant > 0) & (big_p > 0) & (w >= -1e-12).all(-1)
            feasible &= (w.sum(-1) - 1.0).abs() < 1e-9
            value = _value(g, b, phi, w)
            better = feasible & (value < best_value)
            best = torch.where(better.unsqueeze(-1), w.clamp_min(0.0), best)
            best_value = torch.where(better, value, best_value)
    return best


def _quadratic(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return (w * (g @ w.unsqueeze(-1)).squeeze(-1)).sum(-1)


def _norm(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return _quadratic(g, w).clamp_min(1e-30).sqrt().unsqueeze(-1)


def _value(g: torch.Tensor, b: torch.Tensor, phi: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return (b * w).sum(-1) + phi * _quadratic(g, w).clamp_min(0.0).sqrt()


def _onto_simplex(y: torch.Tensor) -> torch.Tensor:
    """Euclidean projection of each row onto the probability simplex (sort-based)."""
    m = y.shape[-1]
    ordered = y.sort(-1, descending=True).values
    cumulative = ordered.cumsum(-1) - 1.0
    ranks = torch.arange(1, m + 1, dtype=y.dtype, device=y.device)
    count = (ordered - cumulative / ranks > 0).sum(-1, keepdim=True)
    threshold = cumulative.gather(-1, count - 1) / count
    return (y - threshold).clamp_min(0.0)
