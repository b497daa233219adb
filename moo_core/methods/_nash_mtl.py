from __future__ import annotations

import torch

from moo_core.methods._base import Method

NEWTON_STEPS = 200


class NashMtl(Method, method="nash_mtl"):
    """Nash-MTL (Navon et al., ICML 2022, "Multi-Task Learning as a Bargaining Game"): the
    weights α > 0 of the Nash bargaining solution, αᵢ·(Gα)ᵢ = 1 for every task (G the Gram
    matrix), i.e. the minimiser of ½αᵀGα − Σ log αᵢ, solved to convergence by damped Newton
    (`bargaining_weights`, warm-started from the previous α). Then, as TorchJD's NashMTL
    (defaults max_norm = 1, update_weights_every = 1): the step is scaled down to norm
    `max_norm` where ‖Σ αᵢ∇Lᵢ‖ is larger (0: no clipping), and α is recomputed every
    `update_weights_every` steps, reused in between. Where this differs from TorchJD: it
    approximates the same solution by a sequence of convex programs (cvxpy/ECOS, at most
    optim_niter = 20, stopping at a residual of 10⁻³ on the Frobenius-normalised Gram); here
    the condition holds to solver precision. ε is not used."""

    def weigh(self, values, gram):
        step = self.state.get("step", torch.zeros(values.shape[0], device=values.device))
        previous = self.state.get("alpha")
        update = step % self.settings["update_weights_every"].to(step) == 0
        alpha = previous
        if previous is None or bool(update.any()):  # TorchJD: recompute every so many steps
            alpha = bargaining_weights(gram, previous)
            if previous is not None:
                alpha = torch.where(update.unsqueeze(-1), alpha, previous.to(alpha))
        self.state["alpha"], self.state["step"] = alpha, step + 1
        max_norm = self.settings["max_norm"].to(alpha)
        norm = (alpha * (gram @ alpha.unsqueeze(-1)).squeeze(-1)).sum(-1).clamp_min(0.0).sqrt()
        clip = (max_norm > 0) & (norm > max_norm)
        scale = torch.where(clip, max_norm / norm.clamp_min(1e-30), 1.0)
        weights = self.state["used"] = alpha * scale.unsqueeze(-1)
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]


def bargaining_weights(gram: torch.Tensor, start: torch.Tensor | None = None) -> torch.Tensor:
    """α > 0 with αᵢ(Gα)ᵢ = 1 per row: Newton on ½αᵀGα − Σ log αᵢ, which is strictly convex and
    self-concordant, so the damped step α − δ/(1 + λ) (λ² = δᵀ∇, the Newton decrement) stays
    positive and converges without a line search, quadratically at the end (Nesterov 2004,
    §4.1.5). In float64, from `start` (the previous α) where given, else from the solution for
    orthogonal gradients αᵢ = 1/‖∇Lᵢ‖. A tiny ridge (10⁻¹²·tr G/m) keeps the weight of a
    vanishing gradient finite."""
    g = gram.double()
    m = g.shape[-1]
    trace = g.diagonal(dim1=-2, dim2=-1).sum(-1)
    eye = torch.eye(m, dtype=g.dtype, device=g.device)
    g = g + (1e-12 * trace / m + 1e-30)[:, None, None] * eye
    alpha = g.diagonal(dim1=-2, dim2=-1).rsqrt()
    if start is not None:
        usable = (torch.isfinite(start) & (start > 0)).all(-1, keepdim=True)
        alpha = torch.where(usable, start.double(), alpha)
    for _ in range(NEWTON_STEPS):
        gradient = (g @ alpha.unsqueeze(-1)).squeeze(-1) - 1.0 / alpha
        hessian = g + torch.diag_embed(alpha**-2)
        delta = torch.linalg.solve(hessian, gradient.unsqueeze(-1)).squeeze(-1)
        decrement = (gradient * delta).sum(-1).clamp_min(0.0)
        if bool((decrement < 1e-20).all()):
            break
        alpha = alpha - delta / (1.0 + decrement.sqrt()).unsqueeze(-1)
        if bool((decrement < 1e-14).all()):  # quadratic convergence: this step reached it
            break
    return alpha.to(gram.dtype)
