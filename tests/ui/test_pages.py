from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from moo_core import METHODS, hyperparams_of

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def lab(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def test_lab_form_from_registry(db_url):
    at = lab()
    assert not at.exception, at.exception
    assert at.selectbox(key="problem").value == "concave"
    assert at.selectbox(key="method").value == "mdmm"
    for spec in hyperparams_of(METHODS.get("mdmm")):
        widget = at.get_by_key(f"hp.mdmm.{spec.name}") if hasattr(at, "get_by_key") else None
        assert widget is not None
    assert at.button(key="launch") is not None
    assert at.button(key="compare") is not None
    assert at.button(key="sweep") is not None
    assert "No worker is running" in " ".join(w.value for w in at.warning)


def test_method_change_rebuilds_hyperparameters(db_url):
    at = lab()
    at.selectbox(key="method").set_value("penalty").run()
    assert not at.exception
    assert at.selectbox(key="hp.penalty.kind").value == "squared"
    assert at.number_input(key="hp.penalty.penalty_weight").value == 10.0
    assert at.query_params["method"] == "penalty"


def test_query_params_round_trip(db_url):
    at = lab(
        {"problem": "concave", "method": "mdmm", "epsilon": "0.6", "damping": "10", "steps": "3000"}
    )
    assert not at.exception and not at.error, errors(at)
    assert at.number_input(key="epsilon").value == pytest.approx(0.6)
    assert at.number_input(key="steps").value == 3000
    assert at.number_input(key="hp.mdmm.damping").value == 10.0
    at.number_input(key="hp.mdmm.damping").set_value(20.0).run()
    assert at.query_params["damping"] == "20"
    assert at.query_params["epsilon"] == "0.6"
    assert at.query_params["problem"] == "concave"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"epsilon": "abc"}, "not a number"),
        ({"steps": "-5"}, "out of range"),
        ({"method": "nope"}, "unknown method"),
        ({"problem": "concave", "epsilon": "5"}, "outside problem 'concave'"),
        ({"method": "mdmm", "damping": "1e9"}, "out of range"),
    ],
)
def test_bad_url_values_give_messages(db_url, query, message):
    at = lab(query)
    assert not at.exception, at.exception
    assert message in errors(at)


def test_epsilon_outside_range_blocks_launch(db_url):
    at = lab()
    at.number_input(key="epsilon").set_value(3.0).run()
    assert "outside problem 'concave'" in errors(at)
    assert at.button(key="launch").disabled


def test_preset_sets_compare(db_url):
    at = lab()
    at.button(key="preset0").click().run()
    assert not at.exception
    assert at.number_input(key="steps").value == 6000
    assert at.multiselect(key="vs").value == ["bdmm"]
    assert at.query_params["vs"] == "bdmm"


def test_multiplier_dynamics_preset_compares_all_four(db_url):
    from ui.params import PRESETS

    index = next(i for i, p in enumerate(PRESETS) if p.title.startswith("Multiplier dynamics"))
    at = lab()
    at.button(key=f"preset{index}").click().run()
    assert not at.exception, at.exception
    assert (at.selectbox(key="method").value, at.number_input(key="epsilon").value) == ("mdmm", 0.6)
    assert at.number_input(key="hp.mdmm.damping").value == 3  # δ = 3 spirals in; 10 creeps
    assert at.multiselect(key="vs").value == ["bdmm", "augmented_lagrangian", "nupi"]


def test_launch_queues_a_run_and_opens_live(db_url):
    import storage

    at = lab({"steps": "200"})
    at.button(key="launch").click().run()
    assert not at.exception, at.exception
    engine = storage.make_engine(db_url)
    runs = storage.list_runs(engine)
    assert len(runs) == 1 and runs[0].status == "queued"
    assert runs[0].config["steps"] == 200


def test_compare_queues_two_runs(db_url):
    import storage

    at = lab({"method": "mdmm", "vs": "bdmm", "steps": "100"})
    at.button(key="compare").click().run()
    assert not at.exception, at.exception
    runs = storage.list_runs(storage.make_engine(db_url))
    assert sorted(r.config["method"] for r in runs) == ["bdmm", "mdmm"]


def test_live_page_missing_run_is_a_message(db_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/live.py")
    at.query_params["runs"] = "999"
    at.run()
    assert not at.exception, at.exception
    assert "Run 999 does not exist" in " ".join(w.value for w in at.warning)


def test_other_pages_render_empty(db_url):
    for page in ("pages/compare.py", "pages/pareto.py", "pages/history.py", "pages/live.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        assert at.info, page


def test_sweep_queues_a_sweep(db_url):
    import storage

    at = lab({"steps": "100"})
    at.selectbox(key="sweep_over").set_value("epsilon")
    at.number_input(key="sweep_start").set_value(0.2)
    at.number_input(key="sweep_stop").set_value(0.8)
    at.number_input(key="sweep_count").set_value(4)
    at.button(key="sweep").click().run()
    assert not at.exception, at.exception
    runs = storage.list_runs(storage.make_engine(db_url))
    assert len(runs) == 1 and runs[0].kind == "sweep"
    assert runs[0].config["over"] == "epsilon"
    assert len(runs[0].config["values"]) == 4


def test_live_page_shows_queued_run(db_url):
    import storage
    from moo_core import make_run_config

    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", epsilon=0.6))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/live.py")
    at.query_params["runs"] = f"{run_id},x"
    at.run()
    assert not at.exception, at.exception
    assert "'x' is not a whole number" in errors(at)
    assert any("queued" in m.value for m in at.markdown)
    assert "No worker is running" in " ".join(w.value for w in at.warning)


def test_app_starts_one_worker_when_none_is_alive(db_url, monkeypatch):
    import time

    import storage

    monkeypatch.delenv("MOO_EXTERNAL_WORKERS")
    at = lab()
    assert not at.exception, at.exception
    from pages._shared import _spawned_worker

    proc = _spawned_worker(db_url)
    try:
        assert proc.poll() is None
        engine = storage.make_engine(db_url)
        deadline = time.monotonic() + 60
        while not storage.live_workers(engine, 15) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(storage.live_workers(engine, 15)) == 1
        at.run()  # a live worker now: no banner, no second worker
        assert "No worker is running" not in " ".join(w.value for w in at.warning)
        assert _spawned_worker(db_url) is proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_cuda_without_a_cuda_worker_is_refused_and_nothing_stored(db_url):
    import storage

    at = lab({"method": "mdmm", "steps": "100", "device": "cuda"})
    at.button(key="launch").click().run()
    assert not at.exception, at.exception
    assert "no running worker has CUDA" in " ".join(e.value for e in at.error)
    assert storage.list_runs(storage.make_engine(db_url)) == []
