"""Names, final lines and table cells of runs with m ≥ 3 objectives; m = 2 as before."""

from types import SimpleNamespace

import numpy as np

from ui import labels, tables


def _view(config: dict, final: dict, **summary) -> SimpleNamespace:
    return SimpleNamespace(config=config, summary={"final": final, **summary})


def test_epsilons_and_objective_titles():
    assert labels.epsilons({"epsilon": 0.5}, 3) == (0.5, 0.5)
    assert labels.epsilons({"epsilon": [0.5, 0.4]}, 3) == (0.5, 0.4)
    assert labels.epsilons({}, 3) == ()
    assert labels.objective_titles({"problem": "dtlz2"}, {}, 3) == ("f", "g1", "g2")
    assert labels.objective_titles({"problem": "concave"}, {}, 2) == labels.TOY_AXES
    task = {"problem": None, "task": {"loss": "ce", "objective": "parity,l1"}}
    titles = labels.objective_titles(task, {}, 3)
    assert titles == ("f: ce loss", "g1: parity", "g2: l1")
    assert labels.values_title(task, {}, 3) == "f: ce loss; g1: parity; g2: l1"


def test_summary_line_names_each_objective_multiplier_and_gap():
    config = {"problem": "dtlz2", "epsilon": [0.5, 0.4], "constraint": ["eq", "le"]}
    final = {"f": 0.76, "lambda": [0.6, 0.5], "objectives": [0.76, 0.501, 0.39]}
    final["multipliers"] = final["lambda"]
    line = labels.summary_line(_view(config, final))
    assert line.startswith("final f = 0.76, g1 = 0.501, g2 = 0.39, λ1 = 0.6, λ2 = 0.5")
    assert "|g1 − ε1| = 1.00e-03" in line and "violation max(0, g2 − ε2) = 0.00e+00" in line
    none = dict(final, multipliers=None, **{"lambda": None})
    assert "λ1 = –" in labels.summary_line(_view(config, none))
    two = {"f": 0.5, "g": 0.6, "lambda": 0.1, "objectives": [0.5, 0.6], "multipliers": [0.1]}
    assert labels.summary_line(_view({"epsilon": 0.6}, two)) == (
        "final f = 0.5, g = 0.6, λ = 0.1, |g − ε| = 0.00e+00"
    )


def test_sweep_points_take_missing_objectives_from_the_summary():
    stored = [{"index": 0, "value": 0.2, "f": 0.9, "g": 0.2, "lambda": 0.1}]
    summary = {"points": [{"f": 0.9, "g1": 0.2, "g2": 0.4, "lambda1": 0.1, "lambda2": 0.3}]}
    (point,) = labels.with_validation(stored, summary)
    assert point["g2"] == 0.4 and point["lambda2"] == 0.3 and labels.objective_count(point) == 3


def test_tables_write_each_epsilon_and_objective():
    assert tables.levels([0.5, 0.4]) == "0.5, 0.4" and tables.levels(0.6) == 0.6
    metrics = {
        "step": np.arange(2),
        **{k: np.array([1.0, np.nan]) for k in ("f", "g", "g1", "g2", "lambda", "lambda1")},
        **{k: np.zeros(2) for k in ("lambda2", "violation", "grad_cos")},
    }
    lines = tables.trajectory_csv(metrics).splitlines()
    assert lines[0] == "step,f,g1,g2,lambda1,lambda2,violation,grad_cos"
    assert lines[2] == "1,,,,,0.0,0.0,0.0"
    two = {k: v for k, v in metrics.items() if k not in ("g1", "g2", "lambda1", "lambda2")}
    assert tables.trajectory_csv(two).splitlines()[0] == ",".join(tables.TRAJECTORY_COLUMNS)
