"""NSGA-II (pymoo) on our toy problems: typed config, the ZDT1 front within 0.01 of the
analytic one, stored-config round trip, and `python -m moo_core nsga2` (exit 2 on bad input)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moo_core.nsga2 import (
    Nsga2Config,
    make_nsga2_config,
    max_front_distance,
    nsga2_config_from_dict,
    run_nsga2,
    search_box,
)
from moo_core.problems import PROBLEMS
from moo_core.registry import ConfigError
from tests.moo_core._helpers import cli


def test_defaults_and_validation():
    config = make_nsga2_config("zdt1")
    assert config == Nsga2Config("zdt1", population=100, generations=300, seed=0)
    assert config.evaluations == 30_000
    assert make_nsga2_config("concave", "8", "3", "5") == Nsga2Config("concave", 8, 3, 5)
    for kwargs, words in (
        ({"population": 3}, "population=3 is out of range; allowed 4 to 10000"),
        ({"generations": 0}, "generations=0 is out of range"),
        ({"population": 10.5}, "must be a whole number"),
        ({"seed": -1}, "seed=-1 is out of range"),
        ({"dataset": "iris"}, "a real-data task is not supported"),
    ):
        with pytest.raises(ConfigError, match=words):
            make_nsga2_config("zdt1", **kwargs)
    with pytest.raises(ConfigError, match="unknown problem 'nope'; choose one of"):
        make_nsga2_config("nope")


def test_stored_dict_round_trip_and_refusals():
    config = make_nsga2_config("zdt2", 20, 10, 3)
    assert config.to_dict()["method"] == "nsga2"
    assert nsga2_config_from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown nsga2 field 'steps'"):
        nsga2_config_from_dict({**config.to_dict(), "steps": 3})
    with pytest.raises(ConfigError, match="not supported"):
        nsga2_config_from_dict({"method": "nsga2", "task": {"dataset": "iris"}})


def test_unbounded_problems_search_their_init_box():
    assert search_box(PROBLEMS.get("zdt1")) == (0.0, 1.0)
    assert search_box(PROBLEMS.get("concave")) == PROBLEMS.get("concave").init_box


def test_zdt1_front_within_0_01_of_the_analytic_front():
    """Both readings: IGD (mean distance from the analytic front to the points) and the
    largest distance of any non-dominated point to the front."""
    result = run_nsga2(make_nsga2_config("zdt1"))
    summary = result.summary()
    assert summary["evaluations"] == 100 * 300
    assert len(summary["points"]) == 100
    assert result.igd <= 0.01
    assert max_front_distance(result) <= 0.01
    assert result.hypervolume == pytest.approx(1.21 - 1 / 3, abs=0.01)  # ideal: 0.8767
    assert summary["converged_points"] is None  # members are not runs: no verdict
    point = summary["points"][0]
    assert point["member"] == 0 and point["lambda"] is None and point["converged"] is None


def test_dtlz2_three_objectives_and_cancel():
    result = run_nsga2(make_nsga2_config("dtlz2", 40, 30))
    assert np.array([o.objectives for o in result.outcomes]).shape == (40, 3)
    stopped = run_nsga2(make_nsga2_config("zdt1", 20, 100), should_stop=lambda: True)
    assert {o.status for o in stopped.outcomes} == {"cancelled"}
    assert stopped.summary()["evaluations"] == 20


def test_cli_prints_a_sweep_like_summary():
    done = cli("nsga2", "--problem", "zdt1", "--population", "20", "--generations", "10")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["evaluations"] == 200 and out["seconds"] > 0
    assert out["config"] == {
        "problem": "zdt1", "method": "nsga2", "population": 20, "generations": 10, "seed": 0
    }  # fmt: skip
    assert {"points", "hypervolume", "igd", "over"} <= set(out)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--problem", "zdt1", "--dataset", "iris"), "a real-data task is not supported"),
        (("--dataset", "iris"), "a real-data task is not supported"),
        (("--problem", "zdt1", "--population", "2"), "population='2' is out of range"),
        (("--problem", "zdt1", "--generations", "x"), "generations='x' is not a number"),
        ((), "nsga2 needs --problem"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args, words):
    done = cli("nsga2", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
