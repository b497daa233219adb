"""The protocol every balancing method follows.

A method only decides *how to weight*: given f, g and the Gram matrix of their gradients (one
row per stacked run), it returns the coefficients (a, b) of the update direction a·∇f + b·∇g and
advances its own state (λ, slack, task weights). The training loop *applies* the direction with
the chosen optimizer, so the weights themselves can be logged and plotted. Every method in the
lesson — scalarisations, multiplier methods, GradNorm, MGDA and PCGrad for two objectives — has
a direction of that form.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from moo_core.registry import Hyperparam

CONSTRAINT_KINDS = ("eq", "le", "ge")


@dataclass(frozen=True)
class Gram:
    """Per-row inner products of the two gradients: ⟨∇f,∇f⟩, ⟨∇g,∇g⟩, ⟨∇f,∇g⟩."""

    ff: Tensor
    gg: Tensor
    fg: Tensor

    def cosine(self) -> Tensor:
        return self.fg / (self.ff * self.gg).sqrt().clamp_min(1e-30)


@dataclass(frozen=True)
class Constraint:
    """g = ε (`eq`), g ≤ ε (`le`) or g ≥ ε (`ge`); `epsilon` has one entry per row."""

    kind: str
    epsilon: Tensor

    def violation(self, g: Tensor) -> Tensor:
        gap = g - self.epsilon
        if self.kind == "le":
            return gap.clamp_min(0.0)
        if self.kind == "ge":
            return (-gap).clamp_min(0.0)
        return gap.abs()


class Method(abc.ABC):
    """Base of every balancing method. `settings` maps each hyperparameter to a (K,) tensor
    (numbers) or a string (choices)."""

    name: ClassVar[str]
    summary: ClassVar[str]
    hyperparams: ClassVar[tuple[Hyperparam, ...]] = ()
    defaults: ClassVar[dict[str, float | str]] = {}
    uses_epsilon: ClassVar[bool] = False

    def __init__(self, settings: dict[str, Tensor | str], constraint: Constraint):
        self.settings = settings
        self.constraint = constraint

    @abc.abstractmethod
    def weights(self, f: Tensor, g: Tensor, gram: Gram) -> tuple[Tensor, Tensor]:
        """Coefficients (a, b) of a·∇f + b·∇g at the current point; then advance the state."""

    def multiplier(self) -> Tensor | None:
        """What the `lambda` column reports for the latest `weights` call: the λ (or weight on g)
        that call used, before its own update."""
        return None

    def state_dict(self) -> dict[str, Tensor]:
        """Learned state, for checkpoints and logging."""
        return {}


def as_row(value: Tensor | float, like: Tensor) -> Tensor:
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).expand_as(like)
