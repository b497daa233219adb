"""Every toy problem's declaration — its size, start, box, ranges and analytic front — in one
torch-free table (numpy only).

Configs are validated and fronts drawn without torch: each problem's objectives and closed-form
gradients live in its own module (`implementation`), which imports torch and is loaded when a
run is trained (`ProblemSpec.load`, or calling the spec). A problem's module names its
declaration (`class Concave(Problem, problem="concave")`) and takes these attributes from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from moo_core.records import objective_names
from moo_core.registry import ConfigError, Hyperparam, Registry, load_implementation

HALF_PI = math.pi / 2.0
ZDT3_SEGMENTS = (
    (0.0, 0.0830015349),
    (0.1822287280, 0.2577623634),
    (0.4093136748, 0.4538821041),
    (0.6183967944, 0.6525117038),
    (0.8233317983, 0.8518328654),
)
FRONT_SAMPLES = 10_000  # the sampled front an exact distance falls back on


@dataclass(frozen=True)
class ProblemSpec:
    """One toy problem as configs and pages see it; `implementation` is "module:Class" under
    moo_core.problems. `front(points)` samples the analytic Pareto front (rows of m values);
    `exact_distance`, where given, is the exact distance of one point to it."""

    name: str
    summary: str
    implementation: str
    dim: int
    default_init: tuple[float, ...]
    init_box: tuple[float, float]
    reference_point: tuple[float, ...]
    g_range: tuple[float, float]  # the range of each constrained objective
    front: Callable[[int], np.ndarray]
    n_objectives: int = 2
    bounds: tuple[float, float] | None = None
    hyperparams: tuple[Hyperparam, ...] = ()
    exact_distance: Callable[..., float | None] | None = None

    def check_init(self, init: tuple[float, ...] | str | None) -> None:
        if isinstance(init, tuple) and len(init) != self.dim:
            raise ConfigError(
                f"--init has {len(init)} values; problem {self.name!r} needs {self.dim}"
            )
        if isinstance(init, str) and init != "random":
            raise ConfigError(
                f"--init {init!r} is not allowed; give {self.dim} numbers or 'random'"
            )

    def describe(self) -> dict:
        return {
            "name": self.name,
            "summary": self.summary,
            "dim": self.dim,
            "n_objectives": self.n_objectives,
            "objective_names": list(objective_names(self.n_objectives)),
            "default_init": list(self.default_init),
            "bounds": list(self.bounds) if self.bounds else None,
            "reference_point": list(self.reference_point),
            "g_range": list(self.g_range),
        }

    def load(self) -> type:
        """The problem's class (its module, and so torch, is imported here)."""
        return load_implementation(self, "moo_core.problems")

    def __call__(self, init: tuple[float, ...] | str | None = None):
        """The problem, ready to train from `init`."""
        return self.load()(init)


PROBLEMS: Registry[ProblemSpec] = Registry("problem")


declare = PROBLEMS.add


def front_distance(front: np.ndarray | None, *point: float) -> float | None:
    """Euclidean distance in objective space from the point (f, g, …) to the sampled front."""
    values = np.asarray(point, dtype=float)
    if front is None or not np.isfinite(values).all():
        return None
    return float(np.min(np.linalg.norm(front - values[None, :], axis=1)))


# ---- the fronts ---------------------------------------------------------------------------


def _convex_front(points: int) -> np.ndarray:
    f = np.linspace(0.0, 4.0, points)
    return np.column_stack([f, (2.0 - np.sqrt(f)) ** 2])


def _concave_front(points: int) -> np.ndarray:
    u = np.linspace(-1.0, 1.0, points)
    return np.column_stack([1.0 - np.exp(-((u - 1.0) ** 2)), 1.0 - np.exp(-((u + 1.0) ** 2))])


def _zdt1_front(points: int) -> np.ndarray:
    f = np.linspace(0.0, 1.0, points)
    return np.column_stack([f, 1.0 - np.sqrt(f)])


def _zdt2_front(points: int) -> np.ndarray:
    f = np.linspace(0.0, 1.0, points)
    return np.column_stack([f, 1.0 - f**2])


def _zdt3_front(points: int) -> np.ndarray:
    widths = np.array([high - low for low, high in ZDT3_SEGMENTS])
    counts = np.maximum(2, np.round(points * widths / widths.sum()).astype(int))
    f = np.concatenate(
        [np.linspace(low, high, n) for (low, high), n in zip(ZDT3_SEGMENTS, counts, strict=True)]
    )
    return np.column_stack([f, 1.0 - np.sqrt(f) - f * np.sin(10.0 * math.pi * f)])


def _sphere_front(points: int) -> np.ndarray:
    side = max(2, math.ceil(math.sqrt(points)))
    polar, azimuth = np.meshgrid(
        np.linspace(0.0, HALF_PI, side), np.linspace(0.0, HALF_PI, side), indexing="ij"
    )
    polar, azimuth = polar.ravel(), azimuth.ravel()
    return np.column_stack(
        [np.cos(polar) * np.cos(azimuth), np.cos(polar) * np.sin(azimuth), np.sin(polar)]
    )


def _sphere_distance(*point: float) -> float | None:
    """Exact distance from a point to the octant of the unit sphere: |‖y‖ − 1| in the positive
    octant (the nearest point of the sphere is y/‖y‖), else the distance to the sampled front."""
    values = np.asarray(point, dtype=float)
    if not np.isfinite(values).all():
        return None
    if (values >= 0).all() and np.linalg.norm(values) > 0:
        return float(abs(np.linalg.norm(values) - 1.0))
    return front_distance(_sphere_front(FRONT_SAMPLES), *values)


declare(
    ProblemSpec(
        "concave",
        "Fonseca–Fleming (n = 2); concave front",
        "_concave:Concave",
        dim=2,
        default_init=(0.6, -0.4),
        init_box=(-1.5, 1.5),
        reference_point=(1.1, 1.1),
        g_range=(0.0, 1.0 - math.exp(-4.0)),
        front=_concave_front,
    )
)
declare(
    ProblemSpec(
        "convex",
        "f = ‖x‖², g = ‖x − (2,0)‖²; convex front g = (2 − √f)²",
        "_convex:Convex",
        dim=2,
        default_init=(1.0, 1.5),
        init_box=(-1.0, 3.0),
        reference_point=(4.4, 4.4),
        g_range=(0.0, 4.0),
        front=_convex_front,
    )
)
ZDT = {
    "dim": 30,
    "default_init": (0.5,) * 30,
    "init_box": (0.0, 1.0),
    "bounds": (0.0, 1.0),
    "reference_point": (1.1, 1.1),
}
declare(
    ProblemSpec(
        "zdt1",
        "ZDT1 (n = 30); convex front g = 1 − √f",
        "_zdt:Zdt1",
        g_range=(0.0, 1.0),
        front=_zdt1_front,
        **ZDT,
    )
)
declare(
    ProblemSpec(
        "zdt2",
        "ZDT2 (n = 30); concave front g = 1 − f²",
        "_zdt:Zdt2",
        g_range=(0.0, 1.0),
        front=_zdt2_front,
        **ZDT,
    )
)
declare(
    ProblemSpec(
        "zdt3",
        "ZDT3 (n = 30); disconnected front",
        "_zdt:Zdt3",
        g_range=(-0.7733, 1.0),
        front=_zdt3_front,
        **ZDT,
    )
)
declare(
    ProblemSpec(
        "dtlz2",
        "DTLZ2 (m = 3, n = 12); spherical front f² + g₁² + g₂² = 1",
        "_dtlz:Dtlz2",
        n_objectives=3,
        dim=12,
        # off the front (d = 0.625, radius 1.625) and off its edges: somewhere to go
        default_init=(0.5, 0.5) + (0.75,) * 10,
        init_box=(0.0, 1.0),
        bounds=(0.0, 1.0),
        reference_point=(1.1, 1.1, 1.1),
        g_range=(0.0, 1.0),
        front=_sphere_front,
        exact_distance=_sphere_distance,
    )
)
