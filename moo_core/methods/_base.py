"""The protocol every balancing method follows, for any number m ≥ 2 of objectives.

A method only decides *how to weight* (TorchJD's "weighting"): given the objective values
(K runs × m) and, only if it asks for it (`needs_gram`), the Gram matrix of their gradients
(K × m × m), it returns weights (K × m) and advances its own state (λ, slack, task weights).
The caller *applies* them — one backward of Σᵢ wᵢ·Lᵢ, or Σᵢ wᵢ·∇Lᵢ from per-objective
gradients — so the weights themselves can be logged and plotted. Objective 0 is f; the others
are the constrained objectives of multiplier and penalty methods, or the other tasks.

`weights(f, g, gram)` and `multiplier()` are the two-objective view of the same method: the
coefficients (a, b) of a·∇f + b·∇g as the lesson writes them.
"""

from __future__ import annotations

import abc
import functools
from dataclasses import dataclass
from typing import ClassVar

import torch

from moo_core.methods._specs import CONSTRAINT_KINDS, METHODS, MethodSpec
from moo_core.registry import Hyperparam


@dataclass(frozen=True)
class Gram:
    """Two-objective view of a Gram matrix: ⟨∇f,∇f⟩, ⟨∇g,∇g⟩, ⟨∇f,∇g⟩ per row."""

    ff: torch.Tensor
    gg: torch.Tensor
    fg: torch.Tensor

    def cosine(self) -> torch.Tensor:
        return self.fg / (self.ff * self.gg).sqrt().clamp_min(1e-30)

    def matrix(self) -> torch.Tensor:
        """The (K, 2, 2) matrix."""
        rows = [torch.stack([self.ff, self.fg], -1), torch.stack([self.fg, self.gg], -1)]
        return torch.stack(rows, -2)


def min_cosine(gram: torch.Tensor) -> torch.Tensor:
    """The smallest pairwise cosine between the m gradients of each row of a (K, m, m) Gram
    matrix: the most conflicting pair (for m = 2, simply their cosine)."""
    m = gram.shape[-1]
    diagonal = gram.diagonal(dim1=-2, dim2=-1)
    cosines = [
        gram[:, i, j] / (diagonal[:, i] * diagonal[:, j]).sqrt().clamp_min(1e-30)
        for i in range(m)
        for j in range(i + 1, m)
    ]
    return torch.stack(cosines, -1).amin(-1)


@dataclass(frozen=True)
class Constraints:
    """One constraint per other objective: gᵢ = εᵢ (`eq`), gᵢ ≤ εᵢ (`le`) or gᵢ ≥ εᵢ (`ge`).
    `epsilon` is (K, c): one row per stacked run, one column per constraint."""

    kinds: tuple[str, ...]
    epsilon: torch.Tensor

    @property
    def count(self) -> int:
        return len(self.kinds)

    def _columns(self, others: torch.Tensor) -> torch.Tensor:
        return others.unsqueeze(-1) if others.dim() == self.epsilon.dim() - 1 else others

    def violations(self, others: torch.Tensor) -> torch.Tensor:
        """(K, c): how far each constraint is from holding (0 where it holds)."""
        gap = self._columns(others) - self.epsilon
        if len(set(self.kinds)) == 1:  # one kind: one operation
            kind = self.kinds[0]
            return gap.abs() if kind == "eq" else (gap if kind == "le" else -gap).clamp_min(0.0)
        masks = self.masks(gap)
        below = (-gap).clamp_min(0.0)
        return torch.where(
            masks["le"], gap.clamp_min(0.0), torch.where(masks["ge"], below, gap.abs())
        )

    def violation(self, others: torch.Tensor) -> torch.Tensor:
        """(K,): the largest violation over the constraints."""
        return self.violations(others).amax(-1)

    def masks(self, like: torch.Tensor) -> dict[str, torch.Tensor]:
        """Per kind, a (c,) boolean mask of the constraints of that kind."""
        return self._masks

    @functools.cached_property
    def _masks(self) -> dict[str, torch.Tensor]:
        device = self.epsilon.device
        return {
            kind: torch.tensor([k == kind for k in self.kinds], device=device)
            for kind in CONSTRAINT_KINDS
        }


def Constraint(kind: str, epsilon: torch.Tensor) -> Constraints:
    """One constraint g (kind) ε with `epsilon` of shape (K,)."""
    return Constraints((kind,), epsilon.unsqueeze(-1))


class Method(abc.ABC):
    """Base of every balancing method. `settings` maps each hyperparameter to a (K,) tensor
    (numbers) or a string (choices); `seeds` (one per row) seed any random draws.

    A method's class names its declaration (`class Mdmm(_Multiplier, method="mdmm")`): the
    attributes below are copied from that `MethodSpec` (moo_core.methods._specs)."""

    spec: ClassVar[MethodSpec | None] = None
    name: ClassVar[str]
    summary: ClassVar[str]
    hyperparams: ClassVar[tuple[Hyperparam, ...]] = ()
    defaults: ClassVar[dict[str, float | str]] = {}
    uses_epsilon: ClassVar[bool] = False
    needs_gram: ClassVar[bool] = False
    enforces_constraints: ClassVar[bool] = False
    requires_positive: ClassVar[bool] = False
    special_case_of: ClassVar[tuple[str, dict] | None] = None
    constant_weights: ClassVar[bool] = False
    unit_f_weight: ClassVar[bool] = False
    # multipliers() are Lagrange multipliers (a Report's `multipliers`); for the others they
    # are the weights on the others the lab records in its multiplier columns, or None
    lagrangian: ClassVar[bool] = False
    dual_step: ClassVar[str] = ""  # how the multipliers move, for the docs and `methods`
    SPEC_FIELDS: ClassVar[tuple[str, ...]] = (
        "name", "summary", "hyperparams", "defaults", "uses_epsilon", "needs_gram",
        "enforces_constraints", "requires_positive", "special_case_of", "constant_weights",
        "unit_f_weight", "lagrangian", "dual_step",
    )  # fmt: skip

    def __init_subclass__(cls, method: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if method is not None:
            cls.spec = METHODS.get(method)
            for name in cls.SPEC_FIELDS:
                setattr(cls, name, getattr(cls.spec, name))

    def __init__(
        self,
        settings: dict[str, torch.Tensor | str],
        constraints: Constraints,
        seeds: list[int] | None = None,
    ):
        self.settings = settings
        self.constraints = constraints
        self.seeds = seeds
        self.state: dict[str, torch.Tensor] = {}  # learned state, checkpointed by state_dict()
        # True once a caller's optimizer steps the `stepped_state` entries (Balancer.parameters):
        # the method then leaves them alone and `state_gradients` says where to descend
        self.outside = False

    @classmethod
    def stepped_state(cls, settings: dict, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """The learned state a user's optimizer may step instead of the method (λ, slack,
        log-variances); most methods have none."""
        return ()

    def state_gradients(self) -> dict[str, torch.Tensor]:
        """After `weigh` with `outside`: the gradient of each `stepped_state` entry for the
        optimizer to descend along (for λ: −∂L/∂λ, so that its descent is an ascent on λ)."""
        return {}

    @classmethod
    def check(cls, settings: dict, objectives: int) -> None:
        """Raise ConfigError where settings don't fit `objectives` (the spec's check)."""
        if cls.spec is not None:
            cls.spec.check(settings, objectives)

    @property
    def constraint(self) -> Constraints:  # the m = 2 name
        return self.constraints

    @abc.abstractmethod
    def weigh(self, values: torch.Tensor, gram: torch.Tensor | None) -> torch.Tensor:
        """Weights (K, m) at the current values (K, m) [and Gram (K, m, m) if `needs_gram`];
        then advance the state."""

    def multipliers(self) -> torch.Tensor | None:
        """(K, m − 1): what the lab records in its multiplier columns for the latest `weigh`,
        before the method's own update: the Lagrange multipliers (`lagrangian` methods), the
        weights on the others (task-balancing methods), or None."""
        return None

    def state_dict(self) -> dict[str, torch.Tensor]:
        return dict(self.state)

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.state = {name: torch.as_tensor(value).clone() for name, value in state.items()}

    # ---- the two-objective view ------------------------------------------------------------

    def weights(
        self, f: torch.Tensor, g: torch.Tensor, gram: Gram | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Coefficients (a, b) of a·∇f + b·∇g at the current point; then advance the state."""
        matrix = None if gram is None else gram.matrix()
        weights = self.weigh(torch.stack([f, g], -1), matrix)
        return weights[..., 0], weights[..., 1]

    def multiplier(self) -> torch.Tensor | None:
        """What the `lambda` column reports for the latest `weights` call."""
        multipliers = self.multipliers()
        return None if multipliers is None else multipliers[..., 0]


def as_row(value: torch.Tensor | float, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).expand_as(like)


def as_column(value: torch.Tensor | float, like: torch.Tensor) -> torch.Tensor:
    """A per-row setting (K,) as a (K, 1) column against values `like` (K, m)."""
    return as_row(value, like[..., 0]).unsqueeze(-1)
