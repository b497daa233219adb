"""Storage and worker benchmarks: `python -m bench.storage` (prints a markdown table).

1. Cost of storing every step: a run trained with the worker's chunk writer vs the same run
   without a database.
2. Stored rows/s on SQLite (bulk `append_metrics`).
3. Submit → first stored step with a warm worker (a `python -m worker serve` process).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import storage
from moo_core import COLUMNS, make_run_config, run

ROOT = Path(__file__).resolve().parents[1]


def storing_overhead(engine, steps: int = 30000, repeats: int = 3) -> tuple[float, float]:
    config = make_run_config("concave", "mdmm", epsilon=0.6, steps=steps)
    bare = statistics.median(run(config).seconds for _ in range(repeats))
    stored = []
    for _ in range(repeats):
        run_id = storage.submit_run(engine, config)
        result = run(
            config,
            on_chunk=lambda c, r=run_id: storage.append_metrics(engine, r, c.start, c.row(0)),
        )
        stored.append(result.seconds)
        storage.finish_run(engine, run_id, "completed")  # not left queued for the worker below
    return bare, statistics.median(stored)


def rows_per_second(engine, rows: int = 200_000, chunk: int = 5000) -> float:
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=rows))
    columns = {name: np.random.default_rng(0).random(chunk) for name in COLUMNS}
    started = time.perf_counter()
    for start in range(0, rows, chunk):
        storage.append_metrics(engine, run_id, start, columns)
    rate = rows / (time.perf_counter() - started)
    storage.finish_run(engine, run_id, "completed")
    return rate


def submit_to_first_step(engine, url: str, repeats: int = 5) -> list[float]:
    env = {**os.environ, "MOO_DATABASE_URL": url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.05"], cwd=ROOT, env=env
    )
    try:
        while not storage.live_workers(engine, 10):
            time.sleep(0.05)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=2000))
            while storage.get_run(engine, run_id).steps_stored == 0:
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
            while storage.get_run(engine, run_id).status == "running":
                time.sleep(0.01)
        return times
    finally:
        worker.terminate()
        worker.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = storage.make_engine(url)
        storage.upgrade(engine)
        bare, stored = storing_overhead(engine)
        rate = rows_per_second(engine)
        latency = submit_to_first_step(engine, url)
    print("| measurement | value | goal |")
    print("|---|---|---|")
    print(f"| 30k-step run without database | {bare:.3f} s | |")
    print(f"| same run storing every step (SQLite) | {stored:.3f} s | |")
    print(f"| cost of storing every step | {100 * (stored / bare - 1):.1f} % | ≤ 15 % |")
    print(f"| stored rows/s, SQLite, 5000-row batches | {rate:,.0f} | ≥ 250 k/s |")
    print(
        f"| submit → first stored step, warm worker (median of {len(latency)}) | "
        f"{statistics.median(latency):.3f} s (max {max(latency):.3f} s) | ≤ 0.5 s |"
    )


if __name__ == "__main__":
    main()
