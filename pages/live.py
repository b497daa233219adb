"""Live runs: status, progress, cancel, and charts refreshed every second."""

import streamlit as st

from moo_core import PROBLEMS
from pages._shared import (
    TERMINAL,
    config_of,
    get_engine,
    label,
    load_views,
    metrics,
    summary_line,
    worker_banner,
)
from ui import figures, params

st.title("Live runs")
eng = get_engine()
if eng is None:
    st.stop()
worker_banner(eng)

ids, errors = params.parse_run_ids(st.query_params.get("runs", ""))
for message in errors:
    st.error(message)
if not ids:
    st.info("No runs selected. Launch one from the Lab page, or open `?runs=ID,ID`.")
    st.stop()
views = load_views(eng, ids)
if not views:
    st.stop()
active = any(v.status not in TERMINAL for v in views)  # refresh only while something runs


@st.fragment(run_every=1 if active else None)
def live() -> None:
    import storage

    views = [v for v in (storage.get_run(eng, i) for i in ids) if v is not None]
    if not views:
        st.warning("These runs no longer exist.")
        return
    for view in views:
        c1, c2, c3 = st.columns([2, 5, 1])
        c1.markdown(f"**{label(view)}** · `{view.status}`")
        c2.progress(
            min(max(float(view.progress or 0.0), 0.0), 1.0),
            text=f"{view.steps_stored or 0} steps stored",
        )
        if view.status not in TERMINAL and c3.button("Cancel", key=f"cancel{view.id}"):
            storage.request_cancel(eng, view.id)
            st.toast(f"Cancel requested for run {view.id}")
        if view.error:
            st.error(f"Run {view.id} failed: {view.error.strip().splitlines()[-1]}")
        elif view.status == "completed" and view.summary:
            st.caption(summary_line(view))
    series = {label(v): metrics(eng, v.id) for v in views if v.kind != "sweep"}
    first = config_of(views[0])
    eps = first.get("epsilon")
    left, right = st.columns(2)
    left.plotly_chart(figures.lambda_figure(series), key="lambda_chart")
    right.plotly_chart(figures.objectives_figure(series, epsilon=eps), key="objectives_chart")
    front = None
    if first.get("problem") in PROBLEMS:
        front = PROBLEMS.get(first["problem"])().front(400)
    left.plotly_chart(figures.path_figure(series, front=front, epsilon=eps), key="path_chart")
    right.plotly_chart(figures.violation_figure(series), key="violation_chart")
    st.plotly_chart(figures.cosine_figure(series), key="cosine_chart")
    if active and all(v.status in TERMINAL for v in views):
        st.rerun()  # everything finished: one full rerun, then no more polling
    steps = {name: len(m["step"]) for name, m in series.items()}
    st.caption("Steps drawn: " + ", ".join(f"{k}: {n}" for k, n in steps.items()))


live()
