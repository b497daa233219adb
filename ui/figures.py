"""Plotly figures built from numpy arrays. Pure: no Streamlit, no storage, no torch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

MAX_POINTS = 2000
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880")
Series = Mapping[str, Mapping[str, np.ndarray]]  # label → {"step": ..., "f": ..., ...}


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


def _layout(fig: go.Figure, title: str, x: str, y: str, key: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "y": 0.97, "yanchor": "top"},
        xaxis_title=x,
        yaxis_title=y,
        uirevision=key,
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
        template="plotly_white",
    )
    return fig


def colour(i: int) -> str:
    """The i-th run's colour: the same run has the same colour in every figure."""
    return PALETTE[i % len(PALETTE)]


def _line(x, y, name, **kwargs) -> go.Scatter:
    x, y = downsample(x, y)
    return go.Scatter(x=x, y=y, mode="lines", name=name, **kwargs)


def lambda_figure(series: Series, uirevision: str = "lambda") -> go.Figure:
    """λ (the multiplier) over steps, one line per run."""
    fig = go.Figure()
    for i, (label, m) in enumerate(series.items()):
        fig.add_trace(_line(m["step"], m["lambda"], f"λ {label}", line={"color": colour(i)}))
    return _layout(fig, "Multiplier λ over steps", "step", "λ", uirevision)


def objectives_figure(
    series: Series, epsilon: float | None = None, uirevision: str = "objectives"
) -> go.Figure:
    """f and g over steps with a dashed line at the constraint level ε."""
    fig = go.Figure()
    for i, (label, m) in enumerate(series.items()):
        fig.add_trace(_line(m["step"], m["f"], f"f {label}", line={"color": colour(i)}))
        fig.add_trace(
            _line(m["step"], m["g"], f"g {label}", line={"dash": "dot", "color": colour(i)})
        )
    if epsilon is not None:
        steps = [np.asarray(m["step"]) for m in series.values() if len(m["step"])]
        hi = max((float(s.max()) for s in steps), default=1.0)
        lo = min((float(s.min()) for s in steps), default=0.0)
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[epsilon, epsilon],
                mode="lines",
                name=f"ε = {epsilon:g}",
                line={"dash": "dash", "color": "black"},
            )
        )
    return _layout(fig, "Objectives f and g over steps", "step", "value", uirevision)


def path_figure(
    series: Series,
    front: np.ndarray | None = None,
    epsilon: float | None = None,
    uirevision: str = "path",
) -> go.Figure:
    """Each run's path in (f, g) space drawn over the analytic Pareto front."""
    fig = go.Figure()
    if front is not None and len(front):
        front = np.asarray(front)
        fig.add_trace(
            go.Scatter(
                x=front[:, 0],
                y=front[:, 1],
                mode="lines",
                name="Pareto front",
                line={"color": "gray", "width": 3},
            )
        )
    for i, (label, m) in enumerate(series.items()):
        f, g = downsample(m["f"], m["g"])
        fig.add_trace(
            go.Scatter(x=f, y=g, mode="lines", name=f"path {label}", line={"color": colour(i)})
        )
        finite = np.isfinite(f) & np.isfinite(g)
        if finite.any():
            last = np.flatnonzero(finite)[-1]
            fig.add_trace(
                go.Scatter(
                    x=[f[last]],
                    y=[g[last]],
                    mode="markers",
                    name=f"end {label}",
                    marker={"size": 11, "symbol": "x", "color": colour(i)},
                )
            )
    if epsilon is not None:
        fig.add_hline(y=epsilon, line_dash="dash", annotation_text=f"ε = {epsilon:g}")
    return _layout(fig, "Path in (f, g) space", "f", "g", uirevision)


def violation_figure(series: Series, uirevision: str = "violation") -> go.Figure:
    """Constraint violation over steps on a log y axis (zeros dropped)."""
    fig = go.Figure()
    for i, (label, m) in enumerate(series.items()):
        step, v = downsample(m["step"], m["violation"])
        v = np.where(np.asarray(v, dtype=float) > 0, v, np.nan)
        fig.add_trace(
            go.Scatter(
                x=step, y=v, mode="lines", name=f"violation {label}", line={"color": colour(i)}
            )
        )
    fig = _layout(fig, "Constraint violation over steps", "step", "violation (log)", uirevision)
    fig.update_yaxes(type="log")
    return fig


def cosine_figure(series: Series, uirevision: str = "cosine") -> go.Figure:
    """Cosine between the gradients of f and g over steps."""
    fig = go.Figure()
    for i, (label, m) in enumerate(series.items()):
        fig.add_trace(_line(m["step"], m["grad_cos"], f"cos {label}", line={"color": colour(i)}))
    fig = _layout(fig, "Gradient cosine cos(∇f, ∇g)", "step", "cosine", uirevision)
    fig.update_yaxes(range=[-1.05, 1.05])
    return fig


def sweep_figure(
    points: Sequence[Mapping], over: str, front: np.ndarray | None = None, uirevision: str = "sweep"
) -> go.Figure:
    """Final (f, g) of each sweep setting over the analytic front, coloured by the swept value."""
    fig = go.Figure()
    if front is not None and len(front):
        front = np.asarray(front)
        fig.add_trace(
            go.Scatter(
                x=front[:, 0],
                y=front[:, 1],
                mode="lines",
                name="Pareto front",
                line={"color": "gray", "width": 3},
            )
        )
    if points:
        fig.add_trace(
            go.Scatter(
                x=[p.get("f") for p in points],
                y=[p.get("g") for p in points],
                mode="markers",
                name=f"final (f, g) by {over}",
                marker={
                    "size": 9,
                    "color": [p.get("value") for p in points],
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": over},
                },
                text=[f"{over} = {p.get('value')}" for p in points],
            )
        )
    return _layout(fig, f"Sweep over {over}: final points", "f", "g", uirevision)
