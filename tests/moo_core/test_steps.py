"""The one loop's two kinds of step (moo_core.steps) agree: every closed-form problem × every
method × SGD and Adam, trained by its closed form and by autograd, ends at the same numbers up
to rounding; a sweep's columns are those of its settings as runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from moo_core import METHODS, PROBLEMS, ConfigError, make_run_config, make_sweep_config
from moo_core.batch import Batch
from moo_core.engine import build_objective, train

CLOSED = [name for name in PROBLEMS.names() if PROBLEMS.get(name).load().analytic_gradients]
ROWS = 5


class _Autograd:
    """The same problem without its closed form: the engine takes autograd's step."""

    def __init__(self, problem):
        self.problem = problem

    def __getattr__(self, name):
        return getattr(self.problem, name)

    def has_closed_form(self) -> bool:
        return False


def _batch(problem: str, method: str, optimizer: str) -> Batch:
    try:
        base = make_run_config(problem, method, steps=150, init="random", device="cpu",
                               hyperparams={"optimizer": optimizer})  # fmt: skip
    except ConfigError as refused:  # a method that takes logs on a problem below 0
        pytest.skip(str(refused))
    runs = [dataclasses.replace(base, seed=k) for k in range(ROWS)]
    return Batch.of(runs)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("method", METHODS.names())
@pytest.mark.parametrize("problem", CLOSED)
def test_closed_form_and_autograd_steps_agree(problem, method, optimizer):
    batch = _batch(problem, method, optimizer)
    closed = train(batch, threads=1, keep_trajectory=True)
    objective = _Autograd(build_objective(batch.first))
    autograd = train(batch, objective=objective, threads=1, keep_trajectory=True)
    # the first steps: IMTL-G's pseudo-inverse and Nash-MTL's Newton solve amplify rounding as
    # the gradients align near the front, so later steps of those drift apart by more
    early = slice(0, 40)
    for name in ("f", "g"):
        np.testing.assert_allclose(
            autograd.trajectory[name][early], closed.trajectory[name][early], rtol=2e-4, atol=1e-6
        )
    for a, b in zip(autograd.outcomes, closed.outcomes, strict=True):
        assert a.status == b.status


@pytest.mark.parametrize(
    ("over", "start", "stop"),
    [("epsilon", 0.1, 0.9), ("seed", 0, 6), ("damping", 1.0, 20.0), ("lr", 0.001, 0.02)],
)
def test_a_sweeps_columns_are_its_settings_as_runs(over, start, stop):
    base = make_run_config("concave", "mdmm", steps=10, init="random")
    config = make_sweep_config(base, over, start, stop, 7)
    direct, as_runs = Batch.of_sweep(config), Batch.of(config.runs())
    np.testing.assert_array_equal(direct.epsilon, as_runs.epsilon)
    np.testing.assert_array_equal(direct.seeds, as_runs.seeds)
    for name, value in as_runs.groups[0].settings.items():
        np.testing.assert_array_equal(direct.groups[0].settings[name], value)


def test_one_constraints_epsilon_is_swept_alone():
    base = make_run_config("dtlz2", "mdmm", epsilon="0.4,0.5", steps=10)
    batch = Batch.of_sweep(make_sweep_config(base, "epsilon2", 0.1, 0.3, 3))
    np.testing.assert_allclose(batch.epsilon, [[0.4, 0.1], [0.4, 0.2], [0.4, 0.3]])
