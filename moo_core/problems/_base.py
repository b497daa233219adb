"""The protocol every trainable objective pair follows, and the base for toy problems."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Protocol

import numpy as np
import torch
from torch import Tensor

from moo_core.registry import ConfigError, Hyperparam


class Objective(Protocol):
    """Two objectives over parameters stacked on a leading axis of size K (one row per run).

    `evaluate` returns f (primary) and g (constrained by ε), each of shape (K,); row k must
    depend on row k of the parameters only, so K stacked runs equal K single runs.
    """

    reference_point: tuple[float, float]

    def init_params(self, seeds: list[int], device: torch.device) -> list[Tensor]: ...

    def evaluate(self, params: list[Tensor], step: int) -> tuple[Tensor, Tensor]: ...

    def gradients(
        self, params: list[Tensor], step: int
    ) -> tuple[Tensor, Tensor, list[Tensor], list[Tensor]]:
        """f, g (detached) and their per-row gradients with respect to every parameter."""
        ...

    def project(self, params: list[Tensor]) -> None: ...

    def front(self, points: int) -> np.ndarray | None: ...


class Problem(ABC):
    """A toy problem in x ∈ R^n with an analytic Pareto front.

    Subclasses set the class attributes and implement `objectives` and `front`. They may also
    define `analytic_gradients(x) -> (f, g, ∇f, ∇g)`, a closed form that training uses instead
    of autograd (faster; tested against autograd).
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    dim: ClassVar[int]
    default_init: ClassVar[tuple[float, ...]]
    init_box: ClassVar[tuple[float, float]]
    bounds: ClassVar[tuple[float, float] | None] = None
    reference_point: ClassVar[tuple[float, float]]
    g_range: ClassVar[tuple[float, float]]
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

    def init_params(self, seeds: list[int], device: torch.device) -> list[Tensor]:
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

    def evaluate(self, params: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        return self.objectives(params[0])

    def gradients(self, params, step):
        if self.analytic_gradients is None:
            return autograd_gradients(self, params, step)
        with torch.no_grad():
            f, g, grad_f, grad_g = self.analytic_gradients(params[0])
        return f, g, [grad_f], [grad_g]

    def project(self, params: list[Tensor]) -> None:
        if self.bounds is not None:
            with torch.no_grad():
                params[0].clamp_(*self.bounds)

    @abstractmethod
    def objectives(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """f and g at x, each of shape (K,) for x of shape (K, dim)."""

    @abstractmethod
    def front(self, points: int) -> np.ndarray:
        """`points` (f, g) pairs along the analytic Pareto front."""

    @classmethod
    def describe(cls) -> dict:
        return {
            "name": cls.name,
            "summary": cls.summary,
            "dim": cls.dim,
            "default_init": list(cls.default_init),
            "bounds": list(cls.bounds) if cls.bounds else None,
            "reference_point": list(cls.reference_point),
            "g_range": list(cls.g_range),
        }


def autograd_gradients(objective, params, step):
    """f, g and their per-row gradients by two backward passes (rows are independent, so the
    gradient of the summed objective is each row's own gradient)."""
    f, g = objective.evaluate(params, step)
    grads_f = torch.autograd.grad(f.sum(), params, retain_graph=True)
    grads_g = torch.autograd.grad(g.sum(), params)
    return f.detach(), g.detach(), list(grads_f), list(grads_g)


def front_distance(front: np.ndarray | None, f: float, g: float) -> float | None:
    """Euclidean distance in objective space from (f, g) to the sampled front."""
    if front is None or not (np.isfinite(f) and np.isfinite(g)):
        return None
    return float(np.min(np.hypot(front[:, 0] - f, front[:, 1] - g)))
