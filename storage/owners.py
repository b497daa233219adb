"""Who owns what (workshop mode): runs, experiments and datasets name the browser session that
created them in their `owner` column (added in 0006). NULL: stored before 0006, or by the CLI.

Storage only records and reads owners; who may do what is decided here by `may_modify` from
the session's id and whether it holds the instructor's token (ui/workshop.py reads both).

Admission is atomic: `submit_owned` (and storage.datasets.store_dataset with `admit`) counts
what the owner already has and stores the new rows in one transaction that first holds a
lock two submissions of one owner cannot share (SQLite's write lock, taken by the first
insert; a PostgreSQL advisory lock on the owner), so two tabs cannot exceed a limit together:
the second counts the first's rows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from moo_core.registry import ConfigError
from storage.db import db_now, is_sqlite
from storage.models import EXPERIMENT_KINDS, OWNER_LENGTH, Dataset, Experiment, Run
from storage.queue import check_experiment_name, queued_run
from storage.schemas import validate_config

Admit = Callable[[int], str | None]  # what the owner has already → why not (None: admitted)

OWNED = {"run": Run, "experiment": Experiment, "dataset": Dataset}
ACTIVE = ("queued", "running")  # what counts against a session's concurrent runs


def _model(kind: str):
    try:
        return OWNED[kind]
    except KeyError:
        raise ValueError(f"owned kind {kind!r}; choose one of {', '.join(OWNED)}") from None


def check_owner(owner: str | None) -> str | None:
    """The owner id, or ValueError when it does not fit the column."""
    if owner is not None and (not isinstance(owner, str) or len(owner) > OWNER_LENGTH):
        raise ValueError(f"an owner id has at most {OWNER_LENGTH} characters")
    return owner


def set_owner(engine: Engine, kind: str, ids: Iterable[int], owner: str | None) -> int:
    """Record `owner` on the rows `ids` of `kind`; how many rows were updated."""
    model, ids = _model(kind), [int(i) for i in ids]
    if not ids:
        return 0
    statement = update(model).where(model.id.in_(ids)).values(owner=check_owner(owner))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def claim_submission(
    engine: Engine, owner: str | None, experiment_id: int | None, run_ids: Iterable[int]
) -> None:
    """Record `owner` on a just-submitted experiment and its runs, in one transaction."""
    check_owner(owner)
    with engine.begin() as connection:
        if experiment_id is not None:
            connection.execute(
                update(Experiment).where(Experiment.id == experiment_id).values(owner=owner)
            )
        if ids := [int(i) for i in run_ids]:
            connection.execute(update(Run).where(Run.id.in_(ids)).values(owner=owner))


def owners_of(engine: Engine, kind: str, ids: Iterable[int]) -> dict[int, str | None]:
    """{id: owner} for the rows `ids` of `kind` that exist (one query)."""
    model, ids = _model(kind), [int(i) for i in ids]
    if not ids:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(select(model.id, model.owner).where(model.id.in_(ids)))
        return {int(row.id): row.owner for row in rows}


def owner_of(engine: Engine, kind: str, item_id: int) -> str | None:
    """The owner of one row (None: no owner recorded, or no such row)."""
    return owners_of(engine, kind, [item_id]).get(int(item_id))


def may_modify(
    engine: Engine, kind: str, item_id: int, session_owner: str | None, is_admin: bool
) -> bool:
    """Whether a session may delete, cancel or rename row `item_id`: the instructor (or
    anyone, outside workshop mode: callers pass is_admin=True then) always; a participant
    only what it owns. A row without owner belongs to the instructor alone."""
    if is_admin:
        return True
    owner = owner_of(engine, kind, item_id)
    return owner is not None and owner == session_owner


def active_runs(engine: Engine, owner: str) -> int:
    """How many of `owner`'s runs are queued or running."""
    query = select(func.count()).where(Run.owner == owner, Run.status.in_(ACTIVE))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def owned_datasets(engine: Engine, owner: str) -> int:
    """How many stored datasets `owner` uploaded."""
    query = select(func.count()).where(Dataset.owner == owner)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def hold_owner(connection: Connection, owner: str | None) -> None:
    """On PostgreSQL, hold `owner`'s advisory lock until the transaction ends (SQLite: the
    transaction's first write takes the database's write lock, which serializes as much)."""
    if owner is None or is_sqlite(connection.engine):
        return
    key = int.from_bytes(hashlib.sha256(owner.encode()).digest()[:8], "big", signed=True)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _refuse(admit: Admit | None, have: int) -> None:
    if admit is not None and (reason := admit(have)):
        raise ConfigError(reason)


def submit_owned(
    engine: Engine,
    name: str,
    kind: str,
    configs: Sequence[Any],
    owner: str | None = None,
    admit: Admit | None = None,
) -> tuple[int, list[int]]:
    """Queue `configs` as one experiment of `kind` owned by `owner`: (experiment id, run ids).
    `admit(active)`, given how many of `owner`'s runs are queued or running, may refuse (a
    ConfigError with its reason: nothing is stored); it is asked inside the transaction that
    stores them, after the owner's lock is held."""
    check_experiment_name(name)
    check_owner(owner)
    if kind not in EXPERIMENT_KINDS:
        raise ValueError(f"experiment kind {kind!r}; choose one of {', '.join(EXPERIMENT_KINDS)}")
    for config in configs:
        validate_config(config)  # every config valid before anything is stored
    now = db_now(engine)
    experiment = insert(Experiment).values(name=name, kind=kind, owner=owner, created=now)
    with engine.begin() as connection:
        hold_owner(connection, owner)
        experiment_id = int(connection.execute(experiment.returning(Experiment.id)).scalar_one())
        if admit is not None:  # counted after the lock: another tab's runs are in
            active = select(func.count()).where(Run.owner == owner, Run.status.in_(ACTIVE))
            _refuse(admit, int(connection.execute(active).scalar_one()))
        ids = [
            int(
                connection.execute(
                    queued_run(c, experiment_id, now).values(owner=owner)
                ).scalar_one()
            )
            for c in configs
        ]
    return experiment_id, ids
