"""The training loop: K runs stacked on a leading axis and stepped together.

A single run is K = 1; a sweep is K settings of one hyperparameter in the same tensors, so it
costs about one run's Python overhead (and is one set of kernels on a GPU). Each step goes
through `Balancer`, the same class a user drives from their own loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from moo_core.balancer import Balancer, gram_matrix, mix
from moo_core.config import RunConfig
from moo_core.optim import OPTIMIZERS
from moo_core.problems import PROBLEMS, Objective, front_distance
from moo_core.records import RunOutcome, StepChunk, step_columns
from moo_core.registry import ConfigError

FRONT_POINTS = 2001
# Methods that need no Gram matrix train with one backward a step; every COSINE_EVERY-th step
# takes each objective's gradient instead, to record their conflict (grad_cos holds the latest).
COSINE_EVERY = 10
ChunkCallback = Callable[[StepChunk], None]
StopCheck = Callable[[], bool]
Fetch = Callable[[str], bytes]  # "sha256:…" → the stored bytes of an uploaded dataset


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for but CUDA is not available here")
    return torch.device(name)


def build_objective(run: RunConfig, fetch: Fetch | None = None) -> Objective:
    """The toy problem, or the task with its data loaded (ConfigError for bad data)."""
    if run.task is not None:
        from moo_core.tasks import build_task

        return build_task(run.task, fetch)
    return PROBLEMS.get(run.problem)(run.init)


def _rows(runs: list[RunConfig], name: str, device: torch.device) -> torch.Tensor:
    values = [r.hyperparams[name] for r in runs]
    return torch.tensor(values, dtype=torch.float32, device=device)


def _settings(runs: list[RunConfig], device: torch.device) -> dict:
    first = runs[0].hyperparams
    return {
        name: value if isinstance(value, str) else _rows(runs, name, device)
        for name, value in first.items()
    }


def _check_batch(runs: list[RunConfig]) -> None:
    shared = ("problem", "task", "method", "constraint", "steps", "init", "device")
    for name in shared:
        if len({str(getattr(r, name)) for r in runs}) > 1:
            raise ValueError(f"runs in one batch must share {name!r}")


def make_balancer(runs: list[RunConfig], device: torch.device) -> Balancer:
    """The Balancer of a batch: per-row hyperparameters, ε and seeds."""
    epsilon = torch.tensor([r.epsilons() for r in runs], dtype=torch.float32, device=device)
    constraints = [(kind, epsilon[:, i]) for i, kind in enumerate(runs[0].kinds())]
    return Balancer(
        runs[0].method, constraints, seed=[r.seed for r in runs], **_settings(runs, device)
    )


class _Step:
    """One training step through the Balancer: the closed form where the problem has one,
    else autograd (one backward, or per-objective gradients for Gram methods)."""

    def __init__(self, objective, balancer: Balancer, params: list[torch.Tensor]):
        self.objective, self.balancer, self.params = objective, balancer, params
        self.closed = getattr(objective, "closed_form", None)
        self.cosine: torch.Tensor | None = None

    def __call__(self, step: int):
        closed = self.closed(self.params) if self.closed is not None else None
        if closed is not None:
            values, gradients = closed
            report = self.balancer.weigh(values, gram_matrix(gradients))
            directions = mix(report.weights, gradients)
        else:
            for param in self.params:
                param.grad = None
            values = self.objective.evaluate(self.params, step)
            others = [values[:, i] for i in range(1, values.shape[1])]
            take_gram = step % COSINE_EVERY == 0
            report = self.balancer.backward(values[:, 0], others, self.params, gram=take_gram)
            values = values.detach()
            directions = [
                p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params
            ]
        cosine = report.min_cosine()
        if cosine is not None:
            self.cosine = cosine
        return values, report, directions


def train_batch(
    runs: list[RunConfig],
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    keep_trajectory: bool = False,
    chunk_seconds: float = 0.25,
    chunk_steps: int = 1024,
    objective: Objective | None = None,
) -> tuple[list[RunOutcome], float, str, dict[str, np.ndarray] | None]:
    """Train `runs` (same problem, method and steps; other values may differ) as one batch.

    `on_chunk` receives the recorded steps at most every `chunk_seconds` (and at the end);
    `should_stop` is asked at the same moments and ends the batch as cancelled.
    Returns the per-row outcomes, training seconds, the device and, if asked, the trajectory.
    """
    _check_batch(runs)
    first = runs[0]
    device = resolve_device(first.device)
    objective = objective or build_objective(first)
    m = objective.n_objectives
    if m != first.n_objectives:
        raise ConfigError(f"the objective has {m} objectives; the run expects {first.n_objectives}")
    columns = step_columns(m)
    count, steps = len(runs), first.steps
    balancer = make_balancer(runs, device)
    started = time.perf_counter()
    params = objective.init_params([r.seed for r in runs], device)
    settings = balancer.settings
    optimizer = OPTIMIZERS[settings["optimizer"]](params, settings["lr"])
    take_step = _Step(objective, balancer, params)
    alive = torch.ones(count, dtype=torch.bool, device=device)
    last_good = torch.full((count, len(columns)), float("nan"), device=device)
    finished = torch.zeros(count, dtype=torch.long, device=device)
    buffer = torch.empty((chunk_steps, len(columns), count), device=device)
    nan_row = torch.full((1, count), float("nan"), device=device)
    saved: list[np.ndarray] = []
    chunk_start, filled, last_flush, status = 0, 0, time.monotonic(), "completed"

    def flush() -> None:
        nonlocal chunk_start, filled, last_flush
        if filled:
            block = buffer[:filled].cpu().numpy().copy()
            if keep_trajectory:
                saved.append(block)
            if on_chunk is not None:
                named = {name: block[:, i, :] for i, name in enumerate(columns)}
                on_chunk(StepChunk(start=chunk_start, columns=named))
        chunk_start += filled
        filled, last_flush = 0, time.monotonic()

    for step in range(steps):
        values, report, directions = take_step(step)
        with torch.no_grad():
            finite = torch.isfinite(values).all(1)
            for p in params:
                finite &= torch.isfinite(p).flatten(1).all(1)
            alive &= finite
            lam = report.multipliers
            cosine = take_step.cosine
            record = torch.cat(
                [
                    values.T,
                    lam.T if lam is not None else nan_row.expand(m - 1, count),
                    report.violation.unsqueeze(0),
                    cosine.unsqueeze(0) if cosine is not None else nan_row,
                ]
            )
            record = torch.where(alive, record, nan_row)
            buffer[filled] = record
            last_good = torch.where(alive.unsqueeze(1), record.T, last_good)
            finished += alive
            optimizer.step(directions, alive)
            objective.project(params)
        filled += 1
        if filled == chunk_steps or time.monotonic() - last_flush >= chunk_seconds:
            flush()
            if should_stop is not None and should_stop():
                status = "cancelled"
                break
            if not bool(alive.any()):
                break
    flush()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - started
    constraints = balancer._method.constraints if balancer._method is not None else None
    outcomes = _outcomes(objective, params, constraints, last_good, finished, alive, status, m)
    trajectory = None
    if keep_trajectory:
        stacked = np.concatenate(saved) if saved else np.empty((0, len(columns), count))
        trajectory = {name: stacked[:, i, :] for i, name in enumerate(columns)}
    return outcomes, seconds, str(device), trajectory


def _final_report(objective, params, constraints, rows: np.ndarray, m: int) -> list[dict]:
    """Per row: the objective's own final evaluation (a task's full train and validation
    sets) where it has one and it is finite; the last recorded step otherwise."""
    extra: list[dict[str, float]] = [{} for _ in rows]
    if not hasattr(objective, "report") or constraints is None:
        return extra
    report = objective.report(params)
    values = np.asarray(report["objectives"], dtype=float)
    validation = np.asarray(report["val_objectives"], dtype=float)
    others = torch.as_tensor(values[:, 1:], dtype=torch.float32, device=constraints.epsilon.device)
    violation = constraints.violation(others).cpu().numpy().astype(float)
    names = step_columns(m)[:m]
    for k, row in enumerate(rows):
        if np.isfinite(values[k]).all():
            row[:m] = values[k]
            row[2 * m - 1] = violation[k]
        extra[k] = {f"val_{name}": float(validation[k, i]) for i, name in enumerate(names)}
    return extra


def _outcomes(objective, params, constraints, last_good, finished, alive, status, m):
    exact = getattr(objective, "distance_to_front", None)
    front = None if exact is not None else objective.front(FRONT_POINTS)
    rows = last_good.cpu().numpy().astype(float)
    extras = _final_report(objective, params, constraints, rows, m)
    outcomes = []
    for values, steps, ok, extra in zip(
        rows, finished.cpu().tolist(), alive.cpu().tolist(), extras, strict=True
    ):
        objectives = tuple(float(v) for v in values[:m])
        lams = values[m : 2 * m - 1]
        multipliers = (
            None if np.isnan(lams).all() else tuple(None if np.isnan(v) else float(v) for v in lams)
        )
        outcomes.append(
            RunOutcome(
                status=status if ok else "diverged",
                steps=int(steps),
                f=objectives[0],
                g=objectives[1],
                lam=None if multipliers is None else multipliers[0],
                violation=float(values[2 * m - 1]),
                front_distance=exact(*objectives) if exact else front_distance(front, *objectives),
                extra=extra,
                objectives=objectives,
                multipliers=multipliers,
            )
        )
    return outcomes
