"""Did a run converge? Documented criteria over the last part of the run, per row.

Over the tail (the last quarter of the steps a run was given; task runs on mini-batches are
first averaged over one epoch's batches, to judge the trend and not the batch noise):

1. **Feasible** (methods that enforce their constraints: BDMM, MDMM, augmented Lagrangian,
   νPI): every constraint's violation stayed ≤ 1e-3·max(1, |ε|) over the tail.
2. **Multipliers settled** (methods with multipliers or task weights): each one's range over
   the tail ≤ 1e-2·max(1, |its last value|).
3. **Objectives settled**: each objective's range over the tail ≤ 1e-3·max(1, |its last
   value|).
4. **Stationary** (toy problems and full-batch tasks): at the last point, the balanced
   direction Σᵢ wᵢ∇Lᵢ — projected onto the box where the problem has one — has norm
   ≤ 1e-2·Σᵢ |wᵢ|·‖∇Lᵢ‖ (for the multiplier methods this is the KKT residual ∇f + Σ λᵢ∇gᵢ).
5. **Learned** (tasks on real data, `judge_baseline`): the final f is at least 5 % below
   `baseline_f`, the loss of the best constant prediction on the same rows; a run that
   learned nothing is "not converged: f did not improve on a constant prediction".

When a constraint stays violated over the whole tail the reason says why, where the evidence
allows: "stuck on a plateau" (every gradient vanishes), "stuck at the box boundary" (only the
box holds the step back and the violation no longer shrinks, e.g. a corner of ZDT's box) or
"suspected infeasible" (the violation no smaller at the tail's end than at its start while
the multiplier only grew).

A penalty method is judged on 2–4 and the reason reports the violation it leaves (a fixed μ
misses ε by design). `steps_to_converge` is the step after which every violation stayed
within tolerance (methods that enforce constraints, when they converged), else None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TAIL_FRACTION = 0.25
VIOLATION_TOLERANCE = 1e-3
MULTIPLIER_TOLERANCE = 1e-2
OBJECTIVE_TOLERANCE = 1e-3
STATIONARY_TOLERANCE = 1e-2
PLATEAU = 1e-6  # Σᵢ |wᵢ|·‖∇Lᵢ‖ below this: nothing moves the parameters any more
TAIL = "over the last 25 % of steps"
BASELINE_MARGIN = 0.05  # f must end at least 5 % below the best constant prediction's loss
NO_LEARNING = "f did not improve on a constant prediction"
STOPPED = ("diverged", "cancelled")  # statuses that are their own verdict


@dataclass(frozen=True)
class Verdict:
    converged: bool
    reason: str
    steps_to_converge: int | None = None


@dataclass(frozen=True)
class Tail:
    """One run's tail: objectives (T, m), multipliers (T, m − 1) or None, violations
    (T, c) per constraint, and the tolerance of each constraint (c,)."""

    objectives: np.ndarray
    multipliers: np.ndarray | None
    violations: np.ndarray
    tolerances: np.ndarray


def _range(values: np.ndarray) -> np.ndarray:
    return values.max(0) - values.min(0)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def judge(
    tail: Tail,
    *,
    status: str,
    enforces: bool,
    stationarity: float | None,
    steps_to_converge: int | None,
    gradient_scale: float | None = None,
    free_stationarity: float | None = None,
) -> Verdict:
    """The verdict on one run from its tail (see the module's criteria). `gradient_scale`
    (Σᵢ |wᵢ|·‖∇Lᵢ‖ at the end) tells a plateau apart, `free_stationarity` (the residual
    without the box projection) a box trap."""
    if status in STOPPED:
        return Verdict(False, status)
    if len(tail.objectives) == 0:
        return Verdict(False, "no steps recorded")
    problems: list[str] = []
    violated = tail.violations.max(0) > tail.tolerances  # (c,) at some step of the tail
    persists = tail.violations.min(0) > tail.tolerances  # (c,) at every step of the tail
    if enforces and persists.any():
        stuck = _stuck(tail, stationarity, free_stationarity, gradient_scale)
        if stuck:
            return Verdict(False, stuck)
    if enforces and violated.any():
        i = int(np.argmax(tail.violations.max(0) / tail.tolerances))
        problems.append(
            f"violation {_fmt(tail.violations[:, i].max())} {TAIL} "
            f"(tolerance {_fmt(tail.tolerances[i])})"
        )
    if tail.multipliers is not None and len(tail.multipliers):
        spread = _range(tail.multipliers)
        scale = np.maximum(1.0, np.abs(tail.multipliers[-1]))
        moving = spread > MULTIPLIER_TOLERANCE * scale
        if np.isfinite(spread).all() and moving.any():
            i = int(np.argmax(spread / scale))
            problems.append(f"λ{_suffix(tail, i)} still moving (range {_fmt(spread[i])} {TAIL})")
    spread = _range(tail.objectives)
    scale = np.maximum(1.0, np.abs(tail.objectives[-1]))
    if (spread > OBJECTIVE_TOLERANCE * scale).any():
        i = int(np.argmax(spread / scale))
        name = "f" if i == 0 else f"g{_suffix(tail, i - 1)}"
        problems.append(f"{name} still moving (range {_fmt(spread[i])} {TAIL})")
    if stationarity is not None and stationarity > STATIONARY_TOLERANCE:
        problems.append(f"not stationary (residual {_fmt(stationarity)})")
    if problems:
        return Verdict(False, "not converged: " + "; ".join(problems))
    checks = []
    if enforces:
        checks.append(f"violation ≤ {_fmt(tail.tolerances.max())} {TAIL}")
    if tail.multipliers is not None:
        checks.append("λ settled")
    checks.append("objectives settled")
    if stationarity is not None:
        checks.append(f"stationarity {_fmt(stationarity)}")
    reason = "converged: " + ", ".join(checks)
    if not enforces and violated.any():
        reason += f" (violation {_fmt(tail.violations[-1].max())} remains)"
    return Verdict(True, reason, steps_to_converge if enforces else None)


def learned(f, baseline_f) -> np.ndarray:
    """Whether each final f is clearly below the best constant prediction's loss (elementwise
    over arrays of runs; True where there is no baseline: a toy problem, or a target that a
    constant predicts exactly)."""
    f, base = np.asarray(f, dtype=float), np.asarray(baseline_f, dtype=float)
    judged = np.isfinite(base) & (base > 0)
    return ~judged | (f <= (1.0 - BASELINE_MARGIN) * np.where(judged, base, 0.0))


def judge_baseline(verdict: Verdict, f: float, baseline_f: float | None) -> Verdict:
    """The verdict on a task run given its baseline: a run that learned nothing is not
    converged, whatever else holds ("not converged: f did not improve on a constant
    prediction (f = …, a constant's f = …)", before any other reason)."""
    if baseline_f is None or bool(learned(f, baseline_f)) or verdict.reason in STOPPED:
        return verdict
    why = f"{NO_LEARNING} (f = {_fmt(f)}, a constant's f = {_fmt(baseline_f)})"
    rest = verdict.reason.removeprefix("not converged: ") if not verdict.converged else ""
    return Verdict(False, f"not converged: {why}" + (f"; {rest}" if rest else ""))


def _stuck(tail: Tail, stationarity, free_stationarity, gradient_scale) -> str | None:
    """Why a run that stays violated has stopped, where the evidence says: a plateau, a box
    trap, or a multiplier that only grows (suspected infeasible)."""
    violation = _fmt(tail.violations[-1].max())
    if gradient_scale is not None and gradient_scale < PLATEAU:
        return (
            f"stuck on a plateau: the gradients vanish (Σ|wᵢ|·‖∇Lᵢ‖ < {PLATEAU:g}) with the "
            f"violation at {violation}"
        )
    boxed = (
        stationarity is not None
        and stationarity <= STATIONARY_TOLERANCE
        and (free_stationarity is None or free_stationarity > STATIONARY_TOLERANCE)
        and _stalled(tail.violations.max(1))  # a front on the box's face is still approached
    )
    if boxed:
        return (
            f"stuck at the box boundary (the projected step vanishes, residual "
            f"{_fmt(stationarity)}) with the violation at {violation}: a corner trap, or ε "
            "out of reach"
        )
    i = int(np.argmax(tail.violations[-1] / tail.tolerances))
    if tail.multipliers is not None and _infeasible(tail, i):
        lam = tail.multipliers[:, i]
        return (
            f"suspected infeasible: λ{_suffix(tail, i)} grew from {_fmt(lam[0])} to "
            f"{_fmt(lam[-1])} {TAIL} while the violation stayed ≥ "
            f"{_fmt(tail.violations[:, i].min())} (in a short run λ may just not have caught "
            "up yet: more steps tell)"
        )
    return None


def _stalled(violation: np.ndarray) -> bool:
    """No progress towards ε over the tail: the last violation ≥ 98 % of the first."""
    return bool(violation[-1] >= 0.98 * violation[0])


def _suffix(tail: Tail, i: int) -> str:
    """ "" for the one constraint of a two-objective run, else its 1-based number."""
    return "" if tail.violations.shape[1] == 1 else str(i + 1)


def _infeasible(tail: Tail, i: int) -> bool:
    """Violated over the whole tail while |λ| only grew (≥ 95 % of its sampled steps up),
    by more than 10 % of its last value: the multiplier pushes and nothing gives."""
    lam, violation = np.abs(tail.multipliers[:, i]), tail.violations[:, i]
    still = violation.min() > tail.tolerances[i]
    if not still or len(lam) < 3:
        return False
    rising = (np.diff(lam) >= 0).mean() >= 0.95
    stalled = _stalled(violation)
    return bool(rising and stalled and lam[-1] - lam[0] > 0.1 * max(lam[-1], 1e-12))


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Means over consecutive windows of `window` rows (the last partial window dropped,
    unless it is the only one)."""
    if window <= 1 or len(values) <= window:
        return values
    usable = len(values) // window * window
    return values[-usable:].reshape(-1, window, *values.shape[1:]).mean(1)
