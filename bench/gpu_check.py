"""The prepared GPU check: `make gpu-check` (python -m bench.gpu_check [--quick]).

On a machine with CUDA it prints one JSON document, in under 5 minutes on an H100/H200:
- `cli`: `python -m moo_core run … --device cuda` (its status, device and seconds);
- `worker`: a `worker submit --device cuda` → `serve --exit-when-idle` → `status` round trip;
- `toy`: a 3,000-step concave MDMM run's steps/s on the CPU and on CUDA, and what `auto` chose
  and why (moo_core.devices);
- `sweeps`: concave MDMM ε-sweeps of K = 256, 4,096 and 65,536 settings (1,000 steps), training
  and total seconds on each device, and `auto`'s choice;
- `steps`: the one loop's step on CUDA against a hand-written one (bench.steps), eager and
  captured in a CUDA graph, at K = 4,096 and 65,536 (3,000 steps): training seconds and the
  ratio engine captured / hand-written captured (aim ≥ 0.5), and why the engine captured or not;
- `tasks`: a small (diabetes, 16 hidden) and a large (fastsim, 512-512, batch 4,096) MLP task,
  steps/s on each device and `auto`'s choice;
- `tests`: the suite's CUDA-marked tests (`pytest -m cuda`): their summary line and exit code.
Without CUDA it says so in the same JSON form and exits 0. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(*args: str, env: dict | None = None, timeout: int = 240) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    out = {"exit": done.returncode, "wall_seconds": round(time.perf_counter() - started, 2)}
    lines = done.stdout.strip().splitlines()
    try:
        out["json"] = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        out["stdout"] = done.stdout[-500:]
    if done.returncode:
        out["stderr"] = done.stderr[-1500:]
    return out


def cli_check() -> dict:
    found = _python("-m", "moo_core", "run", "--problem", "concave", "--method", "mdmm",
                    "--steps", "300", "--device", "cuda")  # fmt: skip
    summary = found.pop("json", None) or {}
    keep = ("status", "device", "device_reason", "seconds", "converged")
    return {**found, **{k: summary.get(k) for k in keep}}


def worker_check() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {"MOO_DATABASE_URL": f"sqlite:///{folder}/gpu.db"}
        submitted = _python("-m", "worker", "submit", "--problem", "concave", "--method", "mdmm",
                            "--steps", "500", "--device", "cuda", env=env)  # fmt: skip
        run_id = (submitted.get("json") or {}).get("run_id")
        served = _python("-m", "worker", "serve", "--exit-when-idle", env=env)
        status = _python("-m", "worker", "status", str(run_id), env=env) if run_id else {}
        view = status.get("json") or {}
        return {
            "submit_exit": submitted["exit"],
            "serve_exit": served["exit"],
            "status": view.get("status"),
            "device": view.get("device"),
            "steps_stored": view.get("steps_stored"),
            "error": view.get("error") or served.get("stderr"),
        }


def _train(config, device: str) -> tuple[float, object]:
    from dataclasses import replace

    from moo_core import run

    result = run(replace(config, device=device))
    return result.seconds, result


def toy_check() -> dict:
    from moo_core import make_run_config

    config = make_run_config("concave", "mdmm", epsilon=0.6, steps=3000)
    out = {}
    for device in ("cpu", "cuda"):
        _train(replace_steps(config, 100), device)  # warm-up (CUDA context, kernels)
        seconds, _ = _train(config, device)
        out[f"{device}_steps_per_s"] = round(config.steps / seconds)
    _, auto = _train(config, "auto")
    out["auto"], out["auto_reason"] = auto.device, auto.device_reason
    return out


def replace_steps(config, steps: int):
    from dataclasses import replace

    return replace(config, steps=steps)


def sweep_check(counts: list[int]) -> list[dict]:
    from dataclasses import replace

    from moo_core import make_run_config, make_sweep_config, sweep

    rows = []
    for count in counts:
        row = {"K": count}
        for device in ("cpu", "cuda", "auto"):
            base = make_run_config("concave", "mdmm", epsilon=0.6, steps=1000, device=device)
            sweep(make_sweep_config(replace(base, steps=20), "epsilon", 0.05, 0.95, 8))
            config = make_sweep_config(base, "epsilon", 0.05, 0.95, count)
            started = time.perf_counter()
            result = sweep(config)
            total = time.perf_counter() - started
            if device == "auto":
                row["auto"], row["auto_reason"] = result.device, result.device_reason
            else:
                row[f"{device}_train_s"] = round(result.seconds, 3)
                row[f"{device}_total_s"] = round(total, 3)
        rows.append(row)
    return rows


def step_check(counts: list[int], steps: int = 3000, repeats: int = 3) -> list[dict]:
    return [_step_row(count, steps, repeats) for count in counts]


def _step_row(count: int, steps: int, repeats: int) -> dict:
    from bench.steps import alternating, hand_written, sweep_runs
    from moo_core.batch import Batch
    from moo_core.engine import train

    runs = sweep_runs(count, steps, "cuda")
    loops = {
        "hand_eager": lambda: hand_written(count, steps, "cuda"),
        "hand_graph": lambda: hand_written(count, steps, "cuda", graph=True),
        "engine_eager": lambda: train(Batch.of(runs), capture=False).seconds,
        "engine_graph": lambda: train(Batch.of(runs)).seconds,
    }
    hand_written(count, 100, "cuda", graph=True)  # warm-up: kernels, graphs, allocator
    warm = train(Batch.of(sweep_runs(count, 100, "cuda")))
    row = {"K": count, "engine_step": warm.device_reason}
    row |= {f"{name}_s": round(s, 4) for name, s in alternating(loops, repeats).items()}
    row["graph_ratio"] = round(row["hand_graph_s"] / row["engine_graph_s"], 3)
    row["eager_ratio"] = round(row["hand_eager_s"] / row["engine_eager_s"], 3)
    return row


TASKS = {
    "small": {"dataset": "diabetes", "target": "target", "objective": "l1", "hidden": "16"},
    "large": {
        "dataset": "fastsim",
        "target": "full",
        "objective": "mmd",
        "hidden": "512,512",
        "batch_size": "4096",
    },
}


def task_check(steps: int) -> dict:
    from moo_core import make_run_config

    out = {}
    for name, task in TASKS.items():
        config = make_run_config(None, "mdmm", epsilon=0.01, steps=steps, task=task)
        row = {}
        for device in ("cpu", "cuda"):
            _train(replace_steps(config, 5), device)
            seconds, _ = _train(config, device)
            row[f"{device}_steps_per_s"] = round(steps / seconds, 1)
        _, auto = _train(replace_steps(config, 5), "auto")
        row["auto"], row["auto_reason"] = auto.device, auto.device_reason
        out[name] = row
    return out


def test_check() -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "cuda", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return {
        "exit": done.returncode,
        "summary": lines[-1] if lines else "",
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_check", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sweeps and tasks")
    args = parser.parse_args(argv)
    import torch

    report: dict = {"cuda": torch.cuda.is_available(), "torch": torch.__version__}
    if not report["cuda"]:
        report["message"] = "no CUDA device on this machine: nothing to check (exit 0)"
        print(json.dumps(report))
        return 0
    report["gpu"] = torch.cuda.get_device_name(0)
    report["cpu_cores"] = os.cpu_count()
    started = time.perf_counter()
    checks = {
        "cli": cli_check,
        "worker": worker_check,
        "toy": toy_check,
        "sweeps": lambda: sweep_check([256, 4096] if args.quick else [256, 4096, 65536]),
        "steps": lambda: step_check([4096] if args.quick else [4096, 65536]),
        "tasks": lambda: task_check(50 if args.quick else 200),
        "tests": test_check,
    }
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as error:  # one check's failure is a finding, not the end
            report[name] = {"error": f"{type(error).__name__}: {error}"[:1500]}
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
