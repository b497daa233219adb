"""Dashboard benchmark: `python -m bench.dashboard` (prints a markdown table).

Server-side render time of the Compare page with 10 runs × 10,000 stored steps overlaid (the
whole Streamlit script: queries, downsampling, five Plotly figures, serialisation), measured
with Streamlit's AppTest. The browser's own drawing time is not included.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUNS, STEPS = 10, 10_000


def fill(engine) -> list[int]:
    import storage
    from moo_core import COLUMNS, make_run_config

    ids = []
    for k in range(RUNS):
        run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=STEPS))
        rng = np.random.default_rng(k)
        columns = {name: rng.random(STEPS) for name in COLUMNS}
        storage.append_metrics(engine, run_id, 0, columns)
        summary = {"final": {"f": 0.66, "g": 0.6, "lambda": 0.9}, "violation": 0.0}
        storage.finish_run(engine, run_id, "completed", seconds=1.0, summary=summary)
        ids.append(run_id)
    return ids


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        os.environ["MOO_DATABASE_URL"] = url
        os.environ["MOO_EXTERNAL_WORKERS"] = "1"
        from streamlit.testing.v1 import AppTest

        import storage

        engine = storage.make_engine(url)
        storage.upgrade(engine)
        ids = fill(engine)
        fetch = []
        for _ in range(5):
            started = time.perf_counter()
            for run_id in ids:
                storage.get_metrics(engine, run_id)
            fetch.append(time.perf_counter() - started)
        renders = []
        for _ in range(6):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.switch_page("pages/compare.py")
            at.query_params["runs"] = ",".join(map(str, ids))
            started = time.perf_counter()
            at.run()
            renders.append(time.perf_counter() - started)
            assert not at.exception, at.exception
    warm = renders[1:]  # the first run imports the page modules (and torch) once
    print("| measurement | value | goal |")
    print("|---|---|---|")
    print(
        f"| fetch {RUNS} runs × {STEPS:,} steps from SQLite (median of 5) | "
        f"{statistics.median(fetch):.3f} s | |"
    )
    print(
        f"| Compare page, {RUNS} runs × {STEPS:,} steps, server-side render, warm (median "
        f"of {len(warm)}) | {statistics.median(warm):.3f} s (max {max(warm):.3f} s) | ≤ 1 s |"
    )
    print(f"| same, first render in a fresh process (imports included) | {renders[0]:.3f} s | |")


if __name__ == "__main__":
    main()
