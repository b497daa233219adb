"""Scale-free balancing on real data (moo_core.scaling): default hyperparameters hold an
equality constraint whatever the data's units; toy problems keep their own scale."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moo_core import make_run_config, run
from moo_core.scaling import start_scale, to_data_units

FULL_BATCH = 100_000


@pytest.mark.parametrize(
    ("task", "epsilon"),
    [
        ({"dataset": "diabetes", "target": "target", "group": "sex", "objective": "parity"}, 10.0),
        ({"dataset": "breast_cancer", "target": "target", "objective": "l1"}, 0.02),
        # MMD² far below its start (1.88): the case that g₀ alone could not hold (g ended at
        # 0.015); full batch, so about four minutes on a 2-core CPU
        ({"dataset": "fastsim", "target": "full", "objective": "mmd"}, 0.006),
    ],
)
def test_an_equality_holds_within_ten_percent_with_default_hyperparameters(task, epsilon):
    config = make_run_config(
        None, "mdmm", epsilon=epsilon, device="cpu", task={**task, "batch_size": FULL_BATCH}
    )
    result = run(config, keep_trajectory=True)
    g = result.trajectory["g"]
    tail = g[len(g) * 3 // 4 :]
    assert np.abs(tail - epsilon).max() <= 0.1 * epsilon, (tail.min(), tail.max())
    assert any("from the starting values and ε" in note for note in result.info["notes"])


class _Values:
    scale_free = True

    def __init__(self, values):
        self.values = torch.tensor(values)

    def evaluate(self, params, step):
        return self.values


def test_an_objective_without_a_scale_keeps_its_own_units():
    scale, notes = start_scale(_Values([[4.0, 0.0], [2.0, 0.5]]), [])
    torch.testing.assert_close(scale, torch.tensor([[4.0, 1.0], [2.0, 0.5]]))
    assert notes[0] == "g is 0 at the start (no scale): balanced in its own units"


def test_a_constrained_objective_is_scaled_a_quarter_of_the_way_to_epsilon():
    """s_f = f₀; s_g = g₀^¾·ε^¼ (16^¾ = 8); a method without ε: start values only."""
    scale, _ = start_scale(_Values([[4.0, 16.0]]), [], torch.tensor([[1.0]]))
    torch.testing.assert_close(scale, torch.tensor([[4.0, 8.0]]))
    scale, _ = start_scale(_Values([[4.0, 16.0]]), [])
    torch.testing.assert_close(scale, torch.tensor([[4.0, 16.0]]))


@pytest.mark.parametrize(
    ("start", "epsilon", "expected", "note"),
    [
        (0.0, 0.5, 0.5, "g is 0 at the start (no scale): balanced on |ε|"),
        (2.0, 0.0, 2.0, None),  # ε = 0: the start value alone
        (0.0, 0.0, 1.0, "g is 0 at the start (no scale): balanced in its own units"),
        (float("nan"), 0.5, 0.5, "g is 0 at the start (no scale): balanced on |ε|"),
    ],
)
def test_without_a_start_value_or_epsilon_the_other_is_the_scale(start, epsilon, expected, note):
    scale, notes = start_scale(_Values([[4.0, start]]), [], torch.tensor([[epsilon]]))
    assert float(scale[0, 1]) == expected
    assert (notes[0] if len(notes) > 1 else None) == note


def test_multipliers_are_reported_in_data_units():
    """L/f₀ = f/f₀ + λ̃(g − ε)/g₀ is (f + λ̃·f₀/g₀·(g − ε))/f₀: λ = λ̃·f₀/g₀."""
    scale = torch.tensor([[100.0, 4.0]])
    torch.testing.assert_close(to_data_units(torch.tensor([[2.0]]), scale), torch.tensor([[50.0]]))
    assert to_data_units(None, scale) is None


def test_toy_problems_keep_their_scale():
    from moo_core import PROBLEMS

    scale, notes = start_scale(PROBLEMS.get("concave")(), [torch.zeros(1, 2)])
    assert scale is None and notes == []
