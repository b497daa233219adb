"""The scoreboard and the fronts forming, in headless Chromium: two gradient sweeps and an
NSGA-II job on ZDT1 at one budget (trained by the server's worker), the scoreboard's table
with all three methods, then the Pareto page's animation played in the browser.
Screenshots: artifacts/scoreboard.png, artifacts/fronts_forming.png."""

from __future__ import annotations

import time

import pytest

from tests.e2e._browser import ARTIFACTS, charts, poll

pytestmark = pytest.mark.e2e

GRID_TEXT = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
  .map(el => el.innerText + ' ' + Array.from(el.querySelectorAll('td, th'))
  .map(c => c.textContent).join(' ')).join(' ')"""
FRAMES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => ((el._transitionData || {})._frames || []).length)
  .map(el => [el._transitionData._frames.length, (el._fullData || el.data)
  .filter(t => t.mode === 'markers').map(t => (t.x || []).slice(0, 3))])"""


def train(engine, configs) -> list[int]:
    import storage

    ids = [storage.submit_run(engine, config) for config in configs]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if all(storage.get_run(engine, i).status == "completed" for i in ids):
            return ids
        time.sleep(0.5)
    raise AssertionError([storage.get_run(engine, i).status for i in ids])


def test_scoreboard_and_fronts_forming(server, page):
    import storage
    from ui.benchmark import benchmark_configs

    base, url = server
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    ids = train(engine, benchmark_configs("zdt1", ["mdmm", "weighted_sum"], 16, 600, 40))

    page.goto(base + "/scoreboard")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    text = poll(page, GRID_TEXT, lambda t: "nsga2" in t and "mdmm" in t, timeout=60)
    for method in ("mdmm", "weighted_sum", "nsga2"):
        assert method in text, text
    assert "9,600" in text or "9600" in text, text  # the matched budget: 16 × 600 = 40 × 240
    page.locator(".st-key-scoreboard_csv button").wait_for(timeout=30_000)
    page.get_by_role("button", name="Run the benchmark").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "scoreboard.png"), full_page=True)

    page.goto(base + f"/pareto?run={','.join(map(str, ids))}")
    charts(page, 2)
    frames = poll(page, FRAMES, lambda found: len(found) == 1, timeout=60)
    count, before = frames[0]
    assert count == 200 and len(before) == 2, frames  # one frame per sample; two sweeps move
    chart = page.locator(".stPlotlyChart").filter(has_text="Fronts forming")
    chart.scroll_into_view_if_needed()
    chart.get_by_text("Play").click()  # drawn in the browser: no server round trip per frame
    moved = poll(page, FRAMES, lambda found: found and found[0][1] != before, timeout=30)
    assert moved[0][1] != before
    time.sleep(3)
    chart.screenshot(path=str(ARTIFACTS / "fronts_forming.png"))
    page.screenshot(path=str(ARTIFACTS / "pareto_nsga2.png"), full_page=True)
