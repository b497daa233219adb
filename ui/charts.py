"""Which figure a page draws for its runs or sweeps, by their number of objectives m: m = 2
gets ui.figures' charts exactly as they always were, m = 3 the 3-D ones over the front's
surface (ui.figures_3d), m > 3 parallel coordinates (ui.figures_m). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui import figures, figures_3d, figures_m, figures_pareto, labels
from ui.figures import Series
from ui.labels import TOY_AXES


def _axes(axes: Sequence[str] | None, m: int) -> tuple[str, ...]:
    """The page's axis titles when they name m objectives, else the toy ones."""
    if axes is not None and len(axes) == m:
        return tuple(axes)
    return TOY_AXES if m == 2 else figures_3d.AXES


def _first(epsilons: Sequence[float]) -> float | None:
    return epsilons[0] if len(epsilons) else None


def lambda_chart(series: Series) -> go.Figure:
    if figures_m.series_objectives(series) == 2:
        return figures.lambda_figure(series)
    return figures_m.multipliers_figure(series)


def objectives_chart(
    series: Series, epsilons: Sequence[float] = (), y_title: str | None = None
) -> go.Figure:
    if figures_m.series_objectives(series) == 2:
        return figures.objectives_figure(series, _first(epsilons), y_title=y_title)
    return figures_m.objectives_figure(series, epsilons, y_title=y_title)


def path_chart(
    series: Series,
    front: np.ndarray | None = None,
    epsilons: Sequence[float] = (),
    axes: Sequence[str] | None = None,
) -> go.Figure:
    """(f, g) in 2-D, (f, g1, g2) in 3-D, more in parallel coordinates."""
    m = figures_m.series_objectives(series)
    if m == 2:
        return figures.path_figure(series, front, _first(epsilons), axes=_axes(axes, 2))
    if m == 3:
        return figures_3d.path3d_figure(series, front, epsilons, axes=_axes(axes, 3))
    return figures_m.parcoords_figure(series)


def cosine_chart(series: Series) -> go.Figure:
    figure = figures.cosine_figure(series)
    if figures_m.series_objectives(series) > 2:  # the smallest cosine over all pairs
        figure.layout.title.text = "Smallest gradient cosine over steps (over all pairs)"
        figure.layout.yaxis.title.text = "min cos(∇fᵢ, ∇fⱼ)"
    return figure


def pareto_chart(
    sweeps: Mapping[str, Sequence[Mapping]],
    front: np.ndarray | None = None,
    nondominated_only: bool = False,
    axes: Sequence[str] | None = None,
    parallel: bool = False,
) -> go.Figure:
    """Sweeps' final points: (f, g) in 2-D, (f, g1, g2) in 3-D, else (or when `parallel`)
    parallel coordinates after the swept value."""
    points = [p for pts in sweeps.values() for p in pts]
    m = max((labels.objective_count(p) for p in points), default=2)
    if parallel or m > 3:
        return figures_m.pareto_parcoords(sweeps, nondominated_only)
    if m == 3:
        return figures_3d.pareto3d_figure(sweeps, front, nondominated_only, axes=_axes(axes, 3))
    return figures_pareto.pareto_figure(sweeps, front, nondominated_only, axes=_axes(axes, 2))


def front_chart(front: np.ndarray, epsilons: Sequence[float] = ()) -> go.Figure:
    """The Lab's preview of a problem's front with the constraint levels."""
    if np.asarray(front).shape[1] == 3:
        return figures_3d.front3d_figure(front, epsilons)
    return figures.front_figure(front, _first(epsilons))


def has_lambda(series: Series) -> bool:
    """Whether any run recorded a multiplier or a weight on g (weighted_sum, penalty: not)."""
    return any(
        np.isfinite(np.asarray(m[name], dtype=float)).any()
        for m in series.values()
        for name in m
        if name.startswith("lambda")
    )


def _varies(series: Series, column: str) -> bool:
    values = [np.asarray(m.get(column, ()), dtype=float) for m in series.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    return len(finite) > 1 and float(np.ptp(finite)) > 1e-6


def live_set(
    series: Series,
    front: np.ndarray | None,
    epsilons: Sequence[float],
    axes: Sequence[str] | None,
    y_title: str | None,
    projector: bool = False,
) -> list[tuple[str, go.Figure, bool]]:
    """The Live page's charts as (id, figure, wide): λ (only when some run has one), f and g,
    the path, the violation, and the gradient cosine unless it is constant (−1 on every
    step of a toy problem's two opposed objectives). `projector`: the two main ones, the path
    and λ (f and g for methods without λ)."""
    lam = lambda_chart(series) if has_lambda(series) else None
    values = objectives_chart(series, epsilons, y_title=y_title)
    path = path_chart(series, front, epsilons, axes=axes)
    if projector:
        return [
            ("path", path, False),
            ("lambda", lam, False) if lam else ("objectives", values, False),
        ]
    charts = [("lambda", lam, False)] if lam else []
    charts += [("objectives", values, False), ("path", path, False)]
    charts.append(("violation", figures.violation_figure(series), False))
    if _varies(series, "grad_cos"):
        charts.append(("cosine", cosine_chart(series), False))
    return charts
