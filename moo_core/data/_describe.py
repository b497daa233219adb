"""Column kinds and a per-column summary for a preview page."""

from __future__ import annotations

import pandas as pd
from pandas.api import types


def column_kind(series: pd.Series) -> str:
    """ "bool", "numeric" or "text" (anything else: strings, categories, mixed objects)."""
    if types.is_bool_dtype(series):
        return "bool"
    if types.is_numeric_dtype(series):
        return "numeric"
    return "text"


def describe_frame(frame: pd.DataFrame) -> list[dict]:
    """Per column: name, kind, missing count (NaN and ±inf), distinct non-missing values."""
    rows = []
    for label in frame.columns:
        series = frame[label]
        missing = series.isna()
        if column_kind(series) == "numeric":
            missing |= series.isin([float("inf"), float("-inf")])
        rows.append(
            {
                "name": str(label),
                "kind": column_kind(series),
                "missing": int(missing.sum()),
                "distinct": int(series[~missing].nunique()),
            }
        )
    return rows
