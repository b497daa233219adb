"""Three objectives in 3-D: the analytic front as a surface, runs' paths and sweeps' final
points over it. Pure, like ui.figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from moo_core.records import objective_names
from ui.figures import Series, downsample
from ui.figures_m import point_text
from ui.figures_pareto import POINTS_KEY, point_marker
from ui.labels import objective_count
from ui.palette import colours

SURFACE = {"color": "lightgray", "opacity": 0.45}  # the front behind the paths, not over them
AXES = objective_names(3)


def _triangles(points: np.ndarray) -> np.ndarray:
    """Triangles (i, j, k) over a front's points.

    No point of a Pareto front dominates another, so none lies on another's line along
    (1, …, 1): projected along that line the front stays one sheet, which a 2-D Delaunay
    triangulation covers. Triangles much longer than the typical one (bridging the gaps of a
    disconnected front, or its concave rim) are dropped."""
    from scipy.spatial import Delaunay, QhullError

    u = np.array([1.0, -1.0, 0.0]) / np.sqrt(2)
    v = np.array([1.0, 1.0, -2.0]) / np.sqrt(6)
    try:
        simplices = Delaunay(np.c_[points @ u, points @ v]).simplices
    except (QhullError, ValueError):  # too few points, or all on one line
        return np.zeros((0, 3), dtype=int)
    corners = points[simplices]  # (T, 3 corners, 3 coordinates)
    edges = np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=2).max(axis=1)
    return simplices[edges <= 3 * np.median(edges)]


def front_surface(front: np.ndarray | None) -> list[go.Mesh3d]:
    """The analytic front (an (N, 3) point cloud) as one gray surface; [] when there is none."""
    if front is None or len(front) < 3 or np.asarray(front).shape[1] != 3:
        return []
    front = np.asarray(front, dtype=float)
    i, j, k = _triangles(front).T
    if not len(i):
        return []
    x, y, z = front.T
    mesh = go.Mesh3d(x=x, y=y, z=z, i=i, j=j, k=k, name="Pareto front", hoverinfo="skip")
    return [mesh.update(**SURFACE, showlegend=True, flatshading=False)]


def _layout(title: str, axes: Sequence[str], key: str, **extra) -> dict:
    scene = {f"{a}axis": {"title": {"text": text}} for a, text in zip("xyz", axes, strict=True)} | {
        "aspectmode": "cube",
        "camera": {"eye": {"x": 1.6, "y": 1.6, "z": 1.1}},
    }
    return {
        "title": {"text": title, "y": 0.97, "yanchor": "top"},
        "scene": scene,
        "uirevision": key,
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0},
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "height": 560,
    } | extra


def target(front: np.ndarray | None, epsilons: Sequence[float]) -> np.ndarray | None:
    """The front's point nearest g_i = ε_i for every constraint (where equality constraints
    should end); None without a front or with ε outside its range."""
    if front is None or not len(front) or len(epsilons) != np.asarray(front).shape[1] - 1:
        return None
    others, eps = np.asarray(front, dtype=float)[:, 1:], np.asarray(epsilons, dtype=float)
    if np.any(eps < others.min(axis=0)) or np.any(eps > others.max(axis=0)):
        return None
    return np.asarray(front)[int(np.argmin(np.linalg.norm(others - eps, axis=1)))]


def _target_trace(point: np.ndarray, epsilons: Sequence[float]) -> go.Scatter3d:
    levels = ", ".join(f"g{i} = {e:g}" for i, e in enumerate(epsilons, start=1))
    return go.Scatter3d(
        x=[point[0]],
        y=[point[1]],
        z=[point[2]],
        mode="markers",
        name=f"target: front at {levels}",
        marker={"size": 6, "symbol": "diamond", "color": "black"},
    )


def front3d_figure(front: np.ndarray, epsilons: Sequence[float] = (), uirevision="front"):
    """The Lab's preview for m = 3: the front's surface and the point the constraints pick."""
    traces: list = front_surface(front)
    if (point := target(front, epsilons)) is not None:
        traces.append(_target_trace(point, epsilons))
    title = "Analytic Pareto front and the levels gᵢ = εᵢ"
    layout = _layout(title, AXES, uirevision, height=420)
    return go.Figure(data=traces, layout=layout)


def path3d_figure(
    series: Series,
    front: np.ndarray | None = None,
    epsilons: Sequence[float] = (),
    uirevision: str = "path",
    axes: Sequence[str] = AXES,
) -> go.Figure:
    """Each three-objective run's path in (f, g1, g2) over the front's surface, ending in ×."""
    traces: list = front_surface(front)
    if (point := target(front, epsilons)) is not None:
        traces.append(_target_trace(point, epsilons))
    cs = colours(series)
    for i, (label, m) in enumerate(series.items()):
        if objective_count(m) != 3:
            continue  # another problem's run: not in this space
        x, y, z = downsample(*(m[name] for name in objective_names(3)))
        line = {"color": cs[i], "width": 5}
        traces.append(go.Scatter3d(x=x, y=y, z=z, mode="lines", name=f"path {label}", line=line))
        finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y) & np.isfinite(z))
        if len(finite):
            last = finite[-1]
            traces.append(
                go.Scatter3d(
                    x=[x[last]],
                    y=[y[last]],
                    z=[z[last]],
                    mode="markers",
                    name=f"end {label}",
                    marker={"size": 5, "symbol": "x", "color": cs[i]},
                )
            )
    layout = _layout("Path in objective space (f, g1, g2)", axes, uirevision)
    return go.Figure(data=traces, layout=layout)


def flat_marker(points, colour: str) -> dict:
    """point_marker for 3-D, whose markers have no dotted variant: reached-but-unsettled
    points are hollow like every other point that did not converge."""
    marker = point_marker(points, colour, size=5)
    marker["symbol"] = [symbol.removesuffix("-dot") for symbol in marker["symbol"]]
    return marker


def pareto3d_figure(
    sweeps: Mapping[str, Sequence[Mapping]],
    front: np.ndarray | None = None,
    nondominated_only: bool = False,
    uirevision: str = "pareto",
    axes: Sequence[str] = AXES,
) -> go.Figure:
    """Final (f, g1, g2) of each setting of each sweep over the front's surface: one colour
    per sweep, non-dominated points circles and dominated ones diamonds (or left out), a
    setting that did not converge hollow."""
    traces: list = front_surface(front)
    cs = colours(sweeps)
    for i, (label, points) in enumerate(sweeps.items()):
        kept = [p for p in points if p.get("nondominated") or not nondominated_only]
        x, y, z = ([p.get(name) for p in kept] for name in AXES)
        traces.append(
            go.Scatter3d(
                x=x,
                y=y,
                z=z,
                mode="markers",
                name=label,
                marker=flat_marker(kept, cs[i]),
                text=[point_text(p) for p in kept],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    title = "Sweeps: final (f, g1, g2) per setting" + (" (non-dominated only)" * nondominated_only)
    title += f"<br><sup>{POINTS_KEY}</sup>"
    return go.Figure(data=traces, layout=_layout(title, axes, uirevision))
