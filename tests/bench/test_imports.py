"""The benchmarks are not run by the suite (they measure speed), but they must stay importable
as the code they measure moves."""

import importlib

import pytest

MODULES = [
    "bench.__main__",
    "bench.storage",
    "bench.dashboard",
    "bench.tasks",
    "bench.browser",
    "bench.steps",
    "bench.races",
]


@pytest.mark.parametrize("module", MODULES)
def test_benchmark_imports(module):
    assert callable(importlib.import_module(module).main)
