"""Live runs: status, progress with ETA, cancel, charts that grow in place while they run, a
lesson's text, the race's verdict and a replay at the end."""

from datetime import UTC, datetime

import streamlit as st

from pages import _workshop as workshop
from pages._board import board
from pages._faults import guarded
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
from ui import charts, faults, figures_m, labels, lessons, params, replay, tables
from ui.labels import plain

require_navigation(__file__)  # first thing: a deep link on a fresh server

REFRESH_SECONDS = 0.4  # a refresh fetches only new steps; the board redraws them in place
STALE_SECONDS = 10  # workers beat every second (`--heartbeat`)
# The board is drawn at once, empty, so the browser loads plotly.js while the worker starts;
# after that, a refresh with no stored step yet waits for the first ones (polling the database
# every 50 ms) up to this long, so they are drawn as soon as they are stored, not a refresh later.
FIRST_STEPS_WAIT = REFRESH_SECONDS

st.title("Live runs")
eng = get_engine()
if eng is None:
    st.stop()
worker_banner(eng)
import storage  # noqa: E402  (after the engine check, like every page)

ids, errors = params.parse_run_ids(st.query_params.get("runs", ""))
for message in errors:
    st.error(plain(message))  # it quotes the URL
if not ids:
    st.info("No runs selected. Launch one from the Lab page, or open `?runs=ID,ID`.")
    st.stop()
views = load_views(eng, ids)
if not views:
    st.stop()
names = dataset_names(eng)
owners = storage.owners_of(eng, "run", ids)  # workshop mode: only its owner may cancel a run
active = any(v.status not in TERMINAL for v in views)  # poll only while something runs
lesson = params.preset_at(st.query_params.get("lesson"))
if lesson is not None:
    st.info(f"**Lesson: {lesson.title}.** {lesson.watch}")
switches = st.columns(3)
projector = switches[0].toggle(
    "Projector", value=st.query_params.get("projector") == "1", key="projector",
    help="Large fonts and the two main charts, one under the other",
)  # fmt: skip
paused = active and switches[1].toggle(
    "Pause the charts (to zoom or hover while runs go on)", key="pause"
)


@st.fragment(run_every=REFRESH_SECONDS if active else None)
@guarded
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
            f"**{label(view)}** · `{view.status}`{verdict}  \n"  # id, and a method's name
            + plain(labels.subject_of(view, names))
        )
        progress = min(max(float(view.progress or 0.0), 0.0), 1.0)
        running = view.status == "running"
        text = tables.progress_text(view.steps_stored, progress, view.started, now, running)
        c2.progress(progress, text=text)
        if view.status in TERMINAL:
            c3.empty()  # a finished run has nothing to cancel: no button left behind
        elif workshop.owned_button(c3, "Cancel", f"cancel{view.id}", owners.get(view.id)):
            storage.request_cancel(eng, view.id)
            st.toast(f"Cancel requested for run {view.id}")
        silent = tables.seconds_between(view.heartbeat, now) if running else None
        if silent is not None and silent > faults.LOCK_HINT_SECONDS and locked():
            st.warning(plain(faults.waiting_line(view.id, silent)))  # the worker cannot write
        elif silent is not None and silent > STALE_SECONDS:
            st.warning(
                f"Run {view.id}'s worker has not reported for {tables.duration(silent)}: it may "
                "have died. A live worker marks the run failed after its grace period."
            )
        if verdict:  # the whole sentence, across the page
            st.caption(plain(labels.verdict_line(view)))
        if view.error:
            st.error(plain(f"Run {view.id} failed: {view.error.strip().splitlines()[-1]}"))
        elif view.status == "completed" and view.summary:
            st.caption(plain(labels.summary_line(view)))
            if task := labels.task_line(view):
                st.caption(plain(task))  # class values and notes name the data's own text
    if active and all(v.status in TERMINAL for v in views):
        st.rerun()  # everything finished: one full rerun, then no more polling


def locked() -> bool:
    """Whether the database's write lock is held now (storage/health.py): then a silent
    worker is waiting for it, not dead. Asked only when a heartbeat is late."""
    from storage.health import health

    return health(eng).locked


@st.fragment(run_every=REFRESH_SECONDS if active and not paused else None)
@guarded
def live_charts() -> None:
    cached = st.session_state.get("_metrics", {})
    drawn_empty = set(ids) <= set(cached) and not any(len(cached[i].get("step", ())) for i in ids)
    wait = FIRST_STEPS_WAIT if active and drawn_empty else 0.0
    views = [v for v in fetch_runs(eng, ids, wait_for_steps=wait) if v.kind != "sweep"]
    if not views:
        return
    series = {label(v): m for v in views if len((m := metrics(eng, v.id)).get("step", ()))}
    if not series:  # nothing stored yet: the board alone, loading plotly.js meanwhile
        board([], key="live_board")
        return
    first, info = config_of(views[0]), labels.task_info(views[0])
    m = figures_m.series_objectives(series)
    eps, front = labels.epsilons(first, m), analytic_front(first, m)
    y_title, axes = labels.values_title(first, info, m), labels.objective_titles(first, info, m)
    shown = charts.live_set(series, front, eps, axes, y_title, projector)
    done = all(v.status in TERMINAL for v in views)
    spec = None
    if done and m == 2:  # finished: replay it in the browser, at the learner's pace
        spec = replay.add_replay({n: f for n, f, _ in shown}, series, step_charts=replay.OVER_STEPS)
    board(
        shown,
        key="live_board",
        columns=1 if projector else 2,
        projector=projector,
        static=active and not paused,  # no zoom or hover while polling: cheaper
        replay=spec,
    )
    drawn = ", ".join(f"{k}: {len(m['step'])}" for k, m in series.items())
    st.caption(plain(f"Steps drawn: {drawn}"))
    if done and (text := lessons.verdict(series, {label(v): config_of(v) for v in views})):
        st.success(f"**Verdict, from the stored steps:** {plain(text)}")


# Each fragment in a container of its own: when a finished run's status grows (verdict, summary
# lines), the charts below keep their place in the page, so the board is not mounted anew.
with st.container():
    status()
with st.container():
    live_charts()
