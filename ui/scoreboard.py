"""Scoreboard rows: per toy problem, each stored front's hypervolume, IGD, converged share,
share within 0.01 of the front, evaluations and seconds. Pure: views in, rows and CSV out.

A gradient sweep of K settings × T steps costs K·T objective evaluations (each step evaluates
the objectives and their gradients once); an NSGA-II job P·G (its summary says so)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ui.labels import run_config

FRONT_KINDS = ("sweep", "nsga2")  # as storage.FRONT_KINDS (ui does not import storage)
ON_FRONT = 0.01  # "reached the front": within this distance of the analytic front
COLUMNS = (
    "problem", "method", "run", "setting", "hypervolume", "IGD", "converged", "within 0.01",
    "evaluations", "seconds",
)  # fmt: skip


COLUMN_HELP = {  # one plain line per column, shown under the table and as its header's tooltip
    "problem": "The toy problem the front is on.",
    "method": "The gradient method swept over ε (or its weight), or NSGA-II.",
    "run": "The job's id (History has it).",
    "setting": "What was run: settings × steps, or NSGA-II's population P and generations G.",
    "hypervolume": "How much of the objective space the front covers up to a reference point "
    "just beyond it (1.1 in each objective): larger is better; a front bunched in one place "
    "scores low.",
    "IGD": "Mean distance from the analytic front to the nearest point found: smaller is better.",
    "converged": "Share of a sweep's settings whose verdict is converged (settled where their "
    "constraint holds); a front can be good while its points are still moving. NSGA-II's "
    "members are not runs: none.",
    "within 0.01": "Share of points within 0.01 of the analytic front, settled or not.",
    "evaluations": "Objective evaluations spent: K settings × T steps, or P × G.",
    "seconds": "Wall-clock training time on the worker.",
}


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def evaluations_of(view: Any) -> int | None:
    summary = view.summary if isinstance(view.summary, Mapping) else {}
    if view.kind == "nsga2":
        return summary.get("evaluations") or (
            view.config.get("population", 0) * view.config.get("generations", 0)
        )
    steps = run_config(view).get("steps")
    values = view.config.get("values") or ()
    return len(values) * int(steps) if steps else None


def setting_of(view: Any) -> str:
    """What was run: "64 epsilon × 3000 steps" or "P = 100, G = 1920"."""
    config = view.config or {}
    if view.kind == "nsga2":
        return f"P = {config.get('population')}, G = {config.get('generations')}"
    steps = run_config(view).get("steps")
    return f"{len(config.get('values') or ())} {config.get('over')} × {steps} steps"


def job_row(view: Any) -> dict[str, Any]:
    """One finished front: a sweep's or an NSGA-II job's."""
    summary = view.summary if isinstance(view.summary, Mapping) else {}
    points = summary.get("points") or []
    near = sum(
        1 for p in points if p.get("front_distance") is not None and p["front_distance"] <= ON_FRONT
    )
    converged = summary.get("converged_points")
    config = run_config(view)
    return {
        "problem": config.get("problem"),
        "method": config.get("method"),
        "run": view.id,
        "setting": setting_of(view),
        "hypervolume": summary.get("hypervolume"),
        "IGD": summary.get("igd"),
        "converged": None if converged is None else _share(converged, len(points)),
        "within 0.01": _share(near, len(points)),
        "evaluations": evaluations_of(view),
        "seconds": summary.get("seconds", view.seconds),
    }


def scoreboard_rows(views: Iterable[Any], latest_only: bool = True) -> list[dict[str, Any]]:
    """Rows of completed fronts on toy problems (tasks have no analytic front), best
    hypervolume first; with `latest_only` one per (problem, method, evaluations): the newest."""
    rows = [
        job_row(v)
        for v in views
        if v.kind in FRONT_KINDS and v.status == "completed" and not run_config(v).get("task")
    ]
    if latest_only:
        newest: dict[tuple, dict] = {}
        for row in sorted(rows, key=lambda r: r["run"]):
            newest[(row["problem"], row["method"], row["evaluations"])] = row
        rows = list(newest.values())
    return sorted(rows, key=lambda r: (r["problem"], -(r["hypervolume"] or 0.0), r["run"]))


def problems_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(row["problem"]) for row in rows))


def column_config(st_column_config) -> dict:
    """The table's column formats, each header with its one-line meaning as a tooltip."""
    number = st_column_config.NumberColumn
    formats = {"hypervolume": "%.4f", "IGD": "%.4f", "within 0.01": "percent",
               "evaluations": "localized", "seconds": "%.2f"}  # fmt: skip
    return {
        name: number(format=formats[name], help=COLUMN_HELP[name])
        if name in formats
        else st_column_config.Column(help=COLUMN_HELP[name])
        for name in COLUMNS
    }


def shown_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows as the table shows them: `converged` as "43.8 %" (padded, so a click on its
    header sorts it right) and "—" where a job has no verdicts (NSGA-II), never "None"."""

    def share(value):
        return "—" if value is None else f"{100 * value:5.1f} %"

    return [dict(row) | {"converged": share(row.get("converged"))} for row in rows]


def scoreboard_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as CSV with the table's headers (empty cell: not known / not judged)."""
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS} for row in rows
    )
    return out.getvalue()
