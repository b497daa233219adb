"""Lessons, colours, replay and sweep ranges (pure), and a lesson link through the Lab (AppTest)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from tests.ui._apptest import page
from ui import charts, lessons, palette, params, replay


def run(g, violation, lam=None) -> dict:
    n = len(g)
    lam = np.full(n, np.nan) if lam is None else lam
    return {
        "step": np.arange(n),
        "f": 1 - np.asarray(g),
        "g": np.asarray(g, dtype=float),
        "lambda": np.asarray(lam, dtype=float),
        "violation": np.asarray(violation, dtype=float),
        "grad_cos": np.full(n, -1.0),
    }


def test_verdict_is_read_from_the_data():
    settles = np.r_[np.linspace(0.9, 0.6, 300), np.full(700, 0.6)]
    cycles = 0.49 + 0.49 * np.sin(np.arange(1000) / 50)
    series = {
        "#1 mdmm": run(settles, np.abs(settles - 0.6), np.ones(1000)),
        "#2 bdmm": run(cycles, np.abs(cycles - 0.6), np.ones(1000)),
    }
    configs = {label: {"epsilon": 0.6, "constraint": "eq"} for label in series}
    text = lessons.verdict(series, configs)
    first = int(np.flatnonzero(np.abs(settles - 0.6) > 1e-3)[-1]) + 1
    assert text.startswith(f"MDMM holds |g − ε| ≤ 0.001 from step {first:,}; ")
    assert "BDMM's g swings between 0.00 and 0.98 and never settles." in text
    end = {"#3 weighted_sum": run(np.full(50, 0.98), np.full(50, 0.38))}
    assert lessons.verdict(end, {"#3 weighted_sum": {"epsilon": 0.6}}) == (
        "the weighted sum settles at g = 0.98, not at ε = 0.6."
    )


def test_presets_are_found_from_their_values():
    for index, preset in enumerate(params.PRESETS):
        assert lessons.lesson_for(params.PRESETS, preset.query()) == index
        assert preset.watch
    assert lessons.lesson_for(params.PRESETS, {"problem": "convex", "method": "mdmm"}) is None
    assert params.preset_at("0") is params.PRESETS[0] and params.preset_at("x") is None


def test_a_method_keeps_its_colour_and_repeats_get_their_own():
    assert palette.colours(["#1 mdmm", "#2 bdmm"]) == palette.colours(["#7 mdmm", "#9 bdmm"])
    assert palette.colours(["#2 bdmm", "#1 mdmm"])[1] == palette.METHOD_COLOURS["mdmm"]
    twice = palette.colours(["#1 mdmm", "#2 mdmm"])
    assert twice[0] == palette.METHOD_COLOURS["mdmm"] and twice[1] != twice[0]
    assert palette.colours(["#5 mdmm over epsilon (concave)"]) == [palette.METHOD_COLOURS["mdmm"]]


def test_charts_that_do_not_apply_are_not_drawn_and_weights_say_what_they_are():
    flat = run(np.full(100, 0.5), np.full(100, 0.1))
    shown = charts.live_set({"#1 weighted_sum": flat}, None, (0.6,), None, None)
    assert [name for name, _, _ in shown] == ["objectives", "path", "violation"]  # no λ, cos
    mgda = run(np.full(100, 0.5), np.full(100, 0.1), np.linspace(0, 1, 100))
    lam = dict((n, f) for n, f, _ in charts.live_set({"#2 mgda": mgda}, None, (0.6,), None, None))
    assert lam["lambda"].layout.yaxis.title.text.startswith("weight on g")
    both = charts.live_set({"#2 mgda": mgda}, None, (0.6,), None, None, projector=True)
    assert [name for name, _, _ in both] == ["path", "lambda"]


def test_replay_moves_points_and_cursors():
    series = {"#1 mdmm": run(np.linspace(1, 0.6, 500), np.zeros(500), np.linspace(0, 1, 500))}
    figures = {"path": go.Figure(), "lambda": go.Figure(), "objectives": go.Figure()}
    spec = replay.add_replay(figures, series, step_charts=("lambda", "objectives"), frames=50)
    assert len(spec["steps"]) == 50 and spec["steps"][0] == 0 and spec["steps"][-1] == 499
    assert {m["plot"] for m in spec["moves"]} == {"path", "lambda"}
    path = next(m for m in spec["moves"] if m["plot"] == "path")
    assert path["y"][0] == 1.0 and abs(path["y"][-1] - 0.6) < 1e-12
    assert [c["plot"] for c in spec["cursors"]] == ["lambda", "objectives"]
    assert figures["lambda"].layout.shapes[-1].x0 == 499


def test_sweep_ranges_come_from_the_registry():
    high = params.g_range("concave")[1]  # 0.9816843611112658
    assert params.sweep_range("concave", "mdmm", "epsilon") == (0.0, 0.981)  # rounded, inside
    assert params.inward(-0.98765, 12.345) == (-0.987, 12.3) and high >= 0.981
    spec = next(s for s in params.method_specs("mdmm") if s.name == "damping")
    assert params.sweep_range("concave", "mdmm", "damping") == (spec.low, spec.high)


def test_a_lesson_link_starts_the_race_once(db_url):
    import storage

    at = page(
        "pages/lab.py",
        {"problem": "concave", "method": "mdmm", "vs": "bdmm", "epsilon": "0.6",
         "damping": "10", "steps": "6000", "autorun": "1"},
    )  # fmt: skip
    assert not at.exception, at.exception
    engine = storage.make_engine(db_url)
    runs = storage.list_runs(engine)
    assert sorted(r.config["method"] for r in runs) == ["bdmm", "mdmm"]
    assert {r.experiment_id for r in runs} == {runs[0].experiment_id}
    at.run()  # a rerun (the Live page now) launches nothing more
    assert len(storage.list_runs(engine)) == 2


def test_a_lesson_card_launches_with_one_click(db_url):
    import storage

    at = page("pages/lab.py")
    at.button(key="lesson1").click().run()
    assert not at.exception, at.exception
    runs = storage.list_runs(storage.make_engine(db_url))
    assert sorted(r.config["method"] for r in runs) == ["mdmm", "weighted_sum"]
