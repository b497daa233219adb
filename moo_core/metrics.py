"""Front quality: non-dominated filter, hypervolume and IGD (computed with `moocore`, the
`metrics` extra of a library install: loaded on first use, so a single run needs none)."""

from __future__ import annotations

import importlib

import numpy as np


def _moocore():
    try:
        return importlib.import_module("moocore")
    except ImportError:
        raise ImportError(
            "front metrics need moocore: pip install 'moo-lab[metrics]' (or requirements.txt)"
        ) from None


def nondominated(points: np.ndarray) -> list[int]:
    """Indices of the finite, non-dominated rows of an (N, m) array (minimisation)."""
    finite = np.flatnonzero(np.isfinite(points).all(axis=1))
    if finite.size == 0:
        return []
    mask = _moocore().is_nondominated(points[finite], maximise=False, keep_weakly=True)
    return [int(i) for i in finite[mask]]


def hypervolume(points: np.ndarray, reference: tuple[float, float]) -> float | None:
    """Volume dominated by `points` (N, m) and bounded by `reference`; None without finite
    points."""
    finite = points[np.isfinite(points).all(axis=1)]
    if finite.size == 0:
        return None
    return float(_moocore().hypervolume(finite, ref=np.asarray(reference, dtype=float)))


def igd(points: np.ndarray, front: np.ndarray | None) -> float | None:
    """Inverted generational distance of `points` to the sampled analytic `front`."""
    finite = points[np.isfinite(points).all(axis=1)]
    if front is None or finite.size == 0:
        return None
    return float(_moocore().igd(finite, ref=front))
