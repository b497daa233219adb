"""Columns → numbers: one-hot text features, class indices, group codes.

Missing values are already gone when these run (see `_prepare`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types

from moo_core.data._describe import column_kind
from moo_core.data._errors import DataError

MAX_ONE_HOT_VALUES = 50
MAX_CLASSES = 100
MAX_GROUPS = 50
AUTO_CLASS_LIMIT = 10  # an integer-valued target with at most this many values is a class label


def encode_features(frame: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    """(matrix, names, notes): numbers as floats, bool as 0/1, text one-hot; constants dropped.

    A constant column carries no information and would divide by a zero spread when the task
    standardises, so it is dropped with a note.
    """
    blocks, names = [], []
    for label in frame.columns:
        series = frame[label]
        if column_kind(series) == "text":
            block, block_names = one_hot(series, str(label))
        else:
            block, block_names = series.to_numpy(dtype=float)[:, None], [str(label)]
        blocks.append(block)
        names.extend(block_names)
    if not blocks:
        return np.empty((len(frame), 0)), [], []
    matrix = np.hstack(blocks)
    constant = (matrix == matrix[:1]).all(axis=0)
    if not constant.any():
        return matrix, names, []
    dropped = [names[i] for i in np.flatnonzero(constant)]
    kept = [names[i] for i in np.flatnonzero(~constant)]
    if not kept:
        raise DataError(f"no numeric feature: every feature column is constant ({_some(dropped)})")
    return matrix[:, ~constant], kept, [f"dropped constant feature columns: {_some(dropped)}"]


def one_hot(series: pd.Series, label: str) -> tuple[np.ndarray, list[str]]:
    values = series.astype(str).to_numpy()
    distinct = np.unique(values)
    if len(distinct) > MAX_ONE_HOT_VALUES:
        raise DataError(
            f"column {label!r} has {len(distinct)} distinct text values; too many to one-hot "
            "encode — drop it from the features"
        )
    block = (values[:, None] == distinct[None, :]).astype(float)
    return block, [f"{label}={value}" for value in distinct]


def encode_target(
    series: pd.Series, label: str, classification: bool | None
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """(values, classes): float64 values and None, or int64 class indices and their labels."""
    if classification is None:
        classification = looks_categorical(series)
    if not classification:
        if column_kind(series) == "text":
            raise DataError(f"target {label!r} is not numeric; use loss ce for categories")
        return series.to_numpy(dtype=float), None
    codes, classes = codes_and_labels(series)
    if len(classes) < 2:
        raise DataError(
            f"target {label!r} has one class ({classes[0]!r}); classification needs at least two"
        )
    if len(classes) > MAX_CLASSES:
        raise DataError(
            f"target {label!r} has {len(classes)} distinct values; too many classes "
            f"(at most {MAX_CLASSES}) — use a regression loss"
        )
    return codes, classes


def looks_categorical(series: pd.Series) -> bool:
    """Text, bool and category targets are labels; so are integers with few distinct values."""
    if column_kind(series) != "numeric":
        return True
    values = series.to_numpy(dtype=float)
    integral = bool(np.all(values == np.round(values)))
    return integral and len(np.unique(values)) <= AUTO_CLASS_LIMIT


def encode_groups(
    series: pd.Series, label: str, require_groups: int = 0
) -> tuple[np.ndarray, tuple[str, ...]]:
    """(codes 0..G−1, group names); at least `require_groups` groups, at most MAX_GROUPS."""
    codes, names = codes_and_labels(series)
    if len(names) > MAX_GROUPS:
        raise DataError(
            f"group column {label!r} has {len(names)} distinct values; a group column needs "
            f"a few categories (at most {MAX_GROUPS})"
        )
    if len(names) < require_groups:
        found = f"one value ({names[0]!r})" if len(names) == 1 else f"only {len(names)} values"
        raise DataError(
            f"group column {label!r} has {found}; parity needs at least {require_groups} groups"
        )
    return codes, names


def codes_and_labels(series: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Indices into the sorted distinct values (numeric order for numbers), labels as text."""
    if types.is_numeric_dtype(series) or types.is_bool_dtype(series):
        values = series.to_numpy()
    else:
        values = series.astype(str).to_numpy()
    distinct, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), tuple(_label_text(value) for value in distinct)


def _label_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _some(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … (+{len(names) - limit} more)"
