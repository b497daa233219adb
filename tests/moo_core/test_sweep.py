"""A sweep is K single runs in one batch; its front metrics match moocore's."""

from __future__ import annotations

import json

import moocore
import numpy as np
import pytest

from moo_core import make_run_config, make_sweep_config, parse_over, run, sweep
from moo_core.problems import PROBLEMS

from ._helpers import run_once

STEPS = 300
CASES = [
    # (problem, method, over, start, stop, count, run keyword arguments)
    ("concave", "mdmm", "epsilon", 0.1, 0.9, 5, {}),
    ("concave", "mdmm", "damping", 0.0, 20.0, 4, {"epsilon": 0.6}),
    ("convex", "penalty", "lr", 0.001, 0.05, 4, {"epsilon": 1.0}),
    ("concave", "bdmm", "lr_lambda", 0.001, 0.1, 3, {"epsilon": 0.4}),
    ("convex", "weighted_sum", "weight", 0.0, 1.0, 6, {}),
    ("concave", "mgda", "seed", 0, 4, 5, {"init": "random"}),
    ("zdt1", "geometric_mean", "alpha", 0.2, 0.8, 3, {}),
]


def singles(base, over, values):
    out = []
    for value in values:
        hp = dict(base.hyperparams)
        kwargs = {
            "epsilon": base.epsilon,
            "seed": base.seed,
            "constraint": base.constraint,
            "init": base.init,
        }
        if over in kwargs:
            kwargs[over] = value
        else:
            hp[over] = value
        config = make_run_config(
            base.problem, base.method, steps=base.steps, device="cpu", hyperparams=hp, **kwargs
        )
        out.append(run(config).outcome)
    return out


@pytest.mark.parametrize(("problem", "method", "over", "start", "stop", "count", "kwargs"), CASES)
def test_sweep_equals_single_runs(problem, method, over, start, stop, count, kwargs):
    base = make_run_config(problem, method, steps=STEPS, device="cpu", **kwargs)
    config = make_sweep_config(base, over, start, stop, count)
    assert len(config.values) == count
    result = sweep(config)
    assert len(result.outcomes) == count
    for value, swept, single in zip(
        config.values, result.outcomes, singles(base, over, config.values), strict=True
    ):
        assert swept.status == single.status, value
        assert swept.steps == single.steps, value
        assert swept.f == pytest.approx(single.f, abs=1e-5), value
        assert swept.g == pytest.approx(single.g, abs=1e-5), value
        if single.lam is None:
            assert swept.lam is None
        else:
            assert swept.lam == pytest.approx(single.lam, abs=1e-5), value


def test_random_init_seeds_give_different_starts():
    base = make_run_config("concave", "mgda", steps=1, device="cpu", init="random")
    result = sweep(make_sweep_config(base, "seed", 0, 3, 4))
    points = {(round(o.f, 6), round(o.g, 6)) for o in result.outcomes}
    assert len(points) == 4


@pytest.mark.parametrize("problem", ["convex", "concave", "zdt1", "zdt2", "zdt3"])
def test_sweep_front_metrics(problem):
    base = make_run_config(problem, "weighted_sum", steps=200, device="cpu")
    result = sweep(make_sweep_config(base, "weight", 0.0, 1.0, 7))
    points = np.array([[o.f, o.g] for o in result.outcomes])
    keep = result.nondominated
    assert keep, "a finite sweep has a non-dominated point"
    assert all(0 <= k < len(points) for k in keep)
    # brute-force non-domination (weak: ties are kept)
    for k in range(len(points)):
        dominated = any(
            np.all(points[j] <= points[k]) and np.any(points[j] < points[k])
            for j in range(len(points))
        )
        assert (k in keep) == (not dominated), k
    reference = np.array(PROBLEMS.get(problem).reference_point, dtype=float)
    assert result.hypervolume is not None
    assert result.igd is not None
    assert result.hypervolume == pytest.approx(
        float(moocore.hypervolume(points[keep], ref=reference)), rel=1e-9
    )
    front = PROBLEMS.get(problem)().front(1000)
    assert result.igd == pytest.approx(float(moocore.igd(points[keep], ref=front)), rel=1e-9)
    assert result.hypervolume >= 0.0
    assert result.igd >= 0.0
    summary = result.summary()
    json.dumps(summary)
    assert [p["nondominated"] for p in summary["points"]] == [k in keep for k in range(len(points))]
    assert [p["weight"] for p in summary["points"]] == list(result.values)


def test_sweep_on_the_convex_front_has_small_igd():
    base = make_run_config("convex", "mdmm", steps=2000, device="cpu")
    result = sweep(make_sweep_config(base, "epsilon", 0.2, 3.5, 12))
    assert all(o.status == "completed" for o in result.outcomes)
    assert all(o.front_distance < 1e-2 for o in result.outcomes)
    assert len(result.nondominated) == 12  # distinct points along the front
    assert result.igd < 0.5


def test_int_sweep_values_are_unique_integers():
    base = make_run_config("convex", "mgda", steps=5, device="cpu")
    config = make_sweep_config(base, "seed", 0, 2, 10)
    assert config.values == (0, 1, 2)
    assert parse_over("epsilon=0.1:0.9:5") == ("epsilon", 0.1, 0.9, 5)


@pytest.mark.parametrize("problem", ["convex", "concave"])
@pytest.mark.parametrize("alpha", [0.25, 0.5, 0.75])
def test_geometric_mean_minimises_the_product(problem, alpha):
    result = run_once(problem, "geometric_mean", steps=300, hp={"alpha": alpha}, keep=True)
    trajectory = result.trajectory
    product = trajectory["f"] ** (1.0 - alpha) * trajectory["g"] ** alpha
    assert result.outcome.status == "completed"
    assert product[-1] < product[0] - 1e-3
    final = result.outcome.f ** (1.0 - alpha) * result.outcome.g**alpha
    assert final < product[0] - 1e-3
