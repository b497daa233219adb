"""A frame plus chosen column roles → `Prepared` arrays; a one-line DataError for a bad choice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from moo_core.data._describe import column_kind
from moo_core.data._encode import encode_features, encode_groups, encode_target
from moo_core.data._errors import DataError
from moo_core.data._prepared import Prepared

MIN_ROWS = 10
MISSING_MODES = ("drop", "impute")
MAX_MAGNITUDE = 1e300  # squares and sums of larger numbers overflow float64 while training


def _refuse_huge(table: pd.DataFrame, name: str) -> None:
    """A DataError naming the first used numeric column holding a number beyond ±1e300."""
    for label in table.columns:
        series = table[label]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        if (np.abs(series.to_numpy(dtype=float)) > MAX_MAGNITUDE).any():
            raise DataError(
                f"column {label!r} of {name} has numbers beyond ±{MAX_MAGNITUDE:g}; rescale it"
            )


def prepare(
    frame: pd.DataFrame,
    name: str,
    target: str,
    group: str | None = None,
    features: Sequence[str] | None = None,
    classification: bool | None = None,
    missing: str = "drop",
    require_groups: int = 0,
) -> Prepared:
    """Arrays for a task; `classification=None` decides from the target column.

    `missing` is "drop" (rows with a missing value in a used column) or "impute" (median for
    numbers, most frequent value for text; rows missing the target or group are still dropped).
    ±inf counts as missing; a finite number beyond ±1e300 (it would overflow in training) is
    refused with a DataError naming its column. `require_groups` is the fewest distinct groups
    allowed (parity: 2).
    """
    feature_columns = _choose_columns(frame, name, target, group, features)
    roles = [target] if group is None else [target, group]
    table = frame[roles + feature_columns].replace([np.inf, -np.inf], np.nan)
    _refuse_huge(table, name)
    table, notes = _handle_missing(table, name, roles, missing)
    table = table.infer_objects()
    target_values, classes = encode_target(table[target], target, classification)
    groups, group_names = None, None
    if group is not None:
        groups, group_names = encode_groups(table[group], group, require_groups)
    matrix, feature_names, feature_notes = encode_features(table[feature_columns])
    if not feature_names:
        roles_text = "the target" if group is None else "the target and group"
        raise DataError(f"no numeric feature: {name} has no column besides {roles_text}")
    return Prepared(
        name=name,
        features=matrix,
        feature_names=tuple(feature_names),
        target=target_values,
        target_name=target,
        classes=classes,
        groups=groups,
        group_names=group_names,
        notes=tuple(notes + feature_notes),
    )


def _choose_columns(
    frame: pd.DataFrame,
    name: str,
    target: str,
    group: str | None,
    features: Sequence[str] | None,
) -> list[str]:
    """The feature columns, after checking that every named column exists and roles differ."""
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise DataError(f"{name} has duplicate column names: {_listing(repeated)}")
    _require_column(frame, name, target, "target")
    if group is not None:
        _require_column(frame, name, group, "group")
        if group == target:
            raise DataError(f"column {target!r} cannot be both the target and the group")
    if features is None:
        return [label for label in frame.columns if label not in (target, group)]
    for label in features:
        _require_column(frame, name, label, "feature")
        if label in (target, group):
            role = "target" if label == target else "group"
            raise DataError(f"column {label!r} is the {role}; it cannot also be a feature")
    return list(dict.fromkeys(features))


def _require_column(frame: pd.DataFrame, name: str, label: str, role: str) -> None:
    if label not in frame.columns:
        raise DataError(
            f"{role} column {label!r} is not in {name}; columns: {_listing(frame.columns)}"
        )


def _listing(labels: Sequence, limit: int = 12) -> str:
    names = [str(label) for label in labels]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … (+{len(names) - limit} more)"


def _handle_missing(
    table: pd.DataFrame, name: str, roles: list[str], missing: str
) -> tuple[pd.DataFrame, list[str]]:
    if missing not in MISSING_MODES:
        raise DataError(f"missing={missing!r} is not allowed; choose one of drop, impute")
    _refuse_empty_columns(table)
    if missing == "drop":
        table, notes = _drop_rows(table, list(table.columns), "missing values")
        _require_rows(table, name, notes)
        return table, notes
    table, notes = _drop_rows(table, roles, "a missing target or group")
    _require_rows(table, name, notes)
    _refuse_empty_columns(table)  # the dropped rows may have held a column's only values
    return _impute(table, notes)


def _refuse_empty_columns(table: pd.DataFrame) -> None:
    empty = [str(label) for label in table.columns if table[label].isna().all()]
    if empty:
        raise DataError(f"column {empty[0]!r} has no values (every value is missing)")


def _require_rows(table: pd.DataFrame, name: str, notes: list[str]) -> None:
    if len(table) < MIN_ROWS:
        why = f" ({notes[0]})" if notes else ""
        raise DataError(f"{name} has {len(table)} usable rows{why}; need at least {MIN_ROWS}")


def _drop_rows(
    table: pd.DataFrame, columns: list[str], reason: str
) -> tuple[pd.DataFrame, list[str]]:
    incomplete = table[columns].isna().any(axis=1)
    dropped = int(incomplete.sum())
    if not dropped:
        return table, []
    return table[~incomplete], [f"dropped {dropped} of {len(table)} rows with {reason}"]


def _impute(table: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Median for numbers, most frequent value for text (ties: the smallest)."""
    table = table.copy()
    imputed = 0
    for label in table.columns:
        gaps = table[label].isna()
        if not gaps.any():
            continue
        present = table[label][~gaps].infer_objects()
        fill = present.median() if column_kind(present) == "numeric" else present.mode().iloc[0]
        table[label] = table[label].where(~gaps, fill)
        imputed += int(gaps.sum())
    if imputed:
        notes = [*notes, f"imputed {imputed} cells"]
    return table, notes
