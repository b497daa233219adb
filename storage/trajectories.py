"""A sweep point's thinned trajectory (column sweep_points.trajectory, added in 0005).

One JSON object per point: {"step": [s₀, s₁, …], "f": […], "g": […]} (for m ≥ 3 "g1", "g2", …,
the names of moo_core.records.objective_names), at most a few hundred samples, so the Pareto
page can animate every setting of a sweep at once. NaN and ±inf are stored as null. The
column is deferred: get_sweep_points never reads it; only these functions do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, select, update

from storage.db import retrying
from storage.models import SweepPoint
from storage.queue import finite_or_none


@retrying
def store_sweep_trajectories(
    engine: Engine, run_id: int, trajectories: Sequence[Mapping[str, Sequence[Any]] | None]
) -> int:
    """Attach trajectory k to the run's stored point k (store the points first); returns how
    many points got one."""
    stored = 0
    with engine.begin() as connection:
        for index, trajectory in enumerate(trajectories):
            if trajectory is None:
                continue
            value = finite_or_none({name: list(values) for name, values in trajectory.items()})
            statement = (
                update(SweepPoint)
                .where(SweepPoint.run_id == run_id, SweepPoint.index == index)
                .values(trajectory=value)
            )
            stored += connection.execute(statement).rowcount
    return stored


def get_sweep_trajectories(engine: Engine, run_id: int) -> list[dict | None]:
    """Each point's trajectory in point order (None for a point without one)."""
    query = (
        select(SweepPoint.trajectory).where(SweepPoint.run_id == run_id).order_by(SweepPoint.index)
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query).all()]
