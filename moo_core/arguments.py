"""What `Balancer` accepts — constraints, hyperparameters, objectives — checked where they
arrive; every refusal names the value and says what to do instead."""

from __future__ import annotations

import torch

from moo_core.methods import CONSTRAINT_KINDS, hyperparams_of
from moo_core.methods._specs import COMMON_HYPERPARAMS
from moo_core.registry import ConfigError

ENGINE_SETTINGS = tuple(spec.name for spec in COMMON_HYPERPARAMS)  # optimizer, lr


def check_constraints(method: str, constraints) -> list:
    """(kind, ε) pairs; a number or a string where the list belongs is a misplaced
    hyperparameter (`Balancer("cagrad", 0.5)`) and is refused saying so."""
    if isinstance(constraints, (int, float, str)) or (
        isinstance(constraints, torch.Tensor) and constraints.dim() == 0
    ):
        example = (own_names(method) or ["name"])[0]
        raise ConfigError(
            f"Balancer({method!r}, {constraints!r}): the second argument is `constraints`, a "
            f"list of (kind, epsilon) pairs; give hyperparameters by keyword, e.g. "
            f"Balancer({method!r}, {example}={constraints!r})"
        )
    return [_check_constraint(item) for item in constraints]


def _check_constraint(item):
    try:
        kind, epsilon = item
    except (TypeError, ValueError):
        raise ConfigError(f"constraint {item!r} must be a (kind, epsilon) pair") from None
    if kind not in CONSTRAINT_KINDS:
        raise ConfigError(
            f"constraint kind {kind!r} is not allowed; choose one of {', '.join(CONSTRAINT_KINDS)}"
        )
    if not isinstance(epsilon, torch.Tensor):
        try:
            epsilon = float(epsilon)
        except (TypeError, ValueError):
            raise ConfigError(f"constraint epsilon {epsilon!r} is not a number") from None
    return kind, epsilon


def refuse_engine_settings(method: str, given: dict) -> None:
    """`optimizer` and `lr` set the lab's own training loop; in a user's loop their
    optimizer has them, so passing them to Balancer would do nothing."""
    for name in ENGINE_SETTINGS:
        if name in given:
            raise ConfigError(
                f"{name}={given[name]!r} sets the lab's training loop, not a balancing method: "
                f"in your own loop your optimizer has it. Balancer({method!r}) takes the "
                f"method's own hyperparameters: {', '.join(own_names(method)) or 'none'}"
            )


def own_names(method: str) -> list[str]:
    from moo_core.methods import METHODS

    return [spec.name for spec in METHODS.get(method).hyperparams]


def settings(method_class, method: str, given: dict) -> dict:
    """Defaults filled; plain values checked against the typed specs, tensors taken as is
    (the engine's per-row settings, validated when the configuration was made)."""
    specs = {spec.name: spec for spec in hyperparams_of(method_class)}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise ConfigError(
            f"unknown hyperparameter {unknown[0]!r} for method {method!r}; "
            f"allowed: {', '.join(name for name in specs if name not in ENGINE_SETTINGS)}"
        )
    return {
        name: (
            given[name]
            if isinstance(given.get(name), torch.Tensor)
            else spec.parse(given[name])
            if name in given
            else spec.default
        )
        for name, spec in specs.items()
    }


def losses(objective, others, params: list[torch.Tensor]) -> list[torch.Tensor]:
    """[objective, *others] as tensors of one shape: () for one run, (K,) for K stacked
    runs (whose parameters all lead with K). `others` may be one tensor: of the objective's
    shape (one other), or with one more axis (one other per last index)."""
    if not isinstance(objective, torch.Tensor):
        raise ConfigError(f"the objective must be a tensor, not {type(objective).__name__}")
    if isinstance(others, torch.Tensor):
        if others.shape == objective.shape:
            others = [others]
        elif others.dim() == objective.dim() + 1 and others.shape[:-1] == objective.shape:
            others = [others[..., i] for i in range(others.shape[-1])]  # not unbind: its
            # backward builds the gradient of every slice, once per objective
        else:
            raise ConfigError(
                f"others has shape {tuple(others.shape)} for an objective of shape "
                f"{tuple(objective.shape)}: give a sequence of objectives, or one tensor with "
                "one entry per other objective along its last axis"
            )
    others = list(others)
    for i, other in enumerate(others):
        if not isinstance(other, torch.Tensor):
            raise ConfigError(f"others[{i}] must be a tensor, not {type(other).__name__}")
    if not others:
        raise ConfigError("give at least one other objective (a task or a constraint)")
    _check_shapes(objective, others, params)
    return [objective, *others]


def _check_shapes(objective, others, params) -> None:
    shapes = {tuple(t.shape) for t in (objective, *others)}
    stacked = objective.dim() == 1 and all(
        p.dim() >= 1 and p.shape[0] == objective.shape[0] for p in params
    )
    if len(shapes) == 1 and (objective.dim() == 0 or stacked):
        return
    shape = next(tuple(t.shape) for t in (objective, *others) if t.dim() > 0)
    raise ConfigError(
        f"an objective has shape {shape}: Balancer.backward takes each objective as a scalar; "
        "reduce per-sample losses first (e.g. loss.mean()). A (K,) objective means K stacked "
        "runs, and needs every parameter to lead with K and every objective to have shape (K,)"
    )


def count_message(method: str, constraints: int, values: torch.Tensor) -> str:
    others = values.shape[-1] - 1
    return (
        f"method {method!r} has {constraints} constraint(s) for {others} other objective(s); "
        f"give one (kind, epsilon) per other objective"
    )
