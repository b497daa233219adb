"""Uploaded datasets, stored whole in the database (deduplicated by content hash), so that a
worker on another machine reads the same bytes the user uploaded.

Uploads expire (expire_datasets): one no run has used for `ttl_days` is deleted; runs that
used it keep their stored steps (docs/workshop.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Text, cast, delete, exists, func, insert, or_, select

from moo_core.registry import ConfigError
from storage.db import db_now, seconds_since
from storage.models import Dataset, Run
from storage.owners import Admit, hold_owner


@dataclass(frozen=True)
class DatasetView:
    id: int
    name: str
    content_hash: str
    bytes: int
    columns: list[str] | None
    rows: int | None
    created: datetime | None
    owner: str | None = None  # the browser session that uploaded it (storage/owners.py)

    @property
    def ref(self) -> str:
        """How a task config names this dataset."""
        return f"sha256:{self.content_hash}"


_META = (
    Dataset.id,
    Dataset.name,
    Dataset.content_hash,
    Dataset.bytes,
    Dataset.columns,
    Dataset.rows,
    Dataset.created,
    Dataset.owner,
)  # everything but the content


def _view(row) -> DatasetView:
    return DatasetView(*row)


def store_dataset(
    engine: Engine,
    name: str,
    content: bytes,
    columns: list[str] | None = None,
    rows: int | None = None,
    owner: str | None = None,
    admit: Admit | None = None,
) -> DatasetView:
    """Store `content` once: the same bytes uploaded again return the existing dataset (and
    keep its first uploader as owner). New content must pass `admit(stored)`, given how many
    uploads `owner` has stored, asked in the transaction that stores it (storage/owners.py):
    a ConfigError with its reason otherwise, and nothing stored."""
    digest = hashlib.sha256(content).hexdigest()
    existing = get_dataset(engine, digest)
    if existing is not None:
        return existing
    values: dict[str, Any] = {
        "name": name[:200],
        "content_hash": digest,
        "bytes": len(content),
        "content": content,
        "columns": columns,
        "rows": rows,
        "created": db_now(engine),
        "owner": owner,
    }
    try:
        with engine.begin() as connection:
            hold_owner(connection, owner)
            connection.execute(insert(Dataset).values(**values))  # SQLite: the write lock
            if admit is not None:
                mine = select(func.count()).where(
                    Dataset.owner == owner, Dataset.content_hash != digest
                )
                if reason := admit(int(connection.execute(mine).scalar_one())):
                    raise ConfigError(reason)
    except ConfigError:
        raise
    except Exception:  # a concurrent upload of the same bytes won the unique hash
        existing = get_dataset(engine, digest)
        if existing is None:
            raise
        return existing
    return get_dataset(engine, digest)


def _hash_of(ref: str) -> str:
    return ref.removeprefix("sha256:")


def get_dataset(engine: Engine, ref: str) -> DatasetView | None:
    """The dataset with content hash `ref` ("sha256:<hex>" or the bare hex), without bytes."""
    query = select(*_META).where(Dataset.content_hash == _hash_of(ref))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _view(row)


def dataset_content(engine: Engine, ref: str) -> bytes:
    """The stored bytes; KeyError if no dataset has that hash."""
    query = select(Dataset.content).where(Dataset.content_hash == _hash_of(ref))
    with engine.connect() as connection:
        content = connection.execute(query).scalar()
    if content is None:
        raise KeyError(ref)
    return bytes(content)


def list_datasets(engine: Engine) -> list[DatasetView]:
    """Stored datasets, newest first (without their bytes)."""
    query = select(*_META).order_by(Dataset.id.desc())
    with engine.connect() as connection:
        return [_view(row) for row in connection.execute(query)]


def delete_dataset(engine: Engine, ref: str) -> bool:
    statement = delete(Dataset).where(Dataset.content_hash == _hash_of(ref))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


DAY_SECONDS = 86_400.0
ACTIVE = ("queued", "running")


def _used_by_run(*conditions):
    """EXISTS a run whose config names the dataset's hash (a task's "sha256:<hex>")."""
    names = cast(Run.config, Text).contains(Dataset.content_hash)
    return exists(select(Run.id).where(names, *conditions).correlate(Dataset))


def dataset_in_use(engine: Engine, ref: str) -> bool:
    """Whether a queued or running run trains on this dataset (deleting it would fail them)."""
    query = select(_used_by_run(Run.status.in_(ACTIVE))).where(
        Dataset.content_hash == _hash_of(ref)
    )
    with engine.connect() as connection:
        return bool(connection.execute(query).scalar())


def expired_datasets(engine: Engine, ttl_days: float) -> list[str]:
    """Refs of uploads stored more than `ttl_days` ago that no run created within that time
    (nor any queued or running run) uses, by the database clock."""
    ttl = float(ttl_days) * DAY_SECONDS
    recent = or_(Run.status.in_(ACTIVE), seconds_since(engine, Run.created) <= ttl)
    query = select(Dataset.content_hash).where(
        seconds_since(engine, Dataset.created) > ttl, ~_used_by_run(recent)
    )
    with engine.connect() as connection:
        return [f"sha256:{digest}" for digest in connection.execute(query).scalars()]


def expire_datasets(engine: Engine, ttl_days: float) -> list[str]:
    """Delete the uploads expired_datasets names; their refs."""
    return [ref for ref in expired_datasets(engine, ttl_days) if delete_dataset(engine, ref)]
