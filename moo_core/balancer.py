"""`Balancer`: a balancing method as a library for your own PyTorch training loop.

    balancer = Balancer("mdmm", constraints=[("le", 0.1), ("eq", 0.5)], damping=10.0)
    optimizer = torch.optim.Adam([*model.parameters(), *balancer.parameters()], lr=1e-3)
    for batch in data:
        optimizer.zero_grad()
        loss, g1, g2 = model_losses(batch)
        report = balancer.backward(loss, [g1, g2], model.parameters())
        optimizer.step()

`backward` adds the balanced direction to each parameter's `.grad` (as `loss.backward()`
does) and advances the method's state (multipliers, task weights). Methods that read only
the objective values (weighted sum, geometric mean, penalty, BDMM, MDMM) take one backward
of Σᵢ wᵢ·Lᵢ; the others (GradNorm, MGDA, PCGrad, …) take each objective's gradient into one
matrix (moo_core.gradients), form their Gram matrix and mix the gradients. `parameters()`
hands the method's learned state (λ and slack of BDMM/MDMM, the log-variances of uncertainty
weighting) to your optimizer, as the mdmm package does. The lab's own engine trains through
this class too (`Balancer.configured`), with K runs stacked on a leading axis: then each
objective has shape (K,) and row k of it depends on row k of every parameter only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import torch

from moo_core import arguments
from moo_core.gradients import combine, gram_matrix, gram_of, jacobian, mix, unflatten
from moo_core.gradients import objective_gradients as objective_gradients
from moo_core.methods import METHODS, Constraints, Method
from moo_core.registry import ConfigError
from moo_core.report import Report

__all__ = ["Balancer", "Report", "gram_matrix", "mix", "objective_gradients"]

Constraint = "tuple[str, float | torch.Tensor]"  # (kind, ε); a string: torch loads on use


class Balancer:
    """One balancing method from the registry (`moo_core.METHODS`) with its hyperparameters,
    by keyword: `Balancer("cagrad", c=0.5)`.

    `constraints` has one (kind, ε) per other objective — kind `eq`, `le` or `ge` — for the
    methods that use ε (penalty, BDMM, MDMM, augmented Lagrangian, νPI); for the others it may
    be left out. ε (and every number hyperparameter) may be a (K,) tensor when K runs are
    stacked. `seed` seeds the random draws of methods that make them (PCGrad's order for
    m > 2); one per row if stacked. `optimizer` and `lr` are refused: they belong to your loop.
    """

    _learned: dict | None = None  # parameters() handed to the caller's optimizer
    _engine = False  # made by `configured`: the lab's loop steps everything itself

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
        self.constraints = arguments.check_constraints(method, constraints)
        if not self._engine:
            arguments.refuse_engine_settings(method, hyperparameters)
        self.settings = arguments.settings(self.method_class, method, hyperparameters)
        self.given = set(hyperparameters)
        self.seeds = [seed] if isinstance(seed, int) else list(seed)
        self._method: Method | None = None
        self._pending: dict[str, torch.Tensor] | None = None

    @classmethod
    def configured(cls, method: str, constraints=(), *, seed=0, **settings) -> Balancer:
        """The lab engine's Balancer: also takes the training loop's own settings (`optimizer`,
        `lr`), which the engine reads from `settings` and the user's constructor refuses."""
        balancer = cls.__new__(cls)
        balancer._engine = True
        balancer.__init__(method, constraints, seed=seed, **settings)
        return balancer

    @property
    def needs_gram(self) -> bool:
        return self.method_class.needs_gram

    def enforces(self, row: int = 0) -> bool:
        """Whether the method of stacked row `row` enforces its constraints (for verdicts)."""
        return self.method_class.enforces_constraints

    def parameters(self) -> Iterator[torch.nn.Parameter]:
        """The method's learned state for your optimizer to step, as the mdmm package's
        multipliers: λ (and the slack of `inequality="slack"`) for BDMM and MDMM — `backward`
        writes −∂L/∂λ into λ's `.grad`, so that the optimizer's descent is an ascent on λ, and
        projects λ onto λ ≥ 0 for inequalities before it is used — and the log-variances of
        uncertainty weighting. Once called, the method no longer steps these itself (so
        `lr_lambda`/`lr_log_variance` are refused). Empty for the other methods (the augmented
        Lagrangian and νPI keep their own dual step). Shape, dtype and device are fixed at the
        first step, before the optimizer's first step."""
        if self._learned is None:
            kinds = tuple(kind for kind, _ in self.constraints)
            names = self.method_class.stepped_state(self.settings, kinds)
            for rate in ("lr_lambda", "lr_log_variance"):
                if names and rate in self.given:
                    raise ConfigError(
                        f"{rate} does nothing once your optimizer steps the method's state "
                        "(balancer.parameters()): its learning rate is the optimizer's"
                    )
            self._learned = {name: torch.nn.Parameter(torch.zeros(0)) for name in names}
            if self._method is not None:
                self._method.outside = bool(names)
                self._bind()
        return iter(self._learned.values())

    # ---- the step -----------------------------------------------------------------------

    def backward(
        self,
        objective: torch.Tensor,
        others: torch.Tensor | Sequence[torch.Tensor],
        params: Iterable[torch.Tensor],
        *,
        gram: bool = False,
    ) -> Report:
        """Add the balanced direction to every parameter's `.grad`; return the `Report`.
        `objective` is a scalar (or (K,) for K stacked runs); `others` a sequence of them, or
        one tensor with the others along its last axis. `gram=True` takes each objective's
        gradient even where the method does not need them, so that the report carries the
        Gram matrix (e.g. to log gradient conflict)."""
        params = [p for p in params if p.requires_grad]
        if not params:
            raise ConfigError("params holds no tensor that requires grad: nothing to step")
        losses = arguments.losses(objective, others, params)
        stacked = objective.dim() == 1
        values = torch.stack([loss.detach() for loss in losses], -1)
        rows = values if stacked else values.unsqueeze(0)
        if not (self.needs_gram or gram):  # one backward of Σ wᵢ·Lᵢ, accumulated into .grad
            report = self.weigh(rows)
            weights = report.weights.to(objective.dtype).unbind(-1)
            pairs = zip(losses, weights if stacked else [w[0] for w in weights], strict=True)
            pairs = [(loss, w) for loss, w in pairs if loss.requires_grad]
            if pairs and params:
                tensors, grads = zip(*pairs, strict=True)
                torch.autograd.backward(tensors, grads, inputs=params)
        else:
            flat = jacobian(losses, params, rows.shape[0])
            report = self.weigh(rows, gram_of(flat))
            pieces = unflatten(combine(report.weights, flat), params)
            for param, piece in zip(params, pieces, strict=True):
                if param.grad is None:
                    param.grad = piece
                else:
                    param.grad += piece
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
        rows = values.shape[0] if stacked else 1
        flat = jacobian([values[:, i] for i in range(values.shape[1])], params, rows)
        report = self.weigh(values.detach(), gram_of(flat))
        return report, unflatten(combine(report.weights, flat), params)

    def weigh(self, values: torch.Tensor, gram: torch.Tensor | None = None) -> Report:
        """The method's weights at `values` (K, m) [and Gram (K, m, m)]; advances its state.
        For callers that take the gradients themselves (closed forms): mix them with `mix`."""
        if self.needs_gram and gram is None:
            raise ValueError(f"method {self.method_name!r} needs the Gram matrix of the gradients")
        method = self._method or self._build(values)
        if values.shape[-1] - 1 != method.constraints.count and method.uses_epsilon:
            raise ConfigError(
                arguments.count_message(self.method_name, method.constraints.count, values)
            )
        values = values.detach()  # a method's arithmetic builds no graph
        weights = method.weigh(values, gram)
        if self._learned:
            self._write_gradients(method)
        recorded = method.multipliers()
        lagrange = recorded if method.lagrangian else None
        return Report(weights, lagrange, values, method.constraints, gram, recorded)

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
            self._bind()

    # ---- internals ------------------------------------------------------------------------

    def _build(self, values: torch.Tensor) -> Method:
        rows, m = values.shape
        if self.method_class.uses_epsilon and len(self.constraints) != m - 1:
            raise ConfigError(
                arguments.count_message(self.method_name, len(self.constraints), values)
            )
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
        self._check_own_loop(constraints.kinds)
        seeds = self.seeds if len(self.seeds) == rows else [self.seeds[0]] * rows
        method = self.method_class(settings, constraints, seeds)
        method.outside = bool(self._learned)
        if self._pending:
            method.load_state_dict(self._pending)
        self._method = method
        return method

    def _check_own_loop(self, kinds: tuple[str, ...]) -> None:
        """The squared slack descends with the model's learning rate (as in the mdmm package),
        which only the caller's optimizer has in their own loop."""
        slack = "slack" in self.method_class.stepped_state(self.settings, kinds)
        if slack and not self._engine and not self._learned:
            raise ConfigError(
                "inequality='slack' steps the slack with the model's optimizer, as the mdmm "
                "package does: hand balancer.parameters() to your optimizer"
            )

    def _bind(self) -> None:
        """Make the method's stepped state views of the parameters handed out (their data
        taking the state's values, shape, dtype and device)."""
        if not self._learned or self._method is None:
            return
        state = self._method.state
        for name, param in self._learned.items():
            if name not in state:
                continue  # made by the method's first step
            value = state[name].detach()
            shape = value.shape[1:] if value.shape[0] == 1 else value.shape
            param.data = value.clone().reshape(shape)
            state[name] = param.detach().view(value.shape)

    def _write_gradients(self, method: Method) -> None:
        if any(param.numel() == 0 for param in self._learned.values()):
            self._bind()  # the first step made the state
        for name, gradient in method.state_gradients().items():
            param = self._learned[name]
            gradient = gradient.reshape(param.shape).to(param.dtype)
            param.grad = gradient if param.grad is None else param.grad + gradient


def _unstacked(report: Report, values: torch.Tensor) -> Report:
    """A single (unstacked) step reports (m,) weights, not (1, m)."""
    first = lambda t: None if t is None else t[0]  # noqa: E731
    return Report(
        report.weights[0],
        first(report.multipliers),
        values.detach(),
        report.constraints,
        first(report.gram),
        first(report.recorded),
    )


def _column(value, rows: int, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).expand(rows).clone()
