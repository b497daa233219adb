"""Figures for m ≥ 3 objectives, from synthetic metrics; m = 2 still gets ui.figures' own."""

import numpy as np
import plotly.graph_objects as go
import pytest

from ui import charts, figures, figures_3d, figures_m, labels


def _metrics(n: int, m: int = 3) -> dict[str, np.ndarray]:
    """A run of m objectives as storage returns it: f, g, lambda always; g1.., lambda1.."""
    step = np.arange(n)
    t = np.linspace(0, 1, n)
    out = {"step": step, "f": 1 - 0.5 * t, "violation": 1 - t, "grad_cos": np.cos(step / 30)}
    for i in range(1, m):
        out[f"g{i}"] = 0.2 + 0.1 * i * t
        out[f"lambda{i}"] = np.sin(step / (20 * i))
    out["g"], out["lambda"] = out["g1"], out["lambda1"]
    return out


def _octant(n: int = 20) -> np.ndarray:
    """Points on the positive octant of the unit sphere (DTLZ2's front), a parametric grid."""
    a, b = np.meshgrid(np.linspace(0, np.pi / 2, n), np.linspace(0, np.pi / 2, n))
    a, b = a.ravel(), b.ravel()
    return np.c_[np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), np.sin(a)]


def test_objective_count_reads_numbered_names():
    assert labels.objective_count(_metrics(5, 3)) == 3
    assert labels.objective_count(_metrics(5, 5)) == 5
    assert labels.objective_count({"f": 1, "g": 2, "lambda": 3}) == 2
    assert figures_m.series_objectives({}) == 2


def test_one_multiplier_line_per_constraint_and_one_objective_line_per_objective():
    series = {"#1 mdmm": _metrics(9000), "#2 bdmm": _metrics(300)}
    lam = figures_m.multipliers_figure(series)
    assert [t.name for t in lam.data] == [
        "λ1 #1 mdmm",
        "λ2 #1 mdmm",
        "λ1 #2 mdmm".replace("mdmm", "bdmm").replace("#1", "#2"),
        "λ2 #2 bdmm",
    ]
    assert lam.data[0].line.color == lam.data[1].line.color != lam.data[2].line.color
    assert lam.data[0].line.dash != lam.data[1].line.dash
    assert all(len(t.x) <= figures.MAX_POINTS for t in lam.data)
    values = figures_m.objectives_figure(series, epsilons=(0.4, 0.4))
    names = [t.name for t in values.data]
    assert names[:3] == ["f #1 mdmm", "g1 #1 mdmm", "g2 #1 mdmm"]
    assert names[-1] == "ε1 = ε2 = 0.4"  # equal levels: one line
    two_levels = figures_m.objectives_figure(series, epsilons=(0.3, 0.5))
    assert [t.name for t in two_levels.data][-2:] == ["ε1 = 0.3", "ε2 = 0.5"]
    assert values.layout.uirevision and values.layout.xaxis.title.text


def test_front_surface_triangulates_the_octant_without_bridging():
    front = _octant()
    (mesh,) = figures_3d.front_surface(front)
    assert isinstance(mesh, go.Mesh3d)
    triangles = np.c_[mesh.i, mesh.j, mesh.k]
    assert len(triangles) >= len(front)  # a grid of n² points has ~2n² triangles
    edges = np.linalg.norm(front[triangles] - front[np.roll(triangles, 1, axis=1)], axis=2)
    assert edges.max() < 0.3  # neighbours only
    assert figures_3d.front_surface(None) == []
    assert figures_3d.front_surface(front[:2]) == []
    assert figures_3d.front_surface(np.c_[[0, 1], [1, 0]]) == []  # a 2-D front


def test_path3d_over_the_front_with_end_marker_and_target():
    front = _octant()
    series = {"#1 mdmm": _metrics(5000), "#2 other problem": _metrics(50, m=2)}
    fig = figures_3d.path3d_figure(series, front, epsilons=(0.5, 0.5))
    kinds = [t.type for t in fig.data]
    assert kinds == ["mesh3d", "scatter3d", "scatter3d", "scatter3d"]
    assert fig.data[1].name.startswith("target")
    target = np.array([fig.data[1].x[0], fig.data[1].y[0], fig.data[1].z[0]])
    assert np.linalg.norm(target[1:] - 0.5) < 0.1
    path = fig.data[2]
    assert path.name == "path #1 mdmm" and len(path.x) <= figures.MAX_POINTS
    assert fig.data[3].mode == "markers" and fig.data[3].x[0] == pytest.approx(0.5)
    assert fig.layout.scene.xaxis.title.text == "f" and fig.layout.scene.zaxis.title.text == "g2"
    assert figures_3d.target(front, (2.0, 0.5)) is None  # ε off the front


def test_pareto3d_points_filled_or_hollow_and_filtered():
    a = [
        {"over": "epsilon1", "value": 0.2, "f": 0.9, "g1": 0.2, "g2": 0.4, "nondominated": True},
        {"over": "epsilon1", "value": 0.5, "f": 1.0, "g1": 0.5, "g2": 0.5, "nondominated": False},
    ]
    fig = figures_3d.pareto3d_figure({"#4 mdmm": a}, front=_octant())
    assert [t.type for t in fig.data] == ["mesh3d", "scatter3d"]
    assert list(fig.data[1].z) == [0.4, 0.5]
    assert list(fig.data[1].marker.symbol) == ["circle", "diamond"]  # hollow: not converged
    assert "epsilon1 = 0.2" in fig.data[1].text[0] and "g2 = 0.4" in fig.data[1].text[0]
    only = figures_3d.pareto3d_figure({"#4 mdmm": a}, nondominated_only=True)
    assert list(only.data[0].x) == [0.9] and "non-dominated" in only.layout.title.text


def test_parallel_coordinates_for_more_than_three_objectives():
    series = {"#1 mdmm": _metrics(5000, m=5), "#2 pcgrad": _metrics(10, m=5)}
    fig = charts.path_chart(series)
    (trace,) = fig.data
    assert trace.type == "parcoords"
    assert [d.label for d in trace.dimensions] == ["step", "f", "g1", "g2", "g3", "g4"]
    assert len(trace.dimensions[0].values) == figures_m.PARCOORDS_LINES + 10
    colours = np.asarray(trace.line.color)
    assert len(set(colours[:200])) == 1 and colours[0] != colours[-1]  # one colour per run
    assert "#1 mdmm" in fig.layout.title.text and "#2 pcgrad" in fig.layout.title.text
    points = {"#3": [{"over": "weight", "value": 0.1, "nondominated": True, **_final(5)}]}
    sweep = charts.pareto_chart(points)
    assert [d.label for d in sweep.data[0].dimensions] == ["weight", "f", "g1", "g2", "g3", "g4"]


def _final(m: int) -> dict:
    return {"f": 0.5} | {f"g{i}": 0.1 * i for i in range(1, m)}


def test_charts_pick_by_objective_count():
    two = {"#1": {k: v for k, v in _metrics(50, 2).items() if k not in ("g1", "lambda1")}}
    three = {"#1": _metrics(50, 3)}
    assert charts.lambda_chart(two).to_dict() == figures.lambda_figure(two).to_dict()
    assert charts.objectives_chart(two, (0.6,)).to_dict() == (
        figures.objectives_figure(two, 0.6).to_dict()
    )
    front2 = np.c_[[0, 1], [1, 0]]
    assert charts.path_chart(two, front2, (0.6,)).to_dict() == (
        figures.path_figure(two, front2, 0.6).to_dict()
    )
    assert charts.cosine_chart(two).to_dict() == figures.cosine_figure(two).to_dict()
    assert charts.path_chart(three, _octant()).data[0].type == "mesh3d"
    assert "λ1" in charts.lambda_chart(three).data[0].name
    assert "min" in charts.cosine_chart(three).layout.yaxis.title.text
    points = [{"over": "epsilon", "value": 0.5, "nondominated": True, **_final(3)}]
    assert charts.pareto_chart({"#2": points}, _octant()).data[1].type == "scatter3d"
    assert charts.pareto_chart({"#2": points}, parallel=True).data[0].type == "parcoords"
    assert charts.front_chart(_octant(), (0.5, 0.5)).data[0].type == "mesh3d"
    assert (
        charts.front_chart(front2, (0.6,)).to_dict() == figures.front_figure(front2, 0.6).to_dict()
    )


def test_empty_inputs_give_figures():
    for fig in (
        figures_m.multipliers_figure({}),
        figures_m.objectives_figure({}),
        figures_m.parcoords_figure({}),
        figures_m.pareto_parcoords({}),
        figures_3d.path3d_figure({}),
        figures_3d.pareto3d_figure({}),
    ):
        assert isinstance(fig, go.Figure)
