"""What a dataset becomes once its column roles are chosen: plain arrays for a task."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Prepared:
    """Numeric arrays ready for training (not standardised: the task does that).

    `features` (n, d) float64, text columns one-hot encoded (names "col=value").
    `target` (n,) float64 for regression; int64 class indices 0..C−1 for classification.
    `classes` the class labels (as strings) for classification, None for regression.
    `groups` (n,) int64 codes 0..G−1 of the group column, None without one.
    """

    name: str
    features: np.ndarray
    feature_names: tuple[str, ...]
    target: np.ndarray
    target_name: str
    classes: tuple[str, ...] | None = None
    groups: np.ndarray | None = None
    group_names: tuple[str, ...] | None = None
    # e.g. "dropped 3 of 400 rows with missing values"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> int:
        return int(self.features.shape[0])

    @property
    def is_classification(self) -> bool:
        return self.classes is not None
