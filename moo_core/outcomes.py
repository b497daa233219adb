"""The end of a batch: every row's final values, distance to the front and verdict, at once.

Everything is computed on arrays over the K rows — the last records and counters come from the
device in one transfer, front distances in blocks of rows, the verdicts' criteria as reductions
over the tail (moo_core.verdict.judge_rows) — so the end of a batch costs O(K), not a pass over
every row's records for every row.
"""

from __future__ import annotations

import contextlib
import gc

import numpy as np
import torch

from moo_core.gradients import mix, objective_gradients
from moo_core.records import RunOutcome, objective_names
from moo_core.verdict import judge_baseline, judge_rows


def outcomes(trained, status: str) -> list[RunOutcome]:
    """One RunOutcome per row of `trained` (moo_core.engine.Trained)."""
    with bulk_objects():
        return _outcomes(trained, status)


@contextlib.contextmanager
def bulk_objects():
    """Python's cycle collector paused while K rows' records are built: they hold no cycles,
    and every collection it starts meanwhile walks every object the process has (torch's
    too) — at K = 16,384 that was a third of the end of a batch."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _outcomes(trained, status: str) -> list[RunOutcome]:
    recorder, m = trained.recorder, trained.recorder.m
    ends = recorder.ends()
    rows = ends["last"]
    extras = _final_report(trained, rows)
    stationarity, free, scales = _stationarity(trained)
    distances = trained.objective.front_distances(rows[:, :m])
    statuses = [status if alive else "diverged" for alive in ends["alive"]]
    verdicts = judge_rows(
        recorder.tail_stats(),
        status=statuses,
        enforces=trained.weigher.enforces(),
        stationarity=stationarity,
        steps_to_converge=(ends["last_violated"] + 1).tolist(),
        gradient_scale=scales,
        free_stationarity=free,
    )
    finished = ends["finished"].tolist()
    if distances is None:
        distances = [None] * len(rows)
    else:
        distances = [None if d != d else d for d in distances.tolist()]  # NaN: not finite
    found = []
    for values, extra, verdict, row_status, steps, distance in zip(
        rows.tolist(), extras, verdicts, statuses, finished, distances, strict=True
    ):
        objectives = tuple(values[:m])
        verdict = judge_baseline(verdict, objectives[0], extra.get("baseline_f"))
        lams = values[m : 2 * m - 1]
        multipliers = (
            None
            if all(v != v for v in lams)  # NaN: a method without multipliers
            else tuple(None if v != v else v for v in lams)
        )
        found.append(
            RunOutcome(
                status=row_status,
                steps=steps,
                f=objectives[0],
                g=objectives[1],
                lam=None if multipliers is None else multipliers[0],
                violation=values[2 * m - 1],
                front_distance=distance,
                extra=extra,
                objectives=objectives,
                multipliers=multipliers,
                converged=verdict.converged,
                reason=verdict.reason,
                steps_to_converge=verdict.steps_to_converge,
            )
        )
    return found


def _stationarity(trained):
    """Per row, ‖Σᵢ wᵢ∇Lᵢ‖ projected onto the box and not, over Σᵢ |wᵢ|·‖∇Lᵢ‖, at the last
    point with the last step's weights, and that scale; Nones on mini-batches (noise)."""
    objective, params, weights = trained.objective, trained.params, trained.weigher.weights
    if weights is None or objective.batches_per_epoch > 1:
        return None, None, None
    m = trained.recorder.m
    with torch.no_grad():
        closed = objective.closed_form(params)
    if closed is not None:
        gradients = [[grads[i] for grads in closed[1]] for i in range(m)]
    else:
        gradients = objective_gradients(objective.evaluate(params, trained.recorder.start), params)
    if trained.scale is not None:  # the weights act on values / scale
        gradients = [
            [g / trained.scale[:, i].reshape(-1, *[1] * (g.dim() - 1)) for g in grads]
            for i, grads in enumerate(gradients)
        ]
    with torch.no_grad():
        free = mix(weights, gradients)
        boxed = [_projected(p, d, objective.bounds) for p, d in zip(params, free, strict=True)]
        scale = sum(weights[:, i].abs() * _row_norm(gradients[i]) for i in range(m))
        scale = scale.clamp_min(1e-30)
        found = torch.stack([_row_norm(boxed) / scale, _row_norm(free) / scale, scale])
    boxed_residual, free_residual, scale = found.cpu().numpy().astype(float)
    return boxed_residual, free_residual, scale


def _final_report(trained, rows: np.ndarray) -> list[dict]:
    """Per row: the objective's own final evaluation (a task's full train and validation
    sets) where it has one and it is finite, written into `rows`; the validation values as
    each row's extra."""
    m = trained.recorder.m
    report = trained.objective.report(trained.params)
    if report is None:
        return [{} for _ in rows]
    values = np.asarray(report["objectives"], dtype=float)
    validation = np.asarray(report["val_objectives"], dtype=float)
    baseline = trained.objective.baseline_f()  # the loss of the best constant prediction
    constraints = trained.constraints
    others = torch.as_tensor(values[:, 1:], dtype=torch.float32, device=constraints.epsilon.device)
    violation = constraints.violation(others).cpu().numpy().astype(float)
    finite = np.isfinite(values).all(axis=1)
    rows[finite, :m] = values[finite]
    rows[finite, 2 * m - 1] = violation[finite]
    names = objective_names(m)
    extras = [
        {f"val_{name}": float(validation[k, i]) for i, name in enumerate(names)}
        for k in range(len(rows))
    ]
    if baseline is not None:
        for extra in extras:
            extra["baseline_f"] = baseline
    return extras


def _row_norm(tensors) -> torch.Tensor:
    return sum((t.flatten(1) ** 2).sum(1) for t in tensors).sqrt()


def _projected(param: torch.Tensor, direction: torch.Tensor, bounds) -> torch.Tensor:
    """The descent step −direction, less its components that would leave the box at a bound
    the parameter sits on (a box-constrained point is stationary if only those remain)."""
    if bounds is None:
        return direction
    low, high = bounds
    outward = ((param <= low) & (direction > 0)) | ((param >= high) & (direction < 0))
    return torch.where(outward, torch.zeros_like(direction), direction)
