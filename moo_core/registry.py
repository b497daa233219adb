"""Name → entry registries with typed hyperparameters.

The CLI, the worker and the UI all read these registries; there is no second list of names.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar


class ConfigError(ValueError):
    """A bad name or value in a configuration; the message names it and what is allowed."""


@dataclass(frozen=True)
class Hyperparam:
    """One typed hyperparameter: `kind` is "float", "int", "choice" or "floats" (a
    comma-separated list of numbers ≥ 0, kept as its text, e.g. a weight vector)."""

    name: str
    kind: str
    default: float | int | str
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    log_scale: bool = False

    @property
    def sweepable(self) -> bool:
        return self.kind in ("float", "int")

    def parse(self, raw: Any) -> float | int | str:
        """Convert `raw` (a string from a CLI or URL, or a number) and check its range."""
        if self.kind == "floats":
            return parse_floats(self.name, raw)
        if self.kind == "choice":
            value = str(raw)
            if value not in self.choices:
                raise ConfigError(
                    f"{self.name}={value!r} is not allowed; choose one of {', '.join(self.choices)}"
                )
            return value
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{self.name}={raw!r} is not a number") from None
        if not math.isfinite(number):
            raise ConfigError(f"{self.name}={raw!r} must be finite")
        if self.kind == "int":
            if number != int(number):
                raise ConfigError(f"{self.name}={raw!r} must be a whole number")
            number = int(number)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ConfigError(f"{self.name}={raw!r} is out of range; allowed {self.allowed()}")
        return number

    def allowed(self) -> str:
        if self.kind == "floats":
            return "comma-separated numbers ≥ 0"
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        return f"≥ {self.low:g}" if self.low is not None else f"≤ {self.high:g}"

    def describe(self) -> dict[str, Any]:
        out = asdict(self)
        out["choices"] = list(self.choices)
        return out


def parse_floats(name: str, raw: Any) -> str:
    """ "1, 2" → "1,2": numbers ≥ 0 with a positive sum, or "" (none given)."""
    parts = [part.strip() for part in str(raw if raw is not None else "").split(",")]
    parts = [part for part in parts if part]
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be comma-separated numbers") from None
    if any(not (math.isfinite(n) and n >= 0) for n in numbers) or (numbers and sum(numbers) <= 0):
        raise ConfigError(f"{name}={raw!r} must be numbers ≥ 0 with a positive sum")
    return ",".join(f"{n:g}" for n in numbers)


T = TypeVar("T")


@dataclass
class Registry(Generic[T]):
    """A name → class registry; `kind` ("problem", "method") appears in error messages."""

    kind: str
    entries: dict[str, T] = field(default_factory=dict)

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(entry: T) -> T:
            if name in self.entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            entry.name = name  # type: ignore[attr-defined]
            self.entries[name] = entry
            return entry

        return decorate

    def add(self, entry: T) -> T:
        """Register an entry that carries its own `name` (a declaration)."""
        name = entry.name  # type: ignore[attr-defined]
        if name in self.entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self.entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        try:
            return self.entries[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        return list(self.entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def parse_hyperparams(
    specs: tuple[Hyperparam, ...], given: Mapping[str, Any], owner: str
) -> dict[str, float | int | str]:
    """Fill defaults and validate `given` against `specs`; unknown names are an error."""
    by_name = {spec.name: spec for spec in specs}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        allowed = ", ".join(by_name) or "none"
        raise ConfigError(f"unknown hyperparameter {unknown[0]!r} for {owner}; allowed: {allowed}")
    return {
        name: spec.parse(given[name]) if name in given else spec.default
        for name, spec in by_name.items()
    }


def load_implementation(spec, package: str):
    """The class a declaration names ("module:Class" under `package`), importing its module
    (and so torch) here; it must name `spec` back (`class X(Base, method=…)`)."""
    module, name = spec.implementation.split(":")
    cls = getattr(importlib.import_module(f"{package}.{module}"), name)
    if cls.spec is not spec:
        raise RuntimeError(f"{spec.implementation} does not implement {spec.name!r}")
    return cls


def lazy_names(package: str, where: dict[str, str]):
    """A package's `__getattr__` (PEP 562) that imports a name's module on first use and keeps
    the value as an ordinary attribute from then on: a package can offer names whose modules
    import torch while importing the package itself does not."""
    module = sys.modules[package]

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(module, name, value)
        return value

    return __getattr__
