"""Every run and experiment: filter, open, download, rename, tag, delete (after a confirm)."""

import pandas as pd
import streamlit as st

from moo_core.registry import ConfigError
from pages import _faults
from pages import _workshop as workshop
from pages._shared import confirmed, dataset_names, open_page
from ui import tables
from ui.labels import one_line, plain
from ui.workshop import NOT_YOURS

eng = open_page(__file__, "History", worker=False)  # the page's set-up, first

import storage  # noqa: E402

runs = storage.list_runs(eng, limit=500)
me = workshop.access()
experiments = {e.id: e for e in storage.list_experiments(eng)}
if not runs and not experiments:
    st.info("No runs yet. Launch one from the Lab page.")
    st.stop()
rows = tables.history_rows(runs, experiments, dataset_names(eng))

f1, f2, f3, f4 = st.columns(4)
statuses = f1.multiselect("Status", sorted({r["status"] for r in rows}), key="filter_status")
subjects = f2.multiselect(
    "Subject",
    sorted({r["subject"] for r in rows}),
    key="filter_subject",
    format_func=one_line,
    help="A toy problem, or a task's dataset → target",
)
methods = f3.multiselect("Method", sorted({str(r["method"]) for r in rows}), key="filter_method")
text = f4.text_input("Search", key="filter_text", help="Run id (#12), experiment name or tag")
shown = tables.filter_rows(rows, statuses, subjects, methods, text)
st.caption(f"{len(shown)} of {len(rows)} runs")
st.dataframe(pd.DataFrame(shown), hide_index=True)

if shown:
    by_id = {v.id: v for v in runs}
    run_id = st.selectbox("Run", [r["run"] for r in shown], key="history_run")
    view = by_id[run_id]
    c1, c2, c3 = st.columns(3)
    if c1.button("Open live view", key="open"):  # a sweep's live view is its Pareto page
        target = "pages/pareto.py" if view.kind != "run" else "pages/live.py"
        st.switch_page(target, query_params={"run" if view.kind != "run" else "runs": str(run_id)})
    if view.kind == "sweep" and c2.button("Open Pareto view", key="open_pareto"):
        st.switch_page("pages/pareto.py", query_params={"run": str(run_id)})
    if view.kind != "sweep" and c2.button("Compare", key="open_compare"):
        st.switch_page("pages/compare.py", query_params={"runs": str(run_id)})
    if view.kind == "sweep":
        csv = lambda: tables.points_csv(storage.get_sweep_points(eng, run_id))  # noqa: E731
    else:
        csv = lambda: tables.trajectory_csv(storage.get_metrics(eng, run_id))  # noqa: E731
    c3.download_button(
        "Download CSV",
        data=csv,  # built only when clicked
        file_name=f"moolab-run-{run_id}.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        help="step,f,g,lambda,violation,grad_cos per step (g1, g2, …, lambda1, … for three or "
        "more objectives; a sweep: one row per setting)",
    )
    warning = f"Delete run #{run_id} and its {view.steps_stored:,} stored steps? No undo."
    if not me.may(storage.owner_of(eng, "run", run_id)):
        st.button("Delete run", key="delete_run", disabled=True)
        workshop.guarded(False, f"Run #{run_id}")
    elif confirmed("Delete run", "delete_run", run_id, warning):
        with _faults.shown():  # a read-only or full database: one line
            storage.delete_run(eng, run_id)
            st.session_state.get("_metrics", {}).pop(run_id, None)
            st.toast(f"Deleted run #{run_id}")
            st.rerun()
elif rows:
    st.info("No run matches the filter.")

if experiments:
    st.subheader("Experiments")
    exp_id = st.selectbox(
        "Experiment",
        list(experiments),
        format_func=lambda i: one_line(f"#{i} {experiments[i].name} ({experiments[i].runs} runs)"),
        key="history_exp",
    )
    exp = experiments[exp_id]
    mine = me.may(storage.owner_of(eng, "experiment", exp_id))
    workshop.guarded(mine, f"Experiment #{exp_id}")
    e1, e2 = st.columns(2)
    new_name = e1.text_input("New name", key="exp_name", max_chars=200, disabled=not mine)
    why = None if new_name.strip() else "Type a new name first."
    why = why if mine else NOT_YOURS
    if e1.button("Rename", key="rename", disabled=why is not None, help=why) and mine:
        try:
            with _faults.shown():  # a database fault: one line, and no "renamed"
                storage.rename_experiment(eng, exp_id, new_name.strip())
        except ConfigError as bad:
            e1.error(plain(f"Cannot rename: {bad}"))
        else:  # said after the rerun, where the new name shows
            st.session_state["_renamed"] = f"Renamed experiment #{exp_id} to “{new_name.strip()}”."
            st.rerun()
    if said := st.session_state.pop("_renamed", None):
        e1.success(plain(said))
    tag_text = e2.text_input(
        "Tags (comma-separated)",
        value=", ".join(exp.tags or []),
        key=f"exp_tags.{exp_id}",
        disabled=not mine,
    )
    if e2.button("Save tags", key="save_tags", disabled=not mine) and mine:
        with _faults.shown():
            storage.set_experiment_tags(eng, exp_id, tables.parse_tags(tag_text))
            st.rerun()
    warning = f"Delete experiment #{exp_id} with its {exp.runs} runs and their steps? No undo."
    if not mine:
        st.button("Delete experiment", key="delete_exp", disabled=True)
    elif confirmed("Delete experiment", "delete_exp", exp_id, warning):
        with _faults.shown():
            storage.delete_experiment(eng, exp_id)
            st.rerun()
