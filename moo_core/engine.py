"""The training loop: K runs stacked on a leading axis and stepped together.

A single run is K = 1; a sweep is K settings of one hyperparameter in the same tensors, so it
costs about one run's Python overhead (and is one set of kernels on a GPU).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from moo_core.config import RunConfig
from moo_core.methods import METHODS, Constraint, Gram
from moo_core.optim import OPTIMIZERS
from moo_core.problems import PROBLEMS, Objective, front_distance
from moo_core.records import COLUMNS, RunOutcome, StepChunk

FRONT_POINTS = 2001
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
    values = [getattr(r, name) if name == "epsilon" else r.hyperparams[name] for r in runs]
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


def _per_row_dot(left: list[torch.Tensor], right: list[torch.Tensor]) -> torch.Tensor:
    return sum((a * b).flatten(1).sum(1) for a, b in zip(left, right, strict=True))


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
    count, steps = len(runs), first.steps
    settings = _settings(runs, device)
    epsilon = _rows(runs, "epsilon", device)
    constraint = Constraint(first.constraint, epsilon)
    method = METHODS.get(first.method)(settings, constraint)
    started = time.perf_counter()
    params = objective.init_params([r.seed for r in runs], device)
    optimizer = OPTIMIZERS[settings["optimizer"]](params, settings["lr"])
    alive = torch.ones(count, dtype=torch.bool, device=device)
    last_good = torch.full((count, len(COLUMNS)), float("nan"), device=device)
    finished = torch.zeros(count, dtype=torch.long, device=device)
    buffer = torch.empty((chunk_steps, len(COLUMNS), count), device=device)
    nan_row = torch.full((count,), float("nan"), device=device)
    saved: list[np.ndarray] = []
    chunk_start, filled, last_flush, status = 0, 0, time.monotonic(), "completed"

    def flush() -> None:
        nonlocal chunk_start, filled, last_flush
        if filled:
            block = buffer[:filled].cpu().numpy().copy()
            if keep_trajectory:
                saved.append(block)
            if on_chunk is not None:
                columns = {name: block[:, i, :] for i, name in enumerate(COLUMNS)}
                on_chunk(StepChunk(start=chunk_start, columns=columns))
        chunk_start += filled
        filled, last_flush = 0, time.monotonic()

    for step in range(steps):
        f, g, grads_f, grads_g = objective.gradients(params, step)
        with torch.no_grad():
            gram = Gram(
                _per_row_dot(grads_f, grads_f),
                _per_row_dot(grads_g, grads_g),
                _per_row_dot(grads_f, grads_g),
            )
            finite = torch.isfinite(f) & torch.isfinite(g)
            for p in params:
                finite &= torch.isfinite(p).flatten(1).all(1)
            alive &= finite
            a, b = method.weights(f, g, gram)
            lam = method.multiplier()
            record = torch.stack(
                [
                    f,
                    g,
                    lam if lam is not None else nan_row,
                    constraint.violation(g),
                    gram.cosine(),
                ]
            )
            record = torch.where(alive, record, nan_row)
            buffer[filled] = record
            last_good = torch.where(alive.unsqueeze(1), record.T, last_good)
            finished += alive
            directions = [
                a.reshape(-1, *[1] * (gf.dim() - 1)) * gf
                + b.reshape(-1, *[1] * (gf.dim() - 1)) * gg
                for gf, gg in zip(grads_f, grads_g, strict=True)
            ]
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
    outcomes = _outcomes(objective, params, constraint, last_good, finished, alive, status)
    trajectory = None
    if keep_trajectory:
        stacked = np.concatenate(saved) if saved else np.empty((0, len(COLUMNS), count))
        trajectory = {name: stacked[:, i, :] for i, name in enumerate(COLUMNS)}
    return outcomes, seconds, str(device), trajectory


def _final_report(objective, params, constraint, rows: np.ndarray) -> list[dict[str, float]]:
    """Per row: the objective's own final evaluation (a task's full train and validation
    sets) where it has one and it is finite; the last recorded step otherwise."""
    extra: list[dict[str, float]] = [{} for _ in rows]
    if not hasattr(objective, "report"):
        return extra
    report = {name: np.asarray(v, dtype=float) for name, v in objective.report(params).items()}
    g_all = torch.as_tensor(report["g"], dtype=torch.float32, device=constraint.epsilon.device)
    violation = constraint.violation(g_all).cpu().numpy().astype(float)
    for k, row in enumerate(rows):
        if np.isfinite(report["f"][k]) and np.isfinite(report["g"][k]):
            row[0], row[1], row[3] = report["f"][k], report["g"][k], violation[k]
        extra[k] = {name: float(v[k]) for name, v in report.items() if name not in ("f", "g")}
    return extra


def _outcomes(objective, params, constraint, last_good, finished, alive, status):
    front = objective.front(FRONT_POINTS)
    rows = last_good.cpu().numpy().astype(float)
    extras = _final_report(objective, params, constraint, rows)
    outcomes = []
    for values, steps, ok, extra in zip(
        rows, finished.cpu().tolist(), alive.cpu().tolist(), extras, strict=True
    ):
        f, g, lam, violation, _ = (float(v) for v in values)
        outcomes.append(
            RunOutcome(
                status=status if ok else "diverged",
                steps=int(steps),
                f=f,
                g=g,
                lam=None if np.isnan(lam) else lam,
                violation=violation,
                front_distance=front_distance(front, f, g),
                extra=extra,
            )
        )
    return outcomes
