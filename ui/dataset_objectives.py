"""The Datasets page's objectives: g1 ("Objective g") and any more, one constraint (ε, kind)
each, with the widget keys of the Lab's convention. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moo_core.config import RunConfig
from moo_core.tasks import OBJECTIVES
from moo_core.tasks._suggest import Suggestion

DEFAULT_KIND = "le"  # a task's ε bounds g from above: "constrained by ε" reads g ≤ ε
FALLBACK_EPSILON = 0.1  # a further objective's ε where the data suggested none (no probe ran)


def suggestion_state(suggestion: Suggestion, methods: Mapping[str, Sequence[str]]) -> dict:
    """The form values of a suggestion (moo_core.tasks.suggest, measured on the data): roles,
    ε and its sweep, model, steps and, for every method (`methods`: name → its
    hyperparameters' names), the suggested hyperparameters it has."""
    values = {
        "ds_target": suggestion.target,
        "ds_epsilon": suggestion.epsilon,
        "ds_constraint": suggestion.constraint,
        "ds_sweep_start": suggestion.sweep[0],
        "ds_sweep_stop": suggestion.sweep[1],
        "ds_steps": suggestion.steps,
        "ds_hidden": ",".join(map(str, suggestion.hidden)),
        "ds_batch": suggestion.batch_size,
    }
    for method, names in methods.items():
        for name, value in suggestion.hyperparams.items():
            if name in names:
                values[f"dshp.{method}.{name}"] = value
    return values


def suggested_epsilons(found: Mapping[str, Any]) -> dict[str, float]:
    """objective → its suggested ε, for the suggestions found (a str: none, and why)."""
    return {name: s.epsilon for name, s in found.items() if isinstance(s, Suggestion)}


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


def constraint_state(
    objectives: Sequence[str], state: Mapping[str, Any], suggested: Mapping[str, float]
) -> dict[str, Any]:
    """Values for the further constraints' widgets: the data's suggested ε (`suggested`:
    objective → ε, measured by moo_core.tasks.suggest) for an objective new at its place
    (`_ds_objectives`: the last run's order), kind le where none is kept."""
    seen = list(state.get("_ds_objectives") or ())
    updates: dict[str, Any] = {"_ds_objectives": list(objectives)}
    for i, (eps, kind) in enumerate(constraint_keys(len(objectives))[1:], start=1):
        if eps not in state or seen[i : i + 1] != [objectives[i]]:
            updates[eps] = suggested.get(objectives[i], FALLBACK_EPSILON)
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
