from __future__ import annotations

import torch

from moo_core.methods._base import Method
from moo_core.methods._cagrad_inner import inner_rows
from moo_core.methods._dual_cone import normalize

STATIONARY = 1e-5  # ‖g_w*‖ ≤ this × the smallest ‖∇Lᵢ‖: vanished (Pareto-stationary)
RESCALE = {"0": "none", "1": "divide by 1 + c²", "2": "divide by 1 + c"}


class CaGrad(Method, method="cagrad"):
    """CAGrad (Liu et al., NeurIPS 2021, "Conflict-Averse Gradient Descent", Alg. 1), in the Gram
    form of TorchJD's CAGradWeighting: with G normalised by its trace, u = 1/m the mean's
    weights, b = Gu and φ = c·√(uᵀGu) (c times the mean gradient's norm), solve
    w* = argmin over the simplex of bᵀw + φ·√(wᵀGw) (the worst-case improvement inside the ball
    of radius φ around the mean), then step with weights u + (φ / ‖g_w*‖)·w*, where
    ‖g_w*‖ = √(w*ᵀGw*). The weights sum to 1 + φ/‖g_w*‖, not 1 (`rescale` divides them as the
    paper's code does: 0 keeps them, 1 divides by 1 + c², 2 by 1 + c). The step is zero only
    where ‖g_w*‖ is below 10⁻⁵ of the smallest gradient's norm: g_w* is a point of the
    gradients' convex hull, so its min-norm point (MGDA's) is as small — the point is
    Pareto-stationary — and the paper's step φ·g_w*/‖g_w*‖ is undefined there. Elsewhere,
    Pareto-stationary points included, it steps as the paper does (towards a stationary
    point of the mean for c < 1). TorchJD zeroes it wherever ‖g_w*‖ < 10⁻⁴ on the
    trace-normalised scale, which fires far from the front: two orthogonal gradients of
    norms 1 and 10⁴, or of norms 10⁻³, get no step. The direction maximises min_i ⟨∇Lᵢ, d⟩
    over the ball, so for c ≥ 1 (the ball holds 0) it increases no objective to first order;
    for c < 1 it may, as the paper's method converges to a stationary point of the mean, not
    of every task.
    The inner problem is solved exactly (`cagrad_inner`); c = 0 is the mean. ε is not used."""

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
    norm = _quadratic(g, w).clamp_min(0.0).sqrt()
    weights = u + (phi / norm.clamp_min(1e-300)).unsqueeze(-1) * w
    if rescale != "0":
        weights = weights / (1.0 + (c**2 if rescale == "1" else c)).unsqueeze(-1)
    # g_w* lies in the gradients' hull, so ‖g_w*‖ ≥ ‖its min-norm point‖: where it vanishes
    # against the smallest gradient the point is Pareto-stationary, and the step undefined
    smallest = g.diagonal(dim1=-2, dim2=-1).amin(-1).clamp_min(0.0).sqrt()
    vanished = norm <= STATIONARY * smallest
    return torch.where(vanished.unsqueeze(-1), 0.0, weights).to(gram.dtype)


def cagrad_inner(g: torch.Tensor, b: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """argmin over the simplex of bᵀw + φ√(wᵀGw), exactly: a closed form for two tasks
    (`_two_tasks`, batched); beyond, the shifted min-norm problems of `_cagrad_inner`
    (NumPy, one row at a time)."""
    if b.shape[-1] == 2:
        return _two_tasks(g, b, phi)
    rows = inner_rows(*(t.detach().cpu().double().numpy() for t in (g, b, phi)))
    return torch.from_numpy(rows).to(b.device, b.dtype)


def _two_tasks(g: torch.Tensor, b: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """w = (γ, 1 − γ): ‖g_w‖² = δ + 2βγ + αγ² and bᵀw = b₂ + lγ (l = b₁ − b₂), so F′(γ) = 0
    at γ* = (−β − l·√((αδ − β²)/k))/α where k = φ²α − l² > 0 (F is convex: the least of F at
    0, 1 and γ* clipped to [0, 1] is its minimum; without a root F is monotone)."""
    alpha = g[:, 0, 0] - 2.0 * g[:, 0, 1] + g[:, 1, 1]
    beta, delta = g[:, 0, 1] - g[:, 1, 1], g[:, 1, 1]
    slope = b[:, 0] - b[:, 1]
    k = phi**2 * alpha - slope**2
    spread = (alpha * delta - beta**2).clamp_min(0.0)
    root = (-beta - slope * (spread / k.clamp_min(1e-300)).sqrt()) / alpha.clamp_min(1e-300)
    inside = torch.where((k > 0) & (alpha > 0), root.clamp(0.0, 1.0), 0.0)
    gammas = torch.stack([torch.zeros_like(inside), torch.ones_like(inside), inside], -1)
    norms = delta.unsqueeze(-1) + gammas * (2.0 * beta.unsqueeze(-1) + alpha.unsqueeze(-1) * gammas)
    values = (
        b[:, 1:2] + slope.unsqueeze(-1) * gammas + phi.unsqueeze(-1) * norms.clamp_min(0).sqrt()
    )
    gamma = gammas.gather(-1, values.argmin(-1, keepdim=True)).squeeze(-1)
    return torch.stack([gamma, 1.0 - gamma], -1)


def _quadratic(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return (w * (g @ w.unsqueeze(-1)).squeeze(-1)).sum(-1)
