"""Gradient sweeps against NSGA-II at matched evaluations: `python -m bench.fronts [--quick]`.

For each ZDT problem: the scoreboard's benchmark (ui.benchmark: 64 settings × 3000 steps per
method, NSGA-II with P = 100 and G = 1920), trained here directly (no worker). Prints a
markdown table: hypervolume (reference (1.1, 1.1)), IGD, converged points (verdicts), points
within 0.01 of the front, evaluations and seconds.
"""

from __future__ import annotations

import argparse
import json

from moo_core.api import sweep
from moo_core.nsga2 import Nsga2Config, run_nsga2
from ui.benchmark import benchmark_configs
from ui.scoreboard import ON_FRONT


def measure(config) -> dict:
    if isinstance(config, Nsga2Config):
        result, method = run_nsga2(config), "nsga2"
        evaluations = config.evaluations
    else:
        result, method = sweep(config), config.run.method
        evaluations = len(config.values) * config.run.steps
    points = result.points()
    converged = sum(1 for p in points if p["converged"])
    distances = [p["front_distance"] for p in points if p["front_distance"] is not None]
    on_front = sum(1 for d in distances if d <= ON_FRONT)
    return {
        "method": method,
        "hypervolume": result.hypervolume,
        "igd": result.igd,
        "converged": None if method == "nsga2" else f"{converged} of {len(points)}",
        "on front": f"{on_front} of {len(points)}",
        "evaluations": evaluations,
        "seconds": round(result.seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 settings × 500 steps")
    parser.add_argument("--problems", default="zdt1,zdt2,zdt3")
    args = parser.parse_args()
    size = {"settings": 16, "steps": 500} if args.quick else {}
    rows = []
    for problem in args.problems.split(","):
        for config in benchmark_configs(problem, **size):
            row = {"problem": problem, **measure(config)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    print("| problem | method | hypervolume | IGD | converged | within 0.01 | evaluations | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['problem']} | {r['method']} | {r['hypervolume']:.3f} | {r['igd']:.4f} | "
            f"{r['converged'] or '—'} | {r['on front']} | {r['evaluations']:,} | {r['seconds']} |"
        )


if __name__ == "__main__":
    main()
