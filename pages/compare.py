"""Compare finished (or running) runs side by side."""

import pandas as pd
import streamlit as st

from moo_core import PROBLEMS
from pages._shared import config_of, get_engine, label, load_views, metrics
from ui import figures, params

st.title("Compare runs")
eng = get_engine()
if eng is None:
    st.stop()
import storage  # noqa: E402

runs = [v for v in storage.list_runs(eng, limit=200) if v.kind != "sweep"]
if not runs:
    st.info("No runs yet. Launch some from the Lab page.")
    st.stop()
ids, errors = params.parse_run_ids(st.query_params.get("runs", ""))
for message in errors:
    st.error(message)
known = {v.id for v in runs}
views = load_views(eng, ids)
chosen = st.multiselect(
    "Runs",
    [v.id for v in runs],
    default=[v.id for v in views if v.id in known],
    format_func=lambda i: label(next(v for v in runs if v.id == i)),
    key="chosen",
)
st.query_params["runs"] = ",".join(map(str, chosen))
views = [v for v in runs if v.id in chosen]
if not views:
    st.stop()
rows = []
for v in views:
    c, s = config_of(v), v.summary or {}
    final = s.get("final", {})
    rows.append(
        {
            "run": v.id,
            "status": v.status,
            "problem": c.get("problem"),
            "method": c.get("method"),
            "ε": c.get("epsilon"),
            "steps": c.get("steps"),
            "f": final.get("f"),
            "g": final.get("g"),
            "λ": final.get("lambda"),
            "|g − ε|": None if final.get("g") is None else abs(final["g"] - c["epsilon"]),
            "front distance": s.get("front_distance"),
            "seconds": v.seconds,
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True)
series = {label(v): metrics(eng, v.id) for v in views}
first = config_of(views[0])
front = PROBLEMS.get(first["problem"])().front(400) if first.get("problem") in PROBLEMS else None
left, right = st.columns(2)
left.plotly_chart(figures.path_figure(series, front=front, epsilon=first.get("epsilon")))
right.plotly_chart(figures.lambda_figure(series))
left.plotly_chart(figures.objectives_figure(series, epsilon=first.get("epsilon")))
right.plotly_chart(figures.violation_figure(series))
