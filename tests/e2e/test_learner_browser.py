"""What a learner sees, in headless Chromium (screenshots in artifacts/, looked at): a lesson
started from its card replays by itself from step 0 and tells, in the past tense, what its runs
showed; projector mode makes the status and verdict large and keeps the path chart square-ish;
Compare's table fits 1,280 px with "—" for missing values; a bare /live says what to do."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e._browser import ARTIFACTS, board_frame, poll

pytestmark = pytest.mark.e2e

PLAYING = (
    "() => ({playing: document.body.dataset.playing, frame: Number(document.body.dataset.frame)})"
)
# the path chart's plot area (its drag layer) in px, and its title
PATH_AREA = """() => { const plot = document.getElementById('plot-path');
  const area = plot && plot.querySelector('.nsewdrag');
  if (!area) return null;
  const box = area.getBoundingClientRect(); return {w: box.width, h: box.height}; }"""
FONT = """(text) => { const el = Array.from(document.querySelectorAll('p, span'))
  .find(e => e.textContent.includes(text));
  return el ? parseFloat(getComputedStyle(el).fontSize) : 0; }"""


def test_a_lesson_card_replays_at_a_pace_and_says_what_it_showed(server, page):
    base, _ = server
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(base + "/")
    page.locator(".st-key-lesson1 button").click()  # "A weighted sum cannot reach a concave front"
    page.wait_for_url(re.compile(r".*/live\?runs=\d+(,|%2C)\d+"), timeout=60_000)
    page.get_by_text("Lesson: A weighted sum cannot reach a concave front").first.wait_for()
    page.get_by_text("too fast to watch, so the charts replay it from step 0").wait_for(
        timeout=120_000
    )
    board = board_frame(page)
    state = poll(board, PLAYING, lambda r: r["playing"] == "yes", timeout=30)
    assert state["playing"] == "yes" and state["frame"] < 150, state  # from step 0, playing
    page.get_by_text("The race is over").first.wait_for()
    body = page.locator("body").inner_text()
    assert body.count("✓ ") == 2 and "✗" not in body, body[-2000:]
    assert "The weighted sum (w = 0.5) ran to an end of the front" in body
    assert re.search(r"6,000 of 6,000 steps · 100 %", body), body[:2000]
    assert "0 %" not in body.replace("100 %", "")  # no blank 0 % moment left on the page
    time.sleep(1.5)
    page.screenshot(path=str(ARTIFACTS / "learner_lesson_replaying.png"), full_page=True)
    charts = page.locator("iframe[title$='board']").last
    charts.screenshot(path=str(ARTIFACTS / "learner_lesson_charts.png"))
    # it moves at a watchable pace (the board's frame found again if a rerun replaced it)
    later = poll(board_frame(page), PLAYING, lambda r: r["frame"] > state["frame"], timeout=10)
    assert later["frame"] > state["frame"], (state, later)

    page.locator(".st-key-projector label").click()  # projector: big words, square-ish path
    board = board_frame(page)
    area = poll(board, PATH_AREA, lambda r: r is not None and r["h"] > 300, timeout=30)
    assert area and 0.6 <= area["w"] / area["h"] <= 1.6, area
    assert page.evaluate(FONT, "The race is over") >= 24
    assert page.evaluate(FONT, "converged") >= 24
    page.screenshot(path=str(ARTIFACTS / "learner_projector.png"), full_page=True)
    charts.screenshot(path=str(ARTIFACTS / "learner_projector_charts.png"))


def test_compare_fits_1280_px_and_bare_live_says_what_to_do(server, page):
    base, _ = server
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(base + "/live")
    page.get_by_text("No runs selected. Start a lesson or launch a run").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "learner_bare_live.png"), full_page=True)
    page.goto(base + "/")
    page.locator(".st-key-lesson2 button").click()  # convex: MDMM, BDMM and a penalty
    page.wait_for_url(re.compile(r".*/live\?runs=[\d,%C]+"), timeout=60_000)
    page.get_by_text("The race is over").first.wait_for(timeout=120_000)
    ids = page.url.split("runs=")[1].split("&")[0].replace("%2C", ",")
    page.goto(base + f"/compare?runs={ids}")
    table = page.locator('[data-testid="stTable"]')
    table.wait_for(timeout=60_000)
    text = table.inner_text()
    assert "None" not in text and "nan" not in text and "—" in text, text
    fits = page.evaluate(
        """() => { const t = document.querySelector('[data-testid="stTable"]');
        const main = document.querySelector('[data-testid="stMainBlockContainer"]');
        const inner = t.querySelector('table');
        return {table: inner.getBoundingClientRect().right,
                main: main.getBoundingClientRect().right,
                scroll: t.scrollWidth - t.clientWidth}; }"""
    )
    assert fits["table"] <= fits["main"] + 1 and fits["scroll"] <= 1, fits
    page.get_by_text("converged: violation ≤").first.wait_for()  # the verdicts, in sentences
    page.screenshot(path=str(ARTIFACTS / "learner_compare_1280.png"), full_page=True)
