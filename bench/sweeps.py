"""The fused loop against the generic one: `python -m bench.sweeps [--repeats N] [--steps S]`.

A 256-ε concave MDMM sweep (3000 steps, SGD, lr = lr_λ = 0.01, δ = 10) trained by
`engine.train_batch` with `fuse=True` (moo_core.fused) and `fuse=False` (engine._Step), on 1
and 2 intra-op threads. The two paths alternate run by run, so both see the same load on a
shared machine; each cell is the best and the median of `repeats` runs, in M problem-steps/s
(K · steps over the batch's training seconds, as `sweep` reports them). Prints a markdown
table with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

import torch

import moo_core as m
from moo_core.engine import train_batch

HP = {"optimizer": "sgd", "lr": 0.01, "lr_lambda": 0.01, "damping": 10.0}


def sweep_runs(count: int, steps: int):
    base = m.make_run_config(
        "concave", "mdmm", epsilon=0.6, steps=steps, device="cpu", hyperparams=HP
    )
    return m.make_sweep_config(base, "epsilon", 0.05, 0.95, count).runs()


def rates(runs, threads: int, repeats: int) -> dict[bool, list[float]]:
    """M problem-steps/s per run, for the fused (True) and generic (False) loops."""
    work = len(runs) * runs[0].steps
    found: dict[bool, list[float]] = {True: [], False: []}
    for fuse in (True, False):  # warm-up
        train_batch(runs[:4], threads=threads, fuse=fuse)
    for _ in range(repeats):
        for fuse in (True, False):
            seconds = train_batch(runs, threads=threads, fuse=fuse)[1]
            found[fuse].append(work / seconds / 1e6)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sweeps", description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--count", type=int, default=256)
    args = parser.parse_args(argv)
    runs = sweep_runs(args.count, args.steps)
    before = " ".join(f"{load:.2f}" for load in os.getloadavg())
    rows = []
    for threads in (1, 2):
        found = rates(runs, threads, args.repeats)
        for fuse, label in ((False, "generic (engine._Step)"), (True, "fused (moo_core.fused)")):
            values = found[fuse]
            rows.append(
                f"| {label} | {threads} | {max(values):.2f} M | "
                f"{statistics.median(values):.2f} M | {min(values):.2f} M |"
            )
    after = " ".join(f"{load:.2f}" for load in os.getloadavg())
    print(
        f"- {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}; K = {args.count}, {args.steps} steps, "
        f"{args.repeats} runs per cell (paths alternating); load average {before} before, "
        f"{after} after"
    )
    print("\n| loop | threads | best | median | worst |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
