"""Whole fronts forming: every setting of each sweep moving from its start onto the front,
one Plotly frame per stored sample (sweep_points.trajectory), played in the browser (play,
pause and a slider; no server round trip per frame). Pure: no Streamlit, no storage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.figures import colour

FRAME_MS = 60  # 200 samples play in 12 s
PAD = 0.05


def _second(trajectory: Mapping) -> list:
    """The second objective: g (m = 2) or g1 (m ≥ 3: the animation shows f against g1)."""
    return trajectory.get("g", trajectory.get("g1")) or []


def _at(trajectories: Sequence[Mapping | None], k: int) -> tuple[list, list]:
    """Every setting's (f, g) at sample k (its last one where it has fewer samples)."""
    xs, ys = [], []
    for t in trajectories:
        if not t or not t.get("f"):
            continue
        i = min(k, len(t["f"]) - 1)
        xs.append(t["f"][i])
        ys.append(_second(t)[i])
    return xs, ys


def _range(values: list, front: np.ndarray | None, column: int) -> list[float]:
    numbers = np.array([v for v in values if v is not None], dtype=float)
    if front is not None and len(front):
        numbers = np.concatenate([numbers, np.asarray(front)[:, column]])
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return [0.0, 1.0]
    low, high = float(numbers.min()), float(numbers.max())
    pad = PAD * (high - low or 1.0)
    return [low - pad, high + pad]


def samples_of(sweeps: Mapping[str, Sequence[Mapping | None]]) -> list[int]:
    """The step of each frame: the longest stored step list among the sweeps."""
    steps = [t.get("step") or [] for ts in sweeps.values() for t in ts if t]
    return max(steps, key=len, default=[])


def fronts_animation(
    sweeps: Mapping[str, Sequence[Mapping | None]],
    front: np.ndarray | None = None,
    axes: tuple[str, str] = ("f", "g"),
    frame_ms: int = FRAME_MS,
) -> go.Figure:
    """label → each setting's trajectory ({"step", "f", "g"}); one frame per sample."""
    labels, steps = list(sweeps), samples_of(sweeps)
    static = []
    if front is not None and len(front):
        front = np.asarray(front)
        static.append(
            go.Scatter(x=front[:, 0], y=front[:, 1], mode="lines", name="Pareto front",
                       line={"color": "gray", "width": 3}, hoverinfo="skip")
        )  # fmt: skip

    def moving(k: int) -> list[go.Scatter]:
        traces = []
        for i, label in enumerate(labels):
            x, y = _at(sweeps[label], k)
            traces.append(
                go.Scatter(x=x, y=y, mode="markers", name=label,
                           marker={"size": 9, "color": colour(i)})
            )  # fmt: skip
        return traces

    moving_ids = list(range(len(static), len(static) + len(labels)))
    frames = [go.Frame(name=str(k), data=moving(k), traces=moving_ids) for k in range(len(steps))]
    every = [v for ts in sweeps.values() for t in ts if t for v in t.get("f") or []]
    every_g = [v for ts in sweeps.values() for t in ts if t for v in _second(t)]
    play = {"frame": {"duration": frame_ms, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}}  # fmt: skip
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    slider_steps = [
        {"label": f"{step:,}", "method": "animate",
         "args": [[str(k)], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}]}
        for k, step in enumerate(steps)
    ]  # fmt: skip
    layout = go.Layout(
        title={"text": "Fronts forming: every setting's (f, g) over the steps"},
        xaxis={"title": {"text": axes[0]}, "range": _range(every, front, 0)},
        yaxis={"title": {"text": axes[1]}, "range": _range(every_g, front, 1)},
        legend={"yanchor": "top", "y": 1, "x": 1.02},  # right of the plot: clear of the slider
        updatemenus=[
            {"type": "buttons", "direction": "left", "x": 0, "y": -0.12, "xanchor": "left",
             "yanchor": "top", "showactive": False,
             "buttons": [
                 {"label": "▶ Play", "method": "animate", "args": [None, play]},
                 {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
             ]}
        ],
        # 200 tick labels would overlap: hidden (transparent), the current step is shown above
        sliders=[{"active": 0, "x": 0.2, "len": 0.8, "y": -0.06, "yanchor": "top",
                  "ticklen": 0, "font": {"color": "rgba(0,0,0,0)"},
                  "currentvalue": {"prefix": "step ", "xanchor": "right",
                                   "font": {"color": "#444"}},
                  "steps": slider_steps}],
    )  # fmt: skip
    return go.Figure(data=[*static, *moving(0)], layout=layout, frames=frames)
