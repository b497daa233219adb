"""Owners (workshop mode) and dataset expiry, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

import storage
from moo_core.config import make_run_config
from storage.models import Dataset, Run

ME, YOU = "session-me", "session-you"


def queue(engine, owner: str | None, n: int = 1, name: str = "x") -> tuple[int, list[int]]:
    experiment = storage.create_experiment(engine, name, "comparison")
    config = make_run_config("convex", "mdmm", steps=20)
    ids = [storage.submit_run(engine, config, experiment_id=experiment) for _ in range(n)]
    storage.claim_submission(engine, owner, experiment, ids)
    return experiment, ids


def age(engine, model, ids: list[int], days: int) -> None:
    """Move rows' `created` `days` into the past by the database clock."""
    if engine.dialect.name == "sqlite":
        old = text(f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-{days} days')")
    else:
        old = text(f"timezone('UTC', clock_timestamp()) - interval '{days} days'")
    with engine.begin() as connection:
        connection.execute(update(model).where(model.id.in_(ids)).values(created=old))


def task_config(ref: str):
    task = {"dataset": ref, "target": "y", "objective": "l1"}
    return make_run_config(None, "mdmm", steps=10, task=task)


class TestOwners:
    def test_submission_is_owned_and_only_its_owner_may_modify_it(self, engine):
        experiment, (run,) = queue(engine, ME)
        assert storage.owner_of(engine, "run", run) == ME
        assert storage.owner_of(engine, "experiment", experiment) == ME
        assert storage.may_modify(engine, "run", run, ME, is_admin=False)
        assert not storage.may_modify(engine, "run", run, YOU, is_admin=False)
        assert not storage.may_modify(engine, "experiment", experiment, YOU, is_admin=False)
        assert storage.may_modify(engine, "run", run, YOU, is_admin=True)

    def test_rows_without_owner_belong_to_the_instructor(self, engine):
        run = storage.submit_run(engine, make_run_config("convex", "mdmm", steps=20))
        assert storage.owner_of(engine, "run", run) is None
        assert not storage.may_modify(engine, "run", run, None, is_admin=False)
        assert not storage.may_modify(engine, "run", run, ME, is_admin=False)
        assert storage.may_modify(engine, "run", run, ME, is_admin=True)
        assert not storage.may_modify(engine, "run", 999_999, ME, is_admin=False)

    def test_owners_of_many_in_one_call(self, engine):
        _, mine = queue(engine, ME, 2)
        _, yours = queue(engine, YOU, 1)
        assert storage.owners_of(engine, "run", [*mine, *yours, 999_999]) == {
            mine[0]: ME,
            mine[1]: ME,
            yours[0]: YOU,
        }
        assert storage.set_owner(engine, "run", yours, ME) == 1
        assert storage.owner_of(engine, "run", yours[0]) == ME
        with pytest.raises(ValueError, match="owned kind"):
            storage.owner_of(engine, "worker", 1)
        with pytest.raises(ValueError, match="at most 64"):
            storage.set_owner(engine, "run", mine, "x" * 65)

    def test_active_runs_count_queued_and_running_only(self, engine):
        _, ids = queue(engine, ME, 3)
        queue(engine, YOU, 2)
        assert storage.active_runs(engine, ME) == 3
        storage.finish_run(engine, ids[0], "completed")
        storage.request_cancel(engine, ids[1])
        assert storage.active_runs(engine, ME) == 1
        assert storage.active_runs(engine, YOU) == 2
        assert storage.active_runs(engine, "nobody") == 0

    def test_datasets_keep_their_first_uploader(self, engine):
        first = storage.store_dataset(engine, "a.csv", b"x,y\n1,2\n", owner=ME)
        again = storage.store_dataset(engine, "b.csv", b"x,y\n1,2\n", owner=YOU)
        assert first.owner == again.owner == ME
        assert storage.owner_of(engine, "dataset", first.id) == ME
        assert storage.owned_datasets(engine, ME) == 1
        assert storage.owned_datasets(engine, YOU) == 0
        assert [d.owner for d in storage.list_datasets(engine)] == [ME]


class TestDatasetExpiry:
    def test_old_unused_uploads_expire_and_used_ones_stay(self, engine):
        unused = storage.store_dataset(engine, "unused.csv", b"x,y\n1,2\n")
        fresh = storage.store_dataset(engine, "fresh.csv", b"x,y\n3,4\n")
        recent = storage.store_dataset(engine, "recent.csv", b"x,y\n5,6\n")
        running = storage.store_dataset(engine, "running.csv", b"x,y\n7,8\n")
        stale = storage.store_dataset(engine, "stale.csv", b"x,y\n9,0\n")
        age(engine, Dataset, [unused.id, recent.id, running.id, stale.id], days=10)
        storage.submit_run(engine, task_config(recent.ref))  # a run created now: recent use
        long_running = storage.submit_run(engine, task_config(running.ref))
        stale_run = storage.submit_run(engine, task_config(stale.ref))
        storage.finish_run(engine, stale_run, "completed")
        age(engine, Run, [long_running, stale_run], days=9)  # queued for 9 days: still in use
        assert storage.dataset_in_use(engine, running.ref)
        assert not storage.dataset_in_use(engine, stale.ref)
        assert sorted(storage.expired_datasets(engine, 7)) == sorted([unused.ref, stale.ref])
        assert storage.expired_datasets(engine, 30) == []
        assert sorted(storage.expire_datasets(engine, 7)) == sorted([unused.ref, stale.ref])
        left = {d.name for d in storage.list_datasets(engine)}
        assert left == {"fresh.csv", "recent.csv", "running.csv"}
        assert storage.get_run(engine, stale_run).status == "completed"  # its steps stay
        assert fresh.ref not in storage.expire_datasets(engine, 7)
