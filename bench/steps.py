"""The one loop against a hand-written batched step, and the end of a batch against its training:
`python -m bench.steps [--repeats N] [--steps S] [--count K] [--ends 1024,4096,16384]`.

1. **Step**: a K-ε concave MDMM sweep (SGD, lr = lr_λ = 0.01, δ = 10, 1 thread) trained by the
   engine (`moo_core.engine.train`) and by `hand_written` below: the same arithmetic written
   out in plain tensor operations — closed-form values and gradients, the multiplier's pull
   and ascent, the SGD step — producing the same records (f, g and λ every step, the
   gradients' cosine every 32nd, the violation column per 1,024-step chunk, copied to the
   host). The two alternate run by run, so both see the same load; the table gives medians of
   the training seconds and their ratio (engine speed / hand-written speed).
2. **End of a batch**: `moo_core.api.sweep` over ε from 0.05 to 0.95 for each K in `--ends`
   (1,000 steps): training seconds against everything after training (the verdicts, front
   distances, hypervolume, points), as `sweep` reports them.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import torch

import moo_core as m
from moo_core import threads as thread_policy
from moo_core.batch import Batch
from moo_core.engine import train

SHIFT = 1.0 / math.sqrt(2.0)
HP = {"optimizer": "sgd", "lr": 0.01, "lr_lambda": 0.01, "damping": 10.0}
CHUNK, COSINE_EVERY = 1024, 32


def hand_written(
    count: int, steps: int, device: str = "cpu", graph: bool = False, last: list | None = None
) -> float:
    """Seconds of the same sweep written by hand (see the module's docstring); with `graph`
    (CUDA) its step captured in a CUDA graph — one with the cosine, one without — and replayed,
    the records copied from the graph's output after each replay. `last` receives the last
    chunk's records (steps, 5: f, g, λ, violation, cosine; K) for tests."""
    epsilon = torch.linspace(0.05, 0.95, count, device=device).unsqueeze(-1)
    x = torch.tensor([0.6, -0.4], device=device).expand(count, 2).clone()
    centres = torch.tensor([SHIFT, -SHIFT], device=device).reshape(2, 1, 1)
    lam = torch.zeros(count, 1, device=device)
    lr, lr_lambda, damping = HP["lr"], HP["lr_lambda"], HP["damping"]
    records = torch.empty(CHUNK, 5, count, device=device)  # f, g, λ, violation, cosine
    cosine = torch.full((count,), float("nan"), device=device)
    row = torch.empty(4, count, device=device)  # f, g, λ, cosine of one step

    def body(with_cosine: bool) -> None:
        offset = x - centres
        values = 1.0 - torch.exp(-(offset**2).sum(-1))  # (2, K): f, g
        grads = 2.0 * offset * (1.0 - values).unsqueeze(-1)  # (2, K, 2): ∇f, ∇g
        if with_cosine:
            ff, gg = (grads[0] ** 2).sum(1), (grads[1] ** 2).sum(1)
            cosine.copy_((grads[0] * grads[1]).sum(1) / (ff * gg).sqrt())
        defect = values[1].unsqueeze(-1) - epsilon
        pull = lam + damping * defect
        torch.cat([values, lam.T, cosine.unsqueeze(0)], out=row)
        lam.add_(lr_lambda * defect)
        x.sub_(lr * (grads[0] + pull * grads[1]))

    step = body
    if graph:
        graphs = {}
        for with_cosine in (True, False):  # warm up on a side stream, then capture
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                body(with_cosine)
            torch.cuda.current_stream().wait_stream(side)
            graphs[with_cosine] = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graphs[with_cosine]):
                body(with_cosine)

        def step(with_cosine: bool) -> None:
            graphs[with_cosine].replay()

    _synchronize(device)
    started, filled = time.perf_counter(), 0
    for index in range(steps):
        step(index % COSINE_EVERY == 0)
        records[filled, :3] = row[:3]
        records[filled, 4] = row[3]
        filled += 1
        if filled == CHUNK or index == steps - 1:
            records[:filled, 3] = (records[:filled, 1] - epsilon[:, 0]).abs()
            chunk = records[:filled].cpu().numpy().copy()
            filled = 0
    _synchronize(device)
    seconds = time.perf_counter() - started
    if last is not None:
        last.append(chunk)
    return seconds


def _synchronize(device: str) -> None:
    if device != "cpu":
        torch.cuda.synchronize()


def sweep_runs(count: int, steps: int, device: str = "cpu") -> list:
    base = m.make_run_config(
        "concave", "mdmm", epsilon=0.6, steps=steps, device=device, hyperparams=HP
    )
    return m.make_sweep_config(base, "epsilon", 0.05, 0.95, count).runs()


def alternating(loops: dict, repeats: int) -> dict[str, float]:
    """Median seconds of each loop (name → a call returning its seconds), the loops run in
    turn `repeats` times, so each sees the same load."""
    seconds = {name: [] for name in loops}
    for _ in range(repeats):
        for name, loop in loops.items():
            seconds[name].append(loop())
    return {name: statistics.median(found) for name, found in seconds.items()}


def step_ratio(count: int, steps: int, repeats: int) -> tuple[float, float]:
    """Median training seconds (engine, hand-written), alternating."""
    runs = sweep_runs(count, steps)
    train(Batch.of(runs[:4]), threads=1)
    with thread_policy.using(1):
        hand_written(count, 100)

    def hand() -> float:
        with thread_policy.using(1):  # as the engine's threads=1
            return hand_written(count, steps)

    engine = lambda: train(Batch.of(runs), threads=1).seconds  # noqa: E731
    found = alternating({"engine": engine, "hand": hand}, repeats)
    return found["engine"], found["hand"]


def end_of_batch(count: int, steps: int = 1000) -> tuple[float, float]:
    """(training seconds, every other second) of `api.sweep` at K = count: its setup, the
    end of the batch and the front's quality (modules imported beforehand)."""
    base = m.make_run_config("concave", "mdmm", epsilon=0.6, steps=steps, device="cpu")
    config = m.make_sweep_config(base, "epsilon", 0.05, 0.95, count)
    m.sweep(m.make_sweep_config(base, "epsilon", 0.05, 0.95, 2))  # imports, first calls
    started = time.perf_counter()
    result = m.sweep(config)
    total = time.perf_counter() - started
    return result.seconds, total - result.seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--ends", default="1024,4096,16384")
    args = parser.parse_args(argv)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    engine, hand = step_ratio(args.count, args.steps, args.repeats)
    after = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"- {os.cpu_count()} cores, torch {torch.__version__}, 1 thread; K = {args.count}, "
        f"{args.steps} steps, {args.repeats} runs each, alternating; load average {load} "
        f"before, {after} after\n"
    )
    work = args.count * args.steps / 1e6
    print("| loop | median training seconds | M problem-steps/s |\n|---|---|---|")
    print(f"| engine (moo_core.engine.train) | {engine:.3f} | {work / engine:.2f} |")
    print(f"| hand-written (bench.steps.hand_written) | {hand:.3f} | {work / hand:.2f} |")
    print(f"\nengine speed / hand-written speed: **{hand / engine:.2f}**\n")
    if args.ends:
        print("| K | training s | after training s | after / training |\n|---|---|---|---|")
        for count in (int(k) for k in args.ends.split(",")):
            trained, after_s = end_of_batch(count)
            print(f"| {count:,} | {trained:.2f} | {after_s:.2f} | {after_s / trained:.0%} |")


if __name__ == "__main__":
    main()
