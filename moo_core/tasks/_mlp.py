"""A small ReLU MLP whose weights are stacked on a leading run axis K.

Layer l holds a weight tensor (K, in, out) and a bias tensor (K, 1, out), in that order, so
`params[0::2]` are the weights and `params[1::2]` the biases. One shared input batch (B, d)
gives outputs (K, B, out): K networks evaluated by one batched matmul per layer.
"""

from __future__ import annotations

import itertools
import math

import torch


def _row_layers(widths: tuple[int, ...], seed: int) -> list[torch.Tensor]:
    """One network's weights and biases from its own generator, in layer order.

    Uniform(±1/√fan_in) for both, which is torch.nn.Linear's default (Kaiming-uniform with
    a = √5; He et al. 2015), so a row depends only on its seed and the widths.
    """
    generator = torch.Generator().manual_seed(int(seed))
    tensors = []
    for fan_in, fan_out in itertools.pairwise(widths):
        bound = 1.0 / math.sqrt(fan_in)
        weight = torch.rand(fan_in, fan_out, generator=generator) * (2 * bound) - bound
        bias = torch.rand(1, fan_out, generator=generator) * (2 * bound) - bound
        tensors += [weight, bias]
    return tensors


def init_mlp(widths: tuple[int, ...], seeds: list[int], device: torch.device) -> list[torch.Tensor]:
    """Stacked parameters [W1, b1, W2, b2, …] for `widths` = (inputs, hidden…, outputs)."""
    rows = [_row_layers(widths, seed) for seed in seeds]
    return [torch.stack(layer).to(device).requires_grad_(True) for layer in zip(*rows, strict=True)]


def mlp_forward(params: list[torch.Tensor], inputs: torch.Tensor) -> torch.Tensor:
    """Outputs (K, B, out) of the K networks on the shared batch `inputs` (B, d)."""
    weights, biases = params[0::2], params[1::2]
    hidden = torch.matmul(inputs, weights[0]) + biases[0]  # (B, d) @ (K, d, h) broadcasts
    for weight, bias in zip(weights[1:], biases[1:], strict=True):
        hidden = torch.baddbmm(bias, torch.relu(hidden), weight)
    return hidden


def weight_tensors(params: list[torch.Tensor]) -> list[torch.Tensor]:
    """The weight matrices (no biases) of the stacked networks."""
    return params[0::2]
