"""Races against one run: `python -m bench.races [--repeats N] [--steps N] [--busy N]
[--vs METHOD]`.

A worker (`--poll 0.05`) on a temporary SQLite database; concave, ε = 0.6; MDMM (δ = 10) alone,
then MDMM against `--vs` (BDMM: one group in lockstep; weighted_sum: two) as a comparison (a
race), submit → every run finished. `--busy N` runs N busy processes (pure-Python loops)
meanwhile, as a browser and an app would load the machine. Prints the load average with each
measurement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import storage
from moo_core import make_run_config
from storage.races import submit_runs

ROOT = Path(__file__).resolve().parents[1]


BUSY = "import time\nt = time.time()\nwhile time.time() - t < 900: sum(i * i for i in range(10000))"


def configs(steps: int, vs: str = "bdmm"):
    return [
        make_run_config("concave", "mdmm", steps=steps, hyperparams={"damping": 10}),
        make_run_config("concave", vs, steps=steps),
    ]


def until_finished(engine, ids: list[int], started: float) -> float:
    while True:
        views = [storage.get_run(engine, i) for i in ids]
        if all(v.status in ("completed", "failed", "cancelled", "diverged") for v in views):
            assert all(v.status == "completed" for v in views), [v.error for v in views]
            return time.perf_counter() - started
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--busy", type=int, default=0, help="busy processes meanwhile")
    parser.add_argument("--vs", default="bdmm", help="the method racing MDMM")
    args = parser.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.busy)]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/race.db"
        engine = storage.make_engine(url)
        storage.upgrade(engine)
        env = {**os.environ, "MOO_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "worker", "serve", "--poll", "0.05"], env=env, cwd=ROOT
        )
        try:
            while not storage.live_workers(engine, within_seconds=15):
                time.sleep(0.05)
            one, two = [], []
            for _ in range(args.repeats + 1):  # the first of each warms the worker up
                experiment = storage.create_experiment(engine, "one", "single")
                started = time.perf_counter()
                ids = submit_runs(engine, configs(args.steps)[:1], experiment)
                one.append((until_finished(engine, ids, started), os.getloadavg()[0]))
                experiment = storage.create_experiment(engine, "race", "comparison")
                started = time.perf_counter()
                ids = submit_runs(engine, configs(args.steps, args.vs), experiment)
                two.append((until_finished(engine, ids, started), os.getloadavg()[0]))
        finally:
            for process in (worker, *busy):
                process.terminate()
                process.wait()
    print("| repeat | one run (s) | race of two (s) | ratio | load (1 min) |")
    print("|---|---|---|---|---|")
    for i, ((a, load_a), (b, load_b)) in enumerate(zip(one[1:], two[1:], strict=True), 1):
        print(f"| {i} | {a:.2f} | {b:.2f} | {b / a:.2f}× | {load_a:.1f} / {load_b:.1f} |")
    ratio = statistics.median(b / a for (a, _), (b, _) in zip(one[1:], two[1:], strict=True))
    print(
        f"\nMDMM vs {args.vs}, {args.busy} busy processes: median ratio {ratio:.2f}× on "
        f"{os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
