"""Scoreboard: per toy problem, each method's front (hypervolume, IGD, converged share, share
within 0.01 of the front) at its budget of evaluations, and a matched-budget benchmark."""

import pandas as pd
import streamlit as st

from moo_core.registry import ConfigError
from pages import _workshop as workshop
from pages._faults import guarded
from pages._shared import open_page, submit
from ui import benchmark, scoreboard, tables
from ui.labels import plain

eng = open_page(__file__, "Scoreboard")  # the page's set-up, first

st.caption(
    "Gradient sweeps and NSGA-II fronts you ran, per problem. A sweep of K settings × T steps "
    "costs K·T evaluations, NSGA-II P·G: compare rows of the same budget. Click a header to sort."
)
import storage  # noqa: E402
from moo_core.problems import PROBLEMS  # noqa: E402

views = [v for v in storage.list_runs(eng, limit=500) if v.kind in storage.FRONT_KINDS]
every = st.checkbox("Every job (not only the newest per method and budget)", key="every_job")
rows = scoreboard.scoreboard_rows(views, latest_only=not every)
problems = list(dict.fromkeys([*scoreboard.problems_of(rows), *PROBLEMS.names()]))
problem = st.selectbox("Problem", problems, key="problem")
shown = [row for row in rows if row["problem"] == problem]
active = any(v.status in ("queued", "running") for v in views)


@st.fragment(run_every=3 if active else None)
@guarded
def table() -> None:
    if not shown:
        st.info(f"No finished sweep or NSGA-II job on {problem} yet: run the benchmark below.")
        return
    st.dataframe(
        pd.DataFrame(scoreboard.shown_rows(shown), columns=list(scoreboard.COLUMNS)),
        hide_index=True,
        key="scoreboard_table",
        column_config=scoreboard.column_config(st.column_config),
    )
    st.download_button(
        "Download CSV",
        scoreboard.scoreboard_csv(shown),
        file_name=f"scoreboard-{problem}.csv",
        mime="text/csv",
        key="scoreboard_csv",
    )
    st.caption(
        "  \n".join(f"**{name}**: {text}" for name, text in scoreboard.COLUMN_HELP.items()),
        help="The same lines are each column header's tooltip.",
    )
    if active:
        st.caption("Jobs are still training: the table refreshes when they finish.")


table()
st.subheader("Run the benchmark")
methods = st.multiselect(
    "Gradient methods (each an ε-sweep; weighted_sum sweeps its weight)",
    benchmark.benchmark_methods(),
    default=list(benchmark.DEFAULT_METHODS),
    key="bench_methods",
)
left, middle, right = st.columns(3)
settings = left.number_input("Settings K", 2, 1000, benchmark.SETTINGS, key="bench_settings")
steps = middle.number_input("Steps T", 10, 100_000, benchmark.STEPS, key="bench_steps")
population = right.number_input("NSGA-II population P", 4, 10_000, benchmark.POPULATION)
generations = benchmark.generations_for(settings, steps, population)
st.caption(
    f"Each method: {settings} × {steps:,} = {settings * steps:,} evaluations; NSGA-II: "
    f"{population} × {generations:,} generations = {population * generations:,}."
)
seconds, basis = benchmark.estimate_seconds(
    problem, len(methods), settings, steps, population, scoreboard.scoreboard_rows(views, False)
)
st.caption(f"Takes about {tables.duration(seconds)} on one worker ({basis}).")
workshop.limits_caption()
if st.button("Run the benchmark", type="primary", key="run_benchmark"):
    configs = benchmark.benchmark_configs(problem, methods, settings, steps, population)
    try:  # one experiment, owned by this session, within the workshop limits
        ids = submit(eng, f"benchmark: {problem}", "sweep", configs)
    except ConfigError as bad:
        st.error(plain(f"Cannot run the benchmark: {bad}"))
    else:
        st.success(f"Queued {len(ids)} jobs ({', '.join(f'#{i}' for i in ids)}) on {problem}.")
        st.rerun()
