"""What every page shares: the database engine, the worker check, run loading. Not a page."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import streamlit as st

from pages._base import (  # noqa: F401  (every page's names, from one module)
    ROOT,
    confirmed,
    follow_deep_link,
    mark_navigation,
    require_navigation,
)

TERMINAL = ("completed", "failed", "cancelled", "diverged")


@st.cache_resource(show_spinner=False)
def engine():
    """One engine per server process (None, with the reason in session state, if unavailable)."""
    import storage

    eng = storage.make_engine()
    storage.upgrade(eng)
    return eng


def get_engine():
    """The engine, or None once the page has said in one line why the database cannot be used
    (corrupt, unreachable, a vanished SQLite file). One that reads but takes no writes
    (read-only) is said too, and the page goes on."""
    from pages._faults import url
    from storage.errors import DatabaseUnusable, vanished
    from ui.faults import database_message, read_only_message
    from ui.labels import plain

    try:
        eng = engine()
    except Exception as error:
        st.error(plain(database_message(error, url())))
        return None
    if why := vanished(eng.url):  # every run: SQLite goes on reading a deleted file
        eng.dispose()  # its pooled connections hold the deleted file
        st.error(plain(f"{why[0].upper()}{why[1:]}: restore it, or restart the server."))
        return None
    health = _health(eng.url.render_as_string(hide_password=True), eng)
    if health.problem is not None and not health.reads:  # corrupt since the server started
        st.error(plain(database_message(DatabaseUnusable(health.problem), eng.url)))
        return None
    if health.problem is not None:
        st.warning(plain(read_only_message(health.problem, eng.url)))
    return eng


@st.cache_data(ttl=5, show_spinner=False)
def _health(url: str, _eng):
    """storage.health (read-only? corrupt?), asked at most every 5 s per server."""
    from storage.health import health

    return health(_eng)


@st.cache_resource(show_spinner=False)
def _worker_keeper(url: str | None):
    """One SpawnedWorker per server process (and database URL)."""
    from worker.spawn import SpawnedWorker

    return SpawnedWorker()


def _spawned_worker(url: str | None):
    """The `python -m worker serve` process this server started, started again if it died."""
    return _worker_keeper(url).alive()


def worker_banner(eng) -> None:
    """Make sure a worker is there (unless workers are external); otherwise say how to start one."""
    import storage

    try:
        alive = storage.live_workers(eng, within_seconds=15)
    except Exception:
        alive = []
    if alive:
        return
    if os.environ.get("MOO_EXTERNAL_WORKERS") != "1":
        proc = _spawned_worker(os.environ.get("MOO_DATABASE_URL"))
        if proc.poll() is None:
            st.info("Starting a background worker… runs queue until it is ready.")
            return
    st.warning(
        "No worker is running, so queued runs will wait. Start one in a terminal with "
        "`python -m worker serve` (same `MOO_DATABASE_URL`)."
    )


def open_page(page_file: str, title: str, *, worker: bool = True, required: bool = True):
    """Every page's first line: back through app.py for a deep link on a fresh server, the
    title, the database's engine (stopping the page, or None where `required` is False, once
    it has said in one line why it cannot be used) and, where the page queues or watches
    training (`worker`), a worker started or asked for."""
    require_navigation(page_file)
    st.title(title)
    eng = get_engine()
    if eng is None and required:
        st.stop()
    if eng is not None and worker:
        worker_banner(eng)
    return eng


def config_of(view) -> dict[str, Any]:
    """The run part of a run's or a sweep's stored config."""
    from ui.tables import run_config

    return run_config(view)


def label(view) -> str:
    c = config_of(view)
    return f"#{view.id} {c.get('method', '?')}"


def load_views(eng, ids: list[int]):
    """Views for `ids`; missing ids (deleted, or never existed) are reported, not raised."""
    import storage

    views = []
    for run_id in ids:
        view = storage.get_run(eng, run_id)
        if view is None:
            st.warning(f"Run {run_id} does not exist (it may have been deleted).")
        else:
            views.append(view)
    return views


def fetch_runs(eng, ids: list[int], wait_for_steps: float = 0.0):
    """The runs `ids` that exist now. With `wait_for_steps` > 0, first wait up to that many
    seconds while every one of them is queued or running without a stored step."""
    import storage

    deadline = time.monotonic() + wait_for_steps
    while True:
        views = [v for v in (storage.get_run(eng, i) for i in ids) if v is not None]
        waiting = all(v.status in ("queued", "running") and not v.steps_stored for v in views)
        if not views or not waiting or time.monotonic() >= deadline:
            return views
        time.sleep(0.05)


def metrics(eng, run_id: int) -> dict[str, np.ndarray]:
    """All stored steps of a run, fetched incrementally and kept in session state."""
    import storage

    cache = st.session_state.setdefault("_metrics", {})
    have = cache.get(run_id)
    since = int(have["step"][-1]) + 1 if have is not None and len(have["step"]) else 0
    new = storage.get_metrics(eng, run_id, since_step=since)
    new = {k: np.asarray(v) for k, v in new.items()}
    if have is None or not len(have["step"]):  # no rows yet: no g1, λ1, … columns either
        cache[run_id] = new
    elif len(new.get("step", ())):
        cache[run_id] = {k: np.concatenate([have[k], new[k]]) for k in have}
    return cache[run_id]


def dataset_names(eng) -> dict[str, str]:
    """Uploaded datasets' file names by reference ("sha256:…"), to name task runs by them."""
    import storage

    return {view.ref: view.name for view in storage.list_datasets(eng)}


def front_preview(problem: str, epsilons: Sequence[float]) -> None:
    """The problem's analytic front with each constraint's ε, beside the form. Drawing a chart
    here also loads the browser's Plotly code (~5 MB) before Launch opens the Live page:
    without it the first point showed ~1 s later (docs/benchmarks.md)."""
    from moo_core import PROBLEMS
    from ui import charts

    points = 200 if len(epsilons) == 1 else 900  # a surface needs a finer grid than a curve
    front = PROBLEMS.get(problem).front(points)
    chart, _ = st.columns(2)
    chart.plotly_chart(charts.front_chart(front, epsilons), key="front_preview")


def analytic_front(config: dict, m: int):
    """A toy problem's front, (N, m) points; None for a task and for m > 3 (no 3-D view)."""
    from moo_core import PROBLEMS

    problem = config.get("problem")
    if problem not in PROBLEMS or m > 3:
        return None
    return PROBLEMS.get(problem).front(400 if m == 2 else 900)


def constraint_inputs(problem: str, m: int) -> tuple[list[str], list]:
    """One ε and one kind for each of the m − 1 constraints, two to a row of four columns (a
    new one starts from the first's values); their keys and the last row's free columns."""
    from moo_core.methods import CONSTRAINT_KINDS
    from ui.params import constraint_keys, g_range

    lo, hi = g_range(problem)
    keys, free = constraint_keys(m), []
    for first in range(0, len(keys), 2):
        columns = st.columns(4)
        pairs = keys[first : first + 2]
        for i, (eps, kind) in enumerate(pairs, start=first + 1):
            st.session_state.setdefault(eps, st.session_state["epsilon"])
            st.session_state.setdefault(kind, st.session_state["constraint"])
            g = "g" if m == 2 else f"g{i}"
            left, right = columns[2 * (i - first - 1) : 2 * (i - first)]
            left.number_input(
                f"ε{'' if m == 2 else i} (constraint level on {g})",
                value=kept(eps),
                key=eps,
                step=0.05,
                format="%g",
                help=f"Target level for {g}; for {problem} choose from {lo:g} to {hi:g}.",
            )
            label = "Constraint" if m == 2 else f"Constraint on {g}"
            help = f"{g} = ε, {g} ≤ ε or {g} ≥ ε"
            kept_choice(right.selectbox, label, CONSTRAINT_KINDS, kind, help=help)
        free = columns[2 * len(pairs) :]
    return [key for pair in keys for key in pair], free


def kept(key: str) -> Any:
    """The value the page keeps in st.session_state for widget `key`, to pass as its `value=`.

    A widget whose value was set through st.session_state sends the browser its declared
    default (0.0 for a number_input declared without one). When reruns overlap on a busy
    machine the browser can lose its copy of the kept value and send that default back: lr,
    damping and lr_lambda silently became 0.0 (a flaky CI run, reproduced under load).
    Declaring the kept value as the default leaves nothing wrong to fall back to."""
    return st.session_state[key]


def kept_choice(widget: Callable, label: str, options: Sequence[Any], key: str, **kw: Any) -> Any:
    """`widget(label, options, key=key, **kw)` (a selectbox or radio, e.g. `col.selectbox`)
    declaring the kept choice as its default, as kept() does for values."""
    value = st.session_state.get(key)
    index = list(options).index(value) if value in options else 0
    return widget(label, options, index, key=key, **kw)


def hyperparameter_inputs(method: str, prefix: str = "hp") -> dict[str, Any]:
    """One widget per hyperparameter of `method`, keyed `{prefix}.{method}.{name}`: each page
    keeps its own values (the Datasets page's Adam defaults stay off the Lab's toy problems)."""
    from ui.glossary import tooltip
    from ui.params import method_specs

    values: dict[str, Any] = {}
    cols = st.columns(3)
    for i, spec in enumerate(method_specs(method)):
        key = f"{prefix}.{method}.{spec.name}"
        st.session_state.setdefault(key, spec.default)
        if spec.kind == "float" and isinstance(st.session_state[key], int):
            st.session_state[key] = float(st.session_state[key])
        col = cols[i % 3]
        if spec.kind == "choice":
            hint = tooltip(spec.name, spec.help)
            values[spec.name] = kept_choice(col.selectbox, spec.name, spec.choices, key, help=hint)
        elif spec.kind == "floats":  # a comma list with no range (weighted_sum's shares)
            hint = tooltip(spec.name, spec.help)
            values[spec.name] = col.text_input(spec.name, kept(key), key=key, help=hint)
        else:
            scale = ", log scale" if spec.log_scale else ""
            hint = tooltip(spec.name, f"{spec.help}, from {spec.low:g} to {spec.high:g}{scale}")
            fmt = "%d" if spec.kind == "int" else "%g"
            values[spec.name] = col.number_input(
                spec.name, value=kept(key), key=key, help=hint, format=fmt
            )
    return values


def submit(eng, name: str, kind: str, configs: list) -> list[int]:
    """Queue `configs` as one experiment of `kind`, in one transaction (a worker claims a
    comparison's runs together, as a race: storage/races.py); returns their run ids. In
    workshop mode a participant's submission must fit the limits, checked in that same
    transaction (pages/_workshop.py). A database fault is a ConfigError: one line."""
    import storage
    from moo_core.registry import ConfigError
    from pages._workshop import admission
    from storage.errors import is_database_error
    from ui.faults import database_message
    from ui.params import device_refusal

    owner, admit = admission(configs)
    name = name if len(name) <= 200 else name[:199] + "…"  # a long file name in a made-up name
    try:
        devices = [w.device for w in storage.live_workers(eng, within_seconds=15)]
        if refusal := device_refusal(configs, devices):
            raise ConfigError(refusal)
        return storage.submit_owned(eng, name, kind, configs, owner=owner, admit=admit)[1]
    except Exception as error:
        if not is_database_error(error):
            raise
        raise ConfigError(database_message(error, eng.url)) from None


if __name__ == "__main__":  # opened as the old-style page /shared: not a page, go to the app
    require_navigation(str(ROOT / "pages" / "lab.py"))
