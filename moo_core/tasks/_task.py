"""The neural-network task as an Objective: a small MLP on a tabular dataset, K runs stacked.

f is the training loss, g the task's secondary objective (see `_objectives`), both per row on
the step's mini-batch. Every row sees the same mini-batch, so K stacked runs equal K single
runs with the same task and seeds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor

from moo_core.tasks import _objectives as objectives
from moo_core.tasks._checks import check_task, validation_rows
from moo_core.tasks._mlp import init_mlp, mlp_forward, weight_tensors
from moo_core.tasks._spec import TaskSpec

if TYPE_CHECKING:
    from moo_core.data._prepared import Prepared

MMD_MAX_ROWS = 2048  # MMD is O(n²): at most the first rows of a batch (already shuffled) count
REPORT_CHUNK_ROWS = 8192  # rows per forward pass in `report`
REPORT_CHUNK_RUNS = 4  # runs per MMD evaluation in `report` (bounds its n² memory)
G_UNITS = {
    "l1": "mean |weight|",
    "bounds": "target units",
    "mmd": "MMD² (dimensionless)",
    "sum_to_one": "probability",
}


@dataclass(frozen=True)
class Rows:
    """One split: standardised features (n, d) float32, targets (n,) in data units (float32,
    or int64 class indices), group codes (n,) int64 or None."""

    features: Tensor
    targets: Tensor
    groups: Tensor | None

    @property
    def count(self) -> int:
        return int(self.features.shape[0])

    def take(self, index: Tensor | slice) -> Rows:
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


def _moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column mean and std (population); a constant column gets std 1."""
    mean, std = values.mean(0), values.std(0)
    return mean, np.where(std > 0, std, 1.0)


class Task:
    """Objective protocol for `spec` on `data`: f = loss, g = spec.objective, K rows stacked.

    Features are standardised with the training rows' mean/std. For regression the network
    predicts standardised targets and y = mean + std·output is in data units; Huber uses
    δ = the training targets' std (scale-aware). Validation is `spec.validation` of the rows,
    chosen by a shuffle seeded with `split_seed`; mini-batches walk a per-epoch permutation
    seeded with split_seed + epoch, dropping the last partial batch.
    """

    reference_point = None

    def __init__(self, spec: TaskSpec, data: Prepared, split_seed: int = 0):
        self.spec, self.split_seed = spec, int(split_seed)
        self.loss = check_task(spec, data)
        self.classification = data.is_classification
        self.classes = data.classes
        self.notes = tuple(data.notes)  # what preparing the data did (rows dropped, …)
        self.group_count = _group_count(data)
        train, held_out = split_rows(data.rows, spec.validation, self.split_seed)
        mean, std = _moments(data.features[train].astype(np.float64))
        features = torch.tensor((data.features - mean) / std, dtype=torch.float32)
        dtype = torch.long if self.classification else torch.float32
        targets = torch.tensor(data.target, dtype=dtype)
        groups = None if data.groups is None else torch.tensor(data.groups, dtype=torch.long)
        everything = Rows(features, targets, groups)
        self.train = everything.take(torch.as_tensor(train))
        self.validation = everything.take(torch.as_tensor(held_out))
        self.target_mean, self.target_std, self.output_range = 0.0, 1.0, None
        if not self.classification:
            scale = _target_scale(data.target[train], spec.bounds)
            self.target_mean, self.target_std, self.output_range = scale
        outputs = len(self.classes) if self.classification else 1
        self.widths = (data.features.shape[1], *spec.hidden, outputs)
        self.device = torch.device("cpu")
        self._order: tuple[int, Tensor] | None = None

    # ---- Objective protocol ---------------------------------------------------------------

    def init_params(self, seeds: list[int], device: torch.device) -> list[Tensor]:
        """Move the data to `device` and return each seed's network, stacked (row k ↔ seed k)."""
        if torch.device(device) != self.device:
            self.device = torch.device(device)
            self.train, self.validation = self.train.to(device), self.validation.to(device)
            self._order = None
        return init_mlp(self.widths, seeds, self.device)

    def evaluate(self, params: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        rows = self.batch(step)
        return self._values(params, mlp_forward(params, rows.features), rows)

    def gradients(self, params, step):
        """As `autograd_gradients`, but g's unused tensors (biases under l1) get zeros."""
        f, g = self.evaluate(params, step)
        grads_f = torch.autograd.grad(f.sum(), params, retain_graph=True)
        grads_g = torch.autograd.grad(g.sum(), params, materialize_grads=True)
        return f.detach(), g.detach(), list(grads_f), list(grads_g)

    def project(self, params: list[Tensor]) -> None:
        """Unconstrained weights: nothing to project."""

    def front(self, points: int) -> None:
        """No analytic front for a learned task."""
        return None

    # ---- batches --------------------------------------------------------------------------

    @property
    def batches_per_epoch(self) -> int:
        return max(1, self.train.count // self.spec.batch_size)

    def batch(self, step: int) -> Rows:
        """The training rows of `step`: the whole training set if batch_size covers it."""
        size = self.spec.batch_size
        if size >= self.train.count:
            return self.train
        epoch, slot = divmod(int(step), self.batches_per_epoch)
        return self.train.take(self._epoch_order(epoch)[slot * size : (slot + 1) * size])

    def _epoch_order(self, epoch: int) -> Tensor:
        if self._order is None or self._order[0] != epoch:
            generator = torch.Generator().manual_seed(self.split_seed + epoch)
            order = torch.randperm(self.train.count, generator=generator).to(self.device)
            self._order = (epoch, order)
        return self._order[1]

    # ---- values ---------------------------------------------------------------------------

    def _values(
        self, params: list[Tensor], outputs: Tensor, rows: Rows, run_chunk: int | None = None
    ) -> tuple[Tensor, Tensor]:
        """(f, g) per row from the network outputs (K, B, out) on `rows`."""
        if self.classification:
            return self._classification_values(params, outputs, rows)
        predictions = self.target_mean + self.target_std * outputs[..., 0]
        if self.loss == "huber":
            f = objectives.huber_loss(predictions, rows.targets, self.target_std)
        else:
            f = objectives.mse_loss(predictions, rows.targets)
        kind = self.spec.objective
        if kind == "bounds":
            return f, objectives.bounds_violation(predictions, *self.output_range)
        if kind == "mmd":
            return f, self._mmd(outputs, rows, run_chunk)
        if kind == "parity":
            return f, objectives.parity_gap(predictions[..., None], rows.groups, self.group_count)
        return f, objectives.mean_abs_weight(weight_tensors(params))

    def _classification_values(self, params, logits, rows) -> tuple[Tensor, Tensor]:
        kind = self.spec.objective
        if kind == "sum_to_one":
            f = objectives.one_vs_rest_cross_entropy(logits, rows.targets)
            return f, objectives.sum_to_one_gap(logits)
        f = objectives.cross_entropy(logits, rows.targets)
        if kind == "parity":
            probabilities = torch.softmax(logits, dim=-1)
            return f, objectives.parity_gap(probabilities, rows.groups, self.group_count)
        return f, objectives.mean_abs_weight(weight_tensors(params))

    def _mmd(self, outputs: Tensor, rows: Rows, run_chunk: int | None) -> Tensor:
        """MMD² between standardised predictions and standardised targets of the batch."""
        samples = outputs[:, :MMD_MAX_ROWS]
        reference = ((rows.targets[:MMD_MAX_ROWS] - self.target_mean) / self.target_std)[:, None]
        step = run_chunk or samples.shape[0]
        parts = [
            objectives.mmd_squared(samples[start : start + step], reference)
            for start in range(0, samples.shape[0], step)
        ]
        return torch.cat(parts)

    # ---- reporting ------------------------------------------------------------------------

    @torch.no_grad()
    def _outputs(self, params: list[Tensor], features: Tensor) -> Tensor:
        chunks = [
            mlp_forward(params, features[start : start + REPORT_CHUNK_ROWS])
            for start in range(0, features.shape[0], REPORT_CHUNK_ROWS)
        ]
        return torch.cat(chunks, dim=1)

    @torch.no_grad()
    def report(self, params: list[Tensor]) -> dict[str, np.ndarray]:
        """f, g on the whole training set and val_f, val_g on the validation set, per row."""
        values = {}
        for prefix, rows in (("", self.train), ("val_", self.validation)):
            outputs = self._outputs(params, rows.features)
            f, g = self._values(params, outputs, rows, run_chunk=REPORT_CHUNK_RUNS)
            values[f"{prefix}f"] = f.double().cpu().numpy()
            values[f"{prefix}g"] = g.double().cpu().numpy()
        return values

    @torch.no_grad()
    def predictions(self, params: list[Tensor], split: str = "train") -> np.ndarray:
        """Per-row predictions on a split ("train" or "validation"): (K, n) in target units
        for regression, (K, n, C) class probabilities (sigmoids under sum_to_one)."""
        if split not in ("train", "validation"):
            raise ValueError(f"split {split!r} is not 'train' or 'validation'")
        rows = self.train if split == "train" else self.validation
        outputs = self._outputs(params, rows.features)
        if not self.classification:
            values = self.target_mean + self.target_std * outputs[..., 0]
        elif self.spec.objective == "sum_to_one":
            values = torch.sigmoid(outputs)
        else:
            values = torch.softmax(outputs, dim=-1)
        return values.double().cpu().numpy()

    def describe(self) -> dict:
        """A JSON-ready summary: loss, objective, split sizes, model and units."""
        regression = not self.classification
        return {
            "kind": "regression" if regression else "classification",
            "loss": self.loss,
            "objective": self.spec.objective,
            "f_unit": "target units²" if regression else "nats",
            "g_unit": self._g_unit(),
            "rows_train": self.train.count,
            "rows_validation": self.validation.count,
            "features": self.widths[0],
            "classes": list(self.classes) if self.classes else None,
            "groups": self.group_count or None,
            "widths": list(self.widths),
            "parameters_per_run": _parameter_count(self.widths),
            "batch_size": min(self.spec.batch_size, self.train.count),
            "batches_per_epoch": self.batches_per_epoch,
            "split_seed": self.split_seed,
            "target_mean": self.target_mean if regression else None,
            "target_std": self.target_std if regression else None,
            "huber_delta": self.target_std if self.loss == "huber" else None,
            "output_range": list(self.output_range) if self.output_range else None,
            "notes": list(self.notes),
            "mmd_bandwidths": list(objectives.MMD_BANDWIDTHS)
            if self.spec.objective == "mmd"
            else None,
        }

    def _g_unit(self) -> str:
        if self.spec.objective == "parity":
            return "probability" if self.classification else "target units"
        return G_UNITS[self.spec.objective]


def _target_scale(targets: np.ndarray, bounds) -> tuple[float, float, tuple[float, float]]:
    """Training targets' mean, std and allowed output range (`bounds`, else their [min, max])."""
    targets = targets.astype(np.float64)
    mean, std = (float(value) for value in _moments(targets))
    low, high = bounds or (targets.min(), targets.max())
    return mean, std, (float(low), float(high))


def _group_count(data: Prepared) -> int:
    if data.groups is None or len(data.groups) == 0:
        return 0
    named = len(data.group_names) if data.group_names else 0
    return max(named, int(np.max(data.groups)) + 1)


def _parameter_count(widths: tuple[int, ...]) -> int:
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths))
