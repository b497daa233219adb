"""A sweep's cap on settings follows memory (moo_core.capacity), with a clear one-line error
above it, not a fixed count."""

from __future__ import annotations

import pytest

from moo_core import ConfigError, capacity, make_run_config, make_sweep_config
from moo_core.batch import Batch
from moo_core.engine import train


def test_the_cap_follows_the_memory_there_is(monkeypatch):
    base = make_run_config("concave", "mdmm", steps=10)
    monkeypatch.setattr(capacity, "available_memory", lambda: 64 << 30)
    assert len(make_sweep_config(base, "epsilon", 0.1, 0.9, 150_000).values) == 150_000
    monkeypatch.setattr(capacity, "available_memory", lambda: 100 << 20)  # 100 MiB free
    most = capacity.max_rows(capacity.host_bytes(1), 100 << 20)
    assert 500 < most < 1100
    with pytest.raises(ConfigError, match=r"at most [0-9,]+ settings") as refused:
        make_sweep_config(base, "epsilon", 0.1, 0.9, 5000)
    assert "\n" not in str(refused.value) and "100 MiB is free" in str(refused.value)
    with pytest.raises(ConfigError, match="at least 1"):
        make_sweep_config(base, "epsilon", 0.1, 0.9, 0)


def test_the_engine_refuses_a_batch_its_device_cannot_hold(monkeypatch):
    import moo_core.engine

    monkeypatch.setattr(moo_core.engine.devices, "free_memory", lambda device: 1 << 20)
    task = {"dataset": "diabetes", "target": "target", "objective": "l1", "hidden": "64,64"}
    runs = [make_run_config(None, "mdmm", steps=5, seed=k, task=task) for k in range(50)]
    with pytest.raises(ConfigError, match=r"need about .* of cpu memory"):
        train(Batch.of(runs))
