"""The benchmarks are not run by the suite (they measure speed), but they must stay importable
as the code they measure moves."""

import importlib

import pytest


@pytest.mark.parametrize("module", ["bench.__main__", "bench.storage", "bench.dashboard", "bench.tasks",
                                    "bench.browser"])  # fmt: skip
def test_benchmark_imports(module):
    assert callable(importlib.import_module(module).main)
