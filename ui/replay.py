"""Replay of finished runs, played in the browser (ui/board/board.js): pure.

`add_replay` puts a point on each run's path and its λ line and a cursor on the step charts,
and returns the spec the board steps through: for each frame, the step and where each point
is. The board moves them itself, so play, pause, step, scrub and speed cost no round trip."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from moo_core.records import multiplier_names, objective_count, objective_names
from ui.figures import Series
from ui.palette import colours

FRAMES = 300  # a replay's frames: 15 s at 1× (50 ms a frame)
FRAME_MS = 50
CURSOR = {"color": "#333", "width": 2, "dash": "dot"}
OVER_STEPS = ("lambda", "objectives", "violation", "cosine")  # the Live charts over steps


def frame_steps(series: Series, frames: int = FRAMES) -> np.ndarray:
    """Up to `frames` evenly spread steps from the first stored step to the last of any run."""
    steps = [np.asarray(m["step"]) for m in series.values() if len(m["step"])]
    if not steps:
        return np.zeros(0, dtype=int)
    lo, hi = min(int(s[0]) for s in steps), max(int(s[-1]) for s in steps)
    return np.unique(np.linspace(lo, hi, max(2, frames)).round().astype(int))


def _at(metrics: Mapping[str, np.ndarray], column: str, steps: np.ndarray) -> list:
    """The run's `column` at its last stored step ≤ each of `steps` (its first before it
    started, its last after it ended); NaN becomes None (JSON has no NaN)."""
    stored, values = np.asarray(metrics["step"]), np.asarray(metrics[column], dtype=float)
    index = np.clip(np.searchsorted(stored, steps, side="right") - 1, 0, len(stored) - 1)
    return [None if not math.isfinite(v) else float(v) for v in values[index]]


def _point(figure: go.Figure, xyz: list, colour: str, name: str) -> int:
    """Append a moving point (3-D where `xyz` has three coordinates); its trace index."""
    if len(xyz) == 3:
        marker = {"size": 8, "color": colour, "line": {"width": 2, "color": "white"}}
        x, y, z = ([v] for v in xyz)
        trace = go.Scatter3d(x=x, y=y, z=z, mode="markers", marker=marker, showlegend=False)
    else:
        marker = {"size": 16, "color": colour, "line": {"width": 2, "color": "white"}}
        trace = go.Scatter(
            x=[xyz[0]], y=[xyz[1]], mode="markers", marker=marker, showlegend=False, name=name
        )
    figure.add_trace(trace)
    return len(figure.data) - 1


def _moving(m: int) -> list[tuple[str, tuple]]:
    """(figure, columns) of what moves: the path over its objectives (2-D or 3-D) and each
    multiplier over steps (None: the step itself)."""
    if m == 2:
        return [("path", ("f", "g")), ("lambda", (None, "lambda"))]
    path = [("path", objective_names(3))] if m == 3 else []
    return path + [("lambda", (None, name)) for name in multiplier_names(m)]


def add_replay(
    figures: Mapping[str, go.Figure],
    series: Series,
    step_charts: Sequence[str] = (),
    frames: int = FRAMES,
    autoplay: bool = False,
) -> dict | None:
    """Add the replay's points and cursors to `figures` (id → figure, changed in place) and
    return the board's spec: {"steps", "moves": [{plot, trace, x, y[, z]}], "cursors": [{plot,
    shape}], "frame_ms", "autoplay"}. A point moves along each run's path ("path": in (f, g),
    or in (f, g1, g2) for three objectives) and along each of its multipliers ("lambda");
    every figure in `step_charts` gets a cursor. `autoplay`: the board plays it from step 0
    at once (a race that trained faster than the eye). None without stored steps."""
    steps = frame_steps(series, frames)
    runs = [(label, m) for label, m in series.items() if len(m["step"])]
    if not len(steps) or not runs:
        return None
    cs = dict(zip(series, colours(series), strict=True))
    moves: list[dict] = []
    for label, m in runs:
        for plot, columns in _moving(objective_count(m)):
            if plot not in figures or any(c is not None and c not in m for c in columns):
                continue
            axes = [[float(s) for s in steps] if c is None else _at(m, c, steps) for c in columns]
            if all(v is None for v in axes[-1]):
                continue  # no λ for this method: no point to move
            trace = _point(figures[plot], [a[-1] for a in axes], cs[label], f"now {label}")
            moves.append({"plot": plot, "trace": trace} | dict(zip("xyz", axes, strict=False)))
    cursors = []
    for plot in step_charts:
        if plot in figures:
            figure, last = figures[plot], float(steps[-1])
            line = {"type": "line", "xref": "x", "yref": "paper", "y0": 0, "y1": 1}
            figure.add_shape(line | {"x0": last, "x1": last, "line": CURSOR})
            cursors.append({"plot": plot, "shape": len(figure.layout.shapes) - 1})
    return {
        "steps": [int(s) for s in steps],
        "moves": moves,
        "cursors": cursors,
        "frame_ms": FRAME_MS,
        "autoplay": bool(autoplay),
    }
