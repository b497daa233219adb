"""The Compare page's table as a learner reads it: short headers, numbers to 4 significant
digits, "—" where a value is missing (never "None" or "nan"), and each verdict as a sentence
below instead of a column that pushes the numbers off screen. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

MISSING = "—"
HIDDEN = ("status", "seconds", "verdict")  # said elsewhere on the page
RENAMED = {"steps to violation ≤ 0.001": "settled from step", "front distance": "to front"}


def cell(value: Any) -> str:
    """One cell: "—" for None or NaN, integers with thousands commas, floats to 4 digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def shown_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """tables.compare_row's rows for display: HIDDEN columns dropped (the subject too when
    every run has the same one), headers shortened."""
    hidden = HIDDEN + (("subject",) if len({r.get("subject") for r in rows}) <= 1 else ())
    return [
        {RENAMED.get(name, name): cell(value) for name, value in row.items() if name not in hidden}
        for row in rows
    ]


def verdict_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """ "#3 mdmm: converged: …" per run, for under the table."""
    return [f"#{row['run']} {row['method']}: {row['verdict']}" for row in rows]
