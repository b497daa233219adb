"""Sweeps and NSGA-II fronts over the analytic Pareto front (a task has none): overlaid,
non-dominated, HV, IGD; finished sweeps replayed as their fronts formed."""

import pandas as pd
import streamlit as st

from pages._faults import guarded
from pages._shared import (
    TERMINAL,
    analytic_front,
    config_of,
    dataset_names,
    load_views,
    open_page,
)
from ui import charts, dynamics, fronts_animation, labels, params, sweep_text, tables
from ui.labels import chart_text, one_line, plain

eng = open_page(__file__, "Pareto view of sweeps")  # the page's set-up, first

import storage  # noqa: E402

sweeps = {v.id: v for v in storage.list_runs(eng, limit=200) if v.kind in storage.FRONT_KINDS}
ids, errors = params.parse_run_ids(st.query_params.get("run", ""))
for message in errors:
    st.error(plain(message))  # it quotes the URL
asked = []
for view in load_views(eng, ids):
    if view.kind in storage.FRONT_KINDS and view.id in sweeps:
        asked.append(view.id)
    else:
        st.warning(f"Run {view.id} is not a sweep: see it on the Live or Compare page.")
if not sweeps:
    st.info("No sweeps yet. Use a Sweep button on the Lab or Datasets page, or the Scoreboard.")
    st.stop()


names = dataset_names(eng)


def describe(i: int) -> str:
    c, over = config_of(sweeps[i]), sweeps[i].config.get("over")
    if sweeps[i].kind == "nsga2":
        return f"#{i} nsga2 P={c.get('population')} G={c.get('generations')} ({c.get('problem')})"
    return one_line(f"#{i} {c.get('method')} over {over} ({labels.subject(c, names)})")


@st.cache_data(max_entries=32, show_spinner=False)
def trajectories(run_id: int) -> list:  # a finished sweep's never change
    return storage.get_sweep_trajectories(eng, run_id)


chosen = st.multiselect(
    "Sweeps",
    list(sweeps),
    default=asked or [next(iter(sweeps))],
    format_func=describe,
    key="sweeps",
)
st.query_params["run"] = ",".join(map(str, chosen))
left, right = st.columns(2)
only_front = left.checkbox("Non-dominated points only", key="nondominated_only")
parallel = right.checkbox(
    "Parallel coordinates",
    key="parallel",
    help="Each setting as a line across the swept value and every objective (always for m > 3)",
)
if not chosen:
    st.info("Pick one or more sweeps.")
    st.stop()
active = any(sweeps[i].status not in TERMINAL for i in chosen)


@st.fragment(run_every=2 if active else None)
@guarded
def show() -> None:
    views = [v for v in (storage.get_run(eng, i) for i in chosen) if v is not None]
    if len(views) < len(chosen):
        st.warning("A chosen sweep no longer exists (it may have been deleted).")
    for view in views:
        if view.status not in TERMINAL:
            progress = min(max(float(view.progress or 0), 0.0), 1.0)
            st.progress(progress, text=plain(f"{describe(view.id)}: {view.status}"))
        if view.error:
            st.error(plain(f"Sweep {view.id} failed: {view.error.strip().splitlines()[-1]}"))
    points = {}
    for view in views:
        over = (view.config or {}).get("over", "member")  # an NSGA-II point: a member
        stored = labels.with_validation(storage.get_sweep_points(eng, view.id), view.summary)
        stored = [p if over in p else p | {over: p["index"]} for p in stored]
        points[chart_text(describe(view.id))] = [
            p | {"sweep": view.id, "over": over} for p in stored
        ]
    rows = [tables.sweep_row(v, p, names) for v, p in zip(views, points.values(), strict=True)]
    four = st.column_config.NumberColumn(format="%.4g")  # a task's hypervolume can be ~1e-4
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={"hypervolume": four})
    for view, (name, pts) in zip(views, points.items(), strict=True):
        if note := sweep_text.convergence_note(name, pts, config_of(view).get("steps")):
            st.caption(labels.plain(note))
    subjects = list(dict.fromkeys(row["subject"] for row in rows))
    if len(subjects) > 1:
        st.caption(plain(f"Sweeps on different subjects: the axes and front are {subjects[0]}'s."))
    lead = next(iter(views), None)  # its axes and front: sweeps of one subject are the rule
    first, info = config_of(lead), labels.task_info(lead)
    m = max((labels.objective_count(p) for pts in points.values() for p in pts), default=2)
    front, axes = analytic_front(first, m), labels.objective_titles(first, info, m)
    figure = charts.pareto_chart(points, front, only_front, axes=axes, parallel=parallel)
    st.plotly_chart(figure, key="sweep_chart")
    for over, tuned in dynamics.by_hyperparameter(points).items():  # damping, gain, ρ, lr …
        chart = dynamics.steps_to_converge_figure(tuned)
        st.plotly_chart(chart, key=f"steps_to_converge.{over}")
    finished = [v for v in views if v.kind == "sweep" and v.status in TERMINAL]
    paths = {chart_text(describe(v.id)): trajectories(v.id) for v in finished}  # chart names
    paths = {label: path for label, path in paths.items() if any(path)}
    if paths and m == 2:
        st.subheader("Fronts forming")
        st.caption("Every setting of each sweep from its start onto the front: press Play.")
        animation = fronts_animation.fronts_animation(paths, front, axes=tuple(axes[:2]))
        st.plotly_chart(animation, key="fronts_forming")
    with st.expander("Points"):
        st.dataframe(pd.DataFrame([p for pts in points.values() for p in pts]), hide_index=True)
    if active and all(v.status in TERMINAL for v in views):
        st.rerun()  # all finished: one full rerun, then no more polling


show()
