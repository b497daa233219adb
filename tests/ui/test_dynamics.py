"""The multiplier-dynamics figures and the verdict's marks, built from synthetic numpy data:
a phase portrait per run, hollow markers for settings that did not converge, steps to
converge against a swept hyperparameter, and the verdict texts of the tables."""

from __future__ import annotations

import numpy as np
import pytest

from ui import charts, dynamics, figures, figures_3d, labels, palette

STEPS = np.arange(3000)


def cycle(steps=STEPS) -> dict[str, np.ndarray]:
    """BDMM's closed orbit: g swings across the front, λ saw-tooths, nothing settles."""
    phase = 2 * np.pi * steps / 2150
    return _run(steps, 0.49 + 0.49 * np.sin(phase), 1.6 + 2.3 * np.cos(phase))


def spiral(steps=STEPS) -> dict[str, np.ndarray]:
    """MDMM's damped orbit: (g − ε, λ) winds into (0, 0.9)."""
    decay = np.exp(-steps / 400)
    return _run(
        steps, 0.6 + 0.24 * decay * np.cos(steps / 90), 0.9 - 0.9 * decay * np.sin(steps / 90)
    )


def _run(steps, g, lam) -> dict[str, np.ndarray]:
    return {
        "step": steps,
        "f": 1 - g,
        "g": g,
        "lambda": lam,
        "violation": np.abs(g - 0.6),
        "grad_cos": np.zeros(len(steps)),
    }


def no_multiplier() -> dict[str, np.ndarray]:
    run = spiral()
    return run | {"lambda": np.full(len(STEPS), np.nan)}  # a weighted sum has no λ


def test_phase_portrait_draws_one_named_path_per_run_in_its_own_panel():
    series = {"#1 bdmm": cycle(), "#2 mdmm": spiral(), "#3 weighted_sum": no_multiplier()}
    eps = {label: 0.6 for label in series}
    fig = dynamics.phase_portrait_figure(series, eps)
    paths = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in paths] == ["#1 bdmm", "#2 mdmm"]  # no λ: no portrait
    later = dynamics.phase_portrait_figure({"#3 weighted_sum": no_multiplier()} | series, eps)
    assert later.data[0].line.color == palette.METHOD_COLOURS["bdmm"]  # its method's colour
    assert [a.text for a in fig.layout.annotations][:2] == ["#1 bdmm", "#2 mdmm"]
    assert paths[0].xaxis == "x" and paths[1].xaxis == "x2"  # side by side
    bdmm, mdmm = paths
    assert len(bdmm.x) <= figures.MAX_POINTS  # thinned like every step chart
    assert min(bdmm.x) < -0.5 and max(bdmm.x) > 0.3  # the cycle crosses the front
    assert abs(mdmm.x[-1]) < 1e-3 and mdmm.y[-1] == pytest.approx(0.9, abs=1e-3)
    assert mdmm.customdata[-1] == STEPS[-1]  # hovering names the step
    assert fig.layout.xaxis.title.text == dynamics.GAP_TITLE
    assert fig.layout.yaxis.title.text == dynamics.LAMBDA_TITLE
    ends = [t for t in fig.data if t.mode == "markers"]
    assert [t.marker.symbol for t in ends] == ["circle-open", "x"] * 2  # ○ start, × end
    assert ends[2].x[0] == pytest.approx(0.24)  # MDMM's start: g − ε = 0.24
    assert ends[2].marker.color == mdmm.line.color != bdmm.line.color


def test_phase_portrait_uses_each_runs_own_epsilon_and_wraps_rows():
    series = {f"#{i} mdmm": spiral() for i in range(1, 6)}
    eps = {label: 0.6 for label in series} | {"#5 mdmm": 0.5}
    fig = dynamics.phase_portrait_figure(series, eps)
    paths = [t for t in fig.data if t.mode == "lines"]
    assert len(paths) == 5 and fig.layout.height > 700  # four a row, then a second row
    assert paths[4].x[-1] == pytest.approx(0.1, abs=1e-3)  # g = 0.6 against its ε = 0.5
    assert dynamics.phase_portrait_figure({}, {}).data == ()  # nothing to draw: no crash


def test_with_multiplier_keeps_two_objective_runs_that_record_lambda():
    three = spiral() | {"g1": STEPS * 0.0, "g2": STEPS * 0.0, "lambda1": STEPS * 0.0}
    series = {"a": spiral(), "b": no_multiplier(), "c": three}
    assert dynamics.with_multiplier(series) == ["a"]


def sweep_points(values, steps_to_converge, converged) -> list[dict]:
    return [
        {
            "over": "damping",
            "value": value,
            "f": 0.66,
            "g": 0.6,
            "steps": 3000,
            "nondominated": True,
            "converged": ok,
            "reason": "converged: violation ≤ 1e-3" if ok else "not converged: λ still moving",
            "steps_to_converge": count,
        }
        for value, count, ok in zip(values, steps_to_converge, converged, strict=True)
    ]


def test_steps_to_converge_against_the_swept_value_marks_settings_that_did_not():
    points = sweep_points([10.0, 0.0, 1.0], [300, None, 1400], [True, False, True])
    fig = dynamics.steps_to_converge_figure({"#7 mdmm over damping": points})
    done, stuck = fig.data
    assert (done.name, stuck.name) == (
        "converged #7 mdmm over damping",
        "not converged #7 mdmm over damping",
    )
    assert list(done.x) == [1.0, 10.0] and list(done.y) == [1400, 300]  # sorted by the value
    assert list(stuck.x) == [0.0] and list(stuck.y) == [3000]  # at its run length
    assert stuck.marker.symbol == "x-open" and "λ still moving" in stuck.text[0]
    assert fig.layout.xaxis.title.text == "damping" and "damping" in fig.layout.title.text
    old = [p | {"converged": None, "steps_to_converge": None} for p in points]
    assert not dynamics.has_verdicts(old) and dynamics.has_verdicts(points)
    assert len(dynamics.steps_to_converge_figure({"old": old}).data[0].x) == 0


def test_pareto_points_that_did_not_converge_are_hollow_with_the_reason_on_hover():
    points = sweep_points([0.2, 0.4, 0.6], [100, None, None], [True, False, None])
    points[2]["nondominated"] = False
    for p in points:
        p["over"] = "epsilon"
    fig = charts.pareto_chart({"#3 bdmm": points})
    assert list(fig.data[0].marker.symbol) == ["circle", "circle-open", "diamond"]
    assert "converged" in fig.data[0].text[0] and "λ still moving" in fig.data[0].text[1]
    assert "—" not in fig.data[0].text[2]  # unknown: no verdict line
    assert "hollow" in fig.layout.title.text
    three = [p | {"g1": 0.5, "g2": 0.4} for p in points]
    fig3 = figures_3d.pareto3d_figure({"#4 mdmm": three})
    assert list(fig3.data[0].marker.symbol) == ["circle", "circle-open", "diamond"]
    assert "not converged: λ still moving" in fig3.data[0].text[1]


MOVING, GREW = "not converged: λ still moving", "suspected infeasible: λ grew"


@pytest.mark.parametrize(
    ("summary", "text", "mark"),
    [
        ({"converged": True, "reason": "converged: violation ≤ 1e-3"}, "converged", "✓"),
        ({"converged": False, "reason": MOVING}, MOVING, "✗"),
        ({"converged": False, "reason": "diverged"}, "not converged: diverged", "✗"),
        ({"converged": False, "reason": GREW}, f"not converged: {GREW}", "✗"),
        ({"converged": False}, "not converged", "✗"),
        ({"final": {"f": 1.0}}, "—", "—"),
        (None, "—", "—"),
    ],
)  # fmt: skip
def test_verdict_text_and_mark(summary, text, mark):
    class View:
        pass

    view = View()
    view.summary = summary
    assert labels.verdict_text(view) == text == labels.verdict_text(summary or {})
    assert labels.MARKS[labels.converged_of(view)] == mark
    line = labels.verdict_line(view)
    assert line == ("" if mark == "—" else summary["reason"] if mark == "✓" else text)
    short = {"✓": " · :green[converged]", "✗": " · :orange[not converged]", "—": ""}
    assert labels.verdict_markdown(view) == short[mark]


def test_along_path_keeps_a_fast_start_that_even_steps_would_miss():
    steps = np.arange(6000)
    gap = np.where(steps < 200, 0.2 * np.cos(steps / 4) * np.exp(-steps / 60), 0.0)
    lam = np.where(steps < 200, 5 * np.sin(steps / 4) * np.exp(-steps / 60), 0.0) + 0.9
    kept = dynamics.along_path(gap, lam, max_points=500)
    assert len(kept) <= 500 and kept[0] == 0 and kept[-1] == 5999
    assert (kept < 200).sum() > 150 and (kept >= 200).sum() <= 2  # the spiral, not the tail
    evenly = figures.downsample_indices(6000, 500)
    assert (evenly < 200).sum() < 20  # what evenly spread steps would have kept
    assert list(dynamics.along_path(np.array([0.0, np.nan, 1.0]), np.zeros(3))) == [0, 2]
    still = dynamics.along_path(np.zeros(5000), np.ones(5000), max_points=10)
    assert list(still) == [0, 4999]


def test_steps_charts_only_for_hyperparameter_sweeps_with_verdicts():
    damping = sweep_points([1.0, 10.0], [900, 300], [True, True])
    eps = [p | {"over": "epsilon"} for p in damping]
    old = [p | {"over": "lr", "converged": None} for p in damping]
    unconstrained = [p | {"over": "weight", "steps_to_converge": None} for p in damping]
    stuck = [p | {"converged": False, "steps_to_converge": None, "lambda": 3.0} for p in damping]
    sweeps = {"#1": damping, "#2": eps, "#3": old, "#4": stuck, "#5": unconstrained}
    groups = dynamics.by_hyperparameter(sweeps)
    assert list(groups) == ["damping"] and list(groups["damping"]) == ["#1", "#4"]
