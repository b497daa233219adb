"""The neural-network task as an Objective: a small MLP on a tabular dataset, K runs stacked.

Objective 0 is the training loss f, then one column per secondary objective of the spec (see
`_objectives`), all per row on the step's mini-batch. Every row sees the same mini-batch, so K
stacked runs equal K single runs with the same task and seeds.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import torch

from moo_core.objective import Objective
from moo_core.tasks import _objectives as objectives
from moo_core.tasks._baseline import constant_loss
from moo_core.tasks._checks import check_task
from moo_core.tasks._mlp import init_mlp, mlp_forward, weight_tensors
from moo_core.tasks._rows import Rows, moments, split_rows
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


class Task(Objective):
    """Objective protocol for `spec` on `data`: m = 1 + len(spec.objectives) objectives, the
    loss f then each of spec.objectives in order, K rows stacked.

    Features are standardised with the training rows' mean/std. For regression the network
    predicts standardised targets and y = mean + std·output is in data units; Huber uses
    δ = the training targets' std (scale-aware). With sum_to_one among the objectives the
    classifier is one-vs-rest: f is the summed binary cross-entropy, and its probabilities
    (for parity and `predictions`) are the sigmoids. Validation is `spec.validation` of the rows,
    chosen by a shuffle seeded with `split_seed`; mini-batches walk a per-epoch permutation
    seeded with split_seed + epoch, dropping the last partial batch.
    """

    reference_point = None
    scale_free = True  # balanced on its starting values (moo_core.scaling)

    def __init__(self, spec: TaskSpec, data: Prepared, split_seed: int = 0):
        self.spec, self.split_seed = spec, int(split_seed)
        self.loss = check_task(spec, data)
        self.n_objectives = spec.n_objectives
        self.classification = data.is_classification
        self.classes = data.classes
        self.notes = tuple(data.notes)  # what preparing the data did (rows dropped, …)
        self.group_count = _group_count(data)
        train, held_out = split_rows(data.rows, spec.validation, self.split_seed)
        mean, std = moments(data.features[train].astype(np.float64))
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
        self._order: tuple[int, torch.Tensor] | None = None
        self._kept: dict = {}  # the reference term of MMD for the last full set it was taken on

    # ---- Objective protocol ---------------------------------------------------------------

    def init_params(self, seeds: list[int], device: torch.device) -> list[torch.Tensor]:
        """Move the data to `device` and return each seed's network, stacked (row k ↔ seed k)."""
        if torch.device(device) != self.device:
            self.device = torch.device(device)
            self.train, self.validation = self.train.to(device), self.validation.to(device)
            self._order = None
        return init_mlp(self.widths, seeds, self.device)

    def evaluate(self, params: list[torch.Tensor], step: int) -> torch.Tensor:
        """Objective values (K, m) on the step's mini-batch, with their autograd graph."""
        rows = self.batch(step)
        outputs = mlp_forward(params, rows.features)
        return torch.stack(self._values(params, outputs, rows), dim=1)

    def project(self, params: list[torch.Tensor]) -> None:
        """Unconstrained weights: nothing to project."""

    def front(self, points: int) -> None:
        """No analytic front for a learned task."""
        return None

    # ---- batches --------------------------------------------------------------------------

    def work_per_row(self) -> int:
        """Multiply-adds of one run's forward pass over one step's rows."""
        return _parameter_count(self.widths) * self.rows_per_step

    def bytes_per_row(self) -> int:
        """One run's network in float32 with its gradients per objective and Adam's moments,
        and a step's activations (forward and backward) on its rows."""
        weights = _parameter_count(self.widths) * (4 + self.n_objectives)
        activations = 3 * self.rows_per_step * sum(self.widths[1:])
        return 4 * (weights + activations)

    @property
    def rows_per_step(self) -> int:
        """Data rows one step reads (the thread policy sizes the work by it)."""
        return min(self.spec.batch_size, self.train.count)

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

    def _epoch_order(self, epoch: int) -> torch.Tensor:
        if self._order is None or self._order[0] != epoch:
            generator = torch.Generator().manual_seed(self.split_seed + epoch)
            order = torch.randperm(self.train.count, generator=generator).to(self.device)
            self._order = (epoch, order)
        return self._order[1]

    # ---- values ---------------------------------------------------------------------------

    @property
    def one_vs_rest(self) -> bool:
        """Whether the classifier is one-vs-rest (sigmoids): under sum_to_one."""
        return self.classification and "sum_to_one" in self.spec.objectives

    def _values(
        self,
        params: list[torch.Tensor],
        outputs: torch.Tensor,
        rows: Rows,
        run_chunk: int | None = None,
    ) -> list[torch.Tensor]:
        """[f, g1, …] per row, each (K,), from the network outputs (K, B, out) on `rows`."""
        predictions = None if self.classification else self._scaled(outputs)
        if predictions is not None:
            if self.loss == "huber":
                f = objectives.huber_loss(predictions, rows.targets, self.target_std)
            else:
                f = objectives.mse_loss(predictions, rows.targets)
        elif self.one_vs_rest:
            f = objectives.one_vs_rest_cross_entropy(outputs, rows.targets)
        else:
            f = objectives.cross_entropy(outputs, rows.targets)
        others = [
            self._secondary(name, params, outputs, predictions, rows, run_chunk)
            for name in self.spec.objectives
        ]
        return [f, *others]

    def _secondary(self, name, params, outputs, predictions, rows, run_chunk) -> torch.Tensor:
        """One secondary objective per row (K,); `predictions` (K, B) in target units for
        regression, None for classification."""
        if name == "bounds":
            return objectives.bounds_violation(predictions, *self.output_range)
        if name == "mmd":
            return self._mmd(outputs, rows, run_chunk)
        if name == "sum_to_one":
            return objectives.sum_to_one_gap(outputs)
        if name == "parity":
            values = self._probabilities(outputs) if self.classification else predictions[..., None]
            return objectives.parity_gap(values, rows.groups, self.group_count)
        return objectives.mean_abs_weight(weight_tensors(params))

    def _scaled(self, outputs: torch.Tensor) -> torch.Tensor:
        """Regression predictions (K, B) in target units."""
        return self.target_mean + self.target_std * outputs[..., 0]

    def _probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        """Class probabilities (K, B, C): sigmoids one-vs-rest, softmax otherwise."""
        return torch.sigmoid(logits) if self.one_vs_rest else torch.softmax(logits, dim=-1)

    def _mmd(self, outputs: torch.Tensor, rows: Rows, run_chunk: int | None) -> torch.Tensor:
        """MMD² between standardised predictions and standardised targets of the batch."""
        samples = outputs[:, :MMD_MAX_ROWS]
        reference = ((rows.targets[:MMD_MAX_ROWS] - self.target_mean) / self.target_std)[:, None]
        own = self._reference_term(rows, reference)
        step = run_chunk or samples.shape[0]
        parts = [
            objectives.mmd_squared(samples[start : start + step], reference, reference_term=own)
            for start in range(0, samples.shape[0], step)
        ]
        return torch.cat(parts)

    def _reference_term(self, rows: Rows, reference: torch.Tensor) -> torch.Tensor:
        """The targets' own MMD term, kept for the whole training and validation sets (a full
        batch reads the same rows every step: a third of the step's kernel work)."""
        if rows is not self.train and rows is not self.validation:
            return objectives.reference_kernel_mean(reference)
        if self._kept.get("rows") is not rows:
            self._kept = {"rows": rows, "term": objectives.reference_kernel_mean(reference)}
        return self._kept["term"]

    # ---- reporting ------------------------------------------------------------------------

    @torch.no_grad()
    def _outputs(self, params: list[torch.Tensor], features: torch.Tensor) -> torch.Tensor:
        chunks = [
            mlp_forward(params, features[start : start + REPORT_CHUNK_ROWS])
            for start in range(0, features.shape[0], REPORT_CHUNK_ROWS)
        ]
        return torch.cat(chunks, dim=1)

    @torch.no_grad()
    def report(self, params: list[torch.Tensor]) -> dict[str, np.ndarray]:
        """Per row, float64: objectives (K, m) on the whole training set and val_objectives
        (K, m) on the validation set."""
        values = {}
        for key, rows in (("objectives", self.train), ("val_objectives", self.validation)):
            outputs = self._outputs(params, rows.features)
            columns = self._values(params, outputs, rows, run_chunk=REPORT_CHUNK_RUNS)
            values[key] = torch.stack(columns, dim=1).double().cpu().numpy()
        return values

    @torch.no_grad()
    def predictions(self, params: list[torch.Tensor], split: str = "train") -> np.ndarray:
        """Per-row predictions on a split ("train" or "validation"): (K, n) in target units
        for regression, (K, n, C) class probabilities (sigmoids under sum_to_one)."""
        if split not in ("train", "validation"):
            raise ValueError(f"split {split!r} is not 'train' or 'validation'")
        rows = self.train if split == "train" else self.validation
        outputs = self._outputs(params, rows.features)
        values = self._probabilities(outputs) if self.classification else self._scaled(outputs)
        return values.double().cpu().numpy()

    def baseline_f(self) -> float:
        """f of the best constant prediction on the training rows (`_baseline`): a run whose
        f is not clearly below it learned nothing."""
        targets, classes = self.train.targets.cpu().numpy(), len(self.classes or ())
        return constant_loss(self.loss, targets, classes, self.one_vs_rest, self.target_std)

    def describe(self) -> dict:
        """A JSON-ready summary: loss, objectives, split sizes, model and units. "objective"
        is the spec's string and "g_unit" the units joined with ", " (one objective: its
        unit); "objectives" and "g_units" list them one per objective."""
        regression = not self.classification
        units = [self._g_unit(name) for name in self.spec.objectives]
        return {
            "kind": "regression" if regression else "classification",
            "loss": self.loss,
            "objective": self.spec.objective,
            "objectives": list(self.spec.objectives),
            "f_unit": "target units²" if regression else "nats",
            "g_unit": ", ".join(units),
            "g_units": units,
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
            if "mmd" in self.spec.objectives
            else None,
        }

    def _g_unit(self, name: str) -> str:
        if name == "parity":
            return "probability" if self.classification else "target units"
        return G_UNITS[name]


def _target_scale(targets: np.ndarray, bounds) -> tuple[float, float, tuple[float, float]]:
    """Training targets' mean, std and allowed output range (`bounds`, else their [min, max])."""
    targets = targets.astype(np.float64)
    mean, std = (float(value) for value in moments(targets))
    low, high = bounds or (targets.min(), targets.max())
    return mean, std, (float(low), float(high))


def _group_count(data: Prepared) -> int:
    if data.groups is None or len(data.groups) == 0:
        return 0
    named = len(data.group_names) if data.group_names else 0
    return max(named, int(np.max(data.groups)) + 1)


def _parameter_count(widths: tuple[int, ...]) -> int:
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths))
