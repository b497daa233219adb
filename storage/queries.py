"""Read-side views for the dashboard and CLI, plus renames and deletes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from storage.db import session_scope
from storage.models import Experiment, Metric, Run, SweepPoint


@dataclass(frozen=True)
class RunView:
    id: int
    experiment_id: int | None
    kind: str
    status: str
    progress: float
    config: dict
    device: str | None
    worker_id: str | None
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    seconds: float | None
    summary: Any
    error: str | None
    steps_stored: int  # metric rows with a recorded f (diverged NaN rows excluded)
    cancel_requested: bool = False
    steps_total: int | None = None
    heartbeat: datetime | None = None


@dataclass(frozen=True)
class ExperimentView:
    id: int
    name: str
    kind: str
    tags: Any
    created: datetime | None
    runs: int


def _runs_query():
    stored = (
        select(func.count(Metric.f))  # rows with a recorded f: NaN (NULL) rows trail divergence
        .where(Metric.run_id == Run.id)
        .correlate(Run)
        .scalar_subquery()
        .label("steps_stored")
    )
    return select(Run, stored)


def _view(run: Run, steps_stored: int) -> RunView:
    return RunView(
        id=run.id,
        experiment_id=run.experiment_id,
        kind=run.kind,
        status=run.status,
        progress=float(run.progress or 0.0),
        config=dict(run.config or {}),
        device=run.device,
        worker_id=run.worker_id,
        created=run.created,
        started=run.started,
        finished=run.finished,
        seconds=run.seconds,
        summary=run.summary,
        error=run.error,
        steps_stored=int(steps_stored or 0),
        cancel_requested=bool(run.cancel_requested),
        steps_total=run.steps_total,
        heartbeat=run.heartbeat,
    )


def get_run(engine: Engine, run_id: int) -> RunView | None:
    with session_scope(engine) as session:
        row = session.execute(_runs_query().where(Run.id == run_id)).first()
        return None if row is None else _view(*row)


def list_runs(
    engine: Engine,
    experiment_id: int | None = None,
    status: str | list[str] | tuple[str, ...] | None = None,
    limit: int | None = None,
) -> list[RunView]:
    """Runs, newest first, optionally of one experiment and/or status (or statuses)."""
    query = _runs_query().order_by(Run.id.desc())
    if experiment_id is not None:
        query = query.where(Run.experiment_id == experiment_id)
    if isinstance(status, str):
        query = query.where(Run.status == status)
    elif status is not None:
        query = query.where(Run.status.in_(list(status)))
    if limit is not None:
        query = query.limit(limit)
    with session_scope(engine) as session:
        return [_view(*row) for row in session.execute(query).all()]


def list_experiments(engine: Engine) -> list[ExperimentView]:
    """Experiments, newest first, with their run counts."""
    count = (
        select(func.count())
        .where(Run.experiment_id == Experiment.id)
        .correlate(Experiment)
        .scalar_subquery()
    )
    query = select(Experiment, count).order_by(Experiment.id.desc())
    with session_scope(engine) as session:
        return [
            ExperimentView(e.id, e.name, e.kind, e.tags, e.created, int(n or 0))
            for e, n in session.execute(query).all()
        ]


def rename_experiment(engine: Engine, experiment_id: int, name: str) -> bool:
    """ConfigError (one line) for an empty name or one over 200 characters."""
    from storage.queue import check_experiment_name

    check_experiment_name(name)
    statement = update(Experiment).where(Experiment.id == experiment_id).values(name=name)
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def set_experiment_tags(engine: Engine, experiment_id: int, tags: list[str]) -> bool:
    """Replace an experiment's tags (a JSON list of strings)."""
    statement = update(Experiment).where(Experiment.id == experiment_id).values(tags=list(tags))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def delete_run(engine: Engine, run_id: int) -> bool:
    """Delete a run with its metrics and sweep points."""
    with engine.begin() as connection:
        connection.execute(delete(Metric).where(Metric.run_id == run_id))
        connection.execute(delete(SweepPoint).where(SweepPoint.run_id == run_id))
        return connection.execute(delete(Run).where(Run.id == run_id)).rowcount == 1


def delete_experiment(engine: Engine, experiment_id: int) -> bool:
    """Delete an experiment with all its runs (and their metrics and sweep points)."""
    runs = select(Run.id).where(Run.experiment_id == experiment_id)
    with engine.begin() as connection:
        connection.execute(delete(Metric).where(Metric.run_id.in_(runs)))
        connection.execute(delete(SweepPoint).where(SweepPoint.run_id.in_(runs)))
        connection.execute(delete(Run).where(Run.experiment_id == experiment_id))
        done = connection.execute(delete(Experiment).where(Experiment.id == experiment_id))
        return done.rowcount == 1
