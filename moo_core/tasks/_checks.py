"""Whether a task spec fits its data: every mismatch is a ConfigError naming the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from moo_core.registry import ConfigError
from moo_core.tasks._spec import LOSSES, MAX_DEPTH, MAX_WIDTH, OBJECTIVES, TaskSpec

if TYPE_CHECKING:
    from moo_core.data._prepared import Prepared

REGRESSION_LOSSES = ("mse", "huber")
REGRESSION_OBJECTIVES = ("bounds", "mmd")


def resolve_loss(spec: TaskSpec, data: Prepared) -> str:
    """The loss to train with: spec.loss, or ce for a categorical target and mse otherwise."""
    if spec.loss is not None:
        return spec.loss
    return "ce" if data.is_classification else "mse"


def validation_rows(rows: int, fraction: float) -> int:
    """How many of `rows` the validation split takes (rounded, as `split_rows` does)."""
    return round(rows * fraction)


def check_task(spec: TaskSpec, data: Prepared) -> str:
    """Raise ConfigError if `spec` cannot train on `data`; return the resolved loss."""
    for objective in spec.objectives:
        if objective not in OBJECTIVES:
            raise ConfigError(
                f"objective {objective!r} is unknown; choose one of {', '.join(OBJECTIVES)}"
            )
        if spec.objectives.count(objective) > 1:
            raise ConfigError(f"objective {objective!r} is listed twice in {spec.objective!r}")
    if spec.loss is not None and spec.loss not in LOSSES:
        raise ConfigError(f"loss {spec.loss!r} is unknown; choose one of {', '.join(LOSSES)}")
    loss = resolve_loss(spec, data)
    _check_target(spec, data, loss)
    _check_group(spec, data)
    _check_model(spec, data)
    return loss


def _check_target(spec: TaskSpec, data: Prepared, loss: str) -> None:
    target = f"target {spec.target!r}"
    if loss == "ce" and not data.is_classification:
        raise ConfigError(f"loss 'ce' needs a categorical target; {target} is numeric")
    if loss in REGRESSION_LOSSES and data.is_classification:
        raise ConfigError(f"loss {loss!r} needs a numeric target; {target} is categorical")
    for objective in spec.objectives:
        if objective == "sum_to_one" and loss != "ce":
            raise ConfigError(
                f"objective 'sum_to_one' needs loss 'ce' (a categorical target), not {loss!r}"
            )
        if objective in REGRESSION_OBJECTIVES and loss not in REGRESSION_LOSSES:
            raise ConfigError(
                f"objective {objective!r} needs a numeric target (loss mse or huber), not {loss!r}"
            )
    if data.is_classification and len(data.classes) < 2:
        raise ConfigError(f"{target} has one class; classification needs at least two")
    if spec.bounds is not None and not spec.bounds[0] <= spec.bounds[1]:
        raise ConfigError(f"bounds {list(spec.bounds)} must be [low, high] with low ≤ high")


def _check_group(spec: TaskSpec, data: Prepared) -> None:
    if "parity" not in spec.objectives:
        return
    if spec.group is None or data.groups is None:
        raise ConfigError("objective 'parity' needs a group column; choose one with group=")
    if len(np.unique(data.groups)) < 2:
        raise ConfigError(
            f"group column {spec.group!r} has one value; parity needs at least two groups"
        )


def _check_model(spec: TaskSpec, data: Prepared) -> None:
    if data.features.ndim != 2 or data.features.shape[1] < 1:
        raise ConfigError("the task has no feature columns; choose at least one feature")
    if len(spec.hidden) > MAX_DEPTH:
        raise ConfigError(f"hidden has {len(spec.hidden)} layers; allowed 0 to {MAX_DEPTH}")
    for width in spec.hidden:
        if not 1 <= width <= MAX_WIDTH:
            raise ConfigError(f"hidden width {width} is out of range; allowed 1 to {MAX_WIDTH}")
    if spec.batch_size < 1:
        raise ConfigError(f"batch_size {spec.batch_size} must be at least 1")
    if not 0.0 < spec.validation < 1.0:
        raise ConfigError(f"validation {spec.validation!r} must be a fraction between 0 and 1")
    held_out = validation_rows(data.rows, spec.validation)
    if not 1 <= held_out <= data.rows - 1:
        raise ConfigError(
            f"validation {spec.validation:g} of {data.rows} rows leaves {held_out} for validation "
            f"and {data.rows - held_out} for training; each needs at least 1"
        )
