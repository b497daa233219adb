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


@dataclass(frozen=True)
class TailStats:
    """K runs' tails, each reduced over its steps to what the criteria read: per objective
    its largest, smallest and last value (K, m); per constraint the same of its multiplier
    and violation (K, c), their first values, and how many steps |λ| did not fall (`rising`,
    of `count` − 1); `count` steps judged and the tolerances (K, c). A row without multipliers
    has NaN there. The engine accumulates these while it trains (moo_core.recorder); stored
    runs give arrays (`of_arrays`)."""

    count: int
    objectives_max: np.ndarray
    objectives_min: np.ndarray
    objectives_last: np.ndarray
    multipliers_max: np.ndarray
    multipliers_min: np.ndarray
    multipliers_first: np.ndarray
    multipliers_last: np.ndarray
    rising: np.ndarray
    violations_max: np.ndarray
    violations_min: np.ndarray
    violations_first: np.ndarray
    violations_last: np.ndarray
    tolerances: np.ndarray

    @classmethod
    def of_arrays(cls, objectives, multipliers, violations, tolerances) -> TailStats:
        """From tails as arrays: objectives (T, K, m), multipliers (T, K, c) or None,
        violations (T, K, c), tolerances (K, c)."""
        objectives = np.asarray(objectives, dtype=float)
        violations = np.asarray(violations, dtype=float)
        steps, rows = objectives.shape[:2]
        if multipliers is None:
            multipliers = np.full((steps, rows, violations.shape[2]), np.nan)
        multipliers = np.asarray(multipliers, dtype=float)
        size = np.abs(multipliers)
        reduce = steps > 0
        pick = lambda a, f: f(a) if reduce else np.full(a.shape[1:], np.nan)  # noqa: E731
        return cls(
            count=steps,
            objectives_max=pick(objectives, lambda a: a.max(0)),
            objectives_min=pick(objectives, lambda a: a.min(0)),
            objectives_last=pick(objectives, lambda a: a[-1]),
            multipliers_max=pick(multipliers, lambda a: a.max(0)),
            multipliers_min=pick(multipliers, lambda a: a.min(0)),
            multipliers_first=pick(multipliers, lambda a: a[0]),
            multipliers_last=pick(multipliers, lambda a: a[-1]),
            rising=(np.diff(size, axis=0) >= 0).sum(0),
            violations_max=pick(violations, lambda a: a.max(0)),
            violations_min=pick(violations, lambda a: a.min(0)),
            violations_first=pick(violations, lambda a: a[0]),
            violations_last=pick(violations, lambda a: a[-1]),
            tolerances=np.asarray(tolerances, dtype=float),
        )


def tolerance(epsilon) -> np.ndarray | float:
    """A constraint's violation tolerance, 1e-3·max(1, |ε|) (elementwise over arrays)."""
    scaled = VIOLATION_TOLERANCE * np.maximum(1.0, np.abs(np.asarray(epsilon, dtype=float)))
    return float(scaled) if scaled.ndim == 0 else scaled


def settled_from(steps, violation, tolerance: float) -> int | None:
    """The first step from which the violation stays ≤ `tolerance` to the last recorded step
    (a run's `steps_to_converge`, read from its stored steps); None when the last step
    violates it."""
    ok = np.asarray(violation, dtype=float) <= tolerance  # NaN: not ok
    if not len(ok) or not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(steps[bad[-1] + 1]) if len(bad) else int(steps[0])


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
    """The verdict on one run from its tail arrays: `judge_rows` with K = 1."""
    lift = lambda a: None if a is None else np.asarray(a, dtype=float)[:, None]  # noqa: E731
    multipliers = lift(tail.multipliers)
    stats = TailStats.of_arrays(
        lift(tail.objectives),
        None if multipliers is None or not len(multipliers) else multipliers,
        lift(tail.violations),
        np.asarray(tail.tolerances, dtype=float)[None],
    )
    one = lambda v: None if v is None else [v]  # noqa: E731
    return judge_rows(
        stats,
        status=[status],
        enforces=[enforces],
        stationarity=one(stationarity),
        steps_to_converge=[steps_to_converge],
        gradient_scale=one(gradient_scale),
        free_stationarity=one(free_stationarity),
    )[0]


def judge_rows(
    tails: TailStats,
    *,
    status,
    enforces,
    stationarity=None,
    steps_to_converge=None,
    gradient_scale=None,
    free_stationarity=None,
) -> list[Verdict]:
    """The verdicts on K runs (see the module's criteria): every criterion is taken over the
    K axis at once; only the reasons are written row by row. Per-row inputs are sequences or
    arrays of K; `stationarity`, `gradient_scale` (Σᵢ |wᵢ|·‖∇Lᵢ‖ at the end: tells a plateau
    apart) and `free_stationarity` (the residual without the box projection: tells a box trap
    apart) may be None, or NaN for a row, where not measured."""
    rows = len(status)
    steps = list(steps_to_converge) if steps_to_converge is not None else [None] * rows
    if tails.count == 0:
        return [Verdict(False, s if s in ("diverged", "cancelled") else "no steps recorded")
                for s in status]  # fmt: skip
    evidence = _Evidence(tails, stationarity, gradient_scale, free_stationarity, rows)
    enforces = [bool(e) for e in enforces]
    verdicts = []
    for k, row_status in enumerate(status):
        if row_status in ("diverged", "cancelled"):
            verdicts.append(Verdict(False, row_status))
        else:
            verdicts.append(evidence.verdict(k, enforces[k], steps[k]))
    return verdicts


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


def _column(values, rows: int) -> np.ndarray:
    """A per-row input as (K,) floats, NaN where not measured."""
    if values is None:
        return np.full(rows, np.nan)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


class _Evidence:
    """Every criterion of `judge_rows`, computed over the K axis; rows read as lists."""

    def __init__(self, tails: TailStats, stationarity, gradient_scale, free_stationarity, rows):
        tol = tails.tolerances
        self.tol = tol.tolist()
        self.single = tol.shape[1] == 1
        self.stationarity = _column(stationarity, rows).tolist()
        plateau = _column(gradient_scale, rows) < PLATEAU
        free = _column(free_stationarity, rows)
        # the violation (largest over the constraints) no smaller at the tail's end than at its
        # start: a box trap stalls, a front on the box's face is still approached
        last = tails.violations_last.max(-1)
        stalled = last >= 0.98 * tails.violations_first.max(-1)
        boxed = (
            (_column(stationarity, rows) <= STATIONARY_TOLERANCE)
            & ~(free <= STATIONARY_TOLERANCE)  # NaN (not measured) counts as free
            & stalled
        )
        self.last_violation = last.tolist()
        self.worst = tails.violations_max.tolist()
        self.worst_column = np.argmax(tails.violations_max / tol, -1).tolist()
        self.violated = (tails.violations_max > tol).any(-1).tolist()
        persists = (tails.violations_min > tol).any(-1)
        self.least = tails.violations_min.tolist()
        spread = tails.objectives_max - tails.objectives_min
        relative = spread / np.maximum(1.0, np.abs(tails.objectives_last))
        self.objective_spread = spread.tolist()
        self.moving_objective = np.argmax(relative, -1).tolist()
        self.objectives_moving = (relative > OBJECTIVE_TOLERANCE).any(-1).tolist()
        lams = tails.multipliers_last
        self.has_multipliers = (~np.isnan(lams).all(-1)).tolist()
        lam_spread = tails.multipliers_max - tails.multipliers_min
        relative = lam_spread / np.maximum(1.0, np.abs(lams))
        self.lam_spread = lam_spread.tolist()
        self.moving_lam = np.argmax(np.nan_to_num(relative, nan=-np.inf), -1).tolist()
        self.lams_moving = (
            np.isfinite(lam_spread).all(-1) & (relative > MULTIPLIER_TOLERANCE).any(-1)
        ).tolist()
        # suspected infeasible, for the constraint furthest from holding at the end: violated
        # over the whole tail while |λ| only grew (≥ 95 % of its steps up) by more than 10 % of
        # its last value, and the violation stalled
        column = np.argmax(tails.violations_last / tol, -1)
        pick = lambda a: np.take_along_axis(a, column[:, None], -1)[:, 0]  # noqa: E731
        start, end = np.abs(pick(tails.multipliers_first)), np.abs(pick(tails.multipliers_last))
        rising = pick(tails.rising) / max(tails.count - 1, 1) >= 0.95
        infeasible = (
            (pick(tails.violations_min) > pick(tol))
            & (tails.count >= 3)
            & rising
            & (pick(tails.violations_last) >= 0.98 * pick(tails.violations_first))
            & (end - start > 0.1 * np.maximum(end, 1e-12))
        )
        self.stuck = np.where(
            ~persists, 0, np.where(plateau, 1, np.where(boxed, 2, np.where(infeasible, 3, 0)))
        ).tolist()
        self.infeasible_column = column.tolist()
        self.lam_first = pick(tails.multipliers_first).tolist()
        self.lam_last = pick(tails.multipliers_last).tolist()
        self.column_least = pick(tails.violations_min).tolist()

    def suffix(self, i: int) -> str:
        """ "" for the one constraint of a two-objective run, else its 1-based number."""
        return "" if self.single else str(i + 1)

    def verdict(self, k: int, enforces: bool, steps_to_converge) -> Verdict:
        if enforces and self.stuck[k]:
            return Verdict(False, self._stuck(k))
        problems: list[str] = []
        if enforces and self.violated[k]:
            i = self.worst_column[k]
            problems.append(
                f"violation {_fmt(self.worst[k][i])} {TAIL} (tolerance {_fmt(self.tol[k][i])})"
            )
        if self.has_multipliers[k] and self.lams_moving[k]:
            i = self.moving_lam[k]
            problems.append(
                f"λ{self.suffix(i)} still moving (range {_fmt(self.lam_spread[k][i])} {TAIL})"
            )
        if self.objectives_moving[k]:
            i = self.moving_objective[k]
            name = "f" if i == 0 else f"g{self.suffix(i - 1)}"
            problems.append(
                f"{name} still moving (range {_fmt(self.objective_spread[k][i])} {TAIL})"
            )
        stationarity = self.stationarity[k]
        if stationarity > STATIONARY_TOLERANCE:  # NaN: not measured
            problems.append(f"not stationary (residual {_fmt(stationarity)})")
        if problems:
            return Verdict(False, "not converged: " + "; ".join(problems))
        checks = []
        if enforces:
            checks.append(f"violation ≤ {_fmt(max(self.tol[k]))} {TAIL}")
        if self.has_multipliers[k]:
            checks.append("λ settled")
        checks.append("objectives settled")
        if stationarity == stationarity:  # not NaN
            checks.append(f"stationarity {_fmt(stationarity)}")
        reason = "converged: " + ", ".join(checks)
        if not enforces and self.violated[k]:
            reason += f" (violation {_fmt(self.last_violation[k])} remains)"
        return Verdict(True, reason, steps_to_converge if enforces else None)

    def _stuck(self, k: int) -> str:
        """Why a run that stays violated has stopped: a plateau, a box trap, or a multiplier
        that only grows (suspected infeasible)."""
        violation = _fmt(self.last_violation[k])
        if self.stuck[k] == 1:
            return (
                f"stuck on a plateau: the gradients vanish (Σ|wᵢ|·‖∇Lᵢ‖ < {PLATEAU:g}) with the "
                f"violation at {violation}"
            )
        if self.stuck[k] == 2:
            return (
                f"stuck at the box boundary (the projected step vanishes, residual "
                f"{_fmt(self.stationarity[k])}) with the violation at {violation}: a corner "
                "trap, or ε out of reach"
            )
        i = self.infeasible_column[k]
        return (
            f"suspected infeasible: λ{self.suffix(i)} grew from {_fmt(self.lam_first[k])} to "
            f"{_fmt(self.lam_last[k])} {TAIL} while the violation stayed ≥ "
            f"{_fmt(self.column_least[k])} (in a short run λ may just not have caught "
            "up yet: more steps tell)"
        )


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Means over consecutive windows of `window` rows (the last partial window dropped,
    unless it is the only one)."""
    if window <= 1 or len(values) <= window:
        return values
    usable = len(values) // window * window
    return values[-usable:].reshape(-1, window, *values.shape[1:]).mean(1)
