"""Pages over stored runs: Compare, Pareto, History and Live with runs a real worker trained."""

import re

import numpy as np
import pytest

from tests.ui._apptest import page
from tests.worker._helpers import cli


@pytest.fixture
def finished_runs(db_url):
    """Two short runs and a small sweep, trained by a real worker that exits when idle."""
    import storage
    from moo_core import make_run_config, make_sweep_config

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    ids = [
        storage.submit_run(engine, make_run_config("concave", m, epsilon=0.6, steps=60))
        for m in ("mdmm", "bdmm")
    ]
    base = make_run_config("concave", "mdmm", epsilon=0.6, steps=60)
    ids.append(storage.submit_run(engine, make_sweep_config(base, "epsilon", 0.2, 0.8, 3)))
    cli("serve", "--exit-when-idle")  # MOO_DATABASE_URL: set by db_url
    assert all(storage.get_run(engine, i).status == "completed" for i in ids)
    return ids


def test_compare_and_pareto_with_data(finished_runs):
    a, b, s = finished_runs
    at = page("pages/compare.py", {"runs": f"{a},{b}"})
    assert not at.exception, at.exception
    table = at.table[0].value
    assert sorted(table["method"]) == ["bdmm", "mdmm"]
    assert {"f", "g", "violation", "settled from step"} <= set(table.columns)
    assert not table.isin(["None", "nan"]).any().any()  # a missing value reads "—"
    assert "—" in set(table["settled from step"]) | set(table["λ"])
    assert len(at.get("plotly_chart")) == 6  # five overlaid charts and the phase portrait

    at = page("pages/compare.py")  # nothing in the URL: the newest run (no comparison stored)
    assert not at.exception, at.exception
    assert at.multiselect(key="chosen").value == [b]

    at = page("pages/pareto.py", {"run": str(s)})
    assert not at.exception, at.exception
    # the sweep's front, then the animation of its points forming it
    assert [chart.key for chart in at.get("plotly_chart")] == ["sweep_chart", "fronts_forming"]
    quality = at.dataframe[0].value
    assert list(quality["sweep"]) == [s] and quality["hypervolume"].notna().all()
    at.checkbox(key="nondominated_only").check().run()
    assert not at.exception, at.exception

    # a run on the wrong page, and a bad id: messages, not tracebacks
    at = page("pages/compare.py", {"runs": f"{s},{a}"})
    assert not at.exception, at.exception
    assert f"Run {s} is a sweep" in " ".join(w.value for w in at.warning)
    assert at.multiselect(key="chosen").value == [a]
    at = page("pages/pareto.py", {"run": f"{a},x"})
    assert not at.exception, at.exception
    assert f"Run {a} is not a sweep" in " ".join(w.value for w in at.warning)
    assert "'x' is not a whole number" in " ".join(e.value for e in at.error)


def test_history_filter_tag_download_and_confirmed_delete(finished_runs, db_url):
    import storage

    a, b, _ = finished_runs
    at = page("pages/history.py")
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 3
    assert at.get("download_button")
    at.multiselect(key="filter_method").set_value(["bdmm"]).run()
    assert list(at.dataframe[0].value["run"]) == [b]
    at.multiselect(key="filter_method").set_value([]).run()

    engine = storage.make_engine(db_url)
    exp_id = storage.create_experiment(engine, "baseline", "single")  # the runs have none
    at = page("pages/history.py")
    at.selectbox(key="history_exp").set_value(exp_id)
    at.text_input(key=f"exp_tags.{exp_id}").input("paper, fig2").run()
    at.button(key="save_tags").click().run()
    assert not at.exception, at.exception
    assert storage.list_experiments(engine)[0].tags == ["paper", "fig2"]

    at.text_input(key="filter_text").input(f"#{a}").run()
    assert list(at.dataframe[0].value["run"]) == [a]
    at.button(key="delete_run").click().run()
    assert len(at.dataframe[0].value) == 1  # not deleted yet: asks first
    assert "No undo" in " ".join(w.value for w in at.warning)
    at.button(key="delete_run.confirm").click().run()
    assert not at.exception, at.exception
    assert storage.get_run(engine, a) is None
    assert len(at.dataframe[0].value) == 0 and "No run matches" in at.info[0].value

    at = page("pages/live.py", {"runs": str(a)})
    assert not at.exception, at.exception
    assert f"Run {a} does not exist" in " ".join(w.value for w in at.warning)


def test_live_page_warns_about_a_silent_worker(db_url):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    import storage
    from moo_core import make_run_config

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    config = make_run_config("concave", "mdmm", epsilon=0.6, steps=3000)
    run_id = storage.submit_run(engine, config)
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    half = {"f": np.ones(1500), "g": np.ones(1500), "violation": np.zeros(1500)}
    storage.append_metrics(engine, run_id, 0, half)  # 1,500 of 3,000 steps stored
    with engine.begin() as connection:
        connection.execute(
            update(storage.Run)
            .where(storage.Run.id == run_id)
            .values(status="running", progress=0.15, started=long_ago, heartbeat=long_ago)
        )
    at = page("pages/live.py", {"runs": str(run_id)})
    assert not at.exception, at.exception
    assert "may have died" in " ".join(w.value for w in at.warning)
    bar = at.get("progress")[0].proto
    # the bar agrees with the steps stored, not with the worker's last beat (15 %)
    assert bar.value == 50 and "1,500 of 3,000 steps · 50 %" in bar.text
    # ETA = elapsed at 50 %, however long the page took
    elapsed, eta = re.search(r"elapsed (5 min \d+ s) · ETA (5 min \d+ s)", bar.text).groups()
    assert elapsed == eta, bar.text
