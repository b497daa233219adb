"""Table rows, filters, CSV and ETA text for the pages. Pure: no Streamlit, no storage."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from moo_core.records import multiplier_names, objective_names, step_columns
from ui.labels import (
    MARKS,
    converged_of,
    objective_count,
    one_line,
    run_config,
    subject,
    verdict_text,
)

TRAJECTORY_COLUMNS = ("step", "f", "g", "lambda", "violation", "grad_cos")  # m = 2
CONVERGED_VIOLATION = 1e-3  # the README's "|g − ε| below 1e-3" for MDMM on the concave front


def parse_tags(text: str) -> list[str]:
    """Tags from "a, b ,a" → ["a", "b"]: trimmed, empty ones dropped, first spelling kept."""
    seen: dict[str, str] = {}
    for part in str(text or "").split(","):
        tag = part.strip()
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return list(seen.values())


def history_rows(
    runs: Iterable[Any], experiments: Mapping[int, Any], names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per run, with its experiment's name and tags. `subject` is the toy problem or
    the task's "dataset → target" (`names`: uploads' file names by reference)."""
    rows = []
    for v in runs:
        c = run_config(v)
        exp = experiments.get(v.experiment_id)
        rows.append(
            {
                "run": v.id,
                "experiment": one_line(exp.name) if getattr(exp, "name", None) else v.experiment_id,
                "tags": one_line(", ".join(getattr(exp, "tags", None) or [])),
                "kind": v.kind,
                "status": v.status,
                "converged": converged_mark(v),
                "subject": subject(c, names),
                "method": c.get("method"),
                "ε": levels(c.get("epsilon")),
                "steps stored": None if v.kind == "sweep" else v.steps_stored,
                "created": v.created,
                "seconds": v.seconds,
            }
        )
    return rows


def filter_rows(
    rows: Sequence[Mapping[str, Any]],
    statuses: Sequence[str] = (),
    subjects: Sequence[str] = (),
    methods: Sequence[str] = (),
    text: str = "",
) -> list[Mapping[str, Any]]:
    """Rows matching every given filter; an empty filter matches all. `text` is matched,
    case-insensitively, against the run id, experiment name and tags."""
    needle = text.strip().lower()
    out = []
    for row in rows:
        if statuses and row["status"] not in statuses:
            continue
        if subjects and row["subject"] not in subjects:
            continue
        if methods and row["method"] not in methods:
            continue
        haystack = f"#{row['run']} {row['experiment']} {row['tags']}".lower()
        if needle and needle not in haystack:
            continue
        out.append(row)
    return out


def converged_mark(view: Any) -> str:
    """✓ / ✗ / — (unknown) for a run; for a sweep "✓" only when every point converged, and
    "k of n" when some did not."""
    summary = view.summary if isinstance(view.summary, Mapping) else {}
    if view.kind == "sweep" and summary.get("converged_points") is not None:
        count, total = summary["converged_points"], len(summary.get("points") or ())
        return MARKS[True] if count == total else f"{count} of {total}"
    return MARKS[converged_of(view)]


def _cell(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def levels(epsilon: Any) -> Any:
    """A config's ε for a table cell: a scalar as it is, one per constraint as "0.5, 0.6"."""
    if isinstance(epsilon, list | tuple):
        return ", ".join(f"{float(e):g}" for e in epsilon)
    return epsilon


def trajectory_csv(metrics: Mapping[str, np.ndarray]) -> str:
    """A run's steps as CSV, `step,f,g,lambda,violation,grad_cos` (NaN → empty cell), the
    format of `python -m worker export`; with m ≥ 3 objectives each objective and multiplier
    is named: `step,f,g1,g2,lambda1,lambda2,violation,grad_cos`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ("step", *step_columns(objective_count(metrics)))
    writer.writerow(header)
    columns = [np.asarray(metrics[name]) for name in header]
    for step, *rest in zip(*columns, strict=True):
        writer.writerow([int(step), *(_cell(v) for v in rest)])
    return out.getvalue()


def points_csv(points: Sequence[Mapping[str, Any]]) -> str:
    """A sweep's points as CSV, one row per setting."""
    out = io.StringIO()
    if points:
        writer = csv.DictWriter(out, fieldnames=list(points[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(points)
    return out.getvalue()


def duration(seconds: float) -> str:
    """ "42 s", "3 min 5 s", "2 h 03 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def seconds_between(start: datetime | None, end: datetime) -> float | None:
    return None if start is None else (end - start).total_seconds()


def progress_text(
    steps: int, progress: float, started: datetime | None, now: datetime, active: bool
) -> str:
    """ "1,234 steps stored · 12 % · ETA 8 s": the ETA assumes the rate so far continues."""
    return f"{steps:,} steps stored · {100 * progress:.0f} %" + eta(progress, started, now, active)


def eta(progress: float, started: datetime | None, now: datetime, active: bool) -> str:
    """ " · elapsed 4 s · ETA 8 s" while a run trains ("" once it is over)."""
    if not active or started is None:
        return ""
    elapsed = (now - started).total_seconds()
    if progress <= 0 or elapsed <= 0:
        return " · ETA: waiting for the first steps"
    remaining = elapsed * (1 - progress) / progress
    return f" · elapsed {duration(elapsed)} · ETA {duration(remaining)}"


def steps_to_converge(
    step: np.ndarray, violation: np.ndarray, tolerance: float = CONVERGED_VIOLATION
) -> int | None:
    """The first step from which the violation stays ≤ `tolerance` to the end; None if the
    last step is still above it (or NaN)."""
    step, violation = np.asarray(step), np.asarray(violation, dtype=float)
    if not len(step):
        return None
    outside = ~(violation <= tolerance)  # NaN counts as outside
    if outside[-1]:
        return None
    bad = np.flatnonzero(outside)
    return int(step[0] if not len(bad) else step[bad[-1] + 1])


def compare_row(
    view: Any, metrics: Mapping[str, np.ndarray], names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Final f, g, λ and violation of a run and the steps it took to converge; a task run's f
    and g are on the training set, with the validation set's beside them."""
    c, s = run_config(view), view.summary or {}
    final, validation = s.get("final", {}), s.get("validation")
    converged = steps_to_converge(metrics["step"], metrics["violation"])
    held_out = {}
    if validation:
        held_out = {"validation f": validation.get("f"), "validation g": validation.get("g")}
    if s.get("baseline_f") is not None:  # a task: f of always predicting one value
        held_out["constant f"] = s["baseline_f"]
    m = len(final.get("objectives") or ()) or 2
    if m > 2:
        return _compare_row_m(view, c, s, converged, names)
    return {
        "run": view.id,
        "status": view.status,
        "converged": MARKS[converged_of(view)],
        "subject": subject(c, names),
        "method": c.get("method"),
        "ε": c.get("epsilon"),
        "f": final.get("f"),
        "g": final.get("g"),
        **held_out,
        "λ": final.get("lambda"),
        "violation": s.get("violation"),
        f"steps to violation ≤ {CONVERGED_VIOLATION:g}": converged,
        "steps": c.get("steps"),
        "front distance": s.get("front_distance"),
        "seconds": view.seconds,
        "verdict": verdict_reason(view),  # last: a sentence would push the numbers off view
    }


def verdict_reason(view: Any) -> str:
    """Why a run converged or not, for a table cell ("—" for a run without a verdict)."""
    text = verdict_text(view)
    reason = (view.summary or {}).get("reason") if text == "converged" else text
    return reason or text


def _compare_row_m(view, c, s, converged, names) -> dict[str, Any]:
    """compare_row for m ≥ 3 objectives: each objective and multiplier under its name."""
    final, validation = s["final"], s.get("validation") or {}
    m = len(final["objectives"])
    lams = final.get("multipliers") or [None] * (m - 1)
    return {
        "run": view.id,
        "status": view.status,
        "converged": MARKS[converged_of(view)],
        "subject": subject(c, names),
        "method": c.get("method"),
        "ε": levels(c.get("epsilon")),
        **dict(zip(objective_names(m), final["objectives"], strict=True)),
        **{f"validation {k}": v for k, v in validation.items()},
        **({"constant f": s["baseline_f"]} if s.get("baseline_f") is not None else {}),
        **{n.replace("lambda", "λ"): v for n, v in zip(multiplier_names(m), lams, strict=True)},
        "largest violation": s.get("violation"),
        f"steps to violation ≤ {CONVERGED_VIOLATION:g}": converged,
        "steps": c.get("steps"),
        "front distance": s.get("front_distance"),
        "seconds": view.seconds,
        "verdict": verdict_reason(view),  # last: a sentence would push the numbers off view
    }


def sweep_row(
    view: Any, points: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One sweep's quality: its non-dominated count, hypervolume and IGD (None for a task:
    no analytic front)."""
    c, s = run_config(view), view.summary or {}
    return {
        "sweep": view.id,
        "method": c.get("method"),
        "subject": subject(c, names),
        "over": (view.config or {}).get("over"),
        "status": view.status,
        "points": len(points),
        "converged": _points_converged(points),
        "non-dominated": sum(1 for p in points if p.get("nondominated")),
        "hypervolume": s.get("hypervolume"),
        "IGD": s.get("igd"),
    }


def _points_converged(points: Sequence[Mapping[str, Any]]) -> str:
    """How many of a sweep's settings converged, "k of n"; "—" when none has a verdict."""
    verdicts = [converged_of(p) for p in points]
    if all(v is None for v in verdicts):
        return MARKS[None]
    return f"{sum(1 for v in verdicts if v)} of {len(points)}"
