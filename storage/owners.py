"""Who owns what (workshop mode): runs, experiments and datasets name the browser session that
created them in their `owner` column (added in 0006). NULL: stored before 0006, or by the CLI.

Storage only records and reads owners; who may do what is decided here by `may_modify` from
the session's id and whether it holds the instructor's token (ui/workshop.py reads both)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, func, select, update

from storage.models import OWNER_LENGTH, Dataset, Experiment, Run

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
