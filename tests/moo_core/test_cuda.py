"""On a GPU (run by `make gpu-check`, which selects `-m cuda`; skipped where there is no CUDA):
the one loop trains on CUDA to the CPU's numbers, `auto` sends a large sweep there and keeps a
toy run on the CPU, and a task's data move with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from moo_core import make_run_config, make_sweep_config, race, run, sweep
from moo_core.batch import Batch
from moo_core.devices import CUDA_ROWS
from moo_core.engine import train

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here"),
]


def test_a_run_on_cuda_ends_where_it_ends_on_the_cpu():
    config = make_run_config("concave", "mdmm", epsilon=0.6, steps=3000)
    cpu, cuda = run(replace(config, device="cpu")), run(replace(config, device="cuda"))
    assert cuda.device.startswith("cuda")
    np.testing.assert_allclose(cuda.outcome.objectives, cpu.outcome.objectives, atol=1e-4)


def test_a_race_and_a_task_train_on_cuda():
    configs = [make_run_config("zdt1", m, steps=200, device="cuda") for m in ("mgda", "mdmm")]
    assert all(r.outcome.status == "completed" for r in race(configs))
    task = {"dataset": "diabetes", "target": "target", "objective": "l1", "hidden": "16"}
    result = run(make_run_config(None, "mdmm", epsilon=0.01, steps=50, device="cuda", task=task))
    assert result.outcome.status == "completed" and result.device.startswith("cuda")


def test_auto_keeps_a_toy_run_on_the_cpu_and_sends_a_large_sweep_to_cuda():
    toy = run(make_run_config("concave", "mdmm", steps=50))
    assert toy.device == "cpu" and "auto → cpu" in toy.device_reason
    base = make_run_config("concave", "mdmm", steps=50)
    large = sweep(make_sweep_config(base, "epsilon", 0.05, 0.95, CUDA_ROWS))
    assert large.device.startswith("cuda") and "auto → cuda" in large.device_reason


def test_a_captured_step_replays_the_eager_one_on_cuda():
    base = make_run_config("concave", "mdmm", epsilon=0.6, steps=300, device="cuda")
    batch = Batch.of(make_sweep_config(base, "epsilon", 0.05, 0.95, 64).runs())
    eager = train(batch, keep_trajectory=True, capture=False)
    captured = train(batch, keep_trajectory=True)
    assert "captured in a CUDA graph" in captured.device_reason, captured.device_reason
    for column, values in eager.trajectory.items():
        np.testing.assert_allclose(captured.trajectory[column], values, atol=1e-6, err_msg=column)


def test_moo_capture_0_keeps_the_cuda_step_eager(monkeypatch):
    monkeypatch.setenv("MOO_CAPTURE", "0")
    result = run(make_run_config("concave", "mdmm", steps=50, device="cuda"))
    assert result.device.startswith("cuda") and "captured" not in result.device_reason
