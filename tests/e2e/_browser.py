"""What the browser tests share: Chromium's flags, where screenshots go, page helpers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_TITLES = ["Lab", "Datasets", "Live", "Compare", "Pareto", "History", "Scoreboard"]  # app.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited early")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not start")


DRAWN = "document.querySelectorAll('.js-plotly-plot .xtitle').length"


def charts(page, count: int, timeout: float = 60) -> None:
    """Wait until `count` Plotly charts have drawn their axes, on the page and in the chart
    board's frame (pages/_board.py) together."""
    deadline = time.monotonic() + timeout
    while (found := drawn(page)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{found} of {count} charts drawn after {timeout} s")
        time.sleep(0.3)


def drawn(page) -> int:
    """Charts with axes drawn on the page and in its frames (the chart board's)."""
    total = page.evaluate(DRAWN)
    for frame in _frames(page):
        try:
            total += frame.evaluate(DRAWN)
        except Exception:  # a frame navigating or gone: counted on the next look
            continue
    return total


def _frames(page) -> list:
    """The content frames of the page's iframes (page.frames missed them in this Chromium)."""
    found = []
    for handle in page.locator("iframe").element_handles():
        frame = handle.content_frame()
        if frame is not None:
            found.append(frame)
    return found


def board_frame(page, timeout: float = 60):
    """The chart board's frame on the Live page (pages/_board.py: the component titled …board).
    The Lab's front preview is a board too, gone once the Live page comes: skipped by its
    chart's id, `front`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for handle in reversed(page.locator("iframe[title$='board']").element_handles()):
            frame = handle.content_frame()
            try:
                if frame and not frame.evaluate("Boolean(document.getElementById('plot-front'))"):
                    return frame
            except Exception:  # detached meanwhile: look again
                continue
        time.sleep(0.2)
    raise TimeoutError("no chart board on the page")


def navigation(page) -> tuple[list[str], float]:
    """(the sidebar's page titles, the main column's width in px) once the page has a title.

    app.py's st.navigation titles its pages ("History"); a page the server ran on its own
    lists pages/'s file names instead ("history", "shared") in a narrow column."""
    page.locator("h1").first.wait_for(timeout=60_000)
    links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
    width = page.evaluate(
        "document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
        ".getBoundingClientRect().width"
    )
    return [link.split("\n")[-1].strip() for link in links], width


def choose(page, key: str, option: str) -> None:
    """Pick `option` in the selectbox with widget key `key` (a combobox with an Open button).

    A click that lands while the box is still being laid out (in an expander just opened)
    focuses it without opening its list: then Open is clicked again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    box = page.locator(f".st-key-{key}")
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.get_by_role("button", name="Open").click()
        try:
            item.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    item.click()
    expect(box.get_by_role("combobox")).to_have_value(option, timeout=30_000)


def poll(page, script: str, done, timeout: float = 120):
    """Evaluate `script` every 0.5 s until `done(result)` or `timeout` s; the last result.

    Assert on what this returns, not on a fresh evaluation: a live chart remounts whenever its
    data change, and for that moment the page has no such chart. A chart board's frame that is
    replaced meanwhile (a deep link to Live is routed through the app once, so its first
    frame can go) is found again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = page.evaluate(script)
        except Exception as error:  # a board frame replaced while a deep link settles
            replaced = "detached" in str(error) or "properties of null" in str(error)
            if not replaced or not hasattr(page, "child_frames"):  # a frame mid-replacement too
                raise
            page = board_frame(page.page)
            continue
        if done(result) or time.monotonic() >= deadline:
            return result
        time.sleep(0.5)
