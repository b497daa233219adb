"""Real data in the browser: a deep link opened first on a fresh server, an uploaded CSV
launched from the Datasets page and watched on Live, and a task ε-sweep on Pareto."""

from __future__ import annotations

import pytest

from moo_core.tasks import suggest
from tests.e2e._browser import (
    ARTIFACTS,
    PAGE_TITLES,
    board_frame,
    charts,
    choose,
    navigation,
    poll,
)

pytestmark = pytest.mark.e2e
CSV = b"x1,label,colour,x2\n" + b"".join(  # the target is not the last column; x2 misses one
    f"{i % 11},{int(i % 11 > 5)},{'red' if i % 3 else 'blue'},{i % 7 if i != 5 else ''}\n".encode()
    for i in range(200)
)
STEPS_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => el.layout && String(el.layout.title && el.layout.title.text).includes('Multiplier'))
  .map(el => ((el._fullData || el.data)[0] || {}).x || [])
  .map(x => x.length ? x[x.length - 1] : 0)"""
CHART_TITLES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(el => String(el.layout && el.layout.title && el.layout.title.text))"""
# Points of the sweep chart, the page's first (not the "Fronts forming" animation below it,
# which starts with the same settings at step 0).
PARETO_POINTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).slice(0, 1)
  .flatMap(el => (el._fullData || el.data).filter(t => t.mode === 'markers'))
  .map(t => (t.x || []).filter(v => v !== null).length)"""


def fill(page, key: str, value: str) -> None:
    """Type into the text or number input with widget key `key` and commit it (Enter)."""
    field = page.locator(f".st-key-{key} input")
    field.fill(value)
    field.press("Enter")


def assert_app_navigation(page) -> None:
    """The page runs inside app.py: its titled sidebar and wide layout (not pages/ alone)."""
    titles, width = navigation(page)
    assert titles == PAGE_TITLES, titles
    assert width > 1000, width  # centred layout: ~740 px at this viewport


def test_deep_link_opened_first(server, page):
    """A fresh server starts in Streamlit's old pages/-folder mode: /live alone, without app.py
    (no titled sidebar, a narrow column) until pages/_shared.require_navigation sends it
    through app.py. /datasets opened first below is the same case without a query."""
    base, _ = server
    page.goto(base + "/live?runs=7")  # the first page this server ever serves
    page.get_by_text("Run 7 does not exist").first.wait_for(timeout=60_000)  # the query is kept
    assert_app_navigation(page)
    assert page.url == base + "/live?runs=7"
    page.screenshot(path=str(ARTIFACTS / "deeplink-live.png"), full_page=True)


def test_upload_launch_and_task_sweep(server, page):
    base, _ = server
    page.goto(base + "/datasets")  # a deep link first, too
    files = [{"name": "shop.csv", "mimeType": "text/csv", "buffer": CSV}]
    page.locator(".st-key-ds_upload input[type=file]").set_input_files(files)
    page.get_by_text("one-hot encoded: colour").first.wait_for(timeout=60_000)
    assert_app_navigation(page)
    choose(page, "ds_target", "label")
    choose(page, "ds_objective", "l1")
    fill(page, "ds_hidden", "16")  # small and short: CPU training beside the browser
    fill(page, "ds_steps", "150")
    page.get_by_text("dropped 1 of 200 rows").first.wait_for(timeout=30_000)
    page.get_by_text("classification with loss ce").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "datasets.png"), full_page=True)

    page.locator(".st-key-dataset_launch button").click()
    page.wait_for_url("**/live?runs=*", timeout=60_000, wait_until="commit")
    board = board_frame(page)  # the Live charts are drawn on the chart board's frame
    drawn = poll(board, STEPS_DRAWN, lambda steps: max(steps or [0]) >= 50)
    assert max(drawn or [0]) >= 50, drawn
    page.get_by_text("validation f =").first.wait_for(timeout=120_000)  # completed
    page.get_by_text("shop.csv → label").first.wait_for(timeout=30_000)
    charts(page, 5)
    page.screenshot(path=str(ARTIFACTS / "live-task.png"), full_page=True)

    page.goto(base + "/datasets")
    choose(page, "ds_source", "moons (built-in)")
    fill(page, "ds_hidden", "16")
    fill(page, "ds_steps", "100")
    page.get_by_test_id("stExpander").get_by_text("Sweep ε").click()
    fill(page, "ds_sweep_count", "3")
    page.locator(".st-key-dataset_sweep button").click()
    page.wait_for_url("**/pareto?run=*", timeout=60_000, wait_until="commit")
    page.get_by_text("(moons → label)").first.wait_for(timeout=60_000)
    points = poll(page, PARETO_POINTS, lambda counts: sum(counts or [0]) >= 3)
    assert sum(points) == 3, points
    page.get_by_text("f: ce loss (nats)").first.wait_for(state="attached", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "pareto-task.png"), full_page=True)


def test_two_objectives_launch(server, page):
    """Diabetes with parity (g1, grouped by sex) and l1 (g2): one ε and kind each, launched
    as one run that Live draws with a λ per constraint."""
    base, db_url = server
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole form without scrolling
    page.goto(base + "/datasets")
    choose(page, "ds_source", "diabetes (built-in)")
    choose(page, "ds_objective", "parity")
    page.locator(".st-key-ds_objectives_more").get_by_role("combobox").click()
    page.get_by_role("option", name="l1", exact=True).click()
    page.locator(".st-key-ds_epsilon_2 input").wait_for(timeout=60_000)
    page.keyboard.press("Escape")  # close the list
    fill(page, "ds_epsilon_2", "0.03")
    choose(page, "ds_constraint_2", "eq")
    fill(page, "ds_hidden", "16")
    fill(page, "ds_steps", "150")
    page.get_by_text("g2 (l1) in mean |weight|").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "datasets-two-objectives.png"), full_page=True)

    page.locator(".st-key-dataset_launch button").click()
    page.wait_for_url("**/live?runs=*", timeout=60_000, wait_until="commit")
    page.get_by_text("validation f =").first.wait_for(timeout=120_000)  # completed
    import storage

    (run,) = storage.list_runs(storage.make_engine(db_url))
    assert run.config["task"]["objective"] == "parity,l1", run.config
    suggested = suggest("diabetes", objective="parity").epsilon  # the data's suggestion for g1
    assert run.config["epsilon"] == [suggested, 0.03], run.config
    assert run.config["constraint"] == ["le", "eq"]
    charts(page, 4)
    # m = 3 charts even when Live first looked before any step (no g1, λ1 columns yet)
    titles = poll(board_frame(page), CHART_TITLES, lambda ts: any("λ1, λ2" in t for t in ts))
    assert any(t.startswith("Multipliers λ1, λ2") for t in titles), titles
    page.screenshot(path=str(ARTIFACTS / "live-two-objectives.png"), full_page=True)
