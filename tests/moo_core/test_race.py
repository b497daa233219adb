"""A race: runs of different methods stacked as one batch (moo_core.batch) end exactly where
the same runs end alone (every row its own steps), whatever the methods' groups."""

from __future__ import annotations

import numpy as np
import pytest

from moo_core import make_run_config, race, run
from moo_core.batch import Batch, as_family, can_share_batch


def summary(result) -> dict:
    out = result.summary()
    out.pop("seconds")
    return out


RACES = {
    "bdmm vs mdmm (one group: BDMM is MDMM at δ = 0)": [
        make_run_config("concave", "mdmm", steps=1500, hyperparams={"damping": 10}),
        make_run_config("concave", "bdmm", steps=1500),
    ],
    "weighted sum vs mdmm": [
        make_run_config("concave", "weighted_sum", steps=800, hyperparams={"weight": 0.5}),
        make_run_config("concave", "mdmm", steps=800),
    ],
    "four dual dynamics": [
        make_run_config("concave", m, steps=700)
        for m in ("mdmm", "bdmm", "augmented_lagrangian", "nupi")
    ],
    "gram methods and a penalty (adam)": [
        make_run_config("zdt1", m, steps=300, hyperparams={"optimizer": "adam"})
        for m in ("mgda", "pcgrad", "penalty")
    ],
    "an inequality, slack form": [
        make_run_config(
            "convex",
            m,
            steps=600,
            epsilon=5.0,
            constraint="le",
            hyperparams={"inequality": "slack"},
        )
        for m in ("mdmm", "bdmm")
    ],
}


@pytest.mark.parametrize("name", [n for n in RACES if "gram" not in n])
def test_a_race_ends_where_each_run_ends_alone(name):
    configs = RACES[name]
    assert can_share_batch(configs)
    raced = race(configs, threads=1)
    for config, result in zip(configs, raced, strict=True):
        alone = run(config, threads=1)
        assert summary(result) == summary(alone), config.method


def test_with_a_gram_method_in_the_race_the_others_differ_by_rounding_only():
    """ZDT1 has no closed form: alone, a penalty run takes one backward of Σ wᵢ·Lᵢ; beside
    MGDA every row takes each objective's gradient (the Gram), summed after: the same
    direction, rounded in another order."""
    configs = RACES["gram methods and a penalty (adam)"]
    for config, result in zip(configs, race(configs, threads=1), strict=True):
        alone = run(config, threads=1).outcome
        got = np.array(result.outcome.objectives)
        assert np.allclose(got, alone.objectives, rtol=1e-6, atol=0), config.method
        if config.method != "penalty":
            assert result.outcome.objectives == alone.objectives


def test_a_race_streams_every_row_of_every_step():
    configs = RACES["weighted sum vs mdmm"]
    chunks = []
    race(configs, on_chunk=chunks.append, threads=1)
    f = np.concatenate([c.columns["f"] for c in chunks])
    assert f.shape == (800, 2) and np.isfinite(f).all()
    lam = np.concatenate([c.columns["lambda"] for c in chunks])
    assert np.isnan(lam[:, 0]).all() and np.isfinite(lam[:, 1]).all()  # no λ for a weighted sum


def test_bdmm_joins_mdmm_only_when_mdmm_races():
    mdmm, bdmm = RACES["bdmm vs mdmm (one group: BDMM is MDMM at δ = 0)"]
    family = as_family([mdmm, bdmm])
    assert [r.method for r in family] == ["mdmm", "mdmm"]
    assert family[1].hyperparams["damping"] == 0.0
    penalty = make_run_config("concave", "penalty", steps=1500)
    assert [r.method for r in as_family([bdmm, penalty])] == ["bdmm", "penalty"]
    batch = Batch.of([mdmm, bdmm, penalty])
    assert [(g.rows, g.method) for g in batch.groups] == [
        (slice(0, 2), "mdmm"),
        (slice(2, 3), "penalty"),
    ]


@pytest.mark.parametrize(
    "other",
    [
        make_run_config("convex", "bdmm", steps=1500),  # another problem
        make_run_config("concave", "bdmm", steps=1000),  # another length
        make_run_config("concave", "bdmm", steps=1500, init=[0.5, 0.5]),  # another start
        make_run_config("concave", "bdmm", steps=1500, hyperparams={"optimizer": "adam"}),
        make_run_config("concave", "bdmm", steps=1500, constraint="le"),
    ],
)
def test_races_that_cannot_share_a_batch_are_refused(other):
    mdmm = make_run_config("concave", "mdmm", steps=1500)
    assert not can_share_batch([mdmm, other])
    with pytest.raises(ValueError, match="share"):
        Batch.of([mdmm, other])
