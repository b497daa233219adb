"""An NSGA-II job and a sweep's trajectories through storage and a real worker process."""

from __future__ import annotations

import pytest

import storage
from moo_core import make_run_config, make_sweep_config
from moo_core.nsga2 import make_nsga2_config
from moo_core.registry import ConfigError
from tests.worker._helpers import cli, last_json


def test_nsga2_job_is_claimed_trained_and_stored_like_a_sweep(db):
    run_id = storage.submit_run(db, make_nsga2_config("zdt1", 20, 15, 1))
    view = storage.get_run(db, run_id)
    assert (view.kind, view.status, view.steps_total) == ("nsga2", "queued", 15)
    assert view.config == {
        "problem": "zdt1", "method": "nsga2", "population": 20, "generations": 15, "seed": 1
    }  # fmt: skip
    assert last_json(cli("serve", "--exit-when-idle"))["processed"] == 1
    view = storage.get_run(db, run_id)
    assert view.status == "completed" and view.progress == pytest.approx(1.0)
    summary = view.summary
    assert summary["evaluations"] == 300 and summary["seconds"] > 0
    assert summary["hypervolume"] is not None and summary["igd"] > 0  # 15 generations: far
    points = storage.get_sweep_points(db, run_id)
    assert len(points) == 20 and points[0]["index"] == 0  # the member number
    assert any(p["nondominated"] for p in points)
    assert all(p["front_distance"] is not None and p["converged"] is None for p in points)
    status = last_json(cli("status", str(run_id)))
    assert status["kind"] == "nsga2" and status["converged"] is None


def test_nsga2_dict_for_a_task_is_refused_and_nothing_stored(db):
    with pytest.raises(ConfigError, match="not supported"):
        storage.submit_run(db, {"method": "nsga2", "task": {"dataset": "iris"}})
    assert storage.list_runs(db) == []


def test_a_sweep_stores_each_rows_thinned_trajectory(db):
    run = make_run_config("concave", "mdmm", steps=300)
    run_id = storage.submit_run(db, make_sweep_config(run, "epsilon", 0.2, 0.8, 4))
    cli("serve", "--exit-when-idle")
    trajectories = storage.get_sweep_trajectories(db, run_id)
    points = storage.get_sweep_points(db, run_id)
    assert len(trajectories) == 4 and "trajectory" not in points[0]
    for trajectory, point in zip(trajectories, points, strict=True):
        assert len(trajectory["step"]) == 200 and trajectory["step"][-1] == 299
        assert trajectory["f"][-1] == pytest.approx(point["f"])
        assert set(trajectory) == {"step", "f", "g"}
