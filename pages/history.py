"""Every run and experiment: open, rename, delete."""

import pandas as pd
import streamlit as st

from pages._shared import config_of, get_engine

st.title("History")
eng = get_engine()
if eng is None:
    st.stop()
import storage  # noqa: E402

runs = storage.list_runs(eng, limit=500)
if not runs:
    st.info("No runs yet. Launch one from the Lab page.")
    st.stop()
rows = [
    {
        "run": v.id,
        "experiment": v.experiment_id,
        "kind": v.kind,
        "status": v.status,
        "problem": config_of(v).get("problem"),
        "method": config_of(v).get("method"),
        "ε": config_of(v).get("epsilon"),
        "created": v.created,
        "seconds": v.seconds,
    }
    for v in runs
]
st.dataframe(pd.DataFrame(rows), hide_index=True)

ids = [v.id for v in runs]
run_id = st.selectbox("Run", ids, key="history_run")
c1, c2, c3 = st.columns(3)
if c1.button("Open live view", key="open"):
    st.switch_page("pages/live.py", query_params={"runs": str(run_id)})
if c2.button("Compare", key="open_compare"):
    st.switch_page("pages/compare.py", query_params={"runs": str(run_id)})
if c3.button("Delete run", key="delete_run"):
    storage.delete_run(eng, run_id)
    st.session_state.get("_metrics", {}).pop(run_id, None)
    st.rerun()

experiments = storage.list_experiments(eng)
if experiments:
    st.subheader("Experiments")
    by_id = {getattr(e, "id", None): e for e in experiments}
    exp_id = st.selectbox(
        "Experiment",
        list(by_id),
        format_func=lambda i: f"#{i} {getattr(by_id[i], 'name', '')}",
        key="history_exp",
    )
    new_name = st.text_input("New name", key="exp_name")
    e1, e2 = st.columns(2)
    if e1.button("Rename", key="rename", disabled=not new_name.strip()):
        storage.rename_experiment(eng, exp_id, new_name.strip())
        st.rerun()
    if e2.button("Delete experiment", key="delete_exp"):
        storage.delete_experiment(eng, exp_id)
        st.rerun()
