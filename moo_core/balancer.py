"""`Balancer`: a balancing method as a library for your own PyTorch training loop.

    balancer = Balancer("mdmm", constraints=[("le", 0.1), ("eq", 0.5)], damping=10.0)
    for batch in data:
        optimizer.zero_grad()
        loss, g1, g2 = model_losses(batch)
        report = balancer.backward(loss, [g1, g2], model.parameters())
        optimizer.step()

`backward` adds the balanced direction to each parameter's `.grad` (as `loss.backward()`
does) and advances the method's state (multipliers, task weights). Methods that read only
the objective values (weighted sum, geometric mean, penalty, BDMM, MDMM) take one backward
of Σᵢ wᵢ·Lᵢ; the others (GradNorm, MGDA, PCGrad) take each objective's gradient, form their
Gram matrix and mix the gradients. The lab's own engine trains through this class too, with
K runs stacked on a leading axis: then each objective has shape (K,) and row k of it depends
on row k of every parameter only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch

from moo_core.methods import CONSTRAINT_KINDS, METHODS, Constraints, Method, hyperparams_of
from moo_core.methods import min_cosine as _min_cosine
from moo_core.registry import ConfigError

Constraint = "tuple[str, float | torch.Tensor]"  # (kind, ε); a string: torch loads on use


@dataclass(frozen=True)
class Report:
    """What one step did: `weights` (m,) — or (K, m) for stacked runs — on the objectives,
    `multipliers` (m − 1,) or None for a method without them, the objective `values` and the
    Gram matrix where the method read it. `violation` is the largest constraint violation
    (None without constraints), computed when asked."""

    weights: torch.Tensor
    multipliers: torch.Tensor | None
    values: torch.Tensor
    constraints: Constraints | None = None
    gram: torch.Tensor | None = None

    @property
    def violation(self) -> torch.Tensor | None:
        if self.constraints is None or not self.constraints.count:
            return None
        stacked = self.values if self.values.dim() > 1 else self.values.unsqueeze(0)
        violation = self.constraints.violation(stacked[:, 1:])
        return violation if self.values.dim() > 1 else violation[0]

    def min_cosine(self) -> torch.Tensor | None:
        """The smallest pairwise cosine between the objectives' gradients (needs the Gram)."""
        return None if self.gram is None else _min_cosine(self.gram)


class Balancer:
    """One balancing method from the registry (`moo_core.METHODS`) with its hyperparameters.

    `constraints` has one (kind, ε) per other objective — kind `eq`, `le` or `ge` — for the
    methods that use ε (penalty, BDMM, MDMM); for the others it may be left out. ε (and every
    number hyperparameter) may be a (K,) tensor when K runs are stacked. `seed` seeds the
    random draws of methods that make them (PCGrad's order for m > 2); one per row if stacked.
    """

    def __init__(
        self,
        method: str,
        constraints: Sequence[Constraint] = (),
        *,
        seed: int | Sequence[int] = 0,
        **hyperparameters,
    ):
        self.method_class: type[Method] = METHODS.get(method).load()
        self.method_name = method
        self.constraints = [_check_constraint(method, item) for item in constraints]
        self.settings = _settings(self.method_class, method, hyperparameters)
        self.seeds = [seed] if isinstance(seed, int) else list(seed)
        self._method: Method | None = None
        self._pending: dict[str, torch.Tensor] | None = None

    @property
    def needs_gram(self) -> bool:
        return self.method_class.needs_gram

    def enforces(self, row: int = 0) -> bool:
        """Whether the method of stacked row `row` enforces its constraints (for verdicts)."""
        return self.method_class.enforces_constraints

    # ---- the step -----------------------------------------------------------------------

    def backward(
        self,
        objective: torch.Tensor,
        others: Sequence[torch.Tensor],
        params: Iterable[torch.Tensor],
        *,
        gram: bool = False,
    ) -> Report:
        """Add the balanced direction to every parameter's `.grad`; return the `Report`.
        `gram=True` takes each objective's gradient even where the method does not need
        them, so that the report carries the Gram matrix (e.g. to log gradient conflict)."""
        params = [p for p in params if p.requires_grad]
        values = torch.stack([objective, *others], -1)
        stacked = values.dim() > 1
        report, directions = self.directions(
            values if stacked else values.unsqueeze(0), params, gram=gram, stacked=stacked
        )
        for param, direction in zip(params, directions, strict=True):
            param.grad = direction if param.grad is None else param.grad + direction
        return report if stacked else _unstacked(report, values)

    def directions(
        self,
        values: torch.Tensor,
        params: list[torch.Tensor],
        *,
        gram: bool = False,
        stacked: bool = True,
    ) -> tuple[Report, list[torch.Tensor]]:
        """The report and Σᵢ wᵢ·∇Lᵢ for every parameter (zeros where unused), for values
        (K, m) with their graph; `.grad` is left alone (the engine's entry point)."""
        if not (self.needs_gram or gram):  # one backward of Σ wᵢ·Lᵢ: the weights are the
            report = self.weigh(values.detach())  # vector of a vector–Jacobian product
            grads = torch.autograd.grad(
                values, params, report.weights, allow_unused=True, materialize_grads=True
            )
            return report, list(grads)
        gradients = objective_gradients(values, params)
        report = self.weigh(values.detach(), gram_matrix(gradients, stacked))
        return report, mix(report.weights, gradients, stacked)

    def weigh(self, values: torch.Tensor, gram: torch.Tensor | None = None) -> Report:
        """The method's weights at `values` (K, m) [and Gram (K, m, m)]; advances its state.
        For callers that take the gradients themselves (closed forms): mix them with `mix`."""
        if self.needs_gram and gram is None:
            raise ValueError(f"method {self.method_name!r} needs the Gram matrix of the gradients")
        method = self._method or self._build(values)
        if values.shape[-1] - 1 != method.constraints.count and method.uses_epsilon:
            raise ConfigError(_count_message(self.method_name, method.constraints.count, values))
        values = values.detach()  # a method's arithmetic builds no graph
        weights = method.weigh(values, gram)
        return Report(weights, method.multipliers(), values, method.constraints, gram)

    def method_in_use(self) -> Method | None:
        """The method itself once the first step has built it: a loop that has checked its
        values once may call its `weigh` directly (moo_core.weigher)."""
        return self._method

    def constraints_in_use(self) -> Constraints | None:
        """The constraints with their per-row ε, once the first step has built the method."""
        return None if self._method is None else self._method.constraints

    # ---- state ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The method's learned state (λ, slack, task weights), for checkpoints."""
        if self._method is None:
            return dict(self._pending or {})
        return {name: value.detach().clone() for name, value in self._method.state_dict().items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        if self._method is None:
            self._pending = dict(state)
        else:
            self._method.load_state_dict(state)

    # ---- internals ------------------------------------------------------------------------

    def _build(self, values: torch.Tensor) -> Method:
        rows, m = values.shape
        if self.method_class.uses_epsilon and len(self.constraints) != m - 1:
            raise ConfigError(_count_message(self.method_name, len(self.constraints), values))
        epsilon = (
            torch.stack([_column(eps, rows, values) for _, eps in self.constraints], -1)
            if self.constraints
            else torch.zeros((rows, 0), dtype=values.dtype, device=values.device)
        )
        constraints = Constraints(tuple(kind for kind, _ in self.constraints), epsilon)
        settings = {
            name: value if isinstance(value, str) else _column(value, rows, values)
            for name, value in self.settings.items()
        }
        self.method_class.check(self.settings, m)
        seeds = self.seeds if len(self.seeds) == rows else [self.seeds[0]] * rows
        self._method = self.method_class(settings, constraints, seeds)
        if self._pending:
            self._method.load_state_dict(self._pending)
        return self._method


def _unstacked(report: Report, values: torch.Tensor) -> Report:
    """A single (unstacked) step reports (m,) weights, not (1, m)."""
    first = lambda t: None if t is None else t[0]  # noqa: E731
    return Report(
        report.weights[0],
        first(report.multipliers),
        values.detach(),
        report.constraints,
        first(report.gram),
    )


def objective_gradients(values: torch.Tensor, params: list[torch.Tensor]) -> list:
    """Each objective's gradient for every parameter (zeros where unused), from values (K, m)
    with their graph: one backward per objective (rows are independent)."""
    m = values.shape[1]
    return [
        torch.autograd.grad(
            values[:, i].sum(),
            params,
            retain_graph=i < m - 1,
            allow_unused=True,
            materialize_grads=True,
        )
        for i in range(m)
    ]


def gram_matrix(gradients: Sequence[Sequence[torch.Tensor]], stacked: bool = True) -> torch.Tensor:
    """(K, m, m) inner products of the m objectives' gradients, per stacked row (or (1, m, m)
    for one unstacked run); `gradients[i]` holds objective i's gradient for every parameter."""
    m = len(gradients)
    flat = [_flatten(grads, stacked) for grads in gradients]
    entries = {}
    for i in range(m):
        for j in range(i, m):
            entries[i, j] = entries[j, i] = _dot(flat[i], flat[j])
    return torch.stack([torch.stack([entries[i, j] for j in range(m)], -1) for i in range(m)], -2)


def mix(weights: torch.Tensor, gradients: Sequence[Sequence[torch.Tensor]], stacked: bool = True):
    """Σᵢ wᵢ·∇Lᵢ for every parameter, row by row (weights (K, m))."""
    directions = []
    for index in range(len(gradients[0])):
        total = None
        for i, grads in enumerate(gradients):
            grad = grads[index]
            w = weights[:, i].reshape(-1, *[1] * (grad.dim() - 1)) if stacked else weights[0, i]
            total = w * grad if total is None else total + w * grad
        directions.append(total)
    return directions


def _flatten(grads: Sequence[torch.Tensor], stacked: bool) -> list[torch.Tensor]:
    return [g.flatten(1) if stacked else g.reshape(1, -1) for g in grads]


def _dot(left: list[torch.Tensor], right: list[torch.Tensor]) -> torch.Tensor:
    return sum((a * b).sum(1) for a, b in zip(left, right, strict=True))


def _column(value, rows: int, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).expand(rows).clone()


def _check_constraint(method: str, item) -> Constraint:
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


def _settings(method_class, method: str, given: dict) -> dict:
    """Defaults filled; plain values checked against the typed specs, tensors taken as is
    (the engine's per-row settings, validated when the configuration was made)."""
    specs = {spec.name: spec for spec in hyperparams_of(method_class)}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise ConfigError(
            f"unknown hyperparameter {unknown[0]!r} for method {method!r}; "
            f"allowed: {', '.join(specs)}"
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


def _count_message(method: str, constraints: int, values: torch.Tensor) -> str:
    others = values.shape[-1] - 1
    return (
        f"method {method!r} has {constraints} constraint(s) for {others} other objective(s); "
        f"give one (kind, epsilon) per other objective"
    )
