"""Sweeps: where each setting ends up relative to the analytic Pareto front."""

import streamlit as st

from moo_core import PROBLEMS
from pages._shared import TERMINAL, config_of, get_engine, load_views, worker_banner
from ui import figures, params

st.title("Pareto view of sweeps")
eng = get_engine()
if eng is None:
    st.stop()
worker_banner(eng)
import storage  # noqa: E402

sweeps = storage.list_runs(eng, limit=200)
sweeps = [v for v in sweeps if v.kind == "sweep"]
ids, errors = params.parse_run_ids(st.query_params.get("run", ""))
for message in errors:
    st.error(message)
views = load_views(eng, ids[:1])
if not sweeps and not views:
    st.info("No sweeps yet. Use the Sweep button on the Lab page.")
    st.stop()
options = [v.id for v in sweeps]
default = views[0].id if views and views[0].id in options else options[0]
run_id = st.selectbox("Sweep", options, index=options.index(default), key="sweep_id")
st.query_params["run"] = str(run_id)


@st.fragment(run_every=2)
def show() -> None:
    view = storage.get_run(eng, run_id)
    if view is None:
        st.warning(f"Sweep {run_id} does not exist (it may have been deleted).")
        return
    st.progress(min(max(float(view.progress or 0), 0.0), 1.0), text=f"status: {view.status}")
    if view.status not in TERMINAL:
        return
    raw = storage.get_sweep_points(eng, run_id) or []
    points = [
        p if isinstance(p, dict) else getattr(p, "_asdict", lambda p=p: vars(p))() for p in raw
    ]
    over = (view.config or {}).get("over", "value")
    for p in points:
        p.setdefault("value", p.get(over))
    problem = config_of(view).get("problem")
    front = PROBLEMS.get(problem)().front(400) if problem in PROBLEMS else None
    st.plotly_chart(figures.sweep_figure(points, over, front=front), key="sweep_chart")
    st.dataframe(points)


show()
