"""Runs with m ≥ 3 objectives in storage, on SQLite and PostgreSQL, and old m = 2 databases
migrated to head (synthetic columns: no training)."""

from __future__ import annotations

import numpy as np
import pytest
from alembic import command
from sqlalchemy import text

import storage
from moo_core.config import make_run_config, make_sweep_config
from moo_core.records import step_columns
from storage.migrate import alembic_config, current_revision
from tests.storage.test_contract import HEAD

BASE = ["step", "f", "g", "lambda", "violation", "grad_cos"]


def steps_of(m: int, n: int, start: float = 0.0) -> dict[str, np.ndarray]:
    """Distinct synthetic values for every column of `step_columns(m)`."""
    base = np.arange(n, dtype=float) + start
    return {name: base + 1000.0 * k for k, name in enumerate(step_columns(m))}


def submitted(engine) -> int:
    return storage.submit_run(engine, make_run_config("convex", "mdmm", steps=20))


def stored_lists(engine, table: str, run_id: int) -> list[tuple]:
    query = text(f"SELECT objectives, multipliers FROM {table} WHERE run_id = :id")
    with engine.connect() as connection:
        return connection.execute(query, {"id": run_id}).all()


@pytest.mark.parametrize("m", [3, 5])
def test_metrics_of_m_objectives_round_trip(engine, m):
    run_id = submitted(engine)
    storage.append_metrics(engine, run_id, 0, steps_of(m, 10))
    storage.append_metrics(engine, run_id, 10, steps_of(m, 5, start=10))
    metrics = storage.get_metrics(engine, run_id)
    assert list(metrics) == [*BASE, *step_columns(m)[1:-2]]  # g1 … and lambda1 … appended
    expected = steps_of(m, 15)
    for name in step_columns(m):
        np.testing.assert_array_equal(metrics[name], expected[name])
        assert metrics[name].dtype == np.float64
    np.testing.assert_array_equal(metrics["g"], expected["g1"])  # the two-objective view
    np.testing.assert_array_equal(metrics["lambda"], expected["lambda1"])
    assert storage.objectives_of(metrics) == m
    later = storage.get_metrics(engine, run_id, since_step=12)
    assert list(later["step"]) == [12, 13, 14] and list(later) == list(metrics)
    assert storage.get_run(engine, run_id).steps_stored == 15


def test_non_finite_values_of_m3_round_trip(engine):
    run_id = submitted(engine)
    values = np.array([1.5, np.inf, -np.inf, np.nan, -0.0, 1e308, 5e-324])
    storage.append_metrics(engine, run_id, 0, {name: values for name in step_columns(3)})
    metrics = storage.get_metrics(engine, run_id)
    for name in (*step_columns(3), "g", "lambda"):
        np.testing.assert_array_equal(metrics[name], values)
    # a method without multipliers: the λ columns read NaN; a retried chunk replaces rows
    no_lambda = {name: values[:2] for name in ("f", "g1", "g2", "violation", "grad_cos")}
    storage.append_metrics(engine, run_id, 0, no_lambda)
    metrics = storage.get_metrics(engine, run_id)
    assert len(metrics["step"]) == 7
    assert np.isnan(metrics["lambda1"][:2]).all() and np.isnan(metrics["lambda"][:2]).all()
    np.testing.assert_array_equal(metrics["g2"][:2], values[:2])


def test_two_objective_runs_leave_the_lists_null(engine):
    run_id = submitted(engine)
    storage.append_metrics(engine, run_id, 0, steps_of(2, 4))
    assert stored_lists(engine, "metrics", run_id) == [(None, None)] * 4
    assert list(storage.get_metrics(engine, run_id)) == BASE
    assert list(storage.get_metrics(engine, 12345)) == BASE  # no rows: the common columns


def sweep_points(m: int, values) -> list[dict]:
    """Points shaped like SweepResult.points() for m objectives."""
    names = step_columns(m)[:-2]
    return [
        {
            "epsilon": v,
            **{name: v + k for k, name in enumerate(names)},
            "violation": float("inf"),
            "status": "completed",
            "steps": 20,
            "front_distance": None,
            "nondominated": k == 0,
        }
        for k, v in enumerate(values)
    ]


def test_sweep_points_of_three_objectives_round_trip(engine):
    sweep = make_sweep_config(make_run_config("convex", "mdmm", steps=20), "epsilon", 0.2, 0.8, 3)
    run_id = storage.submit_run(engine, sweep)
    points = sweep_points(3, sweep.values)
    points[1]["lambda2"] = float("nan")  # non-finite → None, as for every sweep field
    storage.store_sweep_points(engine, run_id, points)
    stored = storage.get_sweep_points(engine, run_id)
    assert list(stored[0]) == [
        "index", "value", "epsilon", "f", "g", "lambda", "g1", "g2", "lambda1", "lambda2",
        "violation", "status", "steps", "front_distance", "nondominated",
        "converged", "reason", "steps_to_converge",
    ]  # fmt: skip
    for point, original in zip(stored, points, strict=True):
        for name in ("epsilon", "f", "g1", "g2", "lambda1", "status", "steps", "nondominated"):
            assert point[name] == original[name]
        assert (point["g"], point["lambda"]) == (original["g1"], original["lambda1"])
        assert point["violation"] is None
    assert stored[1]["lambda2"] is None and stored[0]["lambda2"] == points[0]["lambda2"]
    storage.store_sweep_points(engine, run_id, sweep_points(2, sweep.values))  # replaced
    assert [list(p)[3:6] for p in storage.get_sweep_points(engine, run_id)] == [
        ["f", "g", "lambda"]
    ] * 3
    assert stored_lists(engine, "sweep_points", run_id) == [(None, None)] * 3


def test_an_old_two_objective_database_reads_as_before_at_head(db_url):
    engine = storage.make_engine(db_url)
    storage.upgrade(engine, "0002")  # a database written before m ≥ 3 existed
    run_id = submitted(engine)
    storage.append_metrics(engine, run_id, 0, steps_of(2, 6))  # the m = 2 write is unchanged
    sweep = make_sweep_config(make_run_config("convex", "mdmm", steps=20), "epsilon", 0.2, 0.8, 2)
    sweep_id = storage.submit_run(engine, sweep)
    insert_point = text(
        'INSERT INTO sweep_points (run_id, "index", value, f, g, "lambda", violation, status,'
        " steps, front_distance, nondominated) VALUES (:id, :i, :v, 1.0, :v, NULL, 0.0,"
        " 'completed', 20, NULL, :nd)"
    )
    with engine.begin() as connection:
        for index, value in enumerate(sweep.values):
            connection.execute(
                insert_point, {"id": sweep_id, "i": index, "v": value, "nd": index == 0}
            )
    storage.upgrade(engine)
    assert current_revision(engine) == HEAD
    metrics = storage.get_metrics(engine, run_id)
    assert list(metrics) == BASE
    for name, values in steps_of(2, 6).items():
        np.testing.assert_array_equal(metrics[name], values)
    points = storage.get_sweep_points(engine, sweep_id)
    assert [p["epsilon"] for p in points] == list(sweep.values)
    assert list(points[0]) == [
        "index", "value", "epsilon", "f", "g", "lambda",
        "violation", "status", "steps", "front_distance", "nondominated",
        "converged", "reason", "steps_to_converge",
    ]  # fmt: skip
    assert points[0]["nondominated"] is True and points[1]["lambda"] is None
    engine.dispose()


def test_downgrade_to_0002_keeps_the_two_objective_view(db_url):
    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    run_id = submitted(engine)
    storage.append_metrics(engine, run_id, 0, steps_of(3, 4))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert current_revision(engine) == "0002"
    with engine.connect() as connection:
        rows = connection.execute(text('SELECT f, g, "lambda" FROM metrics ORDER BY step')).all()
    expected = steps_of(3, 4)
    assert [tuple(row) for row in rows] == list(
        zip(expected["f"], expected["g1"], expected["lambda1"], strict=True)
    )
    storage.upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()
