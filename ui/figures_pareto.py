"""Sweeps' final points over the analytic front: one marker per setting, its shape saying
whether it is non-dominated and whether it converged. Pure, like ui.figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.figures import _figure, _front_trace
from ui.labels import TOY_AXES, converged_of, verdict_text
from ui.palette import colours

POINTS_KEY = (
    "filled: converged · hollow: did not converge · hollow with a dot: on the front but not "
    "settled · ◆: dominated"
)
ON_FRONT = 0.01  # as the Scoreboard's "within 0.01"


def point_marker(points, colour: str, size: int) -> dict:
    """Sweep points' markers: each point's symbol (`point_symbol`) in the sweep's colour."""
    return {
        "size": size,
        "color": colour,
        "symbol": [point_symbol(p) for p in points],
        "line": {"width": 2, "color": colour},
    }


def point_symbol(point: Mapping) -> str:
    """A sweep point's marker: a circle on the non-dominated front, a diamond off it; hollow
    when the setting did not converge (filled when it did, or when its verdict is unknown),
    with a dot when it ended on the analytic front all the same (reached, not settled)."""
    shape = "circle" if point.get("nondominated") else "diamond"
    if converged_of(point) is not False:
        return shape
    distance = point.get("front_distance")
    return shape + ("-open-dot" if distance is not None and distance <= ON_FRONT else "-open")


def verdict_hover(point: Mapping) -> str:
    """The verdict's hover line of a sweep point ("" when it has none)."""
    text = verdict_text(point)
    return "" if text == "—" else f"<br>{text}"


def _setting(point: Mapping) -> str:
    value = point.get("value")
    text = f"{point.get('over', 'value')} = {'–' if value is None else format(value, '.4g')}"
    if point.get("val_f") is not None and point.get("val_g") is not None:
        text += f"<br>validation f = {point['val_f']:.4g}, g = {point['val_g']:.4g}"
    return text + verdict_hover(point)


def pareto_figure(
    sweeps: Mapping[str, Sequence[Mapping]],
    front: np.ndarray | None = None,
    nondominated_only: bool = False,
    uirevision: str = "pareto",
    axes: tuple[str, str] = TOY_AXES,
) -> go.Figure:
    """Final (f, g) of each setting of each sweep (label → points) over the analytic front.

    One colour per sweep; non-dominated points are circles, dominated ones diamonds (or left
    out with `nondominated_only`); a setting that did not converge is hollow. Hovering a
    point shows its swept value, its verdict (and a task's validation f and g)."""
    traces = [_front_trace(front)] if front is not None and len(front) else []
    cs = colours(sweeps)
    for i, (label, points) in enumerate(sweeps.items()):
        kept = [p for p in points if p.get("nondominated") or not nondominated_only]
        traces.append(
            go.Scatter(
                x=[p.get("f") for p in kept],
                y=[p.get("g") for p in kept],
                mode="markers",
                name=label,
                marker=point_marker(kept, cs[i], size=10),
                text=[_setting(p) for p in kept],
                hovertemplate="f = %{x:.4g}, g = %{y:.4g}<br>%{text}<extra></extra>",
            )
        )
    title = "Sweeps: final (f, g) per setting" + (" (non-dominated only)" * nondominated_only)
    return _figure(traces, f"{title}<br><sup>{POINTS_KEY}</sup>", *axes, uirevision)
