"""One storage contract, run against SQLite and against a real PostgreSQL server."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text, update

import storage
from moo_core.config import ConfigError, make_run_config, make_sweep_config
from storage.migrate import current_revision
from storage.models import Base, Run

HEAD = "0006"
TABLES = {"experiments", "runs", "metrics", "sweep_points", "datasets", "workers"}


def run_config(steps: int = 20):
    return make_run_config("convex", "mdmm", steps=steps)


def chunk(n: int, start: float = 0.0) -> dict[str, np.ndarray]:
    base = np.arange(n, dtype=float) + start
    return {
        "f": base,
        "g": base * 2,
        "lambda": base / 10,
        "violation": np.abs(base),
        "grad_cos": np.cos(base),
    }


def age_heartbeat(engine, run_id: int, seconds: int) -> None:
    """Move a heartbeat `seconds` into the past by the database clock."""
    if engine.dialect.name == "sqlite":
        old = text(f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-{seconds} seconds')")
    else:
        old = text(f"timezone('UTC', clock_timestamp()) - interval '{seconds} seconds'")
    with engine.begin() as connection:
        connection.execute(update(Run).where(Run.id == run_id).values(heartbeat=old))


class TestStorageContract:
    def test_upgrade_from_empty_matches_metadata(self, db_url):
        engine = storage.make_engine(db_url)
        assert current_revision(engine) is None
        storage.upgrade(db_url)  # by URL
        assert current_revision(engine) == HEAD
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        storage.upgrade(engine)  # by engine, idempotent
        assert current_revision(engine) == HEAD
        engine.dispose()

    def test_concurrent_upgrades_from_empty(self, db_url):
        errors: list[BaseException] = []

        def migrate() -> None:
            try:
                storage.upgrade(db_url)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=migrate) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        engine = storage.make_engine(db_url)
        assert current_revision(engine) == HEAD
        engine.dispose()

    def test_upgrade_from_first_revision(self, db_url):
        engine = storage.make_engine(db_url)
        storage.upgrade(engine, "0001")
        run_id = storage.submit_run(engine, run_config())
        storage.upgrade(engine, "head")
        assert storage.get_run(engine, run_id).status == "queued"
        engine.dispose()

    def test_submit_claim_metrics_finish_round_trip(self, engine):
        experiment = storage.create_experiment(engine, "demo", "single", tags=["a"])
        run_id = storage.submit_run(engine, run_config(steps=30), experiment_id=experiment)
        view = storage.get_run(engine, run_id)
        assert (view.status, view.kind, view.steps_stored) == ("queued", "run", 0)
        assert view.config["problem"] == "convex" and view.created is not None
        claimed = storage.claim_next_run(engine, "w1")
        assert claimed.id == run_id and claimed.kind == "run"
        assert claimed.config == run_config(steps=30)
        assert storage.claim_next_run(engine, "w2") is None
        storage.append_metrics(engine, run_id, 0, chunk(10))
        storage.append_metrics(engine, run_id, 10, chunk(20, start=10))
        assert storage.beat(engine, run_id, "w1", 0.5) is False
        running = storage.get_run(engine, run_id)
        assert (running.status, running.worker_id, running.progress) == ("running", "w1", 0.5)
        assert running.steps_stored == 30 and running.heartbeat >= running.started
        summary = {"status": "completed", "final": {"f": 1.0, "lambda": float("nan")}}
        assert storage.finish_run(
            engine, run_id, "completed", seconds=1.5, summary=summary, device="cpu"
        )
        done = storage.get_run(engine, run_id)
        assert (done.status, done.progress, done.seconds, done.device) == (
            "completed",
            1.0,
            1.5,
            "cpu",
        )
        assert done.summary == {"status": "completed", "final": {"f": 1.0, "lambda": None}}
        assert done.finished >= done.started
        metrics = storage.get_metrics(engine, run_id)
        assert list(metrics) == ["step", "f", "g", "lambda", "violation", "grad_cos"]
        np.testing.assert_array_equal(metrics["step"], np.arange(30))
        np.testing.assert_allclose(metrics["g"], np.arange(30) * 2.0)
        assert list(storage.get_metrics(engine, run_id, since_step=25)["step"]) == [
            25,
            26,
            27,
            28,
            29,
        ]
        assert [v.id for v in storage.list_runs(engine, experiment_id=experiment)] == [run_id]
        assert storage.list_runs(engine, status="queued") == []
        assert storage.list_experiments(engine)[0].runs == 1

    def test_non_finite_values_round_trip(self, engine):
        run_id = storage.submit_run(engine, run_config())
        values = np.array([1.5, np.inf, -np.inf, np.nan, -0.0, 1e308])
        storage.append_metrics(engine, run_id, 0, {name: values for name in chunk(1)})
        metrics = storage.get_metrics(engine, run_id)
        for name in ("f", "g", "lambda", "violation", "grad_cos"):
            np.testing.assert_array_equal(metrics[name], values)
            assert metrics[name].dtype == np.float64
        assert storage.get_run(engine, run_id).steps_stored == 5  # NaN-f rows do not count
        # a retried chunk replaces its rows instead of failing
        storage.append_metrics(engine, run_id, 0, {"f": values[:2], "g": values[:2]})
        assert len(storage.get_metrics(engine, run_id)["step"]) == 6

    def test_append_ten_thousand_rows_in_one_call(self, engine):
        run_id = storage.submit_run(engine, run_config())
        begun = time.perf_counter()
        storage.append_metrics(engine, run_id, 0, chunk(10_000))
        assert time.perf_counter() - begun < 10
        metrics = storage.get_metrics(engine, run_id)
        assert len(metrics["step"]) == 10_000 and metrics["f"][-1] == 9999.0
        assert storage.get_run(engine, run_id).steps_stored == 10_000

    def test_claim_never_gives_a_run_twice(self, engine):
        ids = {storage.submit_run(engine, run_config()) for _ in range(100)}
        claims: dict[str, list[int]] = {f"w{i}": [] for i in range(4)}
        errors: list[BaseException] = []

        def claimer(worker_id: str) -> None:
            try:
                while (claimed := storage.claim_next_run(engine, worker_id)) is not None:
                    claims[worker_id].append(claimed.id)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=claimer, args=(w,)) for w in claims]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors
        claimed = [run_id for got in claims.values() for run_id in got]
        assert sorted(claimed) == sorted(ids)
        for worker_id, got in claims.items():
            for run_id in got:
                assert storage.get_run(engine, run_id).worker_id == worker_id

    def test_cancel_queued_and_running(self, engine):
        queued = storage.submit_run(engine, run_config())
        assert storage.request_cancel(engine, queued)
        assert storage.get_run(engine, queued).status == "cancelled"
        assert storage.claim_next_run(engine, "w") is None
        running = storage.submit_run(engine, run_config())
        assert storage.claim_next_run(engine, "w").id == running
        assert storage.beat(engine, running, "w", 0.1) is False
        assert storage.request_cancel(engine, running)
        assert storage.get_run(engine, running).status == "running"
        assert storage.beat(engine, running, "w", 0.2) is True
        assert storage.finish_run(engine, running, "cancelled")
        assert storage.get_run(engine, running).status == "cancelled"
        assert storage.request_cancel(engine, running) is False
        assert storage.request_cancel(engine, 99999) is False

    def test_reaper_fails_stale_runs_and_keeps_metrics(self, engine):
        stale = storage.submit_run(engine, run_config())
        fresh = storage.submit_run(engine, run_config())
        assert storage.claim_next_run(engine, "dead").id == stale
        assert storage.claim_next_run(engine, "alive").id == fresh
        storage.append_metrics(engine, stale, 0, chunk(7))
        assert storage.reap_stale(engine, 30) == []
        age_heartbeat(engine, stale, 120)
        assert storage.reap_stale(engine, 30) == [stale]
        view = storage.get_run(engine, stale)
        assert view.status == "failed" and view.steps_stored == 7
        assert view.error.startswith("worker lost (no heartbeat for ")
        assert 115 <= float(view.error.split("for ")[1].rstrip("s)")) <= 200
        assert storage.get_run(engine, fresh).status == "running"
        assert storage.beat(engine, stale, "dead", 0.9) is True  # the lost worker must stop
        assert storage.finish_run(engine, stale, "completed") is False
        assert storage.reap_stale(engine, 30) == []

    def test_malformed_config_fails_that_run_alone(self, engine):
        bad = storage.submit_run(engine, run_config())
        broken = {"problem": "no-such-problem", "method": "mdmm"}
        with engine.begin() as connection:
            connection.execute(update(Run).where(Run.id == bad).values(config=broken))
        wrong_kind = storage.submit_run(engine, run_config())
        with engine.begin() as connection:
            connection.execute(update(Run).where(Run.id == wrong_kind).values(kind="sweep"))
        not_json = storage.submit_run(engine, run_config())
        if engine.dialect.name == "sqlite":  # PostgreSQL's json type refuses such text
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE runs SET config = '{not json' WHERE id = :id"), {"id": not_json}
                )
        else:
            storage.request_cancel(engine, not_json)
        good = storage.submit_run(engine, run_config())
        claimed = storage.claim_next_run(engine, "w")
        assert claimed is not None and claimed.id == good
        failed = storage.get_run(engine, bad)
        assert failed.status == "failed" and "no-such-problem" in failed.error
        assert storage.get_run(engine, wrong_kind).status == "failed"
        assert storage.get_run(engine, good).status == "running"
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                row = connection.execute(
                    text("SELECT status, error FROM runs WHERE id = :id"), {"id": not_json}
                ).one()
            assert row.status == "failed" and "not JSON" in row.error

    def test_submit_rejects_invalid_config(self, engine):
        with pytest.raises(ConfigError, match="nope"):
            storage.submit_run(engine, {"problem": "nope", "method": "mdmm"})
        assert storage.list_runs(engine) == []

    def test_sweep_points(self, engine):
        sweep = make_sweep_config(run_config(), "epsilon", 0.2, 0.8, 3)
        run_id = storage.submit_run(engine, sweep)
        claimed = storage.claim_next_run(engine, "w")
        assert claimed.kind == "sweep" and claimed.config == sweep
        points = [
            {
                "epsilon": v,
                "f": 1.0,
                "g": v,
                "lambda": None,
                "violation": math.inf,
                "status": "completed",
                "steps": 20,
                "front_distance": None,
                "nondominated": True,
            }
            for v in sweep.values
        ]
        storage.store_sweep_points(engine, run_id, points)
        stored = storage.get_sweep_points(engine, run_id)
        assert [p["epsilon"] for p in stored] == list(sweep.values)
        assert [p["index"] for p in stored] == [0, 1, 2]
        assert stored[0]["lambda"] is None and stored[0]["nondominated"] is True
        assert stored[0]["violation"] is None  # JSON-like points: non-finite → None

    def test_workers_experiments_and_deletes(self, engine):
        storage.register_worker(engine, "w1", "host", 123, "cpu")
        storage.register_worker(engine, "w1", "host", 124, "cuda")
        storage.worker_beat(engine, "w1")
        live = storage.live_workers(engine, 30)
        assert [(w.id, w.pid, w.device) for w in live] == [("w1", 124, "cuda")]
        with engine.begin() as connection:
            connection.execute(text("UPDATE workers SET heartbeat = '2000-01-01 00:00:00'"))
        assert storage.live_workers(engine, 30) == []
        with pytest.raises(ValueError):
            storage.create_experiment(engine, "x", "bogus")
        keep = storage.create_experiment(engine, "keep", "comparison")
        drop = storage.create_experiment(engine, "drop", "sweep", tags={"k": 1})
        assert storage.rename_experiment(engine, keep, "kept")
        kept_run = storage.submit_run(engine, run_config(), experiment_id=keep)
        dropped = storage.submit_run(engine, run_config(), experiment_id=drop)
        storage.append_metrics(engine, dropped, 0, chunk(5))
        storage.append_metrics(engine, kept_run, 0, chunk(5))
        assert storage.delete_experiment(engine, drop)
        assert storage.get_run(engine, dropped) is None
        assert [(e.name, e.kind) for e in storage.list_experiments(engine)] == [
            ("kept", "comparison")
        ]
        assert storage.delete_run(engine, kept_run)
        assert storage.get_run(engine, kept_run) is None
        assert len(storage.get_metrics(engine, kept_run)["step"]) == 0

    def test_datasets_stored_whole_and_deduplicated(self, engine):
        raw = b"x,y\n1,2\n3,4\n" + bytes(range(256))  # any bytes survive the round trip
        first = storage.store_dataset(engine, "a.csv", raw, columns=["x", "y"], rows=2)
        again = storage.store_dataset(engine, "renamed.csv", raw)
        assert again.id == first.id and again.name == "a.csv"  # same content, one row
        assert first.ref == "sha256:" + first.content_hash and first.bytes == len(raw)
        assert (first.columns, first.rows) == (["x", "y"], 2)
        assert storage.dataset_content(engine, first.ref) == raw
        assert storage.dataset_content(engine, first.content_hash) == raw
        other = storage.store_dataset(engine, "b.csv", b"p,q\n5,6\n")
        assert [d.id for d in storage.list_datasets(engine)] == [other.id, first.id]
        assert storage.delete_dataset(engine, first.ref)
        assert storage.get_dataset(engine, first.ref) is None
        with pytest.raises(KeyError):
            storage.dataset_content(engine, first.ref)
