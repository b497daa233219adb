"""A task's configuration: which data, which columns, which model and which objectives."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from moo_core.registry import ConfigError

OBJECTIVES = ("l1", "bounds", "sum_to_one", "mmd", "parity")
LOSSES = ("mse", "huber", "ce")
MISSING = ("drop", "impute")
MAX_DEPTH, MAX_WIDTH = 8, 4096


@dataclass(frozen=True)
class TaskSpec:
    """Dataset + small MLP + primary loss f + secondary objectives (each constrained by its ε).

    `objective`: one name from OBJECTIVES or a comma list of distinct ones ("parity,l1"),
    in the order of the run's constrained objectives g1, g2, ….

    `dataset`: a built-in name, a CSV path, or "sha256:<hex>" for an upload stored in the
    database. `loss` None picks ce for a categorical target and mse otherwise. `features`
    None takes every column but the target and the group. `bounds` is the allowed output
    range for the `bounds` objective (None: the training targets' range).
    """

    dataset: str
    target: str
    objective: str
    group: str | None = None
    features: tuple[str, ...] | None = None
    loss: str | None = None
    hidden: tuple[int, ...] = (64, 64)
    batch_size: int = 256
    validation: float = 0.2
    missing: str = "drop"
    bounds: tuple[float, float] | None = None

    @property
    def objectives(self) -> tuple[str, ...]:
        """The secondary objectives, in order."""
        return tuple(part.strip() for part in self.objective.split(","))

    @property
    def n_objectives(self) -> int:
        """m: the loss f and one per secondary objective."""
        return 1 + len(self.objectives)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("features", "hidden", "bounds"):
            if out[name] is not None:
                out[name] = list(out[name])
        return out

    @property
    def dataset_label(self) -> str:
        """A short name for pages and logs (an upload's hash is shortened)."""
        if self.dataset.startswith("sha256:"):
            return f"upload {self.dataset[7:15]}"
        return self.dataset.rsplit("/", 1)[-1]


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{name} {value!r} is not allowed; choose one of {', '.join(allowed)}")
    return value


def _objectives(value: Any) -> str:
    """ "parity, l1" or ["parity", "l1"] → "parity,l1": known, distinct names."""
    if not value or not isinstance(value, str | list | tuple):
        return _choice("objective", value, OBJECTIVES)  # raises, naming the value
    parts = value.split(",") if isinstance(value, str) else [str(part) for part in value]
    names = [part.strip() for part in parts]
    if "" in names:
        raise ConfigError(f"objective {value!r} has an empty entry; separate names with commas")
    for name in names:
        _choice("objective", name, OBJECTIVES)
        if names.count(name) > 1:
            raise ConfigError(f"objective {name!r} is listed twice in {value!r}")
    return ",".join(names)


def _column(name: str, value: Any, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise ConfigError(f"a task needs a {name} column (--{name} COL)")
        return None
    return str(value)


def _ints(name: str, value: Any) -> tuple[int, ...]:
    """ "64,64" or [64, 64] → (64, 64); "" or [] → () (a linear model)."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        numbers = tuple(int(str(part).strip()) for part in parts if str(part).strip())
    except ValueError:
        raise ConfigError(f"--{name} {value!r} must be comma-separated whole numbers") from None
    if len(numbers) > MAX_DEPTH or any(not 1 <= n <= MAX_WIDTH for n in numbers):
        raise ConfigError(
            f"--{name} {value!r}: at most {MAX_DEPTH} layers of 1 to {MAX_WIDTH} units each"
        )
    return numbers


def _number(name: str, value: Any, low: float, high: float, kind=float):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"--{name} {value!r} is not a number") from None
    if kind is int and number != float(value):
        raise ConfigError(f"--{name} {value!r} must be a whole number")
    if not low <= number <= high:
        raise ConfigError(f"--{name} {value!r} is out of range; allowed {low:g} to {high:g}")
    return number


def _bounds(value: Any) -> tuple[float, float] | None:
    if value is None or value == "":
        return None
    parts = value.replace(",", ":").split(":") if isinstance(value, str) else list(value)
    try:
        low, high = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise ConfigError(f"--bounds {value!r} must look like LOW:HIGH") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ConfigError(f"--bounds {value!r} needs finite LOW < HIGH")
    return low, high


def make_task_spec(
    dataset: Any = None,
    target: Any = None,
    objective: Any = None,
    group: Any = None,
    features: Any = None,
    loss: Any = None,
    hidden: Any = (64, 64),
    batch_size: Any = 256,
    validation: Any = 0.2,
    missing: Any = "drop",
    bounds: Any = None,
) -> TaskSpec:
    """Check a task's shape (names, numbers); its data are checked when the task is built."""
    if not dataset or not isinstance(dataset, str):
        raise ConfigError("a task needs a dataset (--dataset NAME_OR_CSV_PATH)")
    if features is not None:
        features = features.split(",") if isinstance(features, str) else list(features)
        features = tuple(str(name).strip() for name in features if str(name).strip()) or None
    return TaskSpec(
        dataset=dataset,
        target=_column("target", target),
        objective=_objectives(objective),
        group=_column("group", group, required=False),
        features=features,
        loss=None if loss in (None, "", "auto") else _choice("loss", loss, LOSSES),
        hidden=_ints("hidden", "" if hidden is None else hidden),
        batch_size=_number("batch-size", 256 if batch_size is None else batch_size, 1, 1e6, int),
        validation=_number("validation", 0.2 if validation is None else validation, 0.05, 0.9),
        missing=_choice("missing", missing or "drop", MISSING),
        bounds=_bounds(bounds),
    )
