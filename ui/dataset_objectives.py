"""The Datasets page's objectives: g1 ("Objective g") and any more, one constraint (ε, kind)
each, with the widget keys of the Lab's convention. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moo_core.config import RunConfig
from moo_core.tasks import OBJECTIVES

# (ε, sweep from, sweep to) per objective, in g's own units (see Task.describe()["g_units"]):
# l1 starts near 0.06 mean |w| for a freshly drawn 64-wide MLP, the others near 0 at a good fit.
EPSILON_HINTS = {
    "l1": (0.02, 0.005, 0.05),
    "bounds": (0.01, 0.0, 0.1),
    "sum_to_one": (0.05, 0.01, 0.2),
    "mmd": (0.01, 0.001, 0.05),
    "parity": (0.05, 0.01, 0.2),
}
DEFAULT_KIND = "le"  # a task's ε bounds g from above: "constrained by ε" reads g ≤ ε


def objective_defaults(objective: str) -> dict[str, float]:
    """ε and the ε sweep's range suggested for a newly chosen objective."""
    epsilon, start, stop = EPSILON_HINTS.get(objective, EPSILON_HINTS["l1"])
    return {"ds_epsilon": epsilon, "ds_sweep_start": start, "ds_sweep_stop": stop}


def objectives_of(values: Mapping[str, Any]) -> list[str]:
    """The chosen objectives in order: "Objective g" first, then "More objectives"."""
    first = values["ds_objective"]
    return [first, *(name for name in values.get("ds_objectives_more") or () if name != first)]


def more_options(first: str) -> list[str]:
    return [name for name in OBJECTIVES if name != first]


def constraint_keys(count: int) -> list[tuple[str, str]]:
    """(ε, kind) widget keys of `count` constraints, as on the Lab: the first keeps the page's
    ("ds_epsilon", "ds_constraint"), then ("ds_epsilon_2", "ds_constraint_2") and on."""
    more = [(f"ds_epsilon_{i}", f"ds_constraint_{i}") for i in range(2, count + 1)]
    return [("ds_epsilon", "ds_constraint"), *more]


def constraint_state(objectives: Sequence[str], state: Mapping[str, Any]) -> dict[str, Any]:
    """Values for the further constraints' widgets: ε suggested for an objective new at its
    place (`_ds_objectives`: the last run's order), kind le where none is kept."""
    seen = list(state.get("_ds_objectives") or ())
    updates: dict[str, Any] = {"_ds_objectives": list(objectives)}
    for i, (eps, kind) in enumerate(constraint_keys(len(objectives))[1:], start=1):
        if eps not in state or seen[i : i + 1] != [objectives[i]]:
            updates[eps] = EPSILON_HINTS.get(objectives[i], EPSILON_HINTS["l1"])[0]
        if kind not in state:
            updates[kind] = DEFAULT_KIND
    return updates


def constraint_labels(i: int, objectives: Sequence[str]) -> tuple[str, str, str]:
    """(ε label, kind label, help) of constraint `i` (from 1), short enough for a narrow
    column: "ε (bound on g)" and "Constraint" for one objective, "ε2 (l1)", "Constraint 2"."""
    if len(objectives) == 1:
        return "ε (bound on g)", "Constraint", "le: g ≤ ε"
    g = f"g{i}"
    return (
        f"ε{i} ({objectives[i - 1]})",
        f"Constraint {i}",
        f"{g} = {objectives[i - 1]}; le: {g} ≤ ε{i}",
    )


def sweep_over(config: RunConfig) -> str:
    """What "Sweep ε" varies: ε itself, or the first constraint's ε1 with the others fixed."""
    return "epsilon" if config.n_objectives == 2 else "epsilon1"
