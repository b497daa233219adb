"""Plotly figures built from numpy arrays. Pure: no Streamlit, no storage, no torch."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

# TOY_AXES: a task passes its loss's and objective's names instead
from ui.labels import TOY_AXES
from ui.palette import colours, lambda_titles, method_of

MAX_POINTS = 1000  # a chart is ~600 px wide: more points draw no more detail, only slower
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880")
Series = Mapping[str, Mapping[str, np.ndarray]]  # label → {"step": ..., "f": ..., ...}
STEP = "training step"  # a toy's f, g, λ and cosine are dimensionless; a task's have units


def downsample_indices(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """At most `max_points` evenly spread indices into range(n), always with the last one."""
    if n <= 0:
        return np.zeros(0, dtype=int)
    if n <= max_points:
        return np.arange(n)
    idx = np.linspace(0, n - 1, max(2, max_points)).round().astype(int)
    idx[-1] = n - 1
    return np.unique(idx)


def downsample(*arrays: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, ...]:
    """The same rows of each array, thinned to at most `max_points` (the last row kept)."""
    arrays = tuple(np.asarray(a) for a in arrays)
    n = min((len(a) for a in arrays), default=0)
    idx = downsample_indices(n, max_points)
    return tuple(a[:n][idx] for a in arrays)


def _figure(traces: list, title: str, x: str, y: str, key: str, **extra) -> go.Figure:
    """A figure with the shared layout.

    The layout goes to the constructor, with no named template: `update_layout` plus
    `template="plotly_white"` cost ~25 ms a figure (measured), most of a Live refresh's
    server time. Streamlit's own theme styles the chart in the browser."""
    layout = {
        "title": {"text": title, "y": 0.97, "yanchor": "top"},
        "xaxis": {"title": {"text": x}},
        "yaxis": {"title": {"text": y}} | extra.pop("yaxis", {}),
        "uirevision": key,
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 110},
    }
    return go.Figure(data=traces, layout=layout | extra)


def _level(epsilon: float) -> dict:
    """A dashed horizontal line at g = ε across the plot, labelled (cheaper than add_hline)."""
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": epsilon,
                "y1": epsilon,
                "line": {"dash": "dash", "color": "black", "width": 1.5},
            }
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 1,
                "y": epsilon,
                "text": f"ε = {epsilon:g}",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
            }
        ],
    }


def colour(i: int) -> str:
    """The i-th colour of the default palette (a figure of runs colours them by method)."""
    return PALETTE[i % len(PALETTE)]


def _line(x, y, name, **kwargs) -> go.Scatter:
    x, y = downsample(x, y)
    return go.Scatter(x=x, y=y, mode="lines", name=name, **kwargs)


def _front_trace(front: np.ndarray) -> go.Scatter:
    front = np.asarray(front)
    return go.Scatter(
        x=front[:, 0],
        y=front[:, 1],
        mode="lines",
        name="Pareto front",
        line={"color": "gray", "width": 3},
    )


def front_figure(front: np.ndarray, epsilon: float | None = None, uirevision="front") -> go.Figure:
    """A problem's analytic Pareto front with the level g = ε and the front's point on it: where
    a constraint method should end."""
    front = np.asarray(front, dtype=float)
    traces = [_front_trace(front)] if len(front) else []
    g = front[:, 1] if len(front) else np.zeros(0)
    if epsilon is not None and len(g) and g.min() <= epsilon <= g.max():
        i = int(np.argmin(np.abs(g - epsilon)))
        traces.append(
            go.Scatter(
                x=[front[i, 0]],
                y=[g[i]],
                mode="markers",
                name=f"target: front at g = {epsilon:g}",
                marker={"size": 12, "symbol": "star", "color": colour(0)},
            )
        )
    extra = _level(epsilon) if epsilon is not None else {}
    title, x, y = "Analytic Pareto front and the level g = ε", "f (objective)", "g (constrained)"
    small = {  # legend inside the empty top right corner, no room kept below the axis for it
        "height": 320,
        "legend": {"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    }
    return _figure(traces, title, x, y, uirevision, **small, **extra)


def lambda_figure(series: Series, uirevision: str = "lambda") -> go.Figure:
    """λ (the multiplier, or the weight a balancing method put on g) over steps, one line
    per run; titled after what the runs' methods report (ui.palette)."""
    cs = colours(series)
    traces = [
        _line(m["step"], m["lambda"], f"λ {label}", line={"color": cs[i]})
        for i, (label, m) in enumerate(series.items())
        if has_values(m["lambda"])  # a run without λ gets no legend entry without a line
    ]
    title, y = lambda_titles(method_of(label) for label in series)
    return _figure(traces, title, STEP, y, uirevision)


def objectives_figure(
    series: Series,
    epsilon: float | None = None,
    uirevision: str = "objectives",
    y_title: str | None = None,
) -> go.Figure:
    """f and g over steps with a dashed line at the constraint level ε (`y_title`: what f and
    g are, e.g. a task's loss and objective with their units)."""
    traces, cs = [], colours(series)
    for i, (label, m) in enumerate(series.items()):
        traces.append(_line(m["step"], m["f"], f"f {label}", line={"color": cs[i]}))
        traces.append(_line(m["step"], m["g"], f"g {label}", line={"dash": "dot", "color": cs[i]}))
    if epsilon is not None:
        steps = [np.asarray(m["step"]) for m in series.values() if len(m["step"])]
        hi = max((float(s.max()) for s in steps), default=1.0)
        lo = min((float(s.min()) for s in steps), default=0.0)
        traces.append(
            go.Scatter(
                x=[lo, hi],
                y=[epsilon, epsilon],
                mode="lines",
                name=f"ε = {epsilon:g}",
                line={"dash": "dash", "color": "black"},
            )
        )
    title = "Objectives f and g over steps"
    return _figure(traces, title, STEP, y_title or "f, g (objective value)", uirevision)


def path_figure(
    series: Series,
    front: np.ndarray | None = None,
    epsilon: float | None = None,
    uirevision: str = "path",
    axes: tuple[str, str] = TOY_AXES,
) -> go.Figure:
    """Each run's path in (f, g) space, over the analytic Pareto front when there is one (a
    task has none). `axes`: the x and y titles."""
    traces = [_front_trace(front)] if front is not None and len(front) else []
    cs = colours(series)
    for i, (label, m) in enumerate(series.items()):
        f, g = downsample(m["f"], m["g"])
        traces.append(
            go.Scatter(x=f, y=g, mode="lines", name=f"path {label}", line={"color": cs[i]})
        )
        finite = np.isfinite(f) & np.isfinite(g)
        if finite.any():
            last = np.flatnonzero(finite)[-1]
            traces.append(
                go.Scatter(
                    x=[f[last]],
                    y=[g[last]],
                    mode="markers",
                    name=f"end {label}",
                    marker={"size": 11, "symbol": "x", "color": cs[i]},
                )
            )
    extra = _level(epsilon) if epsilon is not None else {}
    return _figure(traces, "Path in (f, g) space", *axes, uirevision, **extra)


def violation_figure(series: Series, uirevision: str = "violation") -> go.Figure:
    """Constraint violation over steps on a log y axis (zeros dropped)."""
    traces, shown, cs, held = [], [np.zeros(0)], colours(series), []
    for i, (label, m) in enumerate(series.items()):
        step, v = downsample(m["step"], m["violation"])
        v = np.where(np.asarray(v, dtype=float) > 0, v, np.nan)
        shown.append(v[np.isfinite(v)])
        if not has_values(v):  # 0 at every step: nothing on a log axis, no ghost entry
            held.append(label)
            continue
        traces.append(
            go.Scatter(x=step, y=v, mode="lines", name=f"violation {label}", line={"color": cs[i]})
        )
    values = np.concatenate(shown)
    extra = {"annotations": [_held_note(held, all_held=not traces)]} if held else {}
    # One label a decade reads well over several decades, but a violation within one decade
    # (a task's, often) would get no label at all: then plotly's own ticks.
    decades = len(values) and values.max() >= 10 * values.min()
    log = {"type": "log", "exponentformat": "power"} | ({"dtick": 1} if decades else {})
    title = "Constraint violation over steps"
    return _figure(traces, title, STEP, "violation (log scale)", uirevision, yaxis=log, **extra)


def has_values(values) -> bool:
    """Whether a column holds a finite number (a method without λ records NaN)."""
    return bool(np.isfinite(np.asarray(values, dtype=float)).any())


def _held_note(labels: list[str], all_held: bool) -> dict:
    """The words for runs whose violation was 0 at every step (a log axis cannot draw 0)."""
    who = "every run" if all_held else ", ".join(labels)
    return {
        "text": f"violation 0 at every step ({who}): every constraint held",
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5 if all_held else 0.98,
        "showarrow": False,
        "font": {"size": 14},
    }


def cosine_figure(series: Series, uirevision: str = "cosine") -> go.Figure:
    """Cosine between the gradients of f and g over steps."""
    cs = colours(series)
    traces = [
        _line(m["step"], m["grad_cos"], f"cos {label}", line={"color": cs[i]})
        for i, (label, m) in enumerate(series.items())
        if has_values(m["grad_cos"])
    ]
    title, fixed = "Gradient cosine over steps", {"range": [-1.05, 1.05]}
    return _figure(traces, title, STEP, "cos(∇f, ∇g)", uirevision, yaxis=fixed)
