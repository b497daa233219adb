"""The fused loop (moo_core.fused) against the generic one: every closed-form problem × every
Gram-free method of the registries, same records and outcomes to the last bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from moo_core import METHODS, PROBLEMS, ConfigError, fused, make_run_config
from moo_core.engine import build_objective, train_batch
from moo_core.problems._dtlz import Dtlz2

CLOSED = [name for name in PROBLEMS.names() if PROBLEMS.get(name).load().analytic_gradients]
GRAM_FREE = [name for name in METHODS.names() if not METHODS.get(name).needs_gram]
ROWS = 13  # not a multiple of a vector width: the kernels' scalar tails are compared too


def _runs(problem: str, method: str, optimizer: str, steps: int = 120):
    """ROWS runs from random starts, ε (or lr) differing per row."""
    try:
        base = make_run_config(
            problem,
            method,
            steps=steps,
            init="random",
            device="cpu",
            hyperparams={"optimizer": optimizer},
        )
    except ConfigError as refused:  # e.g. a method that takes logs on a problem below 0
        pytest.skip(str(refused))
    spread = np.linspace(0.1, 0.9, ROWS)
    runs = []
    for k, value in enumerate(spread):
        if METHODS.get(method).uses_epsilon:
            epsilon = tuple(float(value) for _ in base.epsilons())
            runs.append(dataclasses.replace(base, epsilon=epsilon, seed=k))
        else:
            lr = {**base.hyperparams, "lr": float(value) / 20.0}
            runs.append(dataclasses.replace(base, hyperparams=lr, seed=k))
    return runs


def _both(runs, objective_of=None, **kwargs):
    """(outcomes, trajectory) of the fused and of the generic loop."""
    found = []
    for fuse in (True, False):
        objective = objective_of() if objective_of else build_objective(runs[0])
        outcomes, _, _, trajectory = train_batch(
            runs, keep_trajectory=True, objective=objective, fuse=fuse, threads=1, **kwargs
        )
        found.append((outcomes, trajectory))
    return found


def _assert_same(fused_side, generic_side):
    (fused_outcomes, fused_records), (generic_outcomes, generic_records) = fused_side, generic_side
    assert fused_records.keys() == generic_records.keys()
    for name in generic_records:
        np.testing.assert_array_equal(fused_records[name], generic_records[name], err_msg=name)
    for ours, theirs in zip(fused_outcomes, generic_outcomes, strict=True):
        assert ours == theirs


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("method", GRAM_FREE)
@pytest.mark.parametrize("problem", CLOSED)
def test_the_fused_loop_matches_the_generic_one_to_the_bit(problem, method, optimizer):
    runs = _runs(problem, method, optimizer)
    # small chunks: several flushes (divergence, tails) inside the run
    _assert_same(*_both(runs, chunk_steps=32))


class _Dtlz2WithGradients(Dtlz2):
    """DTLZ2 given a "closed form" from autograd: three objectives and a box projection
    through the fused loop (no registered closed-form problem has m = 3)."""

    def analytic_gradients(self, x):
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            values = self.objectives(x)
            grads = [torch.autograd.grad(v.sum(), x, retain_graph=True)[0] for v in values]
        return (*[v.detach() for v in values], *grads)


@pytest.mark.parametrize("method", ["mdmm", "penalty", "weighted_sum", "augmented_lagrangian"])
def test_three_objectives_and_a_box_match_too(method):
    runs = _runs("dtlz2", method, "sgd", steps=80)
    _assert_same(*_both(runs, objective_of=lambda: _Dtlz2WithGradients(runs[0].init)))


def test_closed_forms_with_gram_free_methods_take_the_fused_loop(monkeypatch):
    taken = []
    real_run = fused.run
    monkeypatch.setattr(fused, "run", lambda *args: taken.append(1) or real_run(*args))
    train_batch(_runs("concave", "mdmm", "sgd", steps=10))
    assert taken == [1]
    train_batch(_runs("concave", "mgda", "sgd", steps=10))  # needs the Gram: generic
    train_batch(_runs("zdt1", "mdmm", "sgd", steps=10))  # autograd: generic
    train_batch(_runs("concave", "mdmm", "sgd", steps=10), fuse=False)
    assert taken == [1]
