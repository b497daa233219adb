"""How multipliers move: the phase portrait (constraint gap g − ε against λ over the steps) of
runs side by side, and the steps a sweep's settings took to converge against the swept value.

BDMM on a concave front goes round a closed cycle in this plane for ever; MDMM's damping
turns the cycle into a spiral that ends on the point (0, λ*). Pure, like ui.figures."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.figures import MAX_POINTS, Series, _figure
from ui.labels import converged_of, objective_count
from ui.palette import colours

PER_ROW = 4  # panels side by side before a new row starts
GAP_TITLE = "constraint gap g − ε"
PHASE_CAPTION = (
    "Each panel follows one run from ○ to ×: right of the dashed line g is above ε, and λ "
    "rises while it is. A path that ends on the dashed line has settled (its λ is the price "
    "of the constraint); a closed loop never settles (BDMM on a concave front); a spiral "
    "settles by winding in, and more damping trades the winding for a slow straight creep."
)
LAMBDA_TITLE = "λ (multiplier)"


def with_multiplier(series: Series) -> list[str]:
    """The runs a phase portrait can draw: one constraint (m = 2) and a recorded λ."""
    return [
        label
        for label, m in series.items()
        if objective_count(m) == 2 and np.isfinite(np.asarray(m["lambda"], dtype=float)).any()
    ]


def along_path(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """At most `max_points` indices of the finite points of the path (x, y), evenly spread
    along its length (each axis scaled by its range), with the first and last kept.

    Evenly spread steps would miss a fast start: the augmented Lagrangian zig-zags across
    the front every step for its first ~200 steps, then sits still for thousands."""
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(finite) <= max_points:
        return finite
    px, py = x[finite], y[finite]
    scale = [float(np.ptp(v)) or 1.0 for v in (px, py)]
    length = np.r_[0.0, np.cumsum(np.hypot(np.diff(px) / scale[0], np.diff(py) / scale[1]))]
    if length[-1] <= 0:  # no motion at all
        return finite[[0, -1]]
    marks = np.searchsorted(length, np.linspace(0, length[-1], max_points - 1))
    return finite[np.unique(np.r_[marks.clip(0, len(finite) - 1), len(finite) - 1])]


def _ends(gap: np.ndarray, lam: np.ndarray, colour: str, label: str) -> list[go.Scatter]:
    """The start (open circle) and the last finite point (×) of one run's portrait."""
    finite = np.flatnonzero(np.isfinite(gap) & np.isfinite(lam))
    if not len(finite):
        return []
    first, last = finite[0], finite[-1]
    return [
        go.Scatter(
            x=[gap[index]],
            y=[lam[index]],
            mode="markers",
            name=f"{name} {label}",
            showlegend=False,
            marker={"size": 11, "symbol": symbol, "color": colour},
            hovertemplate=f"{name} {label}: g − ε = %{{x:.4g}}, λ = %{{y:.4g}}<extra></extra>",
        )
        for index, name, symbol in ((first, "start", "circle-open"), (last, "end", "x"))
    ]


def phase_portrait_figure(
    series: Series,
    epsilons: Mapping[str, float],
    uirevision: str = "phase",
    shared_axes: bool = True,
) -> go.Figure:
    """One panel per run (label → its steps) with λ and ε: the path of (g − ε, λ) from its
    start (○) to its end (×), each trace named by the run's label. Runs without λ are left
    out. `shared_axes`: one scale for every panel, so a cycle's size compares with a spiral's."""
    labels = [label for label in with_multiplier(series) if label in epsilons]
    count = max(len(labels), 1)
    cols = min(count, PER_ROW)
    rows = math.ceil(count / cols)
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=labels or None,
        shared_xaxes="all" if shared_axes else False,
        shared_yaxes="all" if shared_axes else False,
        horizontal_spacing=0.06,
        vertical_spacing=0.16 if rows > 1 else 0.1,
    )
    position = dict(zip(series, colours(series), strict=True))  # its colour in every chart
    for panel, label in enumerate(labels):
        colour, m = position[label], series[label]
        gap = np.asarray(m["g"], dtype=float) - float(epsilons[label])
        lam = np.asarray(m["lambda"], dtype=float)
        kept = along_path(gap, lam)
        step, gap, lam = np.asarray(m["step"])[kept], gap[kept], lam[kept]
        cell = {"row": panel // cols + 1, "col": panel % cols + 1}
        path = go.Scatter(
            x=gap,
            y=lam,
            mode="lines",
            name=label,
            line={"color": colour, "width": 1.5},
            customdata=step,
            hovertemplate="step %{customdata}: g − ε = %{x:.4g}, λ = %{y:.4g}<extra></extra>",
        )
        figure.add_trace(path, **cell)
        for trace in _ends(gap, lam, colour, label):
            figure.add_trace(trace, **cell)
        figure.add_vline(x=0, line={"dash": "dash", "color": "gray", "width": 1}, **cell)
    figure.update_xaxes(title_text=GAP_TITLE, zeroline=False, showticklabels=True)
    figure.update_yaxes(title_text=LAMBDA_TITLE, col=1)
    figure.update_layout(
        title={
            "text": "Phase portrait: constraint gap against λ (○ start, × end)",
            "y": 0.98,
            "yanchor": "top",
        },
        uirevision=uirevision,
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.16 / rows, "x": 0},
        margin={"l": 60, "r": 20, "t": 80, "b": 100},
        height=380 * rows + 60,
    )
    return figure


def _steps_hover(point: Mapping, over: str) -> str:
    value = point.get("value")
    shown = "–" if value is None else format(value, ".4g")
    reason = point.get("reason") or "no verdict stored"
    return f"{over} = {shown}<br>{reason}"


def steps_to_converge_figure(
    sweeps: Mapping[str, Sequence[Mapping]], uirevision: str = "steps_to_converge"
) -> go.Figure:
    """Steps each setting took to converge (y) against the swept value (x), one colour per
    sweep (label → its points). A setting that did not converge is drawn as a hollow ✕ at its
    run length (the steps it ran): it took at least that many. Hovering tells its reason."""
    traces, over, cs = [], "value", colours(sweeps)
    for i, (label, points) in enumerate(sweeps.items()):
        over = next((p["over"] for p in points if p.get("over")), over)
        order = sorted(points, key=lambda p: math.inf if p.get("value") is None else p["value"])
        done = [p for p in order if converged_of(p) and p.get("steps_to_converge") is not None]
        stuck = [p for p in order if converged_of(p) is False]
        traces.append(
            go.Scatter(
                x=[p.get("value") for p in done],
                y=[p["steps_to_converge"] for p in done],
                mode="lines+markers",
                name=f"converged {label}",
                marker={"size": 9, "color": cs[i]},
                line={"color": cs[i], "width": 1},
                text=[_steps_hover(p, over) for p in done],
                hovertemplate="%{y} steps<br>%{text}<extra></extra>",
            )
        )
        if stuck:
            traces.append(
                go.Scatter(
                    x=[p.get("value") for p in stuck],
                    y=[p.get("steps") for p in stuck],
                    mode="markers",
                    name=f"not converged {label}",
                    marker={"size": 11, "symbol": "x-open", "color": cs[i]},
                    text=[_steps_hover(p, over) for p in stuck],
                    hovertemplate="not converged in %{y} steps<br>%{text}<extra></extra>",
                )
            )
    title = f"Steps to converge against {over}"
    return _figure(traces, title, over, "steps to converge", uirevision)


def by_hyperparameter(
    sweeps: Mapping[str, Sequence[Mapping]],
) -> dict[str, dict[str, Sequence[Mapping]]]:
    """The sweeps of a constrained method whose points carry verdicts and that varied one of
    its hyperparameters (not ε, not the seed), grouped by that hyperparameter: one
    steps-to-converge chart each."""
    groups: dict[str, dict[str, Sequence[Mapping]]] = {}
    for label, points in sweeps.items():
        over = next((p["over"] for p in points if p.get("over")), None)
        if over and over != "seed" and not over.startswith("epsilon") and _has_steps(points):
            groups.setdefault(over, {})[label] = points
    return groups


def _has_steps(points: Sequence[Mapping]) -> bool:
    """Whether a sweep has steps to converge to draw: verdicts, and a constraint to meet (a
    step count, or a multiplier). A weighted sum's settings converge with no step count."""
    constrained = any(
        p.get("steps_to_converge") is not None or p.get("lambda") is not None for p in points
    )
    return constrained and has_verdicts(points)


def has_verdicts(points: Sequence[Mapping]) -> bool:
    """Whether any point carries a verdict (points stored before verdicts existed do not)."""
    return any(converged_of(p) is not None for p in points)
