"""Live, Compare, Pareto and History over task runs (real data) a real worker trained."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui._apptest import figures, page

MOONS = {"dataset": "moons", "target": "label", "objective": "l1", "hidden": "8"}
CSV = b"x,colour,y\n" + b"".join(
    f"{i},{'red' if i % 3 else 'blue'},{i % 2}\n".encode() for i in range(40)
)


@pytest.fixture(scope="module")
def task_runs(tmp_path_factory):
    """A database with (moons run, upload run, moons ε-sweep), 50 steps each, trained once
    for the module by a worker in this process."""
    import streamlit as st

    import storage
    from moo_core import make_run_config, make_sweep_config
    from worker.loop import WorkerOptions, serve

    url = f"sqlite:///{tmp_path_factory.mktemp('tasks') / 'ui.db'}"
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    upload = storage.store_dataset(engine, "shop_prices.csv", CSV)
    on_upload = {"dataset": upload.ref, "target": "y", "objective": "l1", "hidden": "4"}

    def config(task):
        return make_run_config(
            None, "mdmm", epsilon=0.05, constraint="le", steps=50, device="cpu", task=task
        )

    ids = [storage.submit_run(engine, config(task)) for task in (MOONS, on_upload)]
    sweep = make_sweep_config(config(MOONS), "epsilon", 0.02, 0.2, 3)
    ids.append(storage.submit_run(engine, sweep))
    serve(engine, WorkerOptions(exit_when_idle=True, poll=0.01))
    assert [storage.get_run(engine, i).status for i in ids] == ["completed"] * 3
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOO_DATABASE_URL", url)
        patch.setenv("MOO_EXTERNAL_WORKERS", "1")
        st.cache_resource.clear()
        yield ids
    st.cache_resource.clear()


def texts(at: AppTest) -> str:
    return " | ".join(m.value for m in [*at.markdown, *at.caption])


def chart_axes(at: AppTest) -> list[tuple[str, str]]:
    return [
        (f["layout"]["xaxis"]["title"]["text"], f["layout"]["yaxis"]["title"]["text"])
        for f in figures(at)
    ]


def test_live_shows_subject_validation_and_units(task_runs):
    run, upload_run, _ = task_runs
    at = page("pages/live.py", {"runs": f"{run},{upload_run}"})
    assert not at.exception, at.exception
    shown = texts(at)
    assert "moons → label" in shown and "shop_prices.csv → y" in shown
    assert "final (train) f = " in shown and "; validation f = " in shown
    assert "800 training / 200 validation rows" in shown
    axes = chart_axes(at)
    assert ("f: ce loss (nats)", "g: l1 (mean |weight|)") in axes  # the path, with no front
    assert ("training step", "f: ce loss (nats); g: l1 (mean |weight|)") in axes


def test_compare_table_has_subject_and_validation(task_runs):
    run, upload_run, _ = task_runs
    at = page("pages/compare.py", {"runs": f"{run},{upload_run}"})
    assert not at.exception, at.exception
    table = at.table[0].value
    assert list(table["subject"]) == ["moons → label", "shop_prices.csv → y"]
    values = table[["f", "g", "validation f", "validation g", "constant f"]]
    assert not values.isin(["—"]).any().any()  # baseline_f: what learning nothing scores
    charts = at.get("plotly_chart")
    # the five comparison charts, then the phase portrait of the runs' multiplier dynamics
    assert len(charts) == 6 and charts[-1].key == "phase_portrait"
    assert "different subjects" in texts(at)


def test_pareto_draws_a_task_sweep_without_front(task_runs):
    *_, sweep = task_runs
    at = page("pages/pareto.py", {"run": str(sweep)})
    assert not at.exception, at.exception
    assert "(moons → label)" in at.multiselect(key="sweeps").format_func(sweep)
    quality = at.dataframe[0].value
    assert list(quality["subject"]) == ["moons → label"] and quality["IGD"].isna().all()
    points = at.dataframe[1].value
    assert len(points) == 3 and points[["val_f", "val_g"]].notna().all().all()
    # the front chart, then the animation of the sweep's points forming it: the same axes
    assert set(chart_axes(at)) == {("f: ce loss (nats)", "g: l1 (mean |weight|)")}


def test_history_filters_by_subject(task_runs):
    run, _, sweep = task_runs
    at = page("pages/history.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["subject"]) == {"moons → label", "shop_prices.csv → y"}
    at.multiselect(key="filter_subject").set_value(["moons → label"]).run()
    assert sorted(at.dataframe[0].value["run"]) == [run, sweep]
