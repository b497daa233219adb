"""Balancer.backward in a user's loop against hand-written loops: `python -m bench.library`.

A multi-task MLP (64 inputs, two hidden layers of 256, one output per task, batch 256,
SGD), m = 2 and m = 10 tasks; one step = forward, one backward per task, the weights, the
direction written into `.grad`, the optimizer's step — the same backward passes in every
loop. The hand-written loops (`hand_step`) flatten each task's gradient into one matrix,
take the Gram matrix, the weights and the direction by matrix products, as the papers'
code does; their weights come from the papers' own solvers (bench/papers.py: MinNormSolver,
PCGrad's projection loop, SLSQP) or from moo_core's (the library's overhead alone). The
loops run interleaved, each round in a rotated order, and each figure is the median over
rounds: the 2-core machine is shared. Prints a markdown table; docs/benchmarks.md holds it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from bench import papers
from moo_core import Balancer

HYPER = {"mgda": {}, "pcgrad": {}, "cagrad": {"c": 0.5}}


def build(m: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 64, generator=generator)
    y = torch.randn(256, m, generator=generator)
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256)]
    model = torch.nn.Sequential(*layers, torch.nn.ReLU(), torch.nn.Linear(256, m))
    return model, x, y


def task_losses(model, x, y) -> torch.Tensor:
    return ((model(x) - y) ** 2).mean(0)  # (m,): one loss per task


def flat_gradients(losses: torch.Tensor, params: list) -> torch.Tensor:
    """(m, P): one backward per task, each gradient flattened (the papers' `grad2vec`)."""
    rows = []
    for i in range(len(losses)):
        grads = torch.autograd.grad(losses[i], params, retain_graph=i < len(losses) - 1)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def write(direction: torch.Tensor, params: list) -> None:
    start = 0
    for param in params:
        param.grad = direction[start : start + param.numel()].view_as(param)
        start += param.numel()


def paper_weights(method: str, gram: torch.Tensor) -> torch.Tensor:
    solve = papers.mgda_weights if method == "mgda" else papers.cagrad_weights
    return torch.from_numpy(solve(gram.double().numpy())).float()


def hand_step(method: str, solver: str, m: int):
    library = Balancer(method, **HYPER[method]) if solver == "library" else None
    ones = torch.ones(1, m)

    def step(model, x, y, optimizer, params):
        optimizer.zero_grad()
        jacobian = flat_gradients(task_losses(model, x, y), params)
        if method == "pcgrad" and solver == "paper":
            direction = papers.pcgrad_direction(jacobian)
        else:
            gram = jacobian @ jacobian.T
            if library is None:
                weights = paper_weights(method, gram)
            else:
                weights = library.weigh(ones, gram.unsqueeze(0)).weights[0]
            direction = weights @ jacobian
        write(direction, params)
        optimizer.step()

    return step


def balancer_step(method: str, m: int):
    balancer = Balancer(method, **HYPER[method])

    def step(model, x, y, optimizer, params):
        optimizer.zero_grad()
        losses = task_losses(model, x, y)
        balancer.backward(losses[0], losses[1:], params)
        optimizer.step()

    return step


def first_directions(method: str, m: int) -> dict[str, torch.Tensor]:
    """Each loop's first `.grad`, flattened, from the same model: the loops must take the
    same step (the paper's to its solver's tolerance) for their times to compare."""
    found = {}
    for name, step in (
        ("paper", hand_step(method, "paper", m)),
        ("hand", hand_step(method, "library", m)),
        ("balancer", balancer_step(method, m)),
    ):
        model, x, y = build(m)
        params = list(model.parameters())
        step(model, x, y, torch.optim.SGD(params, lr=0.0), params)
        found[name] = torch.cat([p.grad.reshape(-1) for p in params])
    return found


def measure(method: str, m: int, rounds: int, steps: int) -> dict[str, float]:
    """Median seconds per step of each loop, the loops interleaved round by round."""
    loops = {
        "paper": hand_step(method, "paper", m),
        "hand": hand_step(method, "library", m),
        "balancer": balancer_step(method, m),
    }
    states = {}
    for name in loops:
        model, x, y = build(m)
        params = list(model.parameters())
        states[name] = (model, x, y, torch.optim.SGD(params, lr=1e-4), params)
        for _ in range(3):  # warm-up
            loops[name](*states[name])
    times = {name: [] for name in loops}
    names = list(loops)
    for round_ in range(rounds):
        for name in names[round_ % 3 :] + names[: round_ % 3]:
            started = time.perf_counter()
            for _ in range(steps):
                loops[name](*states[name])
            times[name].append((time.perf_counter() - started) / steps)
    return {name: statistics.median(values) for name, values in times.items()}


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"- {machine}, torch {torch.__version__}, {args.threads} thread(s)")
    print(f"- load average at start {load()}")
    print(
        "\n| method | m | paper's loop | hand loop, moo_core's weights | Balancer.backward "
        "| Balancer / paper | Balancer / hand |"
    )
    print("|---|---|---|---|---|---|---|")
    for method in HYPER:
        for m in (2, 10):
            found = first_directions(method, m)
            torch.testing.assert_close(found["balancer"], found["hand"], rtol=1e-4, atol=1e-6)
            t = measure(method, m, args.rounds, args.steps)
            print(
                f"| {method} | {m} | {t['paper'] * 1e3:.2f} ms | {t['hand'] * 1e3:.2f} ms | "
                f"{t['balancer'] * 1e3:.2f} ms | {t['balancer'] / t['paper']:.3f} | "
                f"{t['balancer'] / t['hand']:.3f} |",
                flush=True,
            )
    print(f"\nload average at the end {load()}")


if __name__ == "__main__":
    main()
