"""Live runs: status, progress with ETA, cancel, charts that grow in place while they run, a
lesson's line, the race's verdict and, at the end, a replay at a pace a learner can watch."""

import streamlit as st

from pages import _live_view as _live
from pages._faults import guarded
from pages._shared import (
    TERMINAL,
    dataset_names,
    fetch_runs,
    load_views,
    open_page,
)
from ui import params
from ui.labels import plain

eng = open_page(__file__, "Live runs")  # the page's set-up, first

REFRESH_SECONDS = 0.4  # a refresh fetches only new steps; the board redraws them in place
# The board is drawn at once, empty (plotly.js loads while the worker starts); then a refresh
# with no stored step waits up to this long for the first ones (50 ms polls of the database).
FIRST_STEPS_WAIT = REFRESH_SECONDS

import storage  # noqa: E402  (after the engine check, like every page)

ids, errors = params.parse_run_ids(st.query_params.get("runs", ""))
for message in errors:
    st.error(plain(message))  # it quotes the URL
if not ids:
    _live.no_runs(eng)
    st.stop()
views = load_views(eng, ids)
if not views:
    st.stop()
names = dataset_names(eng)
owners = storage.owners_of(eng, "run", ids)  # workshop mode: only its owner may cancel a run
active = any(v.status not in TERMINAL for v in views)  # poll only while something runs
lesson = params.preset_at(st.query_params.get("lesson"))
switches = st.columns(3)
projector = switches[0].toggle(
    "Projector", value=st.query_params.get("projector") == "1", key="projector",
    help="Large fonts everywhere and the two main charts side by side, tall",
)  # fmt: skip
paused = active and switches[1].toggle(
    "Pause the charts (to zoom or hover while runs go on)", key="pause"
)
if projector:
    _live.projector_style()


@st.fragment(run_every=REFRESH_SECONDS if active else None)
@guarded
def status() -> None:
    views = fetch_runs(eng, ids)
    if not views:
        st.warning("These runs no longer exist.")
        return
    if lesson is not None:  # present tense while the race runs, past once it is over
        _live.lesson_block(eng, lesson, views)
    for view in views:
        _live.run_status(eng, view, names, owners)
    if active and all(v.status in TERMINAL for v in views):
        st.rerun()  # everything finished: one full rerun, then no more polling


@st.fragment(run_every=REFRESH_SECONDS if active and not paused else None)
@guarded
def live_charts() -> None:
    cached = st.session_state.get("_metrics", {})
    drawn_empty = set(ids) <= set(cached) and not any(len(cached[i].get("step", ())) for i in ids)
    wait = FIRST_STEPS_WAIT if active and drawn_empty else 0.0
    views = [v for v in fetch_runs(eng, ids, wait_for_steps=wait) if v.kind != "sweep"]
    if views:
        _live.charts(eng, views, projector=projector, polling=active and not paused)


# Each fragment in a container of its own: when a finished run's status grows (verdict, summary
# lines), the charts below keep their place in the page, so the board is not mounted anew.
with st.container():
    status()
with st.container():
    live_charts()
