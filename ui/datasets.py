"""The Datasets page's logic: uploads, dataset choices, column roles, task configs and checks.

Pure: no Streamlit. Widget keys appear here only as the names of form values (prefix `ds_`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import storage
from moo_core import METHODS, ConfigError, hyperparams_of, make_run_config
from moo_core.config import TASK_DEFAULTS, RunConfig
from moo_core.data import (
    DATASETS,
    MAX_UPLOAD_BYTES,
    DataError,
    content_hash,
    describe_frame,
    read_csv_bytes,
)
from moo_core.data._csv import check_size
from moo_core.tasks import LOSSES, build_task, make_task_spec
from moo_core.tasks._suggest import suggest_roles
from storage.errors import is_database_error
from ui.dataset_objectives import DEFAULT_KIND, constraint_keys, objectives_of
from ui.faults import database_message
from ui.labels import one_line

NO_GROUP = "(none)"
LOSS_CHOICES = ("auto", *LOSSES)
FORM_DEFAULTS: dict[str, Any] = {
    "ds_missing": "drop",
    "ds_loss": "auto",
    "ds_hidden": "64,64",
    "ds_batch": 256,
    "ds_bounds": "",
    "ds_method": "mdmm",
    "ds_constraint": DEFAULT_KIND,
    "ds_steps": 2000,
    "ds_seed": 0,
    "ds_device": "auto",
    "ds_sweep_count": 5,
}


# ---- uploads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    """What became of an upload: the stored dataset, or `view` None and an error message."""

    view: Any  # storage.DatasetView | None
    message: str
    existed: bool = False

    @property
    def ok(self) -> bool:
        return self.view is not None


def store_upload(
    engine,
    raw: bytes,
    name: str,
    owner: str | None = None,
    refuse: Callable[[int], str | None] | None = None,
    admit: Callable[[int], str | None] | None = None,
) -> UploadResult:
    """Check `raw` as CSV and store it once as `owner`'s; a bad file stores nothing and says
    why. Content not stored yet must first pass `refuse(size)` (workshop limits: None), then
    `admit(stored)` in the transaction that stores it (the owner's upload count, atomic). A
    database fault (read-only, full) is said in one line too."""
    try:
        return _store_upload(engine, raw, name, owner, refuse, admit)
    except Exception as error:
        if not is_database_error(error):
            raise
        return UploadResult(None, database_message(error, engine.url))


def _store_upload(engine, raw: bytes, name: str, owner, refuse, admit) -> UploadResult:
    existing = storage.get_dataset(engine, content_hash(raw))
    if existing is None and refuse is not None and (refusal := refuse(len(raw))):
        return UploadResult(None, refusal)
    try:
        frame = read_csv_bytes(raw, name)
    except DataError as bad:
        return UploadResult(None, str(bad))
    if existing is not None:
        message = f"{name} is already stored as {dataset_label(existing)}"
        return UploadResult(existing, message, existed=True)
    if why := untrainable(frame, name):
        return UploadResult(None, why)
    columns = [str(label) for label in frame.columns]
    try:
        view = storage.store_dataset(engine, name, raw, columns, len(frame), owner, admit)
    except ConfigError as refused:  # another tab of this session uploaded meanwhile
        return UploadResult(None, str(refused))
    return UploadResult(view, f"Stored {name}: {len(frame)} rows, {len(columns)} columns")


def untrainable(frame: pd.DataFrame, name: str) -> str | None:
    """Why no task can train on `frame` (None if one can): a task needs a target and a feature,
    each a column with two or more distinct values (all-missing and constant columns have
    fewer). Such a file is not stored."""
    varied = [str(c) for c in frame.columns if frame[c].dropna().nunique() >= 2]
    if len(varied) >= 2:
        return None
    has = f"only {varied[0]!r} varies" if varied else "no column varies"
    return (
        f"{name}: nothing to train on ({has}); a task needs a target and at least one feature, "
        "each with two or more distinct values"
    )


def dataset_label(view: Any) -> str:
    """A stored dataset as "name.csv (1000 rows, sha256:0123abcd…)"."""
    rows = f"{view.rows} rows, " if view.rows is not None else ""
    return f"{view.name} ({rows}sha256:{view.content_hash[:8]}…)"


# ---- choosing a dataset -------------------------------------------------------------------


def source_options(uploads: Sequence[Any]) -> dict[str, str]:
    """Dataset reference → label: the built-ins first, then stored uploads (newest first)."""
    options = {name: f"{name} (built-in)" for name in DATASETS.names()}
    options |= {view.ref: one_line(f"{dataset_label(view)} (uploaded)") for view in uploads}
    return options


def source_summary(ref: str, uploads: Sequence[Any]) -> str:
    if ref in DATASETS:
        return DATASETS.get(ref).summary
    for view in uploads:
        if view.ref == ref:
            return f"Uploaded {view.name}: {view.rows} rows, {view.bytes:,} bytes."
    return ""


def fetcher(engine) -> Callable[[str], bytes]:  # load_table(ref, fetcher(engine)): a frame
    """How a task reads an upload ("sha256:…") from the database, as the worker does."""
    return lambda ref: storage.dataset_content(engine, ref)


def column_table(frame: pd.DataFrame) -> pd.DataFrame:
    """describe_frame as a table: name, kind, missing, distinct."""
    return pd.DataFrame(describe_frame(frame))


# ---- column roles -------------------------------------------------------------------------


def role_defaults(ref: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Form values for a newly chosen dataset: moo_core's suggested roles (a built-in's own;
    for an upload the last numeric column as target), every other column a feature."""
    roles = suggest_roles(ref, frame)
    target, group = roles["target"], roles["group"]
    return {
        "ds_target": target,
        "ds_group": group or NO_GROUP,
        "ds_features": [str(c) for c in frame.columns if str(c) not in (target, group)],
        "ds_objective": roles["objective"],
        "ds_objectives_more": [],
    }


def group_options(columns: Sequence[str], target: str) -> list[str]:
    return [NO_GROUP, *(c for c in columns if c != target)]


def fit_choice(current: Any, options: Sequence[str], fallback: str) -> str:
    """`current` if still offered, else `fallback` (a widget value whose options changed)."""
    return current if current in options else fallback


def fit_features(
    current: Sequence[str],
    options: Sequence[str],
    previous: Sequence[str] | None,
    fitted: Sequence[str] | None = None,
) -> list[str]:
    """The chosen features still offered; when every offered column was chosen before, newly
    offered ones (the former target, say) are chosen too.

    The browser offers `previous`, so a choice holding anything else was made under an older
    offer: a value still in flight when the last run refitted the choice (a quick click on a
    busy machine). The last fitted choice, `fitted`, stands instead; read as the user's, the
    stale value dropped the newly offered column (x2 vanished in a flaky browser test)."""
    if previous is not None and fitted is not None and not set(current) <= set(previous):
        current = fitted
    kept = [c for c in current if c in options]
    if previous is not None and set(previous) <= set(current):
        kept += [c for c in options if c not in kept]
    return [c for c in options if c in kept]


def fit_roles(state: Mapping[str, Any], columns: Sequence[str], target: str) -> dict[str, Any]:
    """Group and feature values still valid once `target` is chosen (`_ds_offered`: the
    feature columns offered, `_ds_fitted`: the features chosen, remembered for the next run)."""
    group = fit_choice(state.get("ds_group"), group_options(columns, target), NO_GROUP)
    offered = [c for c in columns if c not in (target, group)]
    current = state.get("ds_features", offered)
    features = fit_features(current, offered, state.get("_ds_offered"), state.get("_ds_fitted"))
    return {
        "ds_group": group,
        "ds_features": features,
        "_ds_offered": offered,
        "_ds_fitted": features,
    }


def text_columns(table: pd.DataFrame, features: Sequence[str]) -> list[str]:
    """The chosen features that are text (one-hot encoded by the task)."""
    kinds = dict(zip(table["name"], table["kind"], strict=True))
    return [c for c in features if kinds.get(c) == "text"]


# ---- the run ------------------------------------------------------------------------------


def method_names() -> dict[str, list[str]]:
    """Every method's hyperparameter names (which of a suggestion's each method takes)."""
    return {name: [s.name for s in hyperparams_of(METHODS.get(name))] for name in METHODS.names()}


HP_PREFIX = "dshp"  # this page's hyperparameter widgets: `dshp.{method}.{name}`, not the Lab's


def hyperparam_state(method: str, state: Mapping[str, Any]) -> dict[str, Any]:
    """Widget values (keys `dshp.{method}.{name}`) that have none yet: the task defaults
    (Adam, lr 1e-3), else the method's."""
    specs = hyperparams_of(METHODS.get(method))
    keys = {f"{HP_PREFIX}.{method}.{s.name}": TASK_DEFAULTS.get(s.name, s.default) for s in specs}
    return {key: value for key, value in keys.items() if key not in state}


def task_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    """make_task_spec keyword arguments from the form values."""
    features = list(values["ds_features"])
    if not features:
        raise ConfigError("choose at least one feature column")
    group = values.get("ds_group")
    objectives = objectives_of(values)
    bounds = values.get("ds_bounds") if "bounds" in objectives else None
    return {
        "dataset": values["ds_source"],
        "target": values["ds_target"],
        "objective": ",".join(objectives),
        "group": None if group in (None, NO_GROUP) else group,
        "features": features,
        "loss": values["ds_loss"],
        "hidden": values["ds_hidden"],
        "batch_size": values["ds_batch"],
        "missing": values["ds_missing"],
        "bounds": (bounds or "").strip() or None,
    }


def run_config(values: Mapping[str, Any], hyperparams: Mapping[str, Any]) -> RunConfig:
    """A validated task RunConfig (ConfigError naming the bad value): one objective keeps a
    single ε and kind, several give one of each per constraint, in order."""
    keys = constraint_keys(len(objectives_of(values)))
    epsilons, kinds = [values[eps] for eps, _ in keys], [values[kind] for _, kind in keys]
    return make_run_config(
        None,
        values["ds_method"],
        epsilon=epsilons[0] if len(keys) == 1 else epsilons,
        constraint=kinds[0] if len(keys) == 1 else kinds,
        steps=values["ds_steps"],
        seed=values["ds_seed"],
        device=values["ds_device"],
        hyperparams=dict(hyperparams),
        task=task_dict(values),
    )


@dataclass(frozen=True)
class TaskCheck:
    """A built task's summary and data notes, or the one-line reason it cannot be built."""

    summary: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    error: str | None = None


def check_task(task: Mapping[str, Any], fetch: Callable[[str], bytes] | None) -> TaskCheck:
    """Build the task as the worker will (loads and checks the data, trains nothing)."""
    try:
        spec = make_task_spec(**task)
        built = build_task(spec, fetch)
    except ConfigError as bad:
        return TaskCheck(error=str(bad))
    return TaskCheck(summary=built.describe(), notes=built.notes)


def checked_config(values, hyperparams, check) -> tuple[RunConfig | None, TaskCheck]:
    """(config, check(task dict)), or (None, the error) when the form values are not valid."""
    try:
        config = run_config(values, hyperparams)
    except ConfigError as bad:
        return None, TaskCheck(error=str(bad))
    return config, check(config.task.to_dict())


def upload_once(done: dict, upload: Any, engine, **rules: Any) -> tuple[UploadResult, bool]:
    """(result, new) for an uploaded file (`file_id`, `name`, `getvalue()`); `done` remembers
    results by file id, so a file that stays in the uploader is stored once. `rules`: the
    owner and refusal of store_upload."""
    new = upload.file_id not in done
    if new and (too_big := upload_too_big(upload)):
        done[upload.file_id] = UploadResult(None, too_big)
    elif new:
        done[upload.file_id] = store_upload(engine, upload.getvalue(), upload.name, **rules)
    return done[upload.file_id], new


def upload_too_big(upload: Any) -> str | None:
    """Why an upload is refused by its size alone, before its bytes are read (None: it fits)."""
    try:
        check_size(int(upload.size), str(upload.name), MAX_UPLOAD_BYTES)
    except DataError as refused:
        return str(refused)
    return None


def summary_text(summary: Mapping[str, Any]) -> str:
    """One line: kind, loss, split sizes, features, classes and g's unit."""
    if not summary:
        return ""
    parts = [
        f"{summary['kind']} with loss {summary['loss']}",
        f"{summary['rows_train']} training / {summary['rows_validation']} validation rows",
        f"{summary['features']} input features",
    ]
    if summary.get("classes"):
        parts.append(f"classes {', '.join(map(str, summary['classes']))}")
    if summary.get("groups"):
        parts.append(f"{summary['groups']} groups")
    units = summary.get("g_units") or [summary["g_unit"]]
    if len(units) == 1:
        parts.append(f"g in {units[0]}")
    else:
        named = zip(summary["objectives"], units, strict=True)
        parts += [f"g{i} ({name}) in {unit}" for i, (name, unit) in enumerate(named, start=1)]
    return "; ".join(parts)
