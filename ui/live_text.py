"""What the Live page says in words: progress, the lesson's line (present while the race runs,
past once it is over), the replay's pace and the plain-word warnings. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from moo_core.diagnosis import blocks_of, warnings_of
from ui import replay
from ui.claims import Run
from ui.labels import run_config
from ui.presets import Preset, report, sentence

WATCHABLE_SECONDS = 20.0  # a race that trained faster than this outran the eye: replay it
CYCLE_STEPS = 2200  # BDMM's cycle on the concave front (ui.presets' claim): the pace's yardstick


def progress(view: Any) -> tuple[float | None, str]:
    """(the bar's fraction, its text) for a run: steps stored over its steps, so the bar and
    the count agree; (None, what it waits for) before the first step; a sweep (whose steps are
    not stored one by one) by its heartbeat's progress."""
    total = view.steps_total or run_config(view).get("steps")
    if view.status == "queued":
        return None, "queued: waiting for a worker to claim it"
    if view.kind == "run" and not view.steps_stored and view.status == "running":
        return None, "starting: the worker is building the run; the first steps come next"
    if view.kind == "run" and total:
        done = 1.0 if view.status == "completed" else view.steps_stored / int(total)
    else:
        done = float(view.progress or 0.0)
    done = min(max(done, 0.0), 1.0)
    return done, f"{view.steps_stored:,} of {int(total or 0):,} steps · {100 * done:.0f} %"


def trained_seconds(views: Sequence[Any]) -> float | None:
    """How long the race trained (its longest run's seconds); None while any has none."""
    seconds = [v.seconds for v in views]
    return None if any(s is None for s in seconds) else float(max(seconds, default=0.0))


def outran_the_eye(views: Sequence[Any]) -> bool:
    seconds = trained_seconds(views)
    return seconds is not None and seconds < WATCHABLE_SECONDS


def pace(
    last_step: int, cycle: bool, frames: int = replay.FRAMES, frame_ms: int = replay.FRAME_MS
) -> str:
    """ "about 400 steps a second" at 1×, with "(a BDMM cycle of ~2,200 steps in 5.5 s)" when
    `cycle` (a BDMM run on the concave front is in the race)."""
    seconds = frames * frame_ms / 1000.0
    rate = max(1.0, last_step / seconds)
    text = f"about {rate:,.0f} steps a second"
    if cycle:
        text += f" (a BDMM cycle of ~{CYCLE_STEPS:,} steps in {CYCLE_STEPS / rate:.1f} s)"
    return text


def replay_note(views: Sequence[Any], last_step: int) -> str:
    """Why the replay plays by itself: the race trained faster than the eye can follow."""
    seconds = trained_seconds(views) or 0.0
    configs = [run_config(v) for v in views]
    cycle = any(c.get("method") == "bdmm" and c.get("problem") == "concave" for c in configs)
    return (
        f"Training took {seconds:.1f} s, too fast to watch, so the charts replay it from step 0 "
        f"at {pace(last_step, cycle)}. Pause it, step with « Back and Next », or drag the bar."
    )


def lesson_line(preset: Preset, done: bool) -> str:
    """The lesson's line: what to watch and what the card claims while the race runs; once
    it is over, that it is over and the replay is there to watch again."""
    if not done:
        return f"**Lesson: {preset.title}.** {preset.watch} {preset.explanation}"
    return (
        f"**Lesson: {preset.title}.** The race is over: watch {preset.look} in the replay "
        "below. What the runs showed, checked against their stored steps:"
    )


def lesson_runs(views: Sequence[Any], series: Mapping[str, Mapping]) -> dict[str, Run]:
    """The finished runs of a lesson by method (label → stored steps in `series`)."""
    runs = {}
    for view, metrics in zip(views, series.values(), strict=False):
        if view.summary:
            config = run_config(view)
            runs[config.get("method")] = Run(view.summary, metrics, config)
    return runs


def lesson_report(preset: Preset, views: Sequence[Any], series: Mapping[str, Mapping]) -> str:
    return "  \n".join(report(preset, lesson_runs(views, series)))


def warnings(view: Any, metrics: Mapping[str, np.ndarray]) -> list[str]:
    """moo_core.diagnosis's plain words for a finished run, from its stored steps."""
    if not view.summary or view.summary.get("converged") is None:
        return []
    total = view.steps_total or run_config(view).get("steps") or view.steps_stored
    trends = blocks_of(metrics, int(total or 1))
    return [sentence(w.rstrip(".")) for w in warnings_of(view.summary, run_config(view), trends)]
