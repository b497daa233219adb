"""Thinned sweep trajectories: ≤ N evenly spaced steps per row, ending at the row's end."""

from __future__ import annotations

import numpy as np
import pytest

from moo_core import make_run_config, make_sweep_config, sweep
from moo_core.records import StepChunk
from moo_core.trajectory import Thinner


def test_thinner_picks_evenly_spaced_steps_across_chunks():
    thinner = Thinner(steps=1000, samples=11)
    for start in range(0, 1000, 300):  # chunks of 300, the last one short
        steps = np.arange(start, min(start + 300, 1000), dtype=float)
        stacked = np.column_stack([steps, -steps])  # two rows
        thinner(StepChunk(start, {"f": stacked, "g": stacked * 2, "lambda": stacked}))
    rows = thinner.per_row(2)
    steps = rows[0]["step"]
    assert len(steps) == 11 and (steps[0], steps[-1]) == (0, 999)
    assert set(np.diff(steps)) <= {99, 100, 101}
    assert rows[1]["f"][-1] == -999 and rows[1]["g"][-1] == -1998
    assert set(rows[0]) == {"step", "f", "g"}  # objectives only


def test_sweep_keeps_every_rows_trajectory_when_asked():
    run = make_run_config("concave", "mdmm", steps=400)
    config = make_sweep_config(run, "epsilon", 0.2, 0.8, 3)
    result = sweep(config, trajectory_samples=50)
    assert len(result.trajectories) == 3
    for trajectory, outcome in zip(result.trajectories, result.outcomes, strict=True):
        assert len(trajectory["step"]) == 50 and trajectory["step"][-1] == 399
        assert trajectory["f"][-1] == pytest.approx(outcome.f)
    assert sweep(config).trajectories is None  # off by default: the CLI's output is unchanged
