"""Convergence verdicts in storage, on SQLite and PostgreSQL: a sweep point's converged, reason
and steps_to_converge round trip; points stored before 0004 read them as None (unknown); a
run's verdict travels in its summary JSON. Synthetic points: no training."""

from __future__ import annotations

import numpy as np
from alembic import command
from sqlalchemy import text

import storage
from moo_core.config import make_run_config, make_sweep_config
from storage.migrate import alembic_config, current_revision
from storage.models import REASON_LENGTH
from tests.storage.test_contract import HEAD

VERDICTS = (
    (True, "converged: violation ≤ 1e-3 over the last 25 % of steps, λ settled", 412),
    (False, "not converged: λ still moving (range 4.7 over the last 25 % of steps)", None),
    (np.bool_(True), "converged: violation ≤ 1e-3", np.int64(1500)),  # numpy types, as computed
)


def sweep_of(engine, count: int) -> tuple[int, list[float]]:
    run = make_run_config("concave", "mdmm", steps=20)
    sweep = make_sweep_config(run, "damping", 1.0, 10.0, count)
    return storage.submit_run(engine, sweep), list(sweep.values)


def points_of(values, verdicts=VERDICTS) -> list[dict]:
    """Points shaped like SweepResult.points(), each with a verdict."""
    return [
        {
            "damping": value,
            "f": 0.66,
            "g": 0.6,
            "lambda": 0.5,
            "violation": 1e-4,
            "status": "completed",
            "steps": 20,
            "front_distance": 1e-5,
            "nondominated": True,
            "converged": converged,
            "reason": reason,
            "steps_to_converge": steps,
        }
        for value, (converged, reason, steps) in zip(values, verdicts, strict=True)
    ]


def test_sweep_point_verdicts_round_trip(engine):
    run_id, values = sweep_of(engine, 3)
    storage.store_sweep_points(engine, run_id, points_of(values))
    stored = storage.get_sweep_points(engine, run_id)
    assert list(stored[0])[-3:] == ["converged", "reason", "steps_to_converge"]
    for point, (converged, reason, steps) in zip(stored, VERDICTS, strict=True):
        assert point["converged"] is bool(converged)  # a real bool, numpy's included
        assert point["reason"] == reason
        assert point["steps_to_converge"] == (None if steps is None else int(steps))
    assert [p["damping"] for p in stored] == values


def test_a_point_without_a_verdict_reads_unknown_and_a_long_reason_is_cut(engine):
    run_id, values = sweep_of(engine, 2)
    points = points_of(values, [(None, None, None), (False, "x" * 1000, None)])
    del points[0]["converged"], points[0]["reason"], points[0]["steps_to_converge"]
    storage.store_sweep_points(engine, run_id, points)
    first, second = storage.get_sweep_points(engine, run_id)
    assert (first["converged"], first["reason"], first["steps_to_converge"]) == (None,) * 3
    assert second["converged"] is False
    assert len(second["reason"]) == REASON_LENGTH and second["reason"].endswith("…")


def test_a_run_verdict_travels_in_its_summary(engine):
    run_id = storage.submit_run(engine, make_run_config("concave", "bdmm", steps=20))
    storage.claim_next_run(engine, "w")
    verdict = {
        "converged": False,
        "reason": "not converged: λ still moving",
        "steps_to_converge": None,
    }
    storage.finish_run(engine, run_id, "completed", seconds=0.1, summary={"final": {}} | verdict)
    summary = storage.get_run(engine, run_id).summary
    assert {key: summary[key] for key in verdict} == verdict


def test_points_stored_at_0003_read_unknown_at_head_and_downgrade_keeps_them(db_url):
    engine = storage.make_engine(db_url)
    storage.upgrade(engine, "0003")  # a database written before verdicts existed
    run_id, values = sweep_of(engine, 2)
    with engine.begin() as connection:
        for index, value in enumerate(values):
            connection.execute(
                text(
                    'INSERT INTO sweep_points (run_id, "index", value, f, g, "lambda", violation,'
                    " status, steps, front_distance, nondominated) VALUES"
                    " (:id, :i, :v, 1.0, 0.5, 0.2, 0.0, 'completed', 20, NULL, TRUE)"
                ),
                {"id": run_id, "i": index, "v": value},
            )
    storage.upgrade(engine)
    assert current_revision(engine) == HEAD
    old = storage.get_sweep_points(engine, run_id)
    assert [p["damping"] for p in old] == values and old[0]["f"] == 1.0
    assert all(p["converged"] is None and p["reason"] is None for p in old)
    assert all(p["steps_to_converge"] is None for p in old)
    storage.store_sweep_points(engine, run_id, points_of(values, VERDICTS[:2]))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert current_revision(engine) == "0003"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT value, f FROM sweep_points ORDER BY 1")).all()
    assert [tuple(row) for row in rows] == [(v, 0.66) for v in values]  # the point outlives it
    storage.upgrade(engine)
    assert [p["converged"] for p in storage.get_sweep_points(engine, run_id)] == [None, None]
    engine.dispose()
