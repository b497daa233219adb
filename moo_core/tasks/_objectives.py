"""Primary losses f and secondary objectives g, each per run row: shape (K,).

Inputs are stacked over runs: predictions (K, B) or logits (K, B, C) against one shared batch
of targets (B,). Regression values are in the data's own units unless a docstring says
otherwise; classification losses are in nats.
"""

from __future__ import annotations

import torch

from moo_core.tasks._kernels import gaussian_kernel_mean

# Gaussian kernel bandwidths on the standardised target scale, summed (a multi-scale kernel as
# in Gretton et al. 2012, JMLR 13, §8; Li et al. 2015 "Generative moment matching networks").
MMD_BANDWIDTHS = (0.1, 0.2, 0.5, 1.0, 2.0)


# ---- primary losses f ---------------------------------------------------------------------


def mse_loss(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean squared error, in target units²."""
    return (predictions - targets).square().mean(-1)


def huber_loss(predictions: torch.Tensor, targets: torch.Tensor, delta: float) -> torch.Tensor:
    """Mean Huber loss (Huber 1964): ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; in target units²."""
    per_row = torch.nn.functional.huber_loss(
        predictions, targets.expand_as(predictions), delta=delta, reduction="none"
    )
    return per_row.mean(-1)


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy over the batch, in nats."""
    log_probs = torch.log_softmax(logits, dim=-1)
    picked = log_probs.gather(-1, labels.expand(logits.shape[:-1]).unsqueeze(-1))
    return -picked.squeeze(-1).mean(-1)


def one_vs_rest_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of independent sigmoids against one-hot labels, summed over the
    classes and averaged over the batch (nats per example, the scale of softmax ce)."""
    one_hot = (
        torch.nn.functional.one_hot(labels, logits.shape[-1]).to(logits.dtype).expand_as(logits)
    )
    per_class = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, one_hot, reduction="none"
    )
    return per_class.sum(-1).mean(-1)


# ---- secondary objectives g ---------------------------------------------------------------


def mean_abs_weight(weights: list[torch.Tensor]) -> torch.Tensor:
    """L1: mean |w| over every entry of every weight matrix (biases excluded) of a row."""
    total = sum(weight.abs().flatten(1).sum(1) for weight in weights)
    count = sum(weight[0].numel() for weight in weights)
    return total / count


def bounds_violation(predictions: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Mean over the batch of relu(y − high) + relu(low − y), in target units."""
    return (torch.relu(predictions - high) + torch.relu(low - predictions)).mean(-1)


def sum_to_one_gap(logits: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of |Σ_c sigmoid(z_c) − 1| (one-vs-rest probabilities)."""
    return (torch.sigmoid(logits).sum(-1) - 1.0).abs().mean(-1)


def mmd_squared(
    samples: torch.Tensor,
    reference: torch.Tensor,
    bandwidths: tuple[float, ...] = MMD_BANDWIDTHS,
    reference_term: torch.Tensor | None = None,
) -> torch.Tensor:
    """Biased (V-statistic) MMD² between each row's samples (K, n, D) and one reference
    sample (m, D), Gretton et al. 2012, JMLR 13, eq. 5. Dimensionless; ≥ 0 up to rounding.
    `reference_term` is the reference's own kernel mean where the caller kept it (the same
    reference every step: a full batch)."""
    within = gaussian_kernel_mean(samples, samples, bandwidths)
    across = gaussian_kernel_mean(samples, reference, bandwidths)
    if reference_term is None:
        reference_term = reference_kernel_mean(reference, bandwidths)
    return within + reference_term - 2.0 * across


def reference_kernel_mean(
    reference: torch.Tensor, bandwidths: tuple[float, ...] = MMD_BANDWIDTHS
) -> torch.Tensor:
    """The reference sample's own term of MMD² (data: no gradient to carry)."""
    with torch.no_grad():
        return gaussian_kernel_mean(reference, reference, bandwidths)


def parity_gap(values: torch.Tensor, groups: torch.Tensor, group_count: int) -> torch.Tensor:
    """Largest gap between groups' mean values, max over the value columns.

    `values` (K, B, V): predictions (V = 1) or class probabilities (V = C). Only groups present
    in the batch count; with one group present the gap is 0.
    """
    members = torch.nn.functional.one_hot(groups, group_count).to(values.dtype)  # (B, G)
    counts = members.sum(0)
    means = torch.einsum("kbv,bg->kgv", values, members) / counts.clamp(min=1)[:, None]
    absent = (counts == 0)[None, :, None]
    highest = means.masked_fill(absent, float("-inf")).amax(1)
    lowest = means.masked_fill(absent, float("inf")).amin(1)
    return (highest - lowest).amax(-1)
