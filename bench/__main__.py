"""Benchmark moo_core: single runs against the `mdmm` package, batched sweeps, scaling.

Run from the repository root: `python -m bench [--quick] [--device cpu|cuda]`.
Prints machine information and a markdown table of the measurements.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time

import mdmm
import torch

import moo_core as m

SHIFT = 1.0 / math.sqrt(2.0)
LR, DAMPING, EPSILON = 0.01, 10.0, 0.6
HP = {"optimizer": "sgd", "lr": LR, "lr_lambda": LR, "damping": DAMPING}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info(device: str) -> list[str]:
    lines = [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores visible",
        f"- torch {torch.__version__}, intra-op threads {torch.get_num_threads()}, "
        f"Python {platform.python_version()}, mdmm {getattr(mdmm, '__version__', '?')}",
        f"- device: {device}; load average at start {load_average()}",
    ]
    if device == "cuda":
        lines.append(f"- GPU: {torch.cuda.get_device_name(0)}")
    return lines


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    return statistics.median(_timed(fn) for _ in range(repeats))


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- the mdmm package's own loop -------------------------------------------------------------


def package_concave(steps: int) -> None:
    x = torch.tensor([0.6, -0.4], requires_grad=True)

    def f_fn():
        return 1.0 - torch.exp(-((x - SHIFT) ** 2).sum())

    def g_fn():
        return 1.0 - torch.exp(-((x + SHIFT) ** 2).sum())

    con = mdmm.EqConstraint(g_fn, EPSILON, damping=DAMPING)
    mm = mdmm.MDMM([con])
    opt = mm.make_optimizer([x], optimizer=torch.optim.SGD, lr=LR)
    for _ in range(steps):
        out = mm(f_fn())
        opt.zero_grad()
        out.value.backward()
        opt.step()


def package_zdt1(steps: int, n: int = 30) -> None:
    x = torch.full((n,), 0.5, requires_grad=True)

    def d_fn():
        return 1.0 + 9.0 * x[1:].sum() / (n - 1)

    def f_fn():
        return x[0]

    def g_fn():
        d = d_fn()
        return d * (1.0 - (x[0] / d + 1e-12).sqrt())

    con = mdmm.EqConstraint(g_fn, EPSILON, damping=DAMPING)
    mm = mdmm.MDMM([con])
    opt = mm.make_optimizer([x], optimizer=torch.optim.SGD, lr=LR)
    for _ in range(steps):
        out = mm(f_fn())
        opt.zero_grad()
        out.value.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(0.0, 1.0)  # ZDT's box, as moo_core projects after every step


# --- measurements ----------------------------------------------------------------------------


def single_run_rows(steps: int, repeats: int, device: str) -> list[list[str]]:
    rows = []
    for problem, reference in (("concave", package_concave), ("zdt1", package_zdt1)):
        config = m.make_run_config(
            problem, "mdmm", epsilon=EPSILON, steps=steps, device=device, hyperparams=HP
        )
        ours = median_time(lambda config=config: m.run(config), repeats)
        theirs = median_time(lambda reference=reference: reference(steps), repeats)
        path = "analytic gradients" if problem == "concave" else "autograd"
        rows.append(
            [
                f"single run, {problem} ({path}), {steps} steps, median of {repeats}",
                f"{steps / ours:,.0f} steps/s",
                f"mdmm package loop (CPU): {steps / theirs:,.0f} steps/s",
                f"{theirs / ours:.2f}×",
            ]
        )
    return rows


def sweep_row(count: int, steps: int, sample: int, repeats: int, device: str) -> list[str]:
    base = m.make_run_config(
        "concave", "mdmm", epsilon=EPSILON, steps=steps, device=device, hyperparams=HP
    )
    sweep = m.make_sweep_config(base, "epsilon", 0.05, 0.95, count)
    m.sweep(m.make_sweep_config(base, "epsilon", 0.05, 0.95, 4))  # warm-up
    batched = statistics.median(m.sweep(sweep).seconds for _ in range(repeats))
    runs = sweep.runs()
    chosen = [runs[i * count // sample] for i in range(sample)]
    started = time.perf_counter()
    for config in chosen:
        m.run(config)
    sequential = (time.perf_counter() - started) * count / sample
    work = count * steps
    return [
        f"{count}-ε sweep, concave mdmm, {steps} steps: one batch (median of {repeats}) vs "
        f"{count} sequential runs (timed on {sample} evenly spaced runs, × {count // sample})",
        f"{batched:.2f} s, {work / batched / 1e6:.3f} M problem-steps/s",
        f"sequential ≈ {sequential:.1f} s, {work / sequential / 1e6:.4f} M problem-steps/s",
        f"{sequential / batched:.0f}×",
    ]


def scaling_rows(counts: list[int], steps: int, repeats: int, device: str) -> list[list[str]]:
    base = m.make_run_config(
        "concave", "mdmm", epsilon=EPSILON, steps=steps, device=device, hyperparams=HP
    )
    m.sweep(m.make_sweep_config(base, "epsilon", 0.05, 0.95, 4))  # warm-up
    rows = []
    for count in counts:
        sweep = m.make_sweep_config(base, "epsilon", 0.05, 0.95, count)
        results = [m.sweep(sweep) for _ in range(repeats)]
        seconds = statistics.median(result.seconds for result in results)
        rate = count * steps / seconds
        rows.append(
            [
                f"sweep K = {count}, concave mdmm, {steps} steps, median of {repeats} "
                f"({results[0].device})",
                f"{seconds:.2f} s, {rate / 1e6:.2f} M problem-steps/s",
                "",
                "",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads (default: torch's own choice); 1 is steadier on a busy box",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda was asked for but CUDA is not available here")
    if args.quick:
        steps, repeats, count, sample, big, big_steps = 300, 2, 32, 4, [256, 1024], 100
    else:
        steps, repeats, count, sample, big, big_steps = 3000, 5, 256, 16, [1024, 4096, 16384], 500

    print("## moo_core benchmark" + (" (--quick)" if args.quick else ""))
    print()
    print("\n".join(machine_info(args.device)))
    print()
    rows = []
    if args.device == "cpu":  # the mdmm package loop runs on CPU; compare like with like
        rows += single_run_rows(steps, repeats, args.device)
    rows.append(sweep_row(count, steps, sample, 3, args.device))
    rows += scaling_rows(big, big_steps, 3, args.device)
    print("| measurement | moo_core | reference | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
