"""Live, Compare, Pareto and History over three-objective runs (dtlz2) a real worker trained:
one λ and one trajectory per constraint, the path and the sweep in 3-D over the front."""

import pytest

from tests.ui._apptest import figures as drawn
from tests.ui._apptest import page
from tests.worker._helpers import cli


@pytest.fixture
def finished_runs(db_url):
    """Two short dtlz2 runs and a sweep of one constraint's ε, trained by a real worker."""
    import storage
    from moo_core import make_run_config, make_sweep_config

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    configs = [
        make_run_config("dtlz2", m, epsilon=(0.5, 0.4), constraint=("eq", "le"), steps=60)
        for m in ("mdmm", "bdmm")
    ]
    ids = [storage.submit_run(engine, c) for c in configs]
    ids.append(storage.submit_run(engine, make_sweep_config(configs[0], "epsilon1", 0.2, 0.8, 4)))
    cli("serve", "--exit-when-idle")  # MOO_DATABASE_URL: set by db_url
    assert all(storage.get_run(engine, i).status == "completed" for i in ids)
    return ids


def figures(at) -> list[dict]:
    return drawn(at)  # st.plotly_chart's and the Live page's chart board's


def trace_names(figure: dict) -> list[str]:
    return [t.get("name") for t in figure["data"]]


def test_live_and_compare_draw_every_objective_and_multiplier(finished_runs):
    a, b, _ = finished_runs
    for path, query in (("pages/live.py", {"runs": f"{a},{b}"}), ("pages/compare.py", {})):
        at = page(path, query | {"runs": f"{a},{b}"})
        assert not at.exception, at.exception
        charts = {f["layout"]["title"]["text"]: f for f in figures(at)}
        assert len(charts) == 5, list(charts)
        lam = next(f for t, f in charts.items() if t.startswith("Multipliers"))
        assert f"λ2 #{a} mdmm" in trace_names(lam) and f"λ1 #{b} bdmm" in trace_names(lam)
        values = next(f for t, f in charts.items() if t.startswith("Objectives"))
        assert {f"f #{a} mdmm", f"g1 #{a} mdmm", f"g2 #{a} mdmm"} <= set(trace_names(values))
        assert {"ε1 = 0.5", "ε2 = 0.4"} <= set(trace_names(values))
        path3d = charts["Path in objective space (f, g1, g2)"]
        kinds = [t["type"] for t in path3d["data"]]
        assert kinds[0] == "mesh3d" and kinds.count("scatter3d") >= 4  # path and end per run
    table = at.table[0].value
    assert {"f", "g1", "g2", "λ1", "λ2", "largest violation"} <= set(table.columns)
    assert list(table["ε"]) == ["0.5, 0.4", "0.5, 0.4"]


def test_pareto_draws_the_sweep_in_3d_and_in_parallel_coordinates(finished_runs):
    s = finished_runs[2]
    at = page("pages/pareto.py", {"run": str(s)})
    assert not at.exception, at.exception
    (figure,) = figures(at)
    surface, points = figure["data"]
    assert surface["type"] == "mesh3d" and points["type"] == "scatter3d"
    assert len(points["x"]) == 4 and len(points["z"]) == 4
    assert "epsilon1 = 0.2" in points["text"][0]
    quality = at.dataframe[0].value
    assert quality["hypervolume"].notna().all()
    at.checkbox(key="parallel").check().run()
    assert not at.exception, at.exception
    (figure,) = figures(at)
    labels = [d["label"] for d in figure["data"][0]["dimensions"]]
    assert labels == ["epsilon1", "f", "g1", "g2"]


def test_history_exports_each_objective(finished_runs, db_url):
    import storage
    from ui import tables

    a = finished_runs[0]
    at = page("pages/history.py")
    assert not at.exception, at.exception
    assert "0.5, 0.4" in set(at.dataframe[0].value["ε"])
    csv = tables.trajectory_csv(storage.get_metrics(storage.make_engine(db_url), a))
    header = csv.splitlines()[0]
    assert header == "step,f,g1,g2,lambda1,lambda2,violation,grad_cos"
    assert len(csv.splitlines()) == 61
