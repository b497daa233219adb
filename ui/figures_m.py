"""Figures for runs with m ≥ 3 objectives: f, g1, …, g{m−1} and λ1, …, λ{m−1} (the names of
moo_core.records). One line per objective and per multiplier, the path in objective space in
3-D over the analytic front's surface for m = 3, parallel coordinates for m > 3.

Pure, like ui.figures, whose m = 2 figures stay as they were: ui.charts picks between them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from moo_core.records import multiplier_names, objective_names
from ui import figures, figures_pareto
from ui.figures import STEP, Series, downsample
from ui.labels import objective_count
from ui.palette import colours

DASHES = ("solid", "dot", "dash", "dashdot", "longdash", "longdashdot")  # objective i's dash
PARCOORDS_LINES = 200  # steps per run drawn as lines in parallel coordinates


def series_objectives(series: Mapping[str, Mapping]) -> int:
    """The largest m among the runs (2 when there are none)."""
    return max((objective_count(m) for m in series.values()), default=2)


def _symbol(name: str) -> str:
    return name.replace("lambda", "λ")


def _epsilon_labels(epsilons: Sequence[float]) -> dict[float, str]:
    """One label per distinct level: {0.4: "ε1 = ε2 = 0.4", 0.6: "ε3 = 0.6"}."""
    named: dict[float, list[str]] = {}
    for i, eps in enumerate(epsilons, start=1):
        named.setdefault(float(eps), []).append(f"ε{i}")
    return {eps: " = ".join(names) + f" = {eps:g}" for eps, names in named.items()}


def multipliers_figure(series: Series, uirevision: str = "lambda") -> go.Figure:
    """Every multiplier over steps: a run's colour, one dash per constraint."""
    traces, cs = [], colours(series)
    for i, (label, m) in enumerate(series.items()):
        for j, name in enumerate(multiplier_names(objective_count(m))):
            if not figures.has_values(m[name]):
                continue  # a method without multipliers: no legend entry without a line
            line = {"color": cs[i], "dash": DASHES[j % len(DASHES)]}
            traces.append(figures._line(m["step"], m[name], f"{_symbol(name)} {label}", line=line))
    title = "Multipliers λ1, λ2, … over steps (one per constraint)"
    return figures._figure(traces, title, STEP, "λ (Lagrange multipliers)", uirevision)


def objectives_figure(
    series: Series,
    epsilons: Sequence[float] = (),
    uirevision: str = "objectives",
    y_title: str | None = None,
) -> go.Figure:
    """Every objective over steps (a run's colour, one dash per objective) with a dashed
    black line at each constraint level."""
    traces, cs = [], colours(series)
    for i, (label, m) in enumerate(series.items()):
        for j, name in enumerate(objective_names(objective_count(m))):
            line = {"color": cs[i], "dash": DASHES[j % len(DASHES)]}
            traces.append(figures._line(m["step"], m[name], f"{name} {label}", line=line))
    steps = [np.asarray(m["step"]) for m in series.values() if len(m["step"])]
    lo = min((float(s.min()) for s in steps), default=0.0)
    hi = max((float(s.max()) for s in steps), default=1.0)
    for eps, text in _epsilon_labels(epsilons).items():
        line = {"dash": "dash", "color": "black", "width": 1}
        traces.append(go.Scatter(x=[lo, hi], y=[eps, eps], mode="lines", name=text, line=line))
    title = "Objectives f, g1, g2, … over steps"
    return figures._figure(traces, title, STEP, y_title or "objective value", uirevision)


def point_text(point: Mapping) -> str:
    """A sweep point's hover text: its swept value, then each objective (and a task's
    validation values when the point has them), then its verdict when it has one."""
    value, m = point.get("value"), objective_count(point)
    lines = [f"{point.get('over', 'value')} = {'–' if value is None else format(value, '.4g')}"]
    names = objective_names(m)
    lines.append(", ".join(f"{n} = {_num(point.get(n))}" for n in names))
    if all(point.get(f"val_{n}") is not None for n in names):
        lines.append("validation " + ", ".join(f"{n} = {point[f'val_{n}']:.4g}" for n in names))
    return "<br>".join(lines) + figures_pareto.verdict_hover(point)


def _num(value) -> str:
    return "–" if value is None else format(value, ".4g")


def _colours(labels: Sequence[str]) -> dict:
    """A parcoords line colouring where line value (i + 0.5) / count is run i's colour."""
    cs = colours(labels) or colours([""])
    count = len(cs)
    scale = []
    for i in range(count):
        scale += [[i / count, cs[i]], [(i + 1) / count, cs[i]]]
    return {"colorscale": scale, "cmin": 0, "cmax": 1, "showscale": False}


def _parcoords(columns: dict[str, list], groups: list[int], labels: list, title: str, key: str):
    table = np.array([columns[name] for name in columns], dtype=float).reshape(len(columns), -1)
    finite = np.isfinite(table).all(axis=0)
    dimensions = [
        {"label": _symbol(name), "values": row[finite]}
        for name, row in zip(columns, table, strict=True)
    ]
    line = {"color": (np.asarray(groups, dtype=float)[finite] + 0.5) / max(len(labels), 1)}
    layout = {
        "title": {"text": title, "y": 0.97, "yanchor": "top"},
        "uirevision": key,
        "margin": {"l": 70, "r": 70, "t": 90, "b": 40},
        "height": 460,
    }
    return go.Figure(go.Parcoords(dimensions=dimensions, line=line | _colours(labels)), layout)


def parcoords_figure(series: Series, uirevision: str = "path") -> go.Figure:
    """Runs' paths through m objectives in parallel coordinates: up to PARCOORDS_LINES steps
    a run, each a line across the step and every objective, in the run's colour."""
    m = series_objectives(series)
    columns: dict[str, list] = {name: [] for name in ("step", *objective_names(m))}
    groups: list[int] = []
    for i, metrics in enumerate(series.values()):
        if objective_count(metrics) != m:
            continue  # another problem's run: not on these axes
        rows = downsample(*(metrics[name] for name in columns), max_points=PARCOORDS_LINES)
        for name, values in zip(columns, rows, strict=True):
            columns[name] += list(values)
        groups += [i] * len(rows[0])
    title = f"Paths through {m} objectives, one line per step<br>{_key(series)}"
    return _parcoords(columns, groups, list(series), title, uirevision)


def pareto_parcoords(
    sweeps: Mapping[str, Sequence[Mapping]],
    nondominated_only: bool = False,
    uirevision: str = "pareto",
) -> go.Figure:
    """Final objectives of each setting of each sweep in parallel coordinates, after the swept
    value: one line per setting in its sweep's colour."""
    everything = [p for points in sweeps.values() for p in points]
    m = max((objective_count(p) for p in everything), default=2)
    over = next((p["over"] for p in everything if p.get("over")), "value")
    names = ("value", *objective_names(m))
    columns: dict[str, list] = {over: [], **{name: [] for name in names[1:]}}
    groups: list[int] = []
    for i, points in enumerate(sweeps.values()):
        for p in points:
            if (p.get("nondominated") or not nondominated_only) and objective_count(p) == m:
                for column, name in zip(columns.values(), names, strict=True):
                    column.append(np.nan if p.get(name) is None else p[name])
                groups.append(i)
    title = "Sweeps: final objectives per setting" + (" (non-dominated only)" * nondominated_only)
    return _parcoords(columns, groups, list(sweeps), f"{title}<br>{_key(sweeps)}", uirevision)


def _key(labelled: Mapping) -> str:
    """Which colour is which run or sweep: parallel coordinates have no legend."""
    return " · ".join(
        f'<span style="color:{c}">■ {label}</span>'
        for c, label in zip(colours(labelled), labelled, strict=True)
    )
