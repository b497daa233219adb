"""Validation (ConfigError naming the bad value), config round trips, divergence, cancelling."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from moo_core import (
    ConfigError,
    Hyperparam,
    make_run_config,
    make_sweep_config,
    parse_over,
    run,
    run_config_from_dict,
    sweep,
    sweep_config_from_dict,
)
from moo_core.batch import Batch

from ._helpers import run_once


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"problem": "nope"}, "nope"),
        ({"method": "adagrad_magic"}, "adagrad_magic"),
        ({"hyperparams": {"bogus": 1}}, "bogus"),
        ({"method": "bdmm", "hyperparams": {"damping": 1.0}}, "damping"),  # mdmm's, not bdmm's
        ({"hyperparams": {"lr": 100}}, "lr=100"),
        ({"hyperparams": {"lr": 0}}, "lr=0"),
        ({"hyperparams": {"lr": "fast"}}, "fast"),
        ({"hyperparams": {"lr": "nan"}}, "nan"),
        ({"hyperparams": {"lr": "inf"}}, "inf"),
        ({"hyperparams": {"damping": -1}}, "damping=-1"),
        ({"hyperparams": {"optimizer": "rmsprop"}}, "rmsprop"),
        ({"epsilon": 1e9}, "epsilon"),
        ({"epsilon": "high"}, "high"),
        ({"steps": 0}, "steps=0"),
        ({"steps": 2.5}, "2.5"),
        ({"seed": -1}, "seed=-1"),
        ({"constraint": "lt"}, "lt"),
        ({"device": "tpu"}, "tpu"),
        ({"init": "1,2,3"}, "3 values"),
        ({"init": (1.0,)}, "1 values"),
        ({"init": "1,two"}, "two"),
        ({"init": "sideways"}, "sideways"),
    ],
)
def test_bad_run_values_raise_config_error_naming_them(kwargs, named):
    arguments = {"problem": "concave", "method": "mdmm", **kwargs}
    with pytest.raises(ConfigError) as caught:
        make_run_config(**arguments)
    message = str(caught.value)
    assert named in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("method", "hyperparams", "named"),
    [
        ("penalty", {"kind": "cubic"}, "cubic"),
        ("geometric_mean", {"alpha": 1.5}, "alpha=1.5"),
        ("weighted_sum", {"weight": -0.1}, "weight=-0.1"),
        ("gradnorm", {"lr_weights": 0}, "lr_weights=0"),
    ],
)
def test_bad_method_hyperparams(method, hyperparams, named):
    with pytest.raises(ConfigError) as caught:
        make_run_config("convex", method, hyperparams=hyperparams)
    assert named in str(caught.value)


def test_errors_list_what_is_allowed():
    with pytest.raises(ConfigError) as caught:
        make_run_config("nope", "mdmm")
    assert "concave" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        make_run_config("concave", "nope")
    assert "mdmm" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        make_run_config("concave", "mdmm", hyperparams={"bogus": 1})
    assert "damping" in str(caught.value)


def test_zdt_init_length():
    with pytest.raises(ConfigError, match="2 values"):
        make_run_config("zdt1", "mgda", init="0.5,0.5")
    make_run_config("zdt1", "mgda", init=",".join(["0.5"] * 30))


@pytest.mark.parametrize(
    ("method", "over", "named"),
    [
        ("mdmm", "optimizer", "optimizer"),  # a choice
        ("mdmm", "steps", "steps"),
        ("mdmm", "bogus", "bogus"),
        ("bdmm", "damping", "damping"),
        ("penalty", "kind", "kind"),
    ],
)
def test_unsweepable_names(method, over, named):
    base = make_run_config("concave", method)
    with pytest.raises(ConfigError) as caught:
        make_sweep_config(base, over, 0.0, 1.0, 3)
    assert repr(named) in str(caught.value)
    assert "epsilon" in str(caught.value)  # lists what can be swept


def test_bad_sweep_ranges():
    base = make_run_config("concave", "mdmm")
    with pytest.raises(ConfigError, match="COUNT=0"):
        make_sweep_config(base, "epsilon", 0.0, 1.0, 0)
    with pytest.raises(ConfigError, match="lr=0"):
        make_sweep_config(base, "lr", 0.0, 0.1, 3)
    with pytest.raises(ConfigError, match="damping=-1"):
        make_sweep_config(base, "damping", -1.0, 1.0, 3)
    for text in ("epsilon", "epsilon=0.1:0.9", "epsilon=a:b:c", "epsilon=0:1:2.5"):
        with pytest.raises(ConfigError) as caught:
            parse_over(text)
        assert text in str(caught.value)


def test_run_config_round_trips_through_json():
    config = make_run_config(
        "concave",
        "penalty",
        epsilon="0.4",
        constraint="le",
        steps="20",
        seed="5",
        init="0.1,-0.2",
        device="cpu",
        hyperparams={"kind": "hinge", "penalty_weight": "3"},
    )
    assert config.epsilon == 0.4 and config.steps == 20 and config.seed == 5
    assert config.init == (0.1, -0.2)
    assert config.hyperparams["penalty_weight"] == 3.0
    assert config.hyperparams["lr"] == 0.01  # defaults filled
    data = json.loads(json.dumps(config.to_dict()))
    assert run_config_from_dict(data) == config
    with pytest.raises(ConfigError, match="colour"):
        run_config_from_dict({**data, "colour": "red"})
    with pytest.raises(ConfigError, match="problem"):
        run_config_from_dict({"method": "mdmm"})

    sweep_config = make_sweep_config(config, "penalty_weight", 1.0, 5.0, 3)
    data = json.loads(json.dumps(sweep_config.to_dict()))
    assert sweep_config_from_dict(data) == sweep_config


def test_method_defaults_are_filled():
    assert make_run_config("concave", "geometric_mean").hyperparams["optimizer"] == "adam"
    assert make_run_config("concave", "mdmm").hyperparams == {
        "optimizer": "sgd",
        "lr": 0.01,
        "damping": 10.0,
        "lr_lambda": 0.01,
        "inequality": "projected",
    }


@pytest.mark.parametrize(
    ("method", "lr"), [("weighted_sum", 10.0), ("weighted_sum", 2.0), ("penalty", 1.0)]
)
def test_a_run_that_blows_up_is_diverged_with_finite_last_values(method, lr):
    steps = 500
    result = run_once("convex", method, epsilon=1.0, steps=steps, hp={"lr": lr}, keep=True)
    outcome = result.outcome
    assert outcome.status == "diverged"
    assert 0 < outcome.steps < steps
    for value in (outcome.f, outcome.g, outcome.violation):
        assert math.isfinite(value)
    assert outcome.front_distance is not None and math.isfinite(outcome.front_distance)
    assert len(result.trajectory["f"]) == outcome.steps
    assert np.isfinite(result.trajectory["f"]).all()
    assert result.trajectory["f"][-1] == pytest.approx(outcome.f)
    json.dumps(result.summary(), allow_nan=False)


def test_only_the_exploding_rows_of_a_sweep_diverge():
    # weighted_sum (w = 0.5) on convex: x − c/2 is multiplied by (1 − 2·lr) each step, so the
    # run diverges exactly when lr > 1.
    base = make_run_config("convex", "weighted_sum", steps=500, device="cpu")
    config = make_sweep_config(base, "lr", 0.25, 2.0, 8)
    result = sweep(config)
    statuses = [o.status for o in result.outcomes]
    assert statuses == ["diverged" if lr > 1.0 else "completed" for lr in config.values]
    for lr, outcome in zip(config.values, result.outcomes, strict=True):
        assert math.isfinite(outcome.f) and math.isfinite(outcome.g)
        if outcome.status == "completed":
            assert outcome.steps == 500
            single = run_once("convex", "weighted_sum", steps=500, hp={"lr": lr}).outcome
            assert outcome.f == pytest.approx(single.f, abs=1e-5)
            assert outcome.g == pytest.approx(single.g, abs=1e-5)
        else:
            assert outcome.steps < 500
    assert result.hypervolume is not None
    assert result.igd is not None


def test_chunks_cover_every_step_once():
    chunks = []
    config = make_run_config("concave", "mdmm", steps=2500, device="cpu")
    result = run(config, on_chunk=chunks.append, keep_trajectory=True)
    assert chunks
    start = 0
    for chunk in chunks:
        assert chunk.start == start
        assert chunk.columns["f"].shape == (chunk.length, 1)
        start += chunk.length
    assert start == 2500
    joined = np.concatenate([chunk.row(0)["g"] for chunk in chunks])
    np.testing.assert_array_equal(joined, result.trajectory["g"])


def test_should_stop_cancels():
    config = make_run_config("concave", "mdmm", steps=5000, device="cpu")
    result = run(config, should_stop=lambda: True)
    assert result.outcome.status == "cancelled"
    assert 0 < result.outcome.steps < 5000


def test_a_batch_must_share_problem_and_method():
    first = make_run_config("concave", "mdmm", steps=3, device="cpu")
    other = make_run_config("convex", "mdmm", steps=3, device="cpu")
    with pytest.raises(ValueError, match="problem"):
        Batch.of([first, other])


def test_a_run_that_is_not_finite_at_the_start_reports_no_values():
    result = run_once("convex", "mgda", init="1e30,1e30", steps=5)
    outcome = result.outcome
    assert outcome.status == "diverged"
    assert outcome.steps == 0
    assert math.isnan(outcome.f) and math.isnan(outcome.g)
    assert outcome.front_distance is None


# Validation edge cases found while writing these tests (fixed).


def test_one_sided_hyperparam_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="x=-1"):
        Hyperparam("x", "float", 0.0, "a one-sided spec", low=0.0).parse(-1)


@pytest.mark.parametrize(
    "extra", [{"values": [0.1]}, {"over": "epsilon"}, {"over": "epsilon", "values": 0.5}]
)
def test_malformed_sweep_dicts_are_config_errors(extra):
    with pytest.raises(ConfigError):
        sweep_config_from_dict({"run": {"problem": "convex", "method": "mgda"}, **extra})


def test_an_empty_sweep_is_rejected():
    data = {"run": {"problem": "convex", "method": "mgda", "steps": 3}, "over": "epsilon"}
    with pytest.raises(ConfigError):
        sweep(sweep_config_from_dict({**data, "values": []}))
