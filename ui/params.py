"""Form values ⇄ URL query parameters ⇄ validated configs. Pure: no Streamlit import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moo_core import METHODS, PROBLEMS, ConfigError, Hyperparam, hyperparams_of, make_run_config
from moo_core.config import DEVICES, FIELD_SPECS
from moo_core.methods import CONSTRAINT_KINDS

BASE_DEFAULTS: dict[str, Any] = {
    "problem": "concave",
    "method": "mdmm",
    "epsilon": 0.6,
    "constraint": "eq",
    "steps": 3000,
    "seed": 0,
    "device": "auto",
    "vs": "",
}


@dataclass(frozen=True)
class Preset:
    title: str
    explanation: str
    values: dict[str, Any]
    compare: tuple[str, ...] = ()

    def query(self) -> dict[str, str]:
        q = {k: str(v) for k, v in self.values.items()}
        if self.compare:
            q["vs"] = ",".join(self.compare)
        return q


PRESETS = (
    Preset(
        "BDMM vs MDMM on a concave front",
        "Basic multipliers oscillate around ε; MDMM's damping settles |g − ε| below 1e-3 "
        "within ~6000 steps.",
        {"problem": "concave", "method": "mdmm", "epsilon": 0.6, "damping": 10, "steps": 6000},
        ("bdmm",),
    ),
    Preset(
        "A weighted sum cannot reach a concave front",
        "Every weight lands on an end of a concave front; a constraint method reaches g = ε.",
        {
            "problem": "concave",
            "method": "weighted_sum",
            "epsilon": 0.6,
            "weight": 0.5,
            "steps": 3000,
        },
        ("mdmm",),
    ),
    Preset(
        "Convex front: every method agrees",
        "On a convex front weighted sums, penalties and multipliers all reach the front.",
        {"problem": "convex", "method": "mdmm", "epsilon": 1.0, "steps": 3000},
        ("bdmm", "penalty"),
    ),
)


@dataclass
class FormState:
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def method_specs(method: str) -> tuple[Hyperparam, ...]:
    return tuple(hyperparams_of(METHODS.get(method)))


def g_range(problem: str) -> tuple[float, float]:
    lo, hi = PROBLEMS.get(problem).describe()["g_range"]
    return float(lo), float(hi)


def check_epsilon(problem: str, epsilon: float) -> None:
    lo, hi = g_range(problem)
    if not lo <= epsilon <= hi:
        raise ConfigError(
            f"epsilon={epsilon:g} is outside problem {problem!r}'s range of g: "
            f"choose a value from {lo:g} to {hi:g}"
        )


def _first(raw: Any) -> Any:
    if isinstance(raw, list | tuple):
        return raw[-1] if raw else None
    return raw


def parse_query(query: Mapping[str, Any]) -> FormState:
    """Values for the form from URL parameters; a bad value is reported and left at its default."""
    values = dict(BASE_DEFAULTS)
    errors: list[str] = []
    q = {k: _first(v) for k, v in query.items()}
    for name, registry in (("problem", PROBLEMS), ("method", METHODS)):
        if name in q:
            if q[name] in registry:
                values[name] = q[name]
            else:
                errors.append(
                    f"unknown {name} {q[name]!r}; choose one of {', '.join(registry.names())}"
                )
    for name, allowed in (("constraint", CONSTRAINT_KINDS), ("device", DEVICES)):
        if name in q:
            if q[name] in allowed:
                values[name] = q[name]
            else:
                errors.append(
                    f"{name} {q[name]!r} is not allowed; choose one of {', '.join(allowed)}"
                )
    for name in ("epsilon", "steps", "seed"):
        if name in q:
            try:
                values[name] = FIELD_SPECS[name].parse(q[name])
            except ConfigError as error:
                errors.append(str(error))
    if "epsilon" in q and not errors:
        try:
            check_epsilon(values["problem"], float(values["epsilon"]))
        except ConfigError as error:
            errors.append(str(error))
    for spec in method_specs(values["method"]):
        values[spec.name] = spec.default
        if spec.name in q:
            try:
                values[spec.name] = spec.parse(q[spec.name])
            except ConfigError as error:
                errors.append(str(error))
    if q.get("vs"):
        chosen = [m for m in str(q["vs"]).split(",") if m]
        bad = [m for m in chosen if m not in METHODS]
        if bad:
            errors.append(
                f"unknown method {bad[0]!r} in vs; choose from {', '.join(METHODS.names())}"
            )
        values["vs"] = ",".join(m for m in chosen if m in METHODS)
    return FormState(values, errors)


def to_query(values: Mapping[str, Any]) -> dict[str, str]:
    """URL parameters for form values (the method's own hyperparameters only)."""
    names = ["problem", "method", "epsilon", "constraint", "steps", "seed", "device"]
    names += [spec.name for spec in method_specs(values["method"])]
    out = {n: _fmt(values[n]) for n in names if n in values and values[n] is not None}
    if values.get("vs"):
        out["vs"] = str(values["vs"])
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def run_config(values: Mapping[str, Any], method: str | None = None):
    """A validated RunConfig for `method` (default the form's method).

    A compared method (not the form's) runs with its own default hyperparameters.
    Raises ConfigError with a message naming the bad value."""
    method = method or values["method"]
    hp = {}
    if method == values["method"]:
        hp = {s.name: values[s.name] for s in method_specs(method) if s.name in values}
    config = make_run_config(
        values["problem"],
        method,
        epsilon=values["epsilon"],
        constraint=values["constraint"],
        steps=values["steps"],
        seed=values["seed"],
        device=values["device"],
        hyperparams=hp,
    )
    check_epsilon(config.problem, config.epsilon)
    return config


def parse_run_ids(raw: Any) -> tuple[list[int], list[str]]:
    """Run ids from a URL value like "3,4"; bad entries are reported."""
    ids, errors = [], []
    text = _first(raw)
    for part in str(text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit():
            ids.append(int(part))
        else:
            errors.append(f"run id {part!r} is not a whole number")
    return ids, errors
