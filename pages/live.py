"""Live runs: status, progress with ETA, cancel, and charts refreshed while they run."""

from datetime import UTC, datetime

import streamlit as st

from pages._shared import (
    TERMINAL,
    analytic_front,
    config_of,
    dataset_names,
    fetch_runs,
    get_engine,
    label,
    load_views,
    metrics,
    require_navigation,
    worker_banner,
)
from ui import charts, figures, figures_m, labels, params, tables

require_navigation(__file__)  # first thing: a deep link on a fresh server

REFRESH_SECONDS = 0.4  # a refresh fetches only new steps; the browser's redraw bounds the lag
STALE_SECONDS = 10  # workers beat every second (`--heartbeat`)
# A worker stores a run's first chunk ~0.3 s after claiming it: the first drawing waits for it
# rather than drawing empty charts and redrawing them (~0.5 s of browser time) a refresh later.
FIRST_STEPS_WAIT = 1.0

st.title("Live runs")
eng = get_engine()
if eng is None:
    st.stop()
worker_banner(eng)
import storage  # noqa: E402  (after the engine check, like every page)

ids, errors = params.parse_run_ids(st.query_params.get("runs", ""))
for message in errors:
    st.error(message)
if not ids:
    st.info("No runs selected. Launch one from the Lab page, or open `?runs=ID,ID`.")
    st.stop()
views = load_views(eng, ids)
if not views:
    st.stop()
names = dataset_names(eng)
active = any(v.status not in TERMINAL for v in views)  # poll only while something runs
paused = active and st.toggle("Pause the charts (to zoom or hover while runs go on)", key="pause")


@st.fragment(run_every=REFRESH_SECONDS if active else None)
def status() -> None:
    views = fetch_runs(eng, ids)
    if not views:
        st.warning("These runs no longer exist.")
        return
    now = datetime.now(UTC).replace(tzinfo=None)  # the database stores naive UTC
    for view in views:
        c1, c2, c3 = st.columns([2, 5, 1])
        verdict = labels.verdict_markdown(view)  # "" until the run ends, or for an old run
        c1.markdown(
            f"**{label(view)}** · `{view.status}`{verdict}  \n{labels.subject_of(view, names)}"
        )
        progress = min(max(float(view.progress or 0.0), 0.0), 1.0)
        running = view.status == "running"
        text = tables.progress_text(view.steps_stored, progress, view.started, now, running)
        c2.progress(progress, text=text)
        if view.status not in TERMINAL and c3.button("Cancel", key=f"cancel{view.id}"):
            storage.request_cancel(eng, view.id)
            st.toast(f"Cancel requested for run {view.id}")
        silent = tables.seconds_between(view.heartbeat, now) if running else None
        if silent is not None and silent > STALE_SECONDS:
            st.warning(
                f"Run {view.id}'s worker has not reported for {tables.duration(silent)}: it may "
                "have died. A live worker marks the run failed after its grace period."
            )
        if verdict:  # the whole sentence, across the page
            st.caption(labels.verdict_line(view))
        if view.error:
            st.error(f"Run {view.id} failed: {view.error.strip().splitlines()[-1]}")
        elif view.status == "completed" and view.summary:
            st.caption(labels.summary_line(view))
            if task := labels.task_line(view):
                st.caption(task)
    if active and all(v.status in TERMINAL for v in views):
        st.rerun()  # everything finished: one full rerun, then no more polling


@st.fragment(run_every=REFRESH_SECONDS if active and not paused else None)
def live_charts() -> None:
    first_draw = active and not set(ids) & set(st.session_state.get("_metrics", {}))
    wait = FIRST_STEPS_WAIT if first_draw else 0.0
    views = [v for v in fetch_runs(eng, ids, wait_for_steps=wait) if v.kind != "sweep"]
    if not views:
        return
    series = {label(v): metrics(eng, v.id) for v in views}
    first, info = config_of(views[0]), labels.task_info(views[0])
    m = figures_m.series_objectives(series)
    eps, front = labels.epsilons(first, m), analytic_front(first, m)
    # Streamlit redraws a changed chart from scratch, so zoom and hover cannot outlast a
    # refresh: draw static plots while polling (about a fifth cheaper in the browser).
    kw = {"config": {"staticPlot": active and not paused}}
    left, right = st.columns(2)
    left.plotly_chart(charts.lambda_chart(series), key="lambda_chart", **kw)
    values = charts.objectives_chart(series, eps, y_title=labels.values_title(first, info, m))
    right.plotly_chart(values, key="objectives", **kw)
    axes = labels.objective_titles(first, info, m)
    left.plotly_chart(charts.path_chart(series, front, eps, axes=axes), key="path", **kw)
    right.plotly_chart(figures.violation_figure(series), key="violation_chart", **kw)
    st.plotly_chart(charts.cosine_chart(series), key="cosine_chart", **kw)
    st.caption("Steps drawn: " + ", ".join(f"{k}: {len(m['step'])}" for k, m in series.items()))


status()
live_charts()
