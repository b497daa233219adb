"""The benchmarks are not run by the suite (they measure speed), but they must stay importable
as the code they measure moves."""

import importlib

import pytest
import torch

MODULES = [
    "bench.__main__",
    "bench.storage",
    "bench.dashboard",
    "bench.tasks",
    "bench.browser",
    "bench.steps",
    "bench.races",
    "bench.library",
]


@pytest.mark.parametrize("module", MODULES)
def test_benchmark_imports(module):
    assert callable(importlib.import_module(module).main)


@pytest.mark.parametrize("method", ["mgda", "pcgrad", "cagrad"])
@pytest.mark.parametrize("m", [2, 10])
def test_the_library_bench_compares_the_same_step(method, m):
    """bench.library times loops that take the same step: the Balancer's equals the hand
    loop's with moo_core's weights, and the paper's solver lands near it (PCGrad's random
    order makes m = 10 differ: compared for two tasks only)."""
    from bench.library import first_directions

    found = first_directions(method, m)
    torch.testing.assert_close(found["balancer"], found["hand"], rtol=1e-4, atol=1e-6)
    if method != "pcgrad" or m == 2:
        error = (found["paper"] - found["hand"]).norm() / found["hand"].norm()
        assert error < 1e-2, error  # measured ≤ 2.1e-3 (SLSQP at m = 10)


def test_the_step_bench_times_the_engines_arithmetic():
    """bench.steps' hand-written loop, the reference of the step ratio, records what the engine
    records for the same sweep (f, g, λ each step, the cosine every 32nd)."""
    import numpy as np

    from bench.steps import hand_written, sweep_runs
    from moo_core.batch import Batch
    from moo_core.engine import train

    count, steps, last = 16, 100, []
    hand_written(count, steps, last=last)
    engine = train(Batch.of(sweep_runs(count, steps)), keep_trajectory=True, threads=1)
    hand = last[0]  # the last chunk: all 100 steps
    for i, column in enumerate(("f", "g", "lambda")):
        np.testing.assert_allclose(hand[:, i], engine.trajectory[column], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hand[::32, 4], engine.trajectory["grad_cos"][::32], rtol=1e-5)
