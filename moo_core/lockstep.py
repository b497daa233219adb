"""Races in lockstep: runs of different methods on one problem, stepped as one batch.

A comparison (BDMM against MDMM, a weighted sum against MDMM, …) trains its runs side by
side. Stacked on the batch axis they share every step's problem evaluation, optimizer step and
record; only the weighing is per method: consecutive runs of one method form a group, and each
group's `Balancer` weighs its slice of the rows. Two toy runs then cost little more than one,
on a busy machine too (no second process to schedule). Each row takes exactly the steps it
would take alone (rows never mix), so a race's runs end where the same runs alone end.

Runs race in lockstep when they share the problem (or task), initial point, steps, device,
constraint kinds and optimizer; other races train in parallel processes (worker/race.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from moo_core._lazy import torch
from moo_core.balancer import Balancer, Report
from moo_core.config import RunConfig
from moo_core.methods import METHODS, Constraints
from moo_core.records import RunResult

SHARED = ("problem", "task", "init", "steps", "device")


def can_lockstep(configs: Sequence) -> bool:
    """Whether `configs` (two or more run configurations) can race as one batch."""
    if len(configs) < 2 or not all(isinstance(c, RunConfig) for c in configs):
        return False
    first = configs[0]
    same = all(
        str(getattr(c, name)) == str(getattr(first, name)) for c in configs for name in SHARED
    )
    kinds = {tuple(c.kinds()) for c in configs}
    optimizers = {c.hyperparams.get("optimizer", "sgd") for c in configs}
    return same and len(kinds) == 1 and len(optimizers) == 1


def groups(configs: Sequence[RunConfig]) -> list[slice]:
    """The row ranges of consecutive runs of one method."""
    starts = [i for i, c in enumerate(configs) if i == 0 or c.method != configs[i - 1].method]
    ends = [*starts[1:], len(configs)]
    return [slice(a, b) for a, b in zip(starts, ends, strict=True)]


class MixedBalancer(Balancer):
    """Several Balancers over consecutive row ranges of one stacked batch; quacks like one.
    The optimizer is shared; the learning rate stays per row."""

    def __init__(self, parts: list[tuple[slice, Balancer]]):
        self.parts = parts
        self.method_name = "+".join(b.method_name for _, b in parts)
        optimizers = {b.settings["optimizer"] for _, b in parts}
        if len(optimizers) > 1:
            raise ValueError(f"a lockstep race needs one optimizer, not {sorted(optimizers)}")
        self.settings = {
            "optimizer": optimizers.pop(),
            "lr": torch.cat([b.settings["lr"].reshape(-1) for _, b in parts]),
        }
        self.constraints = parts[0][1].constraints
        self._in_use: Constraints | None = None
        self.last: Report | None = None
        self._methods: list | None = None  # each part's method, once built
        self._with_multipliers = False
        self._method = _Joined(self)  # the fused loop's view of the parts as one method

    @property
    def needs_gram(self) -> bool:
        return any(b.needs_gram for _, b in self.parts)

    def enforces(self, row: int) -> bool:
        return self._part(row).enforces(row)

    def weigh(self, values: torch.Tensor, gram: torch.Tensor | None = None) -> Report:
        if self._methods is None:
            self._first_step(values, gram)
        else:
            self.step(values.detach(), gram)
        multipliers = self._multipliers if self._with_multipliers else None
        self.last = Report(self._weights, multipliers, values.detach(), self._in_use, gram)
        return self.last

    def _first_step(self, values: torch.Tensor, gram: torch.Tensor | None) -> None:
        """Each Balancer builds and checks its method; the batch's buffers are made."""
        reports = [
            b.weigh(values[rows], None if gram is None else gram[rows]) for rows, b in self.parts
        ]
        self._methods = [b.method_in_use() for _, b in self.parts]
        epsilon = torch.cat([r.constraints.epsilon for r in reports])
        self._in_use = Constraints(reports[0].constraints.kinds, epsilon)
        self._weights = torch.empty_like(values)
        self._multipliers = torch.full_like(values[:, 1:], float("nan"))
        self._with_multipliers = any(r.columns is not None for r in reports)
        for (rows, _), report in zip(self.parts, reports, strict=True):
            self._weights[rows] = report.weights
            if report.columns is not None:
                self._multipliers[rows] = report.columns
        # a method whose weights are its settings alone (a weighted sum) is not asked again;
        # the others write into views of the buffers kept from here on
        self._moving = [
            (rows, method, self._weights[rows], self._multipliers[rows])
            for (rows, _), method in zip(self.parts, self._methods, strict=True)
            if not method.constant_weights
        ]

    def step(self, values: torch.Tensor, gram: torch.Tensor | None) -> torch.Tensor:
        """After the first step, as the fused loop calls a method: the methods themselves, their
        weights and multipliers copied into the batch's buffers (the weights returned)."""
        for rows, method, weights, multipliers in self._moving:
            weights.copy_(method.weigh(values[rows], None if gram is None else gram[rows]))
            if (lam := method.multipliers()) is not None:
                multipliers.copy_(lam)
        return self._weights

    def constraints_in_use(self) -> Constraints | None:
        return self._in_use

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {
            f"{i}.{name}": value
            for i, (_, b) in enumerate(self.parts)
            for name, value in b.state_dict().items()
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        for i, (_, b) in enumerate(self.parts):
            prefix = f"{i}."
            b.load_state_dict(
                {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
            )

    def _part(self, row: int) -> Balancer:
        return next(b for rows, b in self.parts if rows.start <= row < rows.stop)


class _Joined:
    """A MixedBalancer as the one method the fused loop (moo_core.fused) calls directly:
    weights of the stacked rows, and their multipliers."""

    def __init__(self, balancer: MixedBalancer):
        self.balancer = balancer

    def weigh(self, values: torch.Tensor, gram: torch.Tensor | None) -> torch.Tensor:
        balancer = self.balancer
        if balancer._methods is None:
            return balancer.weigh(values, gram).weights
        return balancer.step(values, gram)

    def multipliers(self) -> torch.Tensor | None:
        balancer = self.balancer
        return balancer._multipliers if balancer._with_multipliers else None


def as_family(runs: Sequence[RunConfig]) -> list[RunConfig]:
    """Runs of a method that is a special case of another method in the race (BDMM is MDMM
    with δ = 0) as runs of that method, so the two weigh as one group; same steps, bit for bit."""
    present = {r.method for r in runs}
    out = []
    for r in runs:
        case = METHODS.get(r.method).special_case_of
        if case is not None and case[0] in present:
            r = replace(r, method=case[0], hyperparams={**r.hyperparams, **case[1]})
        out.append(r)
    return out


def mixed_balancer(runs: Sequence[RunConfig], device, scale, make_balancer) -> Balancer:
    """The Balancer of a race: one per group of one method, from `make_balancer` (the
    engine's), each with its rows' scale; one plain Balancer where the race's methods are
    one method's cases."""
    runs = as_family(runs)
    if len({r.method for r in runs}) == 1:
        return make_balancer(runs, device, scale)
    return MixedBalancer(
        [
            (rows, make_balancer(runs[rows], device, None if scale is None else scale[rows]))
            for rows in groups(runs)
        ]
    )


def race(
    configs: Sequence[RunConfig], *, on_chunk=None, should_stop=None, fetch=None, threads=None
):
    """Train `configs` (see `can_lockstep`) as one batch; one RunResult per configuration.
    `on_chunk` gets every row's steps (row k is configuration k; a diverged row's later steps
    are NaN)."""
    from moo_core.api import _describe
    from moo_core.engine import build_objective, train_batch

    objective = build_objective(configs[0], fetch)
    outcomes, seconds, device, _ = train_batch(
        list(configs),
        on_chunk=on_chunk,
        should_stop=should_stop,
        objective=objective,
        threads=threads,
    )
    info = _describe(objective)
    return [RunResult(outcome=o, seconds=seconds, device=device, info=info) for o in outcomes]
