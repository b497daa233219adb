"""A comparison trains as a race: one worker claims all its runs and trains them side by side —
in lockstep as one batch where they share problem, start, length and optimizer, else each in
its own process — each its own row with its own steps; a run of no comparison, and a sibling
another worker took, are left alone."""

from __future__ import annotations

import numpy as np
import pytest

import storage
from moo_core import make_run_config
from storage.races import claim_siblings, submit_runs
from tests.worker._helpers import cli, start_worker, wait_for


def configs(steps: int = 6000):
    return [
        make_run_config("concave", "mdmm", steps=steps, hyperparams={"damping": 10}),
        make_run_config("concave", "bdmm", steps=steps),
    ]


def optimizers(optimizer: str):
    """A race that cannot share a batch (two optimizers): one process per run."""
    mdmm = configs()[0]
    return [
        mdmm,
        make_run_config("concave", "bdmm", steps=6000, hyperparams={"optimizer": optimizer}),
    ]


@pytest.mark.parametrize("race", ["lockstep", "processes"])
def test_a_comparison_is_claimed_together_and_trained_side_by_side(db, race):
    experiment = storage.create_experiment(db, "race", "comparison")
    ids = submit_runs(db, configs() if race == "lockstep" else optimizers("adam"), experiment)
    lone = storage.submit_run(db, make_run_config("convex", "mdmm", steps=200))
    cli("serve", "--exit-when-idle")
    views = [storage.get_run(db, i) for i in ids]
    assert [v.status for v in views] == ["completed", "completed"], [v.error for v in views]
    assert all(v.steps_stored == 6000 for v in views)
    assert len({v.worker_id for v in views}) == 1
    first, second = sorted(v.started for v in views)
    assert (second - first).total_seconds() < 1.0  # claimed together
    last_start = max(v.started for v in views)
    assert all(v.finished > last_start for v in views)  # each still training when both ran
    assert views[0].summary["converged"]
    assert not views[1].summary["converged"] or race == "processes"  # BDMM under Adam may
    assert storage.get_run(db, lone).status == "completed"
    for view in views:  # every step of every run, in order
        steps = storage.get_metrics(db, view.id)["step"]
        assert np.array_equal(steps, np.arange(6000))


def test_a_lockstep_race_stores_what_each_run_alone_stores(db):
    from moo_core import run

    experiment = storage.create_experiment(db, "race", "comparison")
    ids = submit_runs(db, configs(2000), experiment)
    cli("serve", "--exit-when-idle")
    for config, run_id in zip(configs(2000), ids, strict=True):
        stored = storage.get_metrics(db, run_id)
        alone = run(config, keep_trajectory=True, threads=1)
        for name in ("f", "g", "lambda"):
            assert np.array_equal(
                np.asarray(stored[name], dtype=np.float32), alone.trajectory[name]
            )
        assert storage.get_run(db, run_id).summary["final"] == alone.summary()["final"]


def test_siblings_are_claimed_by_compare_and_set_and_only_in_comparisons(db):
    experiment = storage.create_experiment(db, "race", "comparison")
    a, b = submit_runs(db, configs(), experiment)
    assert storage.claim_next_run(db, "other").id == a  # another worker took the first
    claimed = claim_siblings(db, a, "me")
    assert [c.id for c in claimed] == [b]
    assert storage.get_run(db, b).worker_id == "me"
    assert claim_siblings(db, a, "third") == []  # nothing queued is left
    single = storage.create_experiment(db, "one", "single")
    (c,) = submit_runs(db, configs()[:1], single)
    assert claim_siblings(db, c, "me") == [] and storage.get_run(db, c).status == "queued"


def test_cancelling_one_run_of_a_lockstep_race_cancels_the_race(db):
    experiment = storage.create_experiment(db, "race", "comparison")
    ids = submit_runs(db, configs(5_000_000), experiment)
    worker = start_worker("--heartbeat", "0.2")
    try:
        wait_for(lambda: all(storage.get_run(db, i).steps_stored > 0 for i in ids))
        assert storage.request_cancel(db, ids[1]) is True
        wait_for(lambda: all(storage.get_run(db, i).status == "cancelled" for i in ids), timeout=60)
    finally:
        worker.kill()
        worker.wait()
    stored = [storage.get_run(db, i).steps_stored for i in ids]
    assert stored[0] == stored[1] > 0  # stepped together to the end
