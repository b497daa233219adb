"""Worker registry: who is serving, on which device, and whether they are alive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from storage.db import db_now, retrying, seconds_since, session_scope
from storage.models import Worker


@dataclass(frozen=True)
class WorkerView:
    id: str
    host: str | None
    pid: int | None
    device: str | None
    started: datetime | None
    heartbeat: datetime | None


@retrying
def register_worker(
    engine: Engine,
    worker_id: str,
    host: str | None = None,
    pid: int | None = None,
    device: str | None = None,
) -> None:
    now = db_now(engine)
    values = {"host": host, "pid": pid, "device": device, "started": now, "heartbeat": now}
    with engine.begin() as connection:
        done = connection.execute(update(Worker).where(Worker.id == worker_id).values(**values))
        if not done.rowcount:
            connection.execute(insert(Worker).values(id=worker_id, **values))


@retrying
def worker_beat(engine: Engine, worker_id: str) -> None:
    statement = update(Worker).where(Worker.id == worker_id).values(heartbeat=db_now(engine))
    with engine.begin() as connection:
        connection.execute(statement)


def live_workers(engine: Engine, within_seconds: float) -> list[WorkerView]:
    """Workers whose last heartbeat is at most `within_seconds` old (database clock)."""
    query = (
        select(Worker)
        .where(seconds_since(engine, Worker.heartbeat) <= within_seconds)
        .order_by(Worker.id)
    )
    with session_scope(engine) as session:
        return [
            WorkerView(w.id, w.host, w.pid, w.device, w.started, w.heartbeat)
            for w in session.scalars(query).all()
        ]
