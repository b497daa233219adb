"""The typed ORM schema (SQLAlchemy 2.x). Alembic's versions/ must match it.

Metric convention: a NULL metric value means NaN (diverged, or no λ for the method);
±inf are stored as is (PostgreSQL DOUBLE PRECISION and SQLite REAL both hold them).

Runs with m ≥ 3 objectives (added in 0003): the typed columns hold the two-objective view
(g = g1, lambda = lambda1) so that every reader of f, g, lambda still works, and the JSON
columns `objectives` (m values) and `multipliers` (m − 1 values) hold the full lists. Both
are NULL for m = 2. See storage/metrics.py for their encoding.

Convergence verdicts (added in 0004): a run's `converged`, `reason` and `steps_to_converge`
are keys of its summary JSON; a sweep point's are columns of sweep_points (NULL: unknown,
a point stored before verdicts existed).

Owners (added in 0006): runs, experiments and datasets name the browser session that created
them (`owner`, NULL for older rows and the CLI's); storage/owners.py reads and sets it.

Trajectories (added in 0005): a sweep point's thinned path (storage/trajectories.py), a
deferred JSON column that the point readers never load. NSGA-II jobs (kind "nsga2", no
migration: `kind` is free text) store their final population as sweep points.
"""

from __future__ import annotations

import builtins  # `bytes` is a column name inside Dataset
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

EXPERIMENT_KINDS = ("single", "comparison", "sweep")
RUN_KINDS = ("run", "sweep", "nsga2")
FRONT_KINDS = ("sweep", "nsga2")  # kinds whose result is a front of sweep points
RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled", "diverged")
FINAL_STATUSES = ("completed", "failed", "cancelled", "diverged")
REASON_LENGTH = 300  # a verdict's reason is one short sentence; longer ones are cut
OWNER_LENGTH = 64  # a browser session's random id (storage/owners.py)


class Base(DeclarativeBase):
    pass


class Experiment(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    tags: Mapped[Any] = mapped_column(JSON, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    owner: Mapped[str | None] = mapped_column(String(OWNER_LENGTH), nullable=True)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    config: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Double, default=0.0)
    steps_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    device: Mapped[str | None] = mapped_column(String(100), nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    started: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Double, nullable=True)
    summary: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(OWNER_LENGTH), nullable=True)


class Metric(Base):
    __tablename__ = "metrics"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    f: Mapped[float | None] = mapped_column(Double, nullable=True)
    g: Mapped[float | None] = mapped_column(Double, nullable=True)
    lam: Mapped[float | None] = mapped_column("lambda", Double, nullable=True)
    violation: Mapped[float | None] = mapped_column(Double, nullable=True)
    grad_cos: Mapped[float | None] = mapped_column(Double, nullable=True)
    objectives: Mapped[Any] = mapped_column(JSON, nullable=True)  # m ≥ 3 only
    multipliers: Mapped[Any] = mapped_column(JSON, nullable=True)  # m ≥ 3 only


class SweepPoint(Base):
    __tablename__ = "sweep_points"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Double, nullable=True)
    f: Mapped[float | None] = mapped_column(Double, nullable=True)
    g: Mapped[float | None] = mapped_column(Double, nullable=True)
    lam: Mapped[float | None] = mapped_column("lambda", Double, nullable=True)
    violation: Mapped[float | None] = mapped_column(Double, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    steps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    front_distance: Mapped[float | None] = mapped_column(Double, nullable=True)
    nondominated: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    objectives: Mapped[Any] = mapped_column(JSON, nullable=True)  # m ≥ 3 only
    multipliers: Mapped[Any] = mapped_column(JSON, nullable=True)  # m ≥ 3 only
    # The point's convergence verdict (added in 0004; NULL in older points: unknown).
    converged: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH), nullable=True)
    steps_to_converge: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {"step": [...], "f": [...], "g": [...]} (added in 0005; read by storage.trajectories).
    trajectory: Mapped[Any] = mapped_column(JSON, nullable=True, deferred=True)


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(128), unique=True)
    bytes: Mapped[int] = mapped_column(BigInteger)
    created: Mapped[datetime] = mapped_column(DateTime)
    # The file itself, so that workers on other machines can read it (added in 0002).
    content: Mapped[builtins.bytes | None] = mapped_column(LargeBinary, nullable=True)
    columns: Mapped[Any] = mapped_column(JSON, nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(OWNER_LENGTH), nullable=True)


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    device: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    heartbeat: Mapped[datetime] = mapped_column(DateTime)
