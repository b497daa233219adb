from __future__ import annotations

import torch

from moo_core.methods._base import Method


class PcGrad(Method, method="pcgrad"):
    """PCGrad (Yu et al., NeurIPS 2020): each gradient ∇Lᵢ, where it conflicts with another
    task's ∇Lⱼ (⟨·,∇Lⱼ⟩ < 0), is projected onto the normal plane of ∇Lⱼ, the others taken in a
    random order; the projected gradients are summed. Every projection is a combination of
    the original gradients, so the result is Σⱼ wⱼ∇Lⱼ with weights from the Gram matrix. With
    two tasks the order is immaterial: (1 − ⟨∇f,∇g⟩/‖∇f‖²)·∇f + (1 − ⟨∇f,∇g⟩/‖∇g‖²)·∇g where
    they conflict. For m > 2 the order is drawn per step from a generator seeded with the
    run's seed. `reduction`: the projected gradients summed (TorchJD, LibMTL and the paper's
    TensorFlow code) or averaged (the PyTorch port Pytorch-PCGrad's default, reduction="mean"
    there too). With two tasks the direction increases neither objective to first order
    (Yu et al., Thm. 1); with more there is no such promise. ε is not used."""

    def weigh(self, values, gram):
        weights = self._summed(gram)
        return weights / gram.shape[-1] if self.settings.get("reduction") == "mean" else weights

    def _summed(self, gram):
        if gram.shape[-1] == 2:
            fg = gram[:, 0, 1]
            conflict = torch.where(fg < 0, fg, torch.zeros_like(fg))
            a = 1.0 - conflict / gram[:, 0, 0].clamp_min(1e-30)
            b = 1.0 - conflict / gram[:, 1, 1].clamp_min(1e-30)
            return torch.stack([a, b], -1)
        return self._projected(gram)

    def _orders(self, rows: int, m: int) -> torch.Tensor:
        """(K, m, m − 1): for each row and task i, the other tasks in a random order."""
        if "generators" not in self.__dict__:
            seeds = self.seeds or [0] * rows
            self.generators = [torch.Generator().manual_seed(int(seed)) for seed in seeds]
            for k, saved in enumerate(self.state.get("order_draws", ())):
                self.generators[k].set_state(saved.clone())  # resumed from a checkpoint
        orders = []
        for generator in self.generators:
            row = []
            for i in range(m):
                others = torch.tensor([j for j in range(m) if j != i])
                row.append(others[torch.randperm(m - 1, generator=generator)])
            orders.append(torch.stack(row))
        # the generators' states are learned state too: a checkpoint resumes the same draws
        self.state["order_draws"] = torch.stack([g.get_state() for g in self.generators])
        return torch.stack(orders)

    def _projected(self, gram):
        rows, m = gram.shape[0], gram.shape[-1]
        orders = self._orders(rows, m).to(gram.device)
        coefficients = torch.eye(m, dtype=gram.dtype, device=gram.device).repeat(rows, 1, 1)
        squared = gram.diagonal(dim1=-2, dim2=-1).clamp_min(1e-30)  # (K, m)
        for position in range(m - 1):
            other = orders[:, :, position]  # (K, m): the task each gradient meets now
            dots = (coefficients @ gram).gather(-1, other.unsqueeze(-1)).squeeze(-1)
            scale = dots.clamp_max(0.0) / squared.gather(-1, other)
            coefficients = coefficients.scatter_add(-1, other.unsqueeze(-1), -scale.unsqueeze(-1))
        return coefficients.sum(-2)
