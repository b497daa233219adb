"""Task benchmarks (real data): `python -m bench.tasks [--device cpu|cuda] [--repeats N]`.

1. Training steps/s of single task runs (MDMM): moons + l1 and fastsim + Huber/MMD.
2. An ε-sweep of 16 settings trained as one batch against 16 sequential runs.
Times are `RunResult.seconds` / `SweepResult.seconds` (training only: data loading and the
final full-set evaluation are excluded). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

from bench.__main__ import machine_info
from moo_core import make_run_config, make_sweep_config, run, sweep

TASKS = {
    "moons, l1, MLP 64-64, batch 256": {
        "dataset": "moons", "target": "label", "objective": "l1", "hidden": "64,64",
    },
    "fastsim, Huber + MMD², MLP 32-32, batch 256": {
        "dataset": "fastsim", "target": "full", "objective": "mmd", "loss": "huber",
        "hidden": "32,32",
    },
}  # fmt: skip
STEPS, SWEEP_COUNT = 1000, 16


def config(task: dict, device: str, epsilon: float = 0.05, steps: int = STEPS):
    return make_run_config(
        None, "mdmm", epsilon=epsilon, constraint="le", steps=steps, device=device, task=task
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tasks")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("\n".join(machine_info(args.device)))
    print("\n| measurement | value |\n|---|---|")
    for name, task in TASKS.items():
        run(config(task, args.device, steps=20))  # warm-up
        seconds = statistics.median(
            run(config(task, args.device)).seconds for _ in range(args.repeats)
        )
        print(f"| single run, {name}, {STEPS} steps (median of {args.repeats}) | "
              f"{seconds:.2f} s, {STEPS / seconds:,.0f} steps/s |")  # fmt: skip
    task = TASKS["moons, l1, MLP 64-64, batch 256"]
    epsilons = np.linspace(0.01, 0.2, SWEEP_COUNT)
    batched = sweep(make_sweep_config(config(task, args.device), "epsilon", 0.01, 0.2, SWEEP_COUNT))
    sequential = sum(run(config(task, args.device, float(e))).seconds for e in epsilons)
    print(f"| ε-sweep, moons l1, {SWEEP_COUNT} settings × {STEPS} steps: one batch vs "
          f"{SWEEP_COUNT} sequential runs | {batched.seconds:.2f} s vs {sequential:.2f} s "
          f"({sequential / batched.seconds:.1f}×) |")  # fmt: skip


if __name__ == "__main__":
    main()
