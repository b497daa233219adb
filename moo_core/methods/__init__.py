"""Balancing methods, one module each, registered by name in `METHODS`."""

from moo_core.methods import (  # noqa: F401  (registration)
    _augmented_lagrangian,
    _cagrad,
    _dualproj,
    _dwa,
    _geometric_mean,
    _gradnorm,
    _imtl_g,
    _mgda,
    _multipliers,
    _nash_mtl,
    _nupi,
    _pcgrad,
    _penalty,
    _uncertainty,
    _upgrad,
    _weighted_sum,
)
from moo_core.methods._base import (
    CONSTRAINT_KINDS,
    Constraint,
    Constraints,
    Gram,
    Method,
    min_cosine,
)
from moo_core.methods._mgda import min_norm_weight, min_norm_weights
from moo_core.methods._registry import METHODS, hyperparams_of

__all__ = [
    "CONSTRAINT_KINDS",
    "METHODS",
    "Constraint",
    "Constraints",
    "Gram",
    "Method",
    "hyperparams_of",
    "min_cosine",
    "min_norm_weight",
    "min_norm_weights",
]
