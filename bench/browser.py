"""Browser benchmark: `python -m bench.browser [--repeats N]` (prints a markdown table).

In headless Chromium against a real server with a warm worker and a temporary SQLite database:
1. click-to-first-point: Launch clicked on the Lab page → the λ chart of the Live page shows a
   point;
2. live lag for a 10,000-step run: for each step the Live page shows, the time it appeared on
   the page minus the time the worker's write of it became visible in the database (polled
   every 20 ms). The worker's own buffering (≤ 0.25 s a chunk) comes on top.

The page records when each step first appears itself (a 20 ms timer in the page, wall clock),
so the measurement does not wait on round trips between this script and the browser.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.e2e._browser import ARGS, CHROMIUM, board_frame, free_port, wait_http
from tests.e2e.test_browser import LAMBDA_LENGTHS

ROOT = Path(__file__).resolve().parents[1]
URL = "/?problem=concave&method=mdmm&epsilon=0.6&damping=10&steps=10000"
# Installed in every document (the page and the chart board's frame, where the Live charts
# are): window.__seen maps each last step the λ chart showed to the wall-clock time (ms) it
# was first seen.
RECORDER = f"""window.__seen = {{}};
setInterval(() => {{
  const rows = ({LAMBDA_LENGTHS})();
  const last = Math.max(-1, ...rows.filter(r => r[1] > 0).map(r => r[2]));
  if (last >= 0 && !(last in window.__seen)) window.__seen[last] = Date.now();
}}, 20);"""


@contextlib.contextmanager
def lab_server(folder: str):
    url = f"sqlite:///{folder}/bench.db"
    env = {**os.environ, "MOO_DATABASE_URL": url, "MOO_EXTERNAL_WORKERS": "1"}
    port = free_port()
    quiet = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    worker = subprocess.Popen([sys.executable, "-m", "worker", "serve", "--poll", "0.05"], **quiet)
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        **quiet,
    )  # fmt: skip
    try:
        wait_http(port, app)
        yield f"http://127.0.0.1:{port}", url
    finally:
        for proc in (worker, app):
            proc.terminate()
            proc.wait(10)


def launch(page, base: str) -> tuple[float, dict[float, float]]:
    """Click Launch; return the click's wall-clock time and {step: first seen (s)}."""
    page.goto(base + URL)
    page.locator(".st-key-launch button").wait_for(timeout=60_000)
    time.sleep(2)  # let the form settle from the URL
    clicked = time.time()
    page.locator(".st-key-launch button").click()
    page.wait_for_url("**/live?runs=*", timeout=60_000, wait_until="commit")
    board = board_frame(page)  # the Live charts live in the chart board's frame
    deadline = time.monotonic() + 120
    seen: dict[float, float] = {}
    while time.monotonic() < deadline and max(seen, default=-1) < 9999:
        time.sleep(0.5)
        seen = {float(k): v / 1000 for k, v in board.evaluate("window.__seen || {}").items()}
    return clicked, seen


def measure(repeats: int) -> tuple[list[float], list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    import storage

    firsts, lags, stored_first = [], [], []
    with tempfile.TemporaryDirectory() as folder, lab_server(folder) as (base, url):
        engine = storage.make_engine(url)
        storage.upgrade(engine)
        while not storage.live_workers(engine, 10):
            time.sleep(0.1)
        stored: list[tuple[float, int, int]] = []  # (wall clock, run id, steps stored)
        stop = threading.Event()

        def poll_db() -> None:
            while not stop.is_set():
                runs = storage.list_runs(engine, limit=1)
                if runs:
                    stored.append((time.time(), runs[0].id, runs[0].steps_stored))
                time.sleep(0.02)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.add_init_script(RECORDER)
            for attempt in range(repeats + 1):
                stored.clear()
                stop.clear()
                poller = threading.Thread(target=poll_db, daemon=True)
                poller.start()
                clicked, seen = launch(page, base)
                stop.set()
                poller.join()
                if attempt == 0 or not seen:
                    continue  # warm-up: the server imports the pages and torch once
                firsts.append(min(seen.values()) - clicked)
                run_id = storage.list_runs(engine, limit=1)[0].id
                first = next((t for t, i, n in stored if i == run_id and n > 0), None)
                if first is not None:
                    stored_first.append(first - clicked)
                for step, at in seen.items():
                    visible = next((t for t, i, n in stored if i == run_id and n >= step + 1), None)
                    if visible is not None:
                        lags.append(at - visible)
            browser.close()
    return firsts, lags, stored_first


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="measured launches (after one)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    firsts, lags, stored = measure(args.repeats)
    print(f"load average at start: {load:.2f}, at end: {os.getloadavg()[0]:.2f}")
    print("| measurement | value | goal |")
    print("|---|---|---|")
    print(
        f"| click → first point on the Live page, warm worker (median of {len(firsts)}) | "
        f"{statistics.median(firsts):.2f} s (max {max(firsts):.2f} s) | ≤ 1 s |"
    )
    if stored:
        print(
            f"| of which click → first step stored in the database (median of {len(stored)}) | "
            f"{statistics.median(stored):.2f} s (max {max(stored):.2f} s) | |"
        )
    quantiles = statistics.quantiles(lags, n=10)
    print(
        f"| live lag, page behind the database, 10k-step run ({len(lags)} updates) | "
        f"median {statistics.median(lags):.2f} s, 90th percentile {quantiles[-1]:.2f} s, "
        f"max {max(lags):.2f} s | ≤ 1 s |"
    )


if __name__ == "__main__":
    main()
