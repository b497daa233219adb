"""The base of the toy problems: an Objective (moo_core.objective) in x ∈ R^n."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import ClassVar

import numpy as np
import torch

from moo_core.objective import FRONT_POINTS, Objective, nearest
from moo_core.problems._specs import PROBLEMS, ProblemSpec
from moo_core.registry import Hyperparam


class Problem(Objective):
    """A toy problem in x ∈ R^n with an analytic Pareto front.

    Subclasses name their declaration (`class Concave(Problem, problem="concave")`, see
    moo_core.problems._specs), which gives the attributes below, and implement `objectives`.
    They may also define `analytic_gradients(x) -> (values (m, K), gradients (m, K, n))`, a
    closed form that training uses instead of autograd (faster; tested against autograd).
    """

    spec: ClassVar[ProblemSpec]
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
    SPEC_FIELDS: ClassVar[tuple[str, ...]] = (
        "name", "summary", "dim", "n_objectives", "default_init", "init_box", "bounds",
        "reference_point", "g_range", "hyperparams",
    )  # fmt: skip

    def __init_subclass__(cls, problem: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if problem is not None:
            cls.spec = PROBLEMS.get(problem)
            for name in cls.SPEC_FIELDS:
                setattr(cls, name, getattr(cls.spec, name))

    def __init__(self, init: tuple[float, ...] | str | None = None):
        self.spec.check_init(init)
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

    def has_closed_form(self) -> bool:
        return self.analytic_gradients is not None

    def closed_form(self, params: list[torch.Tensor]):
        """(values (m, K), [gradients (m, K, n)]) from the closed form, or None where the
        problem has none (the engine then uses autograd). Give it detached parameters, or
        call it under torch.no_grad()."""
        if self.analytic_gradients is None:
            return None
        values, gradients = self.analytic_gradients(params[0])
        return values, [gradients]

    def work_per_row(self) -> int:
        return self.dim

    def bytes_per_row(self) -> int:
        return 4 * self.dim * (6 + 2 * self.n_objectives)

    def project(self, params: list[torch.Tensor]) -> None:
        if self.bounds is not None:
            with torch.no_grad():
                params[0].clamp_(*self.bounds)

    @abstractmethod
    def objectives(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The m objectives at x (f, g, …), each of shape (K,) for x of shape (K, dim)."""

    def front(self, points: int) -> np.ndarray:
        """`points` points (rows of m values) along the analytic Pareto front."""
        return self.spec.front(points)

    def front_distances(self, points: np.ndarray) -> np.ndarray:
        """Each row's distance to the front: exact where the spec knows it, else to the front
        sampled at FRONT_POINTS."""
        if self.spec.exact_distance is None:
            return nearest(np.asarray(points, dtype=float), self.front(FRONT_POINTS))
        distances = [self.spec.exact_distance(*row) for row in np.asarray(points, dtype=float)]
        return np.array([np.nan if d is None else d for d in distances], dtype=float)


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
