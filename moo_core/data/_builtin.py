"""Built-in datasets, registered by name: generated or bundled with scikit-learn, no downloads.

Each loader is cached and `load()` hands out a copy, so callers may modify what they get.
scikit-learn is imported inside the loaders to keep `import moo_core.data` light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from moo_core.registry import Registry

if TYPE_CHECKING:
    import pandas as pd

RANDOM_STATE = 0


@dataclass
class BuiltinDataset:
    """One built-in table with suggested column roles and objective."""

    summary: str
    default_target: str
    default_objective: str
    make_frame: Callable[[], pd.DataFrame]
    default_group: str | None = None
    name: str = ""  # set by the registry

    def load(self) -> pd.DataFrame:
        return self.make_frame().copy()

    def describe(self) -> dict:
        return {
            "name": self.name,
            "summary": self.summary,
            "default_target": self.default_target,
            "default_group": self.default_group,
            "default_objective": self.default_objective,
        }


DATASETS: Registry[BuiltinDataset] = Registry("dataset")


def _builtin(name: str, **roles: str | None) -> Callable:
    def decorate(make_frame: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
        cached = lru_cache(maxsize=1)(make_frame)
        DATASETS.register(name)(BuiltinDataset(make_frame=cached, **roles))  # type: ignore[arg-type]
        return cached

    return decorate


@_builtin(
    "moons",
    summary="Two interleaving half-moons (1000 points, noise 0.2); binary classification.",
    default_target="label",
    default_objective="l1",
)
def moons_frame() -> pd.DataFrame:
    import pandas as pd  # pandas loads with the data, not with the registry
    from sklearn.datasets import make_moons

    points, labels = make_moons(n_samples=1000, noise=0.2, random_state=RANDOM_STATE)
    return pd.DataFrame({"x1": points[:, 0], "x2": points[:, 1], "label": labels})


@_builtin(
    "circles",
    summary="A small circle inside a large one (1000 points, noise 0.1); binary classification.",
    default_target="label",
    default_objective="l1",
)
def circles_frame() -> pd.DataFrame:
    import pandas as pd  # pandas loads with the data, not with the registry
    from sklearn.datasets import make_circles

    points, labels = make_circles(n_samples=1000, noise=0.1, factor=0.5, random_state=RANDOM_STATE)
    return pd.DataFrame({"x1": points[:, 0], "x2": points[:, 1], "label": labels})


@_builtin(
    "diabetes",
    summary="Diabetes progression after one year (442 patients, 10 features); regression, "
    "grouped by sex for parity.",
    default_target="target",
    default_group="sex",
    default_objective="l1",
)
def diabetes_frame() -> pd.DataFrame:

    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    # The bundled `sex` is a scaled two-valued code whose meaning the source does not document;
    # its sign splits the two values, named neutrally so it works as a group column.
    frame["sex"] = np.where(frame["sex"] > 0, "b", "a")
    return frame


@_builtin(
    "breast_cancer",
    summary="Wisconsin breast-cancer diagnosis (569 samples, 30 features); 0/1 classification.",
    default_target="target",
    default_objective="l1",
)
def breast_cancer_frame() -> pd.DataFrame:

    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True).frame


@_builtin(
    "wine",
    summary="Wine cultivars from chemical analysis (178 samples, 13 features); 3 classes.",
    default_target="target",
    default_objective="sum_to_one",
)
def wine_frame() -> pd.DataFrame:

    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).frame


@_builtin(
    "fastsim",
    summary="Fast vs full detector simulation of the same 4000 objects: refine `fast` towards "
    "`full` given `eta`; regression.",
    default_target="full",
    default_objective="mmd",
)
def fastsim_frame() -> pd.DataFrame:
    """One latent truth t ~ N(0, 1) per object (a discriminant-like score) seen by two
    simulations: full = t + N(0, σ_full(η)) with σ_full = 0.4 + 0.1·|η|; the fast one is biased
    and smeared differently, fast = 0.85·t + 0.2 + 0.05·η + N(0, 0.3).

    Regressing `full` on (`fast`, `eta`) with a per-object loss learns E[full | fast, η], whose
    spread is narrower than `full`'s own (the full simulation's noise is not predictable from
    the fast one): the refined distribution misses the full one, which an MMD constraint fixes
    (the refinement of Kach et al., "Refining fast simulation using machine learning", 2023).
    The truth itself is left out: it would leak the answer.
    """
    import pandas as pd  # pandas loads with the data, not with the registry

    rng = np.random.default_rng(20240601)
    size = 4000
    truth = rng.normal(0.0, 1.0, size=size)
    eta = rng.uniform(-2.5, 2.5, size=size)
    full = truth + rng.normal(0.0, 0.4 + 0.1 * np.abs(eta))
    fast = 0.85 * truth + 0.2 + 0.05 * eta + rng.normal(0.0, 0.3, size=size)
    return pd.DataFrame({"eta": eta, "fast": fast, "full": full})
