"""The dashboard in a real headless Chromium: preset URL → Compare → live charts → converged run,
then the Compare (with the phase portrait), Pareto (two sweeps overlaid; steps to converge
against damping) and History screens. Screenshots: artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e._browser import ARTIFACTS, board_frame, charts, poll

PRESET = "?problem=concave&method=mdmm&epsilon=0.6&damping=10&steps=6000&vs=bdmm"

pytestmark = pytest.mark.e2e


LAMBDA_LENGTHS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => el.layout && String(el.layout.title && el.layout.title.text).includes('Multiplier'))
  .flatMap(el => (el._fullData || el.data).map(t => [t.name, (t.x || []).length,
    Number(t.x && t.x.length ? t.x[t.x.length - 1] : NaN)]))"""


TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => el.layout && String(el.layout.title && el.layout.title.text).includes('TITLE'))
  .flatMap(el => (el._fullData || el.data).filter(t => t.mode !== 'markers' || 'MARKERS')
  .map(t => t.name))"""  # Streamlit wraps a title in <b>: `includes`, not `startsWith`
PHASE_PATHS = TRACES.replace("TITLE", "Phase portrait").replace("'MARKERS'", "false")
STEPS_TRACES = TRACES.replace("TITLE", "Steps to converge").replace("'MARKERS'", "true")


def test_bdmm_vs_mdmm_preset_live(server, page):
    import storage

    base, db_url = server
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(base + "/" + PRESET)
    steps = page.locator(".st-key-steps input")
    steps.wait_for(timeout=60_000)
    deadline = time.monotonic() + 30
    while steps.input_value() != "6000" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert steps.input_value() == "6000"
    page.screenshot(path=str(ARTIFACTS / "lab.png"), full_page=True)
    page.locator(".st-key-compare button").click()
    page.wait_for_url(
        re.compile(r".*/live\?runs=\d+(,|%2C)\d+"), timeout=60_000, wait_until="commit"
    )

    deadline = time.monotonic() + 240
    lengths: list = []
    board = board_frame(page)  # the Live charts (pages/_board.py)
    while time.monotonic() < deadline:
        lengths = [row for row in board.evaluate(LAMBDA_LENGTHS) if row[0].startswith("λ")]
        last_steps = {name: last for name, _, last in lengths}
        if len(last_steps) == 2 and all(s >= 100 for s in last_steps.values()):
            break
        time.sleep(1)
    else:
        pytest.fail(f"λ charts never showed ≥100 steps for both runs: {lengths}")
    assert sorted({name.split()[-1] for name, _, _ in lengths}) == ["bdmm", "mdmm"]
    charts(page, 4)  # λ, f and g, path, violation (and the cosine where it varies)
    page.screenshot(path=str(ARTIFACTS / "live.png"), full_page=True)

    engine = storage.make_engine(db_url)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        runs = storage.list_runs(engine)
        if runs and all(r.status in ("completed", "failed", "cancelled") for r in runs):
            break
        time.sleep(1)
    mdmm = next(r for r in runs if r.config["method"] == "mdmm")
    assert mdmm.status == "completed", mdmm.error
    assert mdmm.config["hyperparams"]["damping"] == 10
    g = mdmm.summary["final"]["g"]
    assert abs(g - 0.6) < 1e-3, g
    page.get_by_text("|g − ε| =").first.wait_for(timeout=30_000)
    page.get_by_text("not converged: ").first.wait_for(timeout=30_000)  # BDMM's verdict
    page.screenshot(path=str(ARTIFACTS / "live_done.png"), full_page=True)
    other_screens(page, base, engine)


def other_screens(page, base: str, engine) -> None:
    """Compare (defaults to the last comparison), Pareto with two sweeps, History."""
    import storage
    from moo_core import make_run_config, make_sweep_config

    page.goto(base + "/compare")
    charts(page, 6)
    page.get_by_text("settled from step").first.wait_for(state="attached", timeout=30_000)
    portrait = poll(page, PHASE_PATHS, lambda names: len(names) == 2, timeout=60)
    assert sorted(name.split()[-1] for name in portrait) == ["bdmm", "mdmm"], portrait
    page.get_by_text("Each panel follows one run").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    phase = page.locator(".stPlotlyChart").filter(has_text="Phase portrait")
    phase.scroll_into_view_if_needed()
    phase.screenshot(path=str(ARTIFACTS / "phase_portrait.png"))  # below the fold

    sweeps = [
        make_sweep_config(make_run_config("concave", m, steps=2000), over, 0.05, 0.95, 9)
        for m, over in (("mdmm", "epsilon"), ("weighted_sum", "weight"))
    ]
    ids = [storage.submit_run(engine, c) for c in sweeps]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(storage.get_run(engine, i).status == "completed" for i in ids):
            break
        time.sleep(0.5)
    page.goto(base + f"/pareto?run={ids[0]},{ids[1]}")
    charts(page, 1)
    page.get_by_text("hypervolume").first.wait_for(state="attached", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "pareto.png"), full_page=True)

    damping = make_sweep_config(make_run_config("concave", "mdmm", steps=6000), "damping", 1, 12, 6)
    sweep_id = storage.submit_run(engine, damping)
    deadline = time.monotonic() + 120
    while storage.get_run(engine, sweep_id).status != "completed" and time.monotonic() < deadline:
        time.sleep(0.5)
    page.goto(base + f"/pareto?run={sweep_id}")
    steps = poll(page, STEPS_TRACES, lambda names: len(names) == 2, timeout=60)
    assert any(name.startswith("converged") for name in steps), steps
    page.screenshot(path=str(ARTIFACTS / "pareto_steps.png"), full_page=True)
    chart = page.locator(".stPlotlyChart").filter(has_text="Steps to converge")
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(ARTIFACTS / "steps_to_converge.png"))

    page.goto(base + "/history")
    page.locator(".st-key-delete_exp button").first.wait_for(timeout=60_000)
    page.locator(".st-key-download_csv button").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "history.png"), full_page=True)
