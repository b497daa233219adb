"""Thread policy under load: `python -m bench.threads` (prints a markdown table).

A task run (diabetes → target, parity by sex, 4,929-parameter MLP, 400 steps) alone and
beside two busy processes (pure-Python loops, one per core), with the thread policy
(moo_core.threads: one thread for this work) and with torch's default (one per core,
MOO_THREADS=cores). Fair share on 2 cores with 3 processes is 1.5×.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from moo_core.threads import cores

ROOT = Path(__file__).resolve().parents[1]
TASK = [
    *("--dataset", "diabetes", "--target", "target", "--group", "sex"),
    *("--objective", "parity", "--method", "mdmm", "--epsilon", "10", "--steps", "400"),
]
BUSY = "import time\nt = time.time()\nwhile time.time() - t < 600: sum(i * i for i in range(10000))"


def seconds(threads: str | None) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MOO_THREADS", None)
    if threads is not None:
        env["MOO_THREADS"] = threads
    done = subprocess.run(
        [sys.executable, "-m", "moo_core", "run", *TASK],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def median(threads: str | None, repeats: int) -> float:
    return statistics.median(seconds(threads) for _ in range(repeats))


def main(repeats: int = 5) -> None:
    rows = []
    for label, threads in (("thread policy (1 thread)", None), ("torch default", str(cores()))):
        alone = median(threads, repeats)
        busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
        try:
            loaded = median(threads, repeats)
        finally:
            for process in busy:
                process.kill()
        rows.append((label, alone, loaded))
    print(
        f"- {platform.processor() or platform.machine()}, {cores()} cores, "
        f"load average at the end {os.getloadavg()[0]:.2f}; median of {repeats}"
    )
    print("\n| threads | alone | beside 2 busy processes | ratio |\n|---|---|---|---|")
    for label, alone, loaded in rows:
        print(f"| {label} | {alone:.2f} s | {loaded:.2f} s | {loaded / alone:.2f}× |")


if __name__ == "__main__":
    main()
