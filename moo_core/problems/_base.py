"""The protocol every trainable objective pair follows, and the base for toy problems."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Protocol

import numpy as np

from moo_core._lazy import torch
from moo_core.records import objective_names
from moo_core.registry import ConfigError, Hyperparam


class Objective(Protocol):
    """m objectives over parameters stacked on a leading axis of size K (one row per run).

    `evaluate` returns the values (K, m) with their autograd graph: column 0 is f (primary),
    the others are constrained by ε or balanced against it. Row k must depend on row k of
    the parameters only, so K stacked runs equal K single runs.
    """

    n_objectives: int
    reference_point: tuple[float, ...] | None

    def init_params(self, seeds: list[int], device: torch.device) -> list[torch.Tensor]: ...

    def evaluate(self, params: list[torch.Tensor], step: int) -> torch.Tensor: ...

    def project(self, params: list[torch.Tensor]) -> None: ...

    def front(self, points: int) -> np.ndarray | None: ...


class Problem(ABC):
    """A toy problem in x ∈ R^n with an analytic Pareto front.

    Subclasses set the class attributes and implement `objectives` and `front`. They may also
    define `analytic_gradients(x) -> (f, g, …, ∇f, ∇g, …)` (the m values, then the m
    gradients), a closed form that training uses instead of autograd (faster; tested against
    autograd).
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    dim: ClassVar[int]
    n_objectives: ClassVar[int] = 2
    default_init: ClassVar[tuple[float, ...]]
    init_box: ClassVar[tuple[float, float]]
    bounds: ClassVar[tuple[float, float] | None] = None
    reference_point: ClassVar[tuple[float, ...]]
    g_range: ClassVar[tuple[float, float]]  # the range of each constrained objective
    hyperparams: ClassVar[tuple[Hyperparam, ...]] = ()
    analytic_gradients: ClassVar[Callable | None] = None

    def __init__(self, init: tuple[float, ...] | str | None = None):
        if isinstance(init, tuple) and len(init) != self.dim:
            raise ConfigError(
                f"--init has {len(init)} values; problem {self.name!r} needs {self.dim}"
            )
        if isinstance(init, str) and init != "random":
            raise ConfigError(
                f"--init {init!r} is not allowed; give {self.dim} numbers or 'random'"
            )
        self.init = init

    def init_params(self, seeds: list[int], device: torch.device) -> list[torch.Tensor]:
        """The start point: `init` if given, uniform in `init_box` per seed if 'random'."""
        if self.init == "random":
            low, high = self.init_box
            rows = [
                torch.rand(self.dim, generator=torch.Generator().manual_seed(seed)) * (high - low)
                + low
                for seed in seeds
            ]
            x = torch.stack(rows)
        else:
            start = self.init if self.init is not None else self.default_init
            x = torch.tensor(start, dtype=torch.float32).expand(len(seeds), self.dim).clone()
        x = x.to(device)
        self.project([x])
        return [x.requires_grad_(True)]

    def evaluate(self, params: list[torch.Tensor], step: int) -> torch.Tensor:
        return torch.stack(self.objectives(params[0]), -1)

    def closed_form(
        self, params: list[torch.Tensor]
    ) -> tuple[torch.Tensor, list[list[torch.Tensor]]] | None:
        """(values (K, m), per objective its gradient for every parameter) from the closed
        form, or None where the problem has none (the Balancer then uses autograd)."""
        if self.analytic_gradients is None:
            return None
        with torch.no_grad():
            out = self.analytic_gradients(params[0])
        m = self.n_objectives
        return torch.stack(out[:m], -1), [[grad] for grad in out[m:]]

    def gradients(self, params, step):
        """The two-objective view: f, g and their gradients (closed form where there is one)."""
        closed = self.closed_form(params)
        if closed is None:
            return autograd_gradients(self, params, step)
        values, grads = closed
        return (*values.unbind(-1), *grads)

    def project(self, params: list[torch.Tensor]) -> None:
        if self.bounds is not None:
            with torch.no_grad():
                params[0].clamp_(*self.bounds)

    @abstractmethod
    def objectives(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The m objectives at x (f, g, …), each of shape (K,) for x of shape (K, dim)."""

    @abstractmethod
    def front(self, points: int) -> np.ndarray:
        """`points` points (rows of m values) along the analytic Pareto front."""

    @classmethod
    def describe(cls) -> dict:
        return {
            "name": cls.name,
            "summary": cls.summary,
            "dim": cls.dim,
            "n_objectives": cls.n_objectives,
            "objective_names": list(objective_names(cls.n_objectives)),
            "default_init": list(cls.default_init),
            "bounds": list(cls.bounds) if cls.bounds else None,
            "reference_point": list(cls.reference_point),
            "g_range": list(cls.g_range),
        }


def autograd_gradients(objective, params, step):
    """The m values and their per-row gradients by one backward each (rows are independent,
    so the gradient of the summed objective is each row's own gradient): f, g, …, ∇f, ∇g, …"""
    values = objective.evaluate(params, step)
    m = values.shape[-1]
    grads = [
        list(torch.autograd.grad(values[:, i].sum(), params, retain_graph=i < m - 1))
        for i in range(m)
    ]
    return (*values.detach().unbind(-1), *grads)


def front_distance(front: np.ndarray | None, *point: float) -> float | None:
    """Euclidean distance in objective space from the point (f, g, …) to the sampled front."""
    values = np.asarray(point, dtype=float)
    if front is None or not np.isfinite(values).all():
        return None
    return float(np.min(np.linalg.norm(front - values[None, :], axis=1)))
