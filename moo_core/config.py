"""Validated run and sweep configurations (plain data, JSON round-trippable)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from moo_core import capacity
from moo_core.methods import CONSTRAINT_KINDS, METHODS, hyperparams_of
from moo_core.problems import PROBLEMS
from moo_core.registry import ConfigError, Hyperparam, parse_hyperparams
from moo_core.tasks._spec import TaskSpec, make_task_spec

DEVICES = ("auto", "cpu", "cuda")
RUN_FIELDS = (
    Hyperparam("epsilon", "float", 0.5, "Constraint level ε on g", -1e6, 1e6),
    Hyperparam("steps", "int", 3000, "Training steps", 1, 10_000_000),
    Hyperparam("seed", "int", 0, "Random seed", 0, 2**31 - 1),
)
FIELD_SPECS = {spec.name: spec for spec in RUN_FIELDS}
# Networks on real data train with Adam unless told otherwise: plain SGD at the toy problems'
# lr diverges on losses in data units (an MSE in units² of a target with std ~77, say).
TASK_DEFAULTS = {"optimizer": "adam", "lr": 1e-3}


@dataclass(frozen=True)
class RunConfig:
    """One training run on a toy `problem` or on a `task` (real data; then `problem` is None).
    `hyperparams` is complete (defaults filled) once validated."""

    problem: str | None
    method: str
    epsilon: float | tuple[float, ...] = 0.5  # one per constraint; a scalar applies to all
    constraint: str | tuple[str, ...] = "eq"
    steps: int = 3000
    seed: int = 0
    init: tuple[float, ...] | str | None = None
    device: str = "auto"
    hyperparams: Mapping[str, float | int | str] = field(default_factory=dict)
    task: TaskSpec | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["init"] = list(self.init) if isinstance(self.init, tuple) else self.init
        for name in ("epsilon", "constraint"):
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        out["hyperparams"] = dict(self.hyperparams)
        if self.task is None:
            del out["task"]  # toy-problem configs keep the shape they always had
        else:
            out["task"] = self.task.to_dict()
        return out

    @property
    def subject(self) -> str:
        """What is trained: the problem's name, or the task's dataset → target."""
        if self.task is None:
            return str(self.problem)
        return f"{self.task.dataset_label} → {self.task.target}"

    @property
    def n_objectives(self) -> int:
        """m: the problem's declared count, or 1 + the task's objectives."""
        if self.task is not None:
            return getattr(self.task, "n_objectives", 2)
        return PROBLEMS.get(self.problem).n_objectives

    def epsilons(self) -> tuple[float, ...]:
        """One ε per constraint (m − 1 of them)."""
        return _per_constraint(self.epsilon, self.n_objectives)

    def kinds(self) -> tuple[str, ...]:
        """One kind (eq, le, ge) per constraint."""
        return _per_constraint(self.constraint, self.n_objectives)

    def with_value(self, name: str, value: float) -> RunConfig:
        """The same run with one field or hyperparameter set (used to expand sweeps);
        `epsilonI` sets constraint I's ε (1-based) and keeps the others."""
        index = epsilon_index(name)
        if index is not None:
            epsilons = list(self.epsilons())
            epsilons[index - 1] = value
            return replace(self, epsilon=tuple(epsilons))
        if name in FIELD_SPECS:
            return replace(self, **{name: value})
        return replace(self, hyperparams={**self.hyperparams, name: value})


@dataclass(frozen=True)
class SweepConfig:
    """One hyperparameter swept over `values`, all settings trained as one batched job."""

    run: RunConfig
    over: str
    values: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run.to_dict(), "over": self.over, "values": list(self.values)}

    def runs(self) -> list[RunConfig]:
        return [self.run.with_value(self.over, value) for value in self.values]


def _per_constraint(value, m: int) -> tuple:
    return value if isinstance(value, tuple) else (value,) * (m - 1)


def epsilon_index(name: str) -> int | None:
    """I for a name `epsilonI` (one constraint's ε), else None."""
    digits = name[len("epsilon") :]
    if name.startswith("epsilon") and digits.isdigit() and int(digits) >= 1:
        return int(digits)
    return None


def _list(raw: Any) -> list | None:
    """A comma-separated string or a list as a list; a single value as None."""
    if isinstance(raw, str) and "," in raw:
        return [part.strip() for part in raw.split(",")]
    if isinstance(raw, list | tuple):
        return list(raw)
    return None


def parse_epsilon(raw: Any, m: int) -> float | tuple[float, ...]:
    """One ε for every constraint, or a list of m − 1 (one per constraint)."""
    spec = FIELD_SPECS["epsilon"]
    items = _list(raw)
    if items is None:
        return spec.parse(raw if raw is not None else spec.default)
    if len(items) != m - 1:
        raise ConfigError(
            f"--epsilon {','.join(map(str, items))!r} has {len(items)} values; "
            f"{m} objectives have {m - 1} constraint(s)"
        )
    return tuple(spec.parse(item) for item in items)


def parse_kinds(raw: Any, m: int) -> str | tuple[str, ...]:
    """One kind for every constraint, or a list of m − 1."""
    items = _list(raw)
    for kind in items if items is not None else [raw]:
        if kind not in CONSTRAINT_KINDS:
            raise ConfigError(
                f"constraint {kind!r} is not allowed; choose one of {', '.join(CONSTRAINT_KINDS)}"
            )
    if items is None:
        return raw
    if len(items) != m - 1:
        raise ConfigError(
            f"--constraint {','.join(items)!r} has {len(items)} kinds; "
            f"{m} objectives have {m - 1} constraint(s)"
        )
    return tuple(items)


def parse_init(raw: Any) -> tuple[float, ...] | str | None:
    if raw is None or raw == "" or raw == "random":
        return raw or None
    if isinstance(raw, str):
        raw = raw.split(",")
    try:
        point = tuple(float(value) for value in raw)
    except (TypeError, ValueError):
        raise ConfigError(f"--init {raw!r} must be comma-separated numbers or 'random'") from None
    if not all(math.isfinite(value) for value in point):
        raise ConfigError(f"--init {raw!r} must be finite numbers (no nan or inf)")
    return point


def make_run_config(
    problem: str | None,
    method: str,
    epsilon: Any = None,
    constraint: str = "eq",
    steps: Any = None,
    seed: Any = None,
    init: Any = None,
    device: str = "auto",
    hyperparams: Mapping[str, Any] | None = None,
    task: TaskSpec | Mapping[str, Any] | None = None,
) -> RunConfig:
    """Validate every value against the registries; raise ConfigError naming the bad one.
    Give a toy `problem` or a `task` (its data are checked when it is built, not here)."""
    if (problem is None) == (task is None):
        raise ConfigError("give a problem (--problem NAME) or a dataset (--dataset NAME_OR_CSV)")
    if task is not None:
        task = task if isinstance(task, TaskSpec) else make_task_spec(**task)
        if init is not None:
            raise ConfigError("--init is for toy problems; a task's seed draws the network")
        hyperparams = {**TASK_DEFAULTS, **(hyperparams or {})}
    method_cls = METHODS.get(method)
    if problem is not None:
        PROBLEMS.get(problem)  # an unknown name is named before anything about its objectives
    m = getattr(task, "n_objectives", 2) if task is not None else PROBLEMS.get(problem).n_objectives
    kinds = parse_kinds(constraint, m)
    epsilons = parse_epsilon(epsilon, m)
    if device not in DEVICES:
        raise ConfigError(f"device {device!r} is not allowed; choose one of {', '.join(DEVICES)}")
    given = {"steps": steps, "seed": seed}
    fields = parse_hyperparams(
        RUN_FIELDS, {k: v for k, v in given.items() if v is not None}, "the run"
    )
    fields.pop("epsilon")
    params = parse_hyperparams(hyperparams_of(method_cls), hyperparams or {}, f"method {method!r}")
    method_cls.check(params, m)
    parsed_init = parse_init(init)
    if problem is not None:
        PROBLEMS.get(problem).check_init(parsed_init)  # the length of --init
        _check_positive(method_cls, params, PROBLEMS.get(problem))
    return RunConfig(
        problem=problem,
        method=method,
        epsilon=epsilons,
        constraint=kinds,
        init=parsed_init,
        device=device,
        hyperparams=params,
        task=task,
        **fields,
    )


def _check_positive(method_cls, params: Mapping[str, Any], problem_cls) -> None:
    """A method that takes logs (geometric mean) refuses a problem whose g can reach −shift."""
    if not method_cls.requires_positive:
        return
    lowest, shift = float(problem_cls.g_range[0]), float(params["shift"])
    if lowest + shift <= 0:
        raise ConfigError(
            f"method {method_cls.name!r} needs every objective + shift > 0, but "
            f"{problem_cls.name}'s g reaches {lowest:g}; set shift above {-lowest:g}"
        )


def run_config_from_dict(data: Mapping[str, Any]) -> RunConfig:
    """Rebuild (and re-validate) a RunConfig from `RunConfig.to_dict()` output."""
    known = {"problem", "method", "epsilon", "constraint", "steps", "seed", "init", "device"}
    unknown = sorted(set(data) - known - {"hyperparams", "task"})
    if unknown:
        raise ConfigError(f"unknown run field {unknown[0]!r}")
    if "method" not in data or ("problem" not in data and not data.get("task")):
        raise ConfigError("a run needs 'method' and a 'problem' or a 'task'")
    kwargs = {k: data[k] for k in known if k in data}
    kwargs.setdefault("problem", None)
    task = data.get("task")
    if task is not None and not isinstance(task, Mapping):
        raise ConfigError(f"a run's task must be an object, not {type(task).__name__}")
    return make_run_config(**kwargs, hyperparams=data.get("hyperparams") or {}, task=task)


def sweep_spec(run: RunConfig, over: str) -> Hyperparam:
    """The typed spec of a sweepable name: epsilon (every constraint), epsilonI (constraint
    I alone, for m ≥ 3), seed or a numeric hyperparameter."""
    specs = {s.name: s for s in (*RUN_FIELDS, *hyperparams_of(METHODS.get(run.method)))}
    if run.n_objectives > 2:
        one = FIELD_SPECS["epsilon"]
        for i in range(1, run.n_objectives):
            specs[f"epsilon{i}"] = replace(one, name=f"epsilon{i}", help=f"ε of constraint {i}")
    allowed = [name for name, spec in specs.items() if spec.sweepable and name != "steps"]
    if over not in allowed:
        raise ConfigError(
            f"cannot sweep {over!r} for method {run.method!r}; sweepable: {', '.join(allowed)}"
        )
    return specs[over]


def parse_over(text: str) -> tuple[str, float, float, int]:
    """Parse NAME=START:STOP:COUNT."""
    try:
        name, span = text.split("=", 1)
        start, stop, count = span.split(":")
        return name.strip(), float(start), float(stop), int(count)
    except ValueError:
        raise ConfigError(f"--over {text!r} must look like NAME=START:STOP:COUNT") from None


def make_sweep_config(run: RunConfig, over: str, start: float, stop: float, count: int):
    spec = sweep_spec(run, over)
    if count < 1:
        raise ConfigError(f"sweep COUNT={count} is out of range; at least 1")
    capacity.check_rows(count, capacity.host_bytes(_row_bytes(run)))  # the cap follows memory
    values = np.linspace(start, stop, count)
    if spec.kind == "int":
        values = np.unique(np.round(values).astype(int))
    parsed = tuple(spec.parse(round(float(v), 12)) for v in values)
    return SweepConfig(run=run, over=over, values=parsed)


def _row_bytes(run: RunConfig) -> int:
    """A toy problem's bytes a row on the device (its coordinates and what a step keeps beside
    them); a task's network is sized by the engine, with its data."""
    if run.task is not None:
        return 0
    problem = PROBLEMS.get(run.problem)
    return 4 * problem.dim * (6 + 2 * problem.n_objectives) + capacity.RECORD_BYTES_PER_ROW


def sweep_config_from_dict(data: Mapping[str, Any]) -> SweepConfig:
    """Rebuild (and re-validate) a SweepConfig from `SweepConfig.to_dict()` output."""
    missing = [key for key in ("run", "over", "values") if key not in data]
    if missing:
        raise ConfigError(f"a sweep needs {missing[0]!r}")
    values = data["values"]
    if not isinstance(values, list | tuple) or not values:
        raise ConfigError(f"sweep values {values!r} must be a non-empty list")
    run = run_config_from_dict(data["run"])
    spec = sweep_spec(run, data["over"])
    return SweepConfig(run, data["over"], tuple(spec.parse(v) for v in values))
