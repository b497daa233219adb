from __future__ import annotations

import itertools

import torch

from moo_core.methods._base import Method
from moo_core.methods._dual_cone import EXACT_UP_TO, NORM_EPS, descend, normalize


class CaGrad(Method, method="cagrad"):
    """CAGrad (Liu et al., NeurIPS 2021, "Conflict-Averse Gradient Descent", Alg. 1), in the Gram
    form of TorchJD's CAGradWeighting: with G normalised by its trace (zero below trace 10⁻⁴),
    u = 1/m the mean's weights, b = Gu and φ = c·√(uᵀGu) (c times the mean gradient's norm),
    solve w* = argmin over the simplex of bᵀw + φ·√(wᵀGw) (the worst-case improvement inside
    the ball of radius φ around the mean), then step with weights u + (φ / ‖g_w*‖)·w*, where
    ‖g_w*‖ = √(w*ᵀGw*); zero weights where ‖g_w*‖ < 10⁻⁴ (TorchJD: "on the Pareto front").
    The inner problem is solved exactly (`cagrad_inner`); c = 0 is the mean. ε is not used."""

    def weigh(self, values, gram):
        weights = self.state["used"] = cagrad_weights(gram, self.settings["c"])
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]


def cagrad_weights(gram: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """CAGrad's weights (B, m) for Gram (B, m, m) and radius c (B,)."""
    g = normalize(gram.double())
    m = g.shape[-1]
    u = torch.full(g.shape[:-1], 1.0 / m, dtype=g.dtype, device=g.device)
    b = (g @ u.unsqueeze(-1)).squeeze(-1)
    phi = c.to(g).reshape(-1) * (u * b).sum(-1).clamp_min(0.0).sqrt()
    w = cagrad_inner(g, b, phi)
    norm = _quadratic(g, w).clamp_min(0.0).sqrt()
    weights = u + (phi / norm.clamp_min(NORM_EPS)).unsqueeze(-1) * w
    return torch.where((norm >= NORM_EPS).unsqueeze(-1), weights, 0.0).to(gram.dtype)


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
