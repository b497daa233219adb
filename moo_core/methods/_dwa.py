from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column


class Dwa(Method, method="dwa"):
    """Dynamic Weight Average (Liu, Johns & Davison, CVPR 2019, "End-to-End Multi-Task Learning
    with Attention"), as LibMTL's DWA: with rᵢ = Lᵢ(t − 1) / Lᵢ(t − 2) the task's recent rate of
    descent, wᵢ = m·softmax(r / T)ᵢ, and wᵢ = 1 for the first two. In the lab an "epoch" is one
    step: the rates come from the losses of the last two steps (full-batch toy problems); a
    denominator within 10⁻¹² of zero is held at ±10⁻¹². ε is not used."""

    def weigh(self, values, gram):
        m = values.shape[-1]
        if "before" in self.state:  # the losses of steps t − 1 and t − 2
            before = self.state["before"]
            denominator = torch.where(before < 0, before.clamp_max(-1e-12), before.clamp_min(1e-12))
            ratio = self.state["latest"] / denominator
            temperature = as_column(self.settings["temperature"], values)
            weights = m * torch.softmax(ratio / temperature, -1)
        else:
            weights = torch.ones_like(values)
        if "latest" in self.state:
            self.state["before"] = self.state["latest"]
        self.state["latest"] = values
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]
