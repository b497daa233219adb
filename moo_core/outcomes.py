"""The end of a batch: each row's final values, its distance to the front and its verdict."""

from __future__ import annotations

import numpy as np

from moo_core._lazy import torch
from moo_core.balancer import Balancer, mix, objective_gradients
from moo_core.problems import front_distance
from moo_core.recorder import Recorder
from moo_core.records import RunOutcome, objective_names
from moo_core.verdict import Tail, Verdict, judge, judge_baseline, smooth

FRONT_POINTS = 2001


class Final:
    """What the loop left: the objective, parameters, Balancer, records and last report."""

    def __init__(
        self, objective, params, balancer: Balancer, recorder: Recorder, last, constraints, scale
    ):
        self.objective, self.params, self.balancer = objective, params, balancer
        self.recorder, self.last = recorder, last
        self.constraints, self.scale = constraints, scale  # ε in data units; balancing scale
        self.m = recorder.m

    def outcomes(self, status: str) -> list[RunOutcome]:
        recorder, m = self.recorder, self.m
        exact = getattr(self.objective, "distance_to_front", None)
        front = None if exact is not None else self.objective.front(FRONT_POINTS)
        rows = recorder.last_good.cpu().numpy().astype(float)
        extras = self._final_report(rows)
        stationarity, free, scales = self._stationarity()
        finished = recorder.finished.cpu().tolist()
        alive = recorder.alive.cpu().tolist()
        outcomes = []
        for k, (values, extra) in enumerate(zip(rows, extras, strict=True)):
            objectives = tuple(float(v) for v in values[:m])
            lams = values[m : 2 * m - 1]
            multipliers = (
                None
                if np.isnan(lams).all()
                else tuple(None if np.isnan(v) else float(v) for v in lams)
            )
            row_status = status if alive[k] else "diverged"
            residual = None if stationarity is None else float(stationarity[k])
            scale = None if scales is None else float(scales[k])
            unboxed = None if free is None else float(free[k])
            verdict = self._verdict(k, row_status, residual, scale, unboxed)
            verdict = judge_baseline(verdict, objectives[0], extra.get("baseline_f"))
            outcomes.append(
                RunOutcome(
                    status=row_status,
                    steps=int(finished[k]),
                    f=objectives[0],
                    g=objectives[1],
                    lam=None if multipliers is None else multipliers[0],
                    violation=float(values[2 * m - 1]),
                    front_distance=exact(*objectives)
                    if exact
                    else front_distance(front, *objectives),
                    extra=extra,
                    objectives=objectives,
                    multipliers=multipliers,
                    converged=verdict.converged,
                    reason=verdict.reason,
                    steps_to_converge=verdict.steps_to_converge,
                )
            )
        return outcomes

    # ---- the verdict ----------------------------------------------------------------------

    def _verdict(self, k: int, status: str, stationarity, scale, unboxed) -> Verdict:
        recorder, m = self.recorder, self.m
        rows = recorder.tail_of(k)
        window = max(1, round(getattr(self.objective, "batches_per_epoch", 1) / recorder.stride))
        rows = smooth(rows, window)
        constraints = self.constraints
        epsilon = constraints.epsilon[k].cpu().numpy().astype(float)
        tolerances = recorder.tolerances()[k].cpu().numpy().astype(float)
        objectives = rows[:, :m]
        others = torch.as_tensor(objectives[:, 1:], dtype=constraints.epsilon.dtype)
        single = type(constraints)(constraints.kinds, torch.as_tensor(epsilon).to(others.dtype))
        violations = single.violations(others).numpy().astype(float)
        lams = rows[:, m : 2 * m - 1]
        multipliers = None if np.isnan(lams).all() else lams
        last = int(recorder.last_violated[k])
        return judge(
            Tail(objectives, multipliers, violations, tolerances),
            status=status,
            enforces=self.balancer.enforces(k),
            stationarity=stationarity,
            steps_to_converge=last + 1,
            gradient_scale=scale,
            free_stationarity=unboxed,
        )

    def _stationarity(self):
        """Per row, ‖Σᵢ wᵢ∇Lᵢ‖ projected onto the box and not, over Σᵢ |wᵢ|·‖∇Lᵢ‖, at the last
        point with the last step's weights, and that scale; Nones on mini-batches (noise)."""
        if self.last is None or getattr(self.objective, "batches_per_epoch", 1) > 1:
            return None, None, None
        params, m = self.params, self.m
        closed = getattr(self.objective, "closed_form", None)
        found = closed(params) if closed is not None else None
        if found is not None:
            _, gradients = found
        else:
            values = self.objective.evaluate(params, self.recorder.start)
            gradients = objective_gradients(values, params)
        if self.scale is not None:  # the weights act on values / scale
            gradients = [
                [g / self.scale[:, i].reshape(-1, *[1] * (g.dim() - 1)) for g in grads]
                for i, grads in enumerate(gradients)
            ]
        weights = self.last.weights
        with torch.no_grad():
            free = mix(weights, gradients)
            boxed = [_projected(p, d, self.objective) for p, d in zip(params, free, strict=True)]
            scale = sum(weights[:, i].abs() * _row_norm(gradients[i]) for i in range(m))
            scale = scale.clamp_min(1e-30)
            found = (_row_norm(boxed) / scale, _row_norm(free) / scale, scale)
        return tuple(value.cpu().numpy().astype(float) for value in found)

    # ---- a task's own final evaluation ----------------------------------------------------

    def _final_report(self, rows: np.ndarray) -> list[dict]:
        """Per row: the objective's own final evaluation (a task's full train and validation
        sets) where it has one and it is finite; the last recorded step otherwise."""
        m = self.m
        extra: list[dict[str, float]] = [{} for _ in rows]
        constraints = self.constraints
        if not hasattr(self.objective, "report") or constraints is None:
            return extra
        report = self.objective.report(self.params)
        baseline = self.objective.baseline_f() if hasattr(self.objective, "baseline_f") else None
        values = np.asarray(report["objectives"], dtype=float)
        validation = np.asarray(report["val_objectives"], dtype=float)
        device = constraints.epsilon.device
        others = torch.as_tensor(values[:, 1:], dtype=torch.float32, device=device)
        violation = constraints.violation(others).cpu().numpy().astype(float)
        names = objective_names(m)
        for k, row in enumerate(rows):
            if np.isfinite(values[k]).all():
                row[:m] = values[k]
                row[2 * m - 1] = violation[k]
            extra[k] = {f"val_{name}": float(validation[k, i]) for i, name in enumerate(names)}
            if baseline is not None:
                extra[k]["baseline_f"] = baseline
        return extra


def _row_norm(tensors) -> torch.Tensor:
    return sum((t.flatten(1) ** 2).sum(1) for t in tensors).sqrt()


def _projected(param: torch.Tensor, direction: torch.Tensor, objective) -> torch.Tensor:
    """The descent step −direction, less its components that would leave the box at a bound
    the parameter sits on (a box-constrained point is stationary if only those remain)."""
    bounds = getattr(objective, "bounds", None)
    if bounds is None:
        return direction
    low, high = bounds
    outward = ((param <= low) & (direction > 0)) | ((param >= high) & (direction < 0))
    return torch.where(outward, torch.zeros_like(direction), direction)
