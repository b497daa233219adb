"""Live lessons in headless Chromium: a lesson link starts the BDMM-vs-MDMM race with no click,
both runs' lines start together and every chart stays on screen while they grow, the verdict
comes from the data, and the replay's controls move the cursor. Screenshots: artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e._browser import ARTIFACTS, board_frame
from tests.e2e.test_browser import LAMBDA_LENGTHS

pytestmark = pytest.mark.e2e

LINK = "/?problem=concave&method=mdmm&vs=bdmm&epsilon=0.6&damping=10&steps=6000&autorun=1"
# In every frame: when each λ line first showed a point (wall clock, ms), and how many charts
# each 100 ms sample found drawn with a height (the board draws them once and updates them in
# place; a chart that collapsed to 0 px while Plotly redrew it counts as missing).
RECORDER = f"""window.__first = {{}}; window.__counts = [];
setInterval(() => {{
  for (const [name, length] of ({LAMBDA_LENGTHS})()) {{
    if (length > 0 && !(name in window.__first)) window.__first[name] = Date.now();
  }}
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(d => d.offsetHeight > 0 && d.querySelector('.xtitle')).length;  // drawn, on screen
  if (plots || window.__counts.length) window.__counts.push(plots);
}}, 100);"""
CURSOR = """() => {
  const plot = document.getElementById('plot-lambda');
  const shapes = plot.layout.shapes || [];
  return {frame: Number(document.body.dataset.frame), step: Number(document.body.dataset.step),
          cursor: shapes.length ? Number(shapes[shapes.length - 1].x0) : null};
}"""


def test_lesson_link_races_and_replays(server, page):
    import storage

    base, db_url = server
    page.add_init_script(RECORDER)
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(base + LINK)
    page.wait_for_url(re.compile(r".*/live\?runs=\d+(,|%2C)\d+"), timeout=60_000)
    board = board_frame(page)
    page.get_by_text("Lesson: BDMM vs MDMM").first.wait_for(timeout=30_000)

    engine = storage.make_engine(db_url)
    runs = storage.list_runs(engine)
    assert sorted(r.config["method"] for r in runs) == ["bdmm", "mdmm"]  # both, no click
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if all(r.status == "completed" for r in storage.list_runs(engine)):
            break
        time.sleep(0.5)
    page.get_by_text("Verdict, from the stored steps").first.wait_for(timeout=60_000)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Verdict, from the stored")
    verdict = alert.first.inner_text()
    assert re.search(r"MDMM holds \|g − ε\| ≤ 0\.001 from step [\d,]+", verdict), verdict
    assert "BDMM's g swings between" in verdict, verdict

    first = {}
    deadline = time.monotonic() + 30
    while len(first) < 2 and time.monotonic() < deadline:  # the board draws after the text
        time.sleep(0.2)
        first = {k: v for k, v in board.evaluate("window.__first").items() if k[0] == "λ"}
    assert len(first) == 2, first
    assert max(first.values()) - min(first.values()) <= 1000, first  # within 1 s
    counts = board.evaluate("window.__counts")
    assert counts and min(counts) >= 4, counts  # λ, f and g, path, violation in every sample
    runs = storage.list_runs(engine)
    started = sorted(r.started for r in runs)
    assert (started[1] - started[0]).total_seconds() < 1.0, started  # claimed together

    board.get_by_role("button", name="« Back").wait_for(timeout=30_000)
    # The race trained in about a second: the replay plays it from step 0 by itself.
    page.get_by_text("too fast to watch, so the charts replay it from step 0").wait_for()
    started = board.evaluate(CURSOR)
    assert board.evaluate("document.body.dataset.playing") == "yes", started
    time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / "lesson_race_done.png"), full_page=True)
    later = board.evaluate(CURSOR)
    assert started["frame"] < later["frame"] < 300, (started, later)  # moving, not at the end
    board.get_by_role("button", name="Pause").click()
    end = board.evaluate(CURSOR)
    board.get_by_role("button", name="« Back").click()
    back = board.evaluate(CURSOR)
    assert back["frame"] == end["frame"] - 1 and back["cursor"] == back["step"] < end["step"]
    board.evaluate(
        "() => { const s = document.getElementById('scrub'); s.value = '0';"
        " s.dispatchEvent(new Event('input')); }"
    )
    assert board.evaluate(CURSOR)["frame"] == 0
    board.get_by_role("button", name="▶ Play").click()
    time.sleep(2)
    playing = board.evaluate(CURSOR)
    assert playing["frame"] > 5 and playing["cursor"] == playing["step"], playing
    board.get_by_role("button", name="Pause").click()
    page.screenshot(path=str(ARTIFACTS / "lesson_replay.png"), full_page=True)

    page.locator(".st-key-projector label").click()
    time.sleep(3)
    assert board.evaluate("document.querySelectorAll('.js-plotly-plot').length") == 2
    page.screenshot(path=str(ARTIFACTS / "lesson_projector.png"), full_page=True)


def test_every_chart_stays_in_every_sample_while_a_race_trains(server, page):
    """The lesson's race now takes about as long as one run (lockstep: under a second), so
    the samples above are mostly of finished runs: a race ten times longer, sampled while
    its runs are running."""
    import storage

    base, db_url = server
    engine = storage.make_engine(db_url)
    page.add_init_script(RECORDER)
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(base + LINK.replace("steps=6000", "steps=60000"))
    page.wait_for_url(re.compile(r".*/live\?runs=\d+(,|%2C)\d+"), timeout=60_000)
    board = board_frame(page)
    ids = [int(i) for i in re.split(r",|%2C", page.url.split("runs=")[1].split("&")[0])]
    during, shot = 0, False
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        views = [storage.get_run(engine, i) for i in ids]
        if all(v.status == "completed" for v in views):
            break
        if all(v.status == "running" for v in views):
            during = len(board.evaluate("window.__counts"))
            if during >= 20 and not shot:  # 2 s into the race
                page.screenshot(path=str(ARTIFACTS / "race_running.png"), full_page=True)
                shot = True
        time.sleep(0.2)
    counts = board.evaluate("window.__counts")
    assert during >= 10, (during, counts)  # ≥ 1 s of samples while both ran
    assert min(counts) >= 4, counts  # λ, f and g, path, violation in every sample
    first = {k: v for k, v in board.evaluate("window.__first").items() if k.startswith("λ")}
    assert len(first) == 2 and max(first.values()) - min(first.values()) <= 1000, first
