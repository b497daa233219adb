"""Properties every (method, problem) pair must have; new registry entries are tested for free."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from moo_core import METHODS, PROBLEMS, ConfigError, hyperparams_of, make_run_config
from moo_core.methods import Constraint, Gram
from moo_core.records import step_columns

from ._helpers import run_once

STEPS = 50


def _refused(method: str, problem: str) -> bool:
    """A method that takes logs refuses a problem whose g can reach −shift (tested below)."""
    cls = METHODS.get(method)
    low = PROBLEMS.get(problem).g_range[0]
    return (
        cls.requires_positive
        and low + dict((s.name, s.default) for s in hyperparams_of(cls))["shift"] <= 0
    )


ALL_PAIRS = [(m, p) for m in METHODS.names() for p in PROBLEMS.names()]
PAIRS = [pair for pair in ALL_PAIRS if not _refused(*pair)]


@pytest.mark.parametrize(("method", "problem"), [p for p in ALL_PAIRS if _refused(*p)])
def test_refused_pairs_say_why(method, problem):
    with pytest.raises(ConfigError, match="needs every objective \\+ shift > 0"):
        make_run_config(problem, method)


@pytest.mark.parametrize(("method", "problem"), PAIRS)
def test_short_run_is_finite_and_deterministic(method, problem):
    first = run_once(problem, method, steps=STEPS, seed=3, keep=True)
    outcome = first.outcome
    assert outcome.status == "completed"
    assert outcome.steps == STEPS
    m = PROBLEMS.get(problem).n_objectives
    assert len(outcome.objectives) == m
    assert all(math.isfinite(value) for value in outcome.objectives)
    assert outcome.multipliers is None or len(outcome.multipliers) == m - 1
    assert math.isfinite(outcome.violation)
    assert outcome.violation >= 0.0
    assert first.trajectory is not None
    columns = step_columns(m)
    assert set(first.trajectory) == set(columns)
    for name, values in first.trajectory.items():
        assert values.shape == (STEPS,), name
    for i, name in enumerate(columns[:m]):
        assert np.isfinite(first.trajectory[name]).all()
        # the last recorded step is the outcome
        assert first.trajectory[name][-1] == pytest.approx(outcome.objectives[i])

    second = run_once(problem, method, steps=STEPS, seed=3, keep=True)
    assert second.outcome == outcome
    for name in columns:
        np.testing.assert_array_equal(first.trajectory[name], second.trajectory[name])


@pytest.mark.parametrize(("method", "problem"), PAIRS)
def test_random_init_same_seed_is_identical(method, problem):
    first = run_once(problem, method, steps=10, seed=7, init="random")
    second = run_once(problem, method, steps=10, seed=7, init="random")
    assert first.outcome == second.outcome


@pytest.mark.parametrize("method", METHODS.names())
def test_hyperparam_defaults_are_valid(method):
    specs = hyperparams_of(METHODS.get(method))
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names)), "duplicate hyperparameter names"
    assert {"optimizer", "lr"} <= set(names)
    for spec in specs:
        assert spec.kind in ("float", "int", "choice", "floats"), spec
        assert spec.parse(spec.default) == spec.default, spec
        assert spec.parse(str(spec.default)) == spec.default, spec
        if spec.kind == "choice":
            assert spec.default in spec.choices, spec
            assert not spec.sweepable
        elif spec.kind == "floats":  # a list of numbers kept as text, e.g. a weight vector
            assert not spec.sweepable
        else:
            assert spec.sweepable
            assert spec.low is not None and spec.high is not None, spec
            assert spec.low <= spec.default <= spec.high, spec
            if spec.log_scale:
                assert spec.low > 0, spec
        assert spec.help, spec
        assert spec.describe()["name"] == spec.name


@pytest.mark.parametrize("method", METHODS.names())
@pytest.mark.parametrize("kind", ["eq", "le", "ge"])
def test_weights_have_one_entry_per_row(method, kind):
    count = 3
    generator = torch.Generator().manual_seed(0)
    grads_f = torch.randn(count, 4, generator=generator)
    grads_g = torch.randn(count, 4, generator=generator)
    gram = Gram((grads_f * grads_f).sum(1), (grads_g * grads_g).sum(1), (grads_f * grads_g).sum(1))
    f = torch.rand(count, generator=generator) + 0.1
    g = torch.rand(count, generator=generator) + 0.1
    cls = METHODS.get(method)
    settings = {
        spec.name: torch.full((count,), float(spec.default)) if spec.sweepable else spec.default
        for spec in hyperparams_of(cls)
    }
    instance = cls(settings, Constraint(kind, torch.full((count,), 0.5)))
    for _ in range(3):  # stateful methods must keep the shapes
        a, b = instance.weights(f, g, gram)
        assert a.shape == (count,)
        assert b.shape == (count,)
        assert torch.isfinite(a).all()
        assert torch.isfinite(b).all()
        lam = instance.multiplier()
        assert lam is None or lam.shape == (count,)


def test_registries_are_not_empty():
    assert len(METHODS) >= 8
    assert {"convex", "concave", "zdt1", "zdt2", "zdt3"} <= set(PROBLEMS.names())
    for name in PROBLEMS:
        front = PROBLEMS.get(name)().front(101)
        assert front.ndim == 2 and front.shape[1] == PROBLEMS.get(name).n_objectives
        assert np.isfinite(front).all()
