import torch

from moo_core.methods._base import Method
from moo_core.methods._registry import METHODS


@METHODS.register("pcgrad")
class PcGrad(Method):
    """PCGrad (Yu et al., NeurIPS 2020): where ∇f and ∇g conflict (⟨∇f,∇g⟩ < 0) each is
    projected onto the normal plane of the other, and the two are summed:
    (1 − ⟨∇f,∇g⟩/‖∇f‖²)·∇f + (1 − ⟨∇f,∇g⟩/‖∇g‖²)·∇g. With two tasks the order is immaterial.
    ε is not used."""

    summary = "project conflicting gradients, then sum"

    def weights(self, f, g, gram):
        conflict = torch.where(gram.fg < 0, gram.fg, torch.zeros_like(gram.fg))
        a = 1.0 - conflict / gram.ff.clamp_min(1e-30)
        b = 1.0 - conflict / gram.gg.clamp_min(1e-30)
        return a, b
