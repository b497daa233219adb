"""torch, imported on first use: the commands and pages that only read results (listing runs,
validating a config) never load it (about 1.6 s here). `importlib.util.LazyLoader` returns
the real module object, which loads itself on its first attribute access and from then on is
the ordinary module (no cost per access)."""

from __future__ import annotations

import functools
import importlib.util
import sys
import types


def lazy_module(name: str) -> types.ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


torch = lazy_module("torch")


def no_grad(function):
    """`torch.no_grad()` as a decorator that loads torch when called, not when defined."""

    @functools.wraps(function)
    def without_grad(*args, **kwargs):
        with torch.no_grad():
            return function(*args, **kwargs)

    return without_grad


def lazy_names(package: str, where: dict[str, str]):
    """A package's `__getattr__` (PEP 562) that imports a name's module on first use and
    keeps the value as an ordinary attribute from then on."""
    module = sys.modules[package]

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(module, name, value)
        return value

    return __getattr__
