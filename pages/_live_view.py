"""The Live page's parts: a run's status block, the lesson's line, the charts' words. Not a
page: every sentence comes from ui/ (labels, live_text), this only draws it."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from pages import _workshop as workshop
from pages._shared import TERMINAL, analytic_front, config_of, label, metrics
from ui import charts as ui_charts
from ui import faults, figures_m, labels, lessons, live_text, replay, tables
from ui.labels import plain

STALE_SECONDS = 10  # workers beat every second (`--heartbeat`)
PROJECTOR_CSS = """<style>
  [data-testid="stMainBlockContainer"] p, [data-testid="stCaptionContainer"],
  [data-testid="stProgress"] p, [data-testid="stAlert"] p { font-size: 1.7rem !important; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 3rem; }
</style>"""


def projector_style() -> None:
    """Projector mode: large status, verdict and text too, not only the charts."""
    st.html(PROJECTOR_CSS)


def no_runs(eng) -> None:
    """Bare /live: what to do, and the newest runs one click away."""
    import storage

    newest = [v for v in storage.list_runs(eng, limit=20) if v.kind == "run"][:5]
    more = "; or open one of the newest runs below" if newest else ""
    st.info(
        "No runs selected. Start a lesson or launch a run on the Lab page, and its live view "
        f"opens here{more} (any run: `/live?runs=ID,ID`)."
    )
    st.page_link("pages/lab.py", label="Go to the Lab", icon=":material/science:")
    for view in newest:
        st.page_link(
            "pages/live.py",
            label=f"{label(view)} · {labels.plain(labels.subject_of(view))} · {view.status}",
            query_params={"runs": str(view.id)},
        )


def run_status(eng, view, names, owners) -> None:
    """One run: name, status and verdict; progress (steps, not a blank 0 %); cancel; the
    verdict's sentence and, for a finished run, its final values and plain-word warnings."""
    import storage

    now = datetime.now(UTC).replace(tzinfo=None)  # the database stores naive UTC
    c1, c2, c3 = st.columns([2, 5, 1])
    verdict = labels.verdict_markdown(view)  # "" until the run ends, or for an old run
    subject = labels.plain(labels.subject_of(view, names))
    c1.markdown(f"**{label(view)}** · `{view.status}`{verdict}  \n{subject}")
    fraction, text = live_text.progress(view)
    if fraction is None:
        c2.caption(f"⏳ {text}")
    else:
        running = view.status == "running"
        c2.progress(fraction, text=text + tables.eta(fraction, view.started, now, running))
    if view.status in TERMINAL:
        c3.empty()  # a finished run has nothing to cancel: no button left behind
    elif workshop.owned_button(c3, "Cancel", f"cancel{view.id}", owners.get(view.id)):
        storage.request_cancel(eng, view.id)
        st.toast(f"Cancel requested for run {view.id}")
    silent = tables.seconds_between(view.heartbeat, now) if view.status == "running" else None
    if silent is not None and silent > faults.LOCK_HINT_SECONDS and locked(eng):
        st.warning(plain(faults.waiting_line(view.id, silent)))  # the worker cannot write
    elif silent is not None and silent > STALE_SECONDS:
        st.warning(
            f"Run {view.id}'s worker has not reported for {tables.duration(silent)}: it may "
            "have died. A live worker marks the run failed after its grace period."
        )
    if verdict:  # the whole sentence, across the page
        st.caption(plain(labels.verdict_line(view)), help=labels.VERDICT_HELP)
    if view.error:
        st.error(plain(f"Run {view.id} failed: {view.error.strip().splitlines()[-1]}"))
    elif view.status == "completed" and view.summary:
        st.caption(plain(labels.summary_line(view)))
        if where := labels.device_line(view):
            st.caption(where)
        if task := labels.task_line(view):
            st.caption(labels.plain(task))
    if view.status in TERMINAL:
        for warning in live_text.warnings(view, metrics(eng, view.id)):
            st.warning(plain(warning))


def locked(eng) -> bool:
    """Whether the database's write lock is held now (storage/health.py): then a silent
    worker is waiting for it, not dead. Asked only when a heartbeat is late."""
    from storage.health import health

    return health(eng).locked


def lesson_block(eng, lesson, views) -> None:
    """The lesson's line: what to watch and the card's claims while the race runs; once it
    is over, each claim in the past tense with the runs' own numbers, ✓ or ✗."""
    done = all(v.status in TERMINAL for v in views)
    text = live_text.lesson_line(lesson, done)
    if done:
        series = {label(v): metrics(eng, v.id) for v in views}
        text += "  \n" + live_text.lesson_report(lesson, views, series)
    st.info(text)


def charts(eng, views, projector: bool, polling: bool) -> None:
    """The chart board: lines that grow in place while the runs train; once they are over, a
    replay, played from step 0 when training outran the eye, and the race's verdict."""
    from pages._board import board

    series = {label(v): m for v in views if len((m := metrics(eng, v.id)).get("step", ()))}
    # the board keeps its place in the page from the first refresh to the last (a line above it
    # fills one slot, present every time): an element that moves is mounted anew, hidden until
    # its new frame says it is ready (charts blinking out as the runs finish)
    note = st.empty()
    if not series:  # nothing stored yet: the board alone, loading plotly.js meanwhile
        note.caption("The charts appear here with the first stored steps.")
        board([], key="live_board")
        return
    first, info = config_of(views[0]), labels.task_info(views[0])
    m = figures_m.series_objectives(series)
    eps, front = labels.epsilons(first, m), analytic_front(first, m)
    y_title, axes = labels.values_title(first, info, m), labels.objective_titles(first, info, m)
    shown = ui_charts.live_set(series, front, eps, axes, y_title, projector)
    done = all(v.status in TERMINAL for v in views)
    fast = done and live_text.outran_the_eye(views)
    spec = None
    if done and m <= 3:  # finished: replay it in the browser, at the learner's pace
        figures = {n: f for n, f, _ in shown}
        spec = replay.add_replay(figures, series, step_charts=replay.OVER_STEPS, autoplay=fast)
    if spec and fast:
        note.info(live_text.replay_note(views, spec["steps"][-1]))
    board(shown, key="live_board", projector=projector, static=polling, replay=spec)
    drawn = ", ".join(f"{k}: {len(m['step'])}" for k, m in series.items())
    st.caption(plain(f"Steps drawn: {drawn}"))
    if done and (text := lessons.verdict(series, {label(v): config_of(v) for v in views})):
        # green only when every run converged: a held constraint is no success by itself
        good = all(labels.converged_of(v) for v in views)
        (st.success if good else st.warning)(f"**Verdict, from the stored steps:** {plain(text)}")
