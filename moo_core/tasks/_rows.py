"""A task's rows: one split as tensors, the train/validation split and column moments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from moo_core.tasks._checks import validation_rows


@dataclass(frozen=True)
class Rows:
    """One split: standardised features (n, d) float32, targets (n,) in data units (float32,
    or int64 class indices), group codes (n,) int64 or None."""

    features: torch.Tensor
    targets: torch.Tensor
    groups: torch.Tensor | None

    @property
    def count(self) -> int:
        return int(self.features.shape[0])

    def take(self, index: torch.Tensor | slice) -> Rows:
        groups = None if self.groups is None else self.groups[index]
        return Rows(self.features[index], self.targets[index], groups)

    def to(self, device: torch.device) -> Rows:
        groups = None if self.groups is None else self.groups.to(device)
        return Rows(self.features.to(device), self.targets.to(device), groups)


def split_rows(rows: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) row indices from one deterministic shuffle of `rows` by `seed`."""
    order = np.random.default_rng(seed).permutation(rows)
    held_out = validation_rows(rows, fraction)
    return order[held_out:], order[:held_out]


def moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column mean and std (population); a constant column gets std 1."""
    mean, std = values.mean(0), values.std(0)
    return mean, np.where(std > 0, std, 1.0)
