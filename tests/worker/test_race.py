"""A comparison trains as a race: one worker claims all its runs and trains them side by side,
each in its own process, each its own row with its own steps; a run of no comparison, and a
sibling another worker took, are left alone."""

from __future__ import annotations

import storage
from moo_core import make_run_config
from storage.races import claim_siblings, submit_runs
from tests.worker._helpers import cli


def configs(steps: int = 6000):
    return [
        make_run_config("concave", "mdmm", steps=steps, hyperparams={"damping": 10}),
        make_run_config("concave", "bdmm", steps=steps),
    ]


def test_a_comparison_is_claimed_together_and_trained_side_by_side(db):
    experiment = storage.create_experiment(db, "race", "comparison")
    ids = submit_runs(db, configs(), experiment)
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
    assert views[0].summary["converged"] and not views[1].summary["converged"]
    assert storage.get_run(db, lone).status == "completed"


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
