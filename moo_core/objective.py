"""What the engine trains: m objectives over parameters stacked on a leading axis of K rows.

Every member the engine reads is declared here with its default, so a toy problem
(moo_core.problems) and a real-data task (moo_core.tasks) are trained by the same loop without
asking which they are.
"""

from __future__ import annotations

import abc

import numpy as np
import torch

FRONT_POINTS = 2001  # a sampled front's resolution for distances to it
DISTANCE_ROWS = 512  # rows per block of the points × front distance matrix
WINDOW = 32  # front rows compared on either side of a point's own f (two objectives)


class Objective(abc.ABC):
    """m objectives over K stacked rows. Row k must depend on row k of the parameters only,
    so K stacked runs equal K single runs. Column 0 is f (primary); the others are
    constrained by ε or balanced against it."""

    n_objectives: int = 2
    reference_point: tuple[float, ...] | None = None  # for the hypervolume (None: none known)
    bounds: tuple[float, float] | None = None  # a box `project` keeps the parameters in
    scale_free: bool = False  # balanced on its starting values (moo_core.scaling)
    rows_per_step: int = 1  # data rows one step reads (sizes the thread count)
    batches_per_epoch: int = 1  # > 1: mini-batches (records averaged over an epoch)
    notes: tuple[str, ...] = ()  # what building or scaling it did, for the run's summary

    @abc.abstractmethod
    def init_params(self, seeds: list[int], device: torch.device) -> list[torch.Tensor]:
        """One row per seed, stacked, with requires_grad."""

    @abc.abstractmethod
    def evaluate(self, params: list[torch.Tensor], step: int) -> torch.Tensor:
        """The values (K, m) with their autograd graph."""

    def has_closed_form(self) -> bool:
        """Whether `closed_form` gives the values and gradients (else autograd does)."""
        return False

    def closed_form(self, params: list[torch.Tensor]):
        """(values (m, K), gradients: per parameter a (m, K, …) tensor) without autograd, or
        None where there is no closed form (the engine then uses autograd)."""
        return None

    def project(self, params: list[torch.Tensor]) -> None:  # noqa: B027  (a default, not abstract)
        """Keep the parameters feasible after a step (in place); nothing by default."""

    def front(self, points: int) -> np.ndarray | None:
        """`points` points (rows of m values) along the analytic Pareto front, if known."""
        return None

    def front_distances(self, points: np.ndarray) -> np.ndarray | None:
        """Each row's (K, m) Euclidean distance to the front sampled at FRONT_POINTS (NaN for a
        row that is not finite); None without a front. Blocks of rows bound the memory."""
        front = self.front(FRONT_POINTS)
        if front is None:
            return None
        return nearest(np.asarray(points, dtype=float), front)

    def work_per_row(self) -> int:
        """Multiply-adds one row of one step touches, roughly (sizes threads and device)."""
        return 1

    def bytes_per_row(self) -> int:
        """Device bytes one row needs while it trains, roughly: what a step touches, kept in
        a few copies (gradients per objective, the mix, optimizer moments) in float32."""
        return 4 * 8 * self.work_per_row() * self.n_objectives

    def report(self, params: list[torch.Tensor]) -> dict | None:
        """The final evaluation where the training values are not it (a task's full training
        and validation sets): {"objectives": (K, m), "val_objectives": (K, m)}, else None."""
        return None

    def baseline_f(self) -> float | None:
        """The loss f of the best constant prediction on the training rows (a task's), against
        which a run must have learned (moo_core.verdict.judge_baseline); None for toy problems."""
        return None

    def describe(self) -> dict | None:
        """What a run's summary says of the objective beyond its config (a task's loss, rows,
        units, notes); None for toy problems."""
        return None


def nearest(points: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Distance from each row of `points` (K, m) to the nearest row of `front` (F, m); NaN
    where a row is not finite. Each distance is np.linalg.norm's arithmetic on the nearest
    row (squares added along m in order, then the root): the same bits as a row-by-row norm.

    For two objectives the front is sorted by f and each point compares itself with the
    WINDOW rows on either side of its own f; where a row just outside the window could be
    nearer (it is no further in f than the best found), it compares with every row."""
    out = np.full(len(points), np.nan)
    finite = np.flatnonzero(np.isfinite(points).all(axis=1))
    rest = finite
    if front.shape[1] == 2 and len(front) > 2 * WINDOW:
        found, certain = _nearest_in_window(points[finite], front[np.argsort(front[:, 0])])
        out[finite[certain]] = found[certain]
        rest = finite[~certain]
    for start in range(0, len(rest), DISTANCE_ROWS):
        rows = rest[start : start + DISTANCE_ROWS]
        out[rows] = np.sqrt(_squares(front[None, :, :] - points[rows, None, :]).min(axis=1))
    return out


def _nearest_in_window(points: np.ndarray, front: np.ndarray):
    """(distance to the nearest of the 2·WINDOW front rows around each point's f, whether no
    row outside them can be nearer); `front` sorted by its first column."""
    last = len(front) - 1
    centre = np.clip(np.searchsorted(front[:, 0], points[:, 0]) - WINDOW, 0, last + 1 - 2 * WINDOW)
    index = centre[:, None] + np.arange(2 * WINDOW)[None, :]
    least = _squares(front[index] - points[:, None, :]).min(axis=1)
    outside = np.full(len(points), np.inf)
    for edge in (index[:, 0] - 1, index[:, -1] + 1):
        inside = (edge >= 0) & (edge <= last)
        gap = front[np.clip(edge, 0, last), 0] - points[:, 0]
        outside = np.minimum(outside, np.where(inside, gap * gap, np.inf))
    return np.sqrt(least), least <= outside


def _squares(gaps: np.ndarray) -> np.ndarray:
    """Σ gapᵢ² along the last axis, added in order."""
    total = gaps[..., 0] * gaps[..., 0]
    for i in range(1, gaps.shape[-1]):
        total = total + gaps[..., i] * gaps[..., i]
    return total
