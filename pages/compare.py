"""Compare runs side by side: overlaid charts and a table of final values per run."""

import pandas as pd
import streamlit as st

from pages._shared import (
    analytic_front,
    config_of,
    dataset_names,
    label,
    load_views,
    metrics,
    open_page,
)
from ui import charts, compare_table, dynamics, figures, figures_m, labels, params, tables
from ui.labels import plain

eng = open_page(__file__, "Compare runs", worker=False)  # the page's set-up, first

import storage  # noqa: E402

runs = [v for v in storage.list_runs(eng, limit=200) if v.kind != "sweep"]
if not runs:
    st.info("No runs yet. Launch some from the Lab page.")
    st.stop()
by_id = {v.id: v for v in runs}
if "runs" in st.query_params:
    ids, errors = params.parse_run_ids(st.query_params["runs"])
    for message in errors:
        st.error(plain(message))  # it quotes the URL
    asked = load_views(eng, ids)
    default = [v.id for v in asked if v.id in by_id]
    for v in asked:
        if v.kind == "sweep":
            st.warning(f"Run {v.id} is a sweep: see it on the Pareto page.")
else:  # no choice in the URL: the last comparison, or else the newest run
    last = next((e for e in storage.list_experiments(eng) if e.kind == "comparison"), None)
    default = [v.id for v in runs if last and v.experiment_id == last.id] or [runs[0].id]
chosen = st.multiselect(
    "Runs", list(by_id), default=default, format_func=lambda i: label(by_id[i]), key="chosen"
)
st.query_params["runs"] = ",".join(map(str, chosen))
views = sorted((by_id[i] for i in chosen), key=lambda v: v.id)  # colours as on the Live page
if not views:
    st.info("Pick one or more runs to compare.")
    st.stop()
series = {label(v): metrics(eng, v.id) for v in views}
names = dataset_names(eng)
rows = [tables.compare_row(v, m, names) for v, m in zip(views, series.values(), strict=True)]
st.table(pd.DataFrame(compare_table.shown_rows(rows)).set_index("run"))
verdicts = (labels.plain(line) for line in compare_table.verdict_lines(rows))
st.caption("  \n".join(verdicts), help=labels.VERDICT_HELP)
if len({row["subject"] for row in rows}) > 1:
    st.caption(f"Runs on different subjects: the axes and front are those of #{views[0].id}.")
first, info = config_of(views[0]), labels.task_info(views[0])
m = figures_m.series_objectives(series)
eps, front = labels.epsilons(first, m), analytic_front(first, m)
axes = labels.objective_titles(first, info, m)
left, right = st.columns(2)
left.plotly_chart(charts.path_chart(series, front, eps, axes=axes))
right.plotly_chart(charts.lambda_chart(series))
left.plotly_chart(charts.objectives_chart(series, eps, y_title=labels.values_title(first, info, m)))
right.plotly_chart(figures.violation_figure(series))
st.plotly_chart(charts.cosine_chart(series))

# One constraint and a multiplier (BDMM, MDMM, augmented Lagrangian, νPI): how λ moves.
eps_of = {label(v): e[0] for v in views if len(e := labels.epsilons(config_of(v), 2)) == 1}
if [name for name in dynamics.with_multiplier(series) if name in eps_of]:
    st.plotly_chart(dynamics.phase_portrait_figure(series, eps_of), key="phase_portrait")
    st.caption(dynamics.PHASE_CAPTION)
