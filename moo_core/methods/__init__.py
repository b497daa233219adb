"""Balancing methods: their declarations in `METHODS` (torch-free: moo_core.methods._specs),
their arithmetic one module each (loaded, with torch, by `METHODS.get(name).load()` or on first
use of a name below that needs it)."""

from moo_core.methods._specs import (
    CONSTRAINT_KINDS,
    METHODS,
    MethodSpec,
    hyperparams_of,
)
from moo_core.registry import lazy_names

_WHERE = {
    "Constraint": "moo_core.methods._base",
    "Constraints": "moo_core.methods._base",
    "Gram": "moo_core.methods._base",
    "Method": "moo_core.methods._base",
    "min_cosine": "moo_core.methods._base",
    "min_norm_weight": "moo_core.methods._mgda",
    "min_norm_weights": "moo_core.methods._mgda",
}
__all__ = ["CONSTRAINT_KINDS", "METHODS", "MethodSpec", "hyperparams_of", *_WHERE]
__getattr__ = lazy_names(__name__, _WHERE)
