"""The scoreboard (pure rows, CSV; the page over worker-trained fronts; the benchmark button)
and the Pareto page's NSGA-II front and "Fronts forming" animation (a pure figure: one frame
per stored sample)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from tests.ui._apptest import page
from tests.worker._helpers import cli
from ui import benchmark, fronts_animation, scoreboard


def view(id, kind, config, summary, status="completed"):
    return SimpleNamespace(id=id, kind=kind, config=config, summary=summary, status=status,
                           seconds=1.0)  # fmt: skip


def sweep_view(id, method, hv, points=4, problem="zdt1"):
    config = {"run": {"problem": problem, "method": method, "steps": 100}, "over": "epsilon",
              "values": [0.1 * i for i in range(points)]}  # fmt: skip
    summary = {"hypervolume": hv, "igd": 0.1, "seconds": 2.0, "converged_points": 1,
               "points": [{"front_distance": 0.001 * 20**i} for i in range(points)]}  # fmt: skip
    return view(id, "sweep", config, summary)


def test_rows_newest_per_method_and_budget_best_first_and_csv():
    nsga = view(5, "nsga2", {"problem": "zdt1", "method": "nsga2", "population": 4,
                             "generations": 100}, {"hypervolume": 0.7, "igd": 0.02,
                             "evaluations": 400, "converged_points": None,
                             "points": [{"front_distance": 0.0}] * 4})  # fmt: skip
    views = [sweep_view(1, "mdmm", 0.5), sweep_view(2, "mdmm", 0.6), nsga,
             sweep_view(3, "bdmm", 0.9),
             view(4, "sweep", {}, {}, status="running")]  # fmt: skip
    rows = scoreboard.scoreboard_rows(views)
    assert [(r["method"], r["run"]) for r in rows] == [("bdmm", 3), ("nsga2", 5), ("mdmm", 2)]
    mdmm = rows[2]
    assert mdmm["evaluations"] == 400 and mdmm["setting"] == "4 epsilon × 100 steps"
    assert mdmm["converged"] == 0.25 and mdmm["within 0.01"] == 0.25  # 0.001, not 0.02 …
    assert rows[1]["converged"] is None and rows[1]["within 0.01"] == 1.0
    assert rows[1]["setting"] == "P = 4, G = 100" and rows[1]["evaluations"] == 400
    assert len(scoreboard.scoreboard_rows(views, latest_only=False)) == 4
    text = scoreboard.scoreboard_csv(rows).splitlines()
    assert text[0] == ",".join(scoreboard.COLUMNS) and text[2].startswith("zdt1,nsga2,5,")


def test_the_benchmark_time_is_estimated_from_rates():
    rows = [
        {"problem": "zdt1", "method": "mdmm", "setting": "64 epsilon × 3000 steps",
         "evaluations": 192_000, "seconds": 2.0},
        {"problem": "zdt1", "method": "nsga2", "setting": "P = 100, G = 1920",
         "evaluations": 192_000, "seconds": 20.0},
    ]  # fmt: skip
    seconds, basis = benchmark.estimate_seconds("zdt1", 2, 64, 3000, 100, rows)
    assert seconds == pytest.approx(2 * 2.0 + 20.0 + 3 * benchmark.STARTUP_SECONDS)
    assert "this server" in basis
    default, basis = benchmark.estimate_seconds("concave", 2, 64, 3000, 100)
    assert 30 < default < 50 and "measured" in basis  # the "~40 s"


def test_benchmark_matches_evaluations():
    configs = benchmark.benchmark_configs("zdt3", ["mdmm", "weighted_sum"], 64, 3000, 100)
    mdmm, weighted, nsga = configs
    assert (mdmm.over, mdmm.values[0], mdmm.values[-1]) == ("epsilon", -0.7733, 1.0)
    assert weighted.over == "weight" and len(weighted.values) == 64
    assert nsga.evaluations == 64 * 3000 == len(mdmm.values) * mdmm.run.steps
    assert "mgda" not in benchmark.benchmark_methods()  # one point whatever it is given


def test_fronts_animation_has_one_frame_per_sample():
    steps = list(range(0, 50, 5))
    short = {"step": steps[:4], "f": [0.0] * 4, "g": [1.0] * 4}
    paths = {"mdmm": [{"step": steps, "f": list(np.linspace(1, 0, 10)), "g": [0.5] * 10}] * 3,
             "weighted_sum": [short, None]}  # fmt: skip
    front = np.column_stack([np.linspace(0, 1, 5), np.linspace(1, 0, 5)])
    figure = fronts_animation.fronts_animation(paths, front)
    assert len(figure.frames) == 10 == len(figure.layout.sliders[0].steps)
    assert [s.label for s in figure.layout.sliders[0].steps][-1] == "45"
    assert figure.frames[9].data[0].x == (0.0, 0.0, 0.0)  # mdmm's last sample
    assert figure.frames[9].data[1].x == (0.0,)  # a shorter path holds its last sample
    buttons = [b.label for b in figure.layout.updatemenus[0].buttons]
    assert buttons == ["▶ Play", "❚❚ Pause"]
    assert len(figure.data) == 3 and figure.data[0].name == "Pareto front"


@pytest.fixture
def fronts(db_url):
    """An MDMM and a weighted-sum sweep and an NSGA-II job on ZDT1, trained by a worker."""
    import storage

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    configs = benchmark.benchmark_configs("zdt1", ["mdmm", "weighted_sum"], 8, 200, 20)
    ids = [storage.submit_run(engine, config) for config in configs]
    cli("serve", "--exit-when-idle")  # MOO_DATABASE_URL: set by db_url
    return engine, ids


def test_scoreboard_page_and_benchmark_button(fronts):
    engine, _ = fronts
    at = page("pages/scoreboard.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="problem").value == "zdt1"
    table = at.dataframe[0].value
    assert set(table["method"]) == {"mdmm", "weighted_sum", "nsga2"}
    assert set(table["evaluations"]) == {1600}
    converged = dict(zip(table["method"], table["converged"], strict=True))
    assert converged["nsga2"] == "—" and converged["mdmm"].endswith(" %")  # never "None"
    assert list(table["hypervolume"]) == sorted(table["hypervolume"], reverse=True)
    assert at.get("download_button")
    said = " | ".join(c.value for c in at.caption)
    for name in scoreboard.COLUMNS:  # every column's meaning, in one plain line
        assert f"**{name}**: {scoreboard.COLUMN_HELP[name]}" in said
    assert "Takes about " in said and "from the finished zdt1 jobs on this server" in said
    at.number_input(key="bench_settings").set_value(4)
    at.number_input(key="bench_steps").set_value(50).run()
    at.button(key="run_benchmark").click().run()
    assert not at.exception, at.exception
    import storage

    queued = [v for v in storage.list_runs(engine) if v.status == "queued"]
    assert sorted(v.kind for v in queued) == ["nsga2", "sweep", "sweep"]
    nsga = next(v for v in queued if v.kind == "nsga2")
    assert nsga.config["population"] * nsga.config["generations"] == 4 * 50


def test_pareto_page_draws_nsga2_beside_sweeps_and_the_fronts_forming(fronts):
    _, ids = fronts
    at = page("pages/pareto.py", {"run": ",".join(map(str, ids))})
    assert not at.exception, at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    names = {trace.get("name") for spec in specs for trace in spec["data"]}
    assert any(name and "nsga2 P=20" in name for name in names)
    animated = [spec for spec in specs if spec.get("frames")]
    assert len(animated) == 1 and len(animated[0]["frames"]) == 200  # the two sweeps' samples
    assert len(animated[0]["frames"][0]["data"]) == 2  # NSGA-II has no trajectory
