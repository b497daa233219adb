"""Per-step metrics and sweep points of runs with m ≥ 2 objectives.

Column names come from moo_core.records (the one schema). One row per step: the typed
columns f, g, lambda, violation, grad_cos always hold the two-objective view (for m ≥ 3,
g = g1 and lambda = lambda1), so m = 2 rows are written and read exactly as before 0003. For
m ≥ 3 the JSON columns `objectives` [f, g1, …] and `multipliers` [lambda1, …] hold the full
lists. JSON has no NaN or ±inf: in metric lists NaN is null and ±inf the strings "inf" and
"-inf" (exact round trip); in sweep points every non-finite value is null, as it always was.

A sweep point's verdict (converged, reason, steps_to_converge) has its own columns since
0004; a point stored before reads them as None ("unknown", not "not converged").
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from sqlalchemy import Engine, Text, cast, delete, insert, select

from moo_core.records import multiplier_names, objective_count, objective_names, step_columns
from storage.db import retrying, session_scope
from storage.models import REASON_LENGTH, Metric, Run, SweepPoint
from storage.queue import finite_or_none

METRIC_NAMES = ("f", "g", "lambda", "violation", "grad_cos")  # typed columns, every run
POINT_FIELDS = ("violation", "status", "steps", "front_distance", "nondominated")
VERDICT_FIELDS = ("converged", "reason", "steps_to_converge")  # a sweep point's, since 0004


objectives_of = objective_count  # m of a chunk, a sweep point or a get_metrics result


def _json_number(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return "null" if math.isnan(value) else ('"inf"' if value > 0 else '"-inf"')


def _json_rows(table: np.ndarray) -> list[str]:
    """Each row of a (T, n) float array as a JSON list (NaN → null, ±inf → "inf"/"-inf")."""
    return ["[" + ",".join(map(_json_number, row)) + "]" for row in table.tolist()]


def _from_json(values: list | None, width: int) -> list[float]:
    values = list(values or ())[:width]
    numbers = [math.nan if v is None else float(v) for v in values]  # float("inf") == inf
    return numbers + [math.nan] * (width - len(numbers))


def _row_lists(arrays: dict[str, np.ndarray], m: int, count: int) -> dict[str, list[str]]:
    """The JSON `objectives` and `multipliers` of each step of an m ≥ 3 chunk."""
    missing = np.full(count, np.nan)
    return {
        key: _json_rows(np.column_stack([arrays.get(name, missing) for name in names]))
        for key, names in (("objectives", objective_names(m)), ("multipliers", multiplier_names(m)))
    }


@retrying
def append_metrics(
    engine: Engine, run_id: int, chunk_start: int, columns: dict[str, np.ndarray]
) -> int:
    """Store steps [chunk_start, chunk_start + n) of a chunk keyed by `step_columns(m)` in one
    bulk insert (replacing any rows of that range, so a retried chunk is harmless: it is
    retried past a busy lock). NaN is
    stored as NULL, ±inf as is; a missing column reads back as NaN."""
    m = objectives_of(columns)
    arrays = {
        name: np.asarray(values, dtype=float).reshape(-1)
        for name, values in columns.items()
        if name in step_columns(m)
    }
    lengths = {len(values) for values in arrays.values()}
    if len(lengths) > 1:
        raise ValueError(f"metric columns differ in length: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return 0
    lists = _row_lists(arrays, m, count) if m >= 3 else {}
    if m >= 3:  # the two-objective view in the typed columns
        source, missing = {"g": "g1", "lambda": "lambda1"}, np.full(count, np.nan)
        arrays = {name: arrays.get(source.get(name, name), missing) for name in METRIC_NAMES}
    keys = [*arrays, *lists]
    numbers = np.column_stack([arrays[key] for key in arrays])
    table = numbers.astype(object)
    table[np.isnan(numbers)] = None
    steps = range(chunk_start, chunk_start + count)
    rows = [
        (run_id, step, *values, *encoded)
        for step, values, *encoded in zip(steps, table.tolist(), *lists.values(), strict=True)
    ]
    stale = delete(Metric).where(
        Metric.run_id == run_id, Metric.step >= chunk_start, Metric.step < chunk_start + count
    )
    # The driver's own executemany with plain tuples: several times faster than ORM dicts.
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(["run_id", "step", *(f'"{key}"' for key in keys)])
    statement = f"INSERT INTO metrics ({names}) VALUES ({', '.join([mark] * (len(keys) + 2))})"
    with engine.begin() as connection:
        connection.execute(stale)
        connection.exec_driver_sql(statement, rows)  # one executemany
    return count


def _lists_table(texts: list[str | None], width: int | None = None) -> np.ndarray:
    """(rows, width) float64 from JSON list texts, parsed in one go (NULL → a row of NaN);
    `width` defaults to the longest list."""
    parsed = json.loads("[" + ",".join(text or "null" for text in texts) + "]")
    if width is None:
        width = max((len(values) for values in parsed if values is not None), default=0)
    if all(values is not None and len(values) == width for values in parsed):
        return np.array(parsed, dtype=float).reshape(len(parsed), width)  # null → NaN
    return np.array([_from_json(values, width) for values in parsed], dtype=float)


def get_metrics(engine: Engine, run_id: int, since_step: int = 0) -> dict[str, np.ndarray]:
    """Columns step (int64) and f, g, lambda, violation, grad_cos (float64, NULL → NaN) for
    every run; for a run with m ≥ 3 objectives also g1 … g{m−1} and lambda1 … lambda{m−1}."""
    lists = [cast(Metric.objectives, Text), cast(Metric.multipliers, Text)]  # parsed in bulk
    query = (
        select(Metric.step, Metric.f, Metric.g, Metric.lam, Metric.violation, Metric.grad_cos)
        .add_columns(*lists)
        .where(Metric.run_id == run_id, Metric.step >= since_step)
        .order_by(Metric.step)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    columns = list(zip(*rows, strict=True)) or [()] * (len(METRIC_NAMES) + 3)
    out = {"step": np.asarray(columns[0], dtype=np.int64)}
    for name, values in zip(METRIC_NAMES, columns[1:6], strict=True):
        out[name] = np.asarray(values, dtype=float)
    if not any(text is not None for text in columns[6]):
        return out  # a two-objective run
    objectives = _lists_table(columns[6])
    m = objectives.shape[1]
    multipliers = _lists_table(columns[7], m - 1)
    out |= {name: objectives[:, i] for i, name in enumerate(objective_names(m)) if name != "f"}
    out |= {name: multipliers[:, i] for i, name in enumerate(multiplier_names(m))}
    return out


def _point_value(point: dict, over: str | None) -> Any:
    if "value" in point:
        return point["value"]
    return point.get(over) if over else None


def _verdict(point: dict) -> dict:
    """The point's verdict as the columns take it: a bool (numpy's too), a reason cut to the
    column's length, a whole step count; each None when the point has none."""
    converged, reason, steps = (point.get(name) for name in VERDICT_FIELDS)
    if reason is not None:
        reason = str(reason)
        if len(reason) > REASON_LENGTH:
            reason = reason[: REASON_LENGTH - 1] + "…"
    return {
        "converged": None if converged is None else bool(converged),
        "reason": reason,
        "steps_to_converge": None if steps is None else int(steps),
    }


def _point_row(run_id: int, index: int, point: dict, over: str | None) -> dict:
    m = objectives_of(point)
    objectives, multipliers = objective_names(m), multiplier_names(m)
    row = {
        "run_id": run_id,
        "index": index,
        "value": _point_value(point, over),
        "f": point.get("f"),
        "g": point.get(objectives[1]),
        "lambda": point.get(multipliers[0]),
        **{name: point.get(name) for name in POINT_FIELDS},
        **_verdict(point),
        "objectives": None,
        "multipliers": None,
    }
    if m >= 3:
        row["objectives"] = [point.get(name) for name in objectives]
        row["multipliers"] = [point.get(name) for name in multipliers]
    return finite_or_none(row)


@retrying
def store_sweep_points(engine: Engine, run_id: int, points: list[dict]) -> None:
    """Store a sweep's points (the dicts of SweepResult.points()), replacing earlier ones."""
    with engine.connect() as connection:
        config = connection.execute(select(Run.config).where(Run.id == run_id)).scalar()
    over = config.get("over") if isinstance(config, dict) else None
    rows = [_point_row(run_id, index, point, over) for index, point in enumerate(points)]
    lists = ("objectives", "multipliers")
    with engine.begin() as connection:
        connection.execute(delete(SweepPoint).where(SweepPoint.run_id == run_id))
        for has_lists in (False, True):  # m = 2 rows leave the lists SQL NULL, not JSON null
            batch = [row for row in rows if (row["objectives"] is not None) == has_lists]
            if not has_lists:
                batch = [{k: v for k, v in row.items() if k not in lists} for row in batch]
            if batch:
                connection.execute(insert(SweepPoint.__table__), batch)


def get_sweep_points(engine: Engine, run_id: int) -> list[dict]:
    """A sweep's points in order: index, value (also under the swept name), f, g, lambda,
    (for m ≥ 3 also g1 …, lambda1 …), violation, status, steps, front_distance,
    nondominated, converged, reason, steps_to_converge. Non-finite numbers read as None, and
    so does the verdict of a point stored before verdicts existed."""
    with session_scope(engine) as session:
        config = session.execute(select(Run.config).where(Run.id == run_id)).scalar()
        points = session.scalars(
            select(SweepPoint).where(SweepPoint.run_id == run_id).order_by(SweepPoint.index)
        ).all()
    over = config.get("over") if isinstance(config, dict) else None
    out = []
    for point in points:
        item = {"index": point.index, "value": point.value}
        if over:
            item[over] = point.value
        item |= {"f": point.f, "g": point.g, "lambda": point.lam}
        if point.objectives is not None:
            m = len(point.objectives)
            item |= dict(zip(objective_names(m)[1:], point.objectives[1:], strict=True))
            lams = list(point.multipliers or ())[: m - 1]
            lams += [None] * (m - 1 - len(lams))
            item |= dict(zip(multiplier_names(m), lams, strict=True))
        item |= {name: getattr(point, name) for name in (*POINT_FIELDS, *VERDICT_FIELDS)}
        out.append(item)
    return out
