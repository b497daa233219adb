"""Front quality: non-dominated filter, hypervolume and IGD (computed with `moocore`)."""

from __future__ import annotations

import moocore
import numpy as np


def nondominated(points: np.ndarray) -> list[int]:
    """Indices of the finite, non-dominated rows of an (N, m) array (minimisation)."""
    finite = np.flatnonzero(np.isfinite(points).all(axis=1))
    if finite.size == 0:
        return []
    mask = moocore.is_nondominated(points[finite], maximise=False, keep_weakly=True)
    return [int(i) for i in finite[mask]]


def hypervolume(points: np.ndarray, reference: tuple[float, float]) -> float | None:
    """Volume dominated by `points` (N, m) and bounded by `reference`; None without finite
    points."""
    finite = points[np.isfinite(points).all(axis=1)]
    if finite.size == 0:
        return None
    return float(moocore.hypervolume(finite, ref=np.asarray(reference, dtype=float)))


def igd(points: np.ndarray, front: np.ndarray | None) -> float | None:
    """Inverted generational distance of `points` to the sampled analytic `front`."""
    finite = points[np.isfinite(points).all(axis=1)]
    if front is None or finite.size == 0:
        return None
    return float(moocore.igd(finite, ref=front))
