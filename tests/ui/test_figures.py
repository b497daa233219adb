import numpy as np
import plotly.graph_objects as go
import pytest

from ui import figures, figures_pareto


def _metrics(n: int) -> dict[str, np.ndarray]:
    step = np.arange(n)
    return {
        "step": step,
        "f": np.linspace(1, 0.2, n),
        "g": np.linspace(0, 0.6, n),
        "lambda": np.sin(step / 50.0),
        "violation": np.abs(np.linspace(0.6, 0.0, n)),
        "grad_cos": np.cos(step / 30.0),
    }


def test_downsample_keeps_last_and_caps():
    idx = figures.downsample_indices(10_001, 2000)
    assert len(idx) <= 2000
    assert idx[0] == 0 and idx[-1] == 10_000
    assert np.all(np.diff(idx) > 0)
    assert list(figures.downsample_indices(5, 2000)) == [0, 1, 2, 3, 4]
    assert len(figures.downsample_indices(0)) == 0


def test_downsample_arrays_aligned():
    a = np.arange(5000)
    x, y = figures.downsample(a, a * 2)
    assert len(x) <= figures.MAX_POINTS and x[-1] == 4999
    assert np.all(y == x * 2)


@pytest.mark.parametrize(
    ("make", "title", "xlabel"),
    [
        (lambda s: figures.lambda_figure(s), "λ", "step"),
        (lambda s: figures.objectives_figure(s, epsilon=0.6), "Objectives", "step"),
        (lambda s: figures.violation_figure(s), "violation", "step"),
        (lambda s: figures.cosine_figure(s), "cosine", "step"),
        (lambda s: figures.path_figure(s, front=np.c_[[0, 1], [1, 0]], epsilon=0.6), "Path", "f"),
    ],
)
def test_figures_have_labels_legend_uirevision_and_are_thinned(make, title, xlabel):
    series = {"bdmm #1": _metrics(9000), "mdmm #2": _metrics(300)}
    fig = make(series)
    assert isinstance(fig, go.Figure)
    assert title.lower() in fig.layout.title.text.lower()
    assert xlabel in fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text
    assert fig.layout.showlegend is True
    assert fig.layout.uirevision
    for trace in fig.data:
        assert len(trace.x) <= figures.MAX_POINTS
    names = " ".join(t.name for t in fig.data)
    assert "bdmm #1" in names and "mdmm #2" in names


def test_lambda_last_point_kept():
    m = _metrics(9000)
    fig = figures.lambda_figure({"r": m})
    assert fig.data[0].x[-1] == 8999
    assert fig.data[0].y[-1] == pytest.approx(m["lambda"][-1])


def test_objectives_has_dashed_epsilon_line():
    fig = figures.objectives_figure({"r": _metrics(100)}, epsilon=0.6)
    eps = [t for t in fig.data if t.name.startswith("ε")]
    assert len(eps) == 1
    assert eps[0].line.dash == "dash"
    assert list(eps[0].y) == [0.6, 0.6]
    assert len(fig.data) == 3  # f, g, ε


def test_violation_log_axis_and_zero_dropped():
    fig = figures.violation_figure({"r": _metrics(100)})
    assert fig.layout.yaxis.type == "log"
    assert np.isnan(fig.data[0].y[-1])
    assert fig.layout.yaxis.dtick == 1  # over decades: one label each
    narrow = {"step": np.arange(3), "violation": np.array([0.04, 0.07, 0.05])}
    assert figures.violation_figure({"r": narrow}).layout.yaxis.dtick is None  # plotly's ticks


def test_path_over_front_and_end_marker():
    front = np.c_[np.linspace(0, 1, 50), np.linspace(1, 0, 50)]
    fig = figures.path_figure({"r": _metrics(100)}, front=front)
    assert fig.data[0].name == "Pareto front"
    assert len(fig.data[0].x) == 50
    assert fig.data[-1].mode == "markers"


def test_empty_series_gives_empty_figure():
    for fig in (
        figures.lambda_figure({}),
        figures.objectives_figure({}, epsilon=0.5),
        figures.path_figure({}),
        figures.violation_figure({}),
        figures.cosine_figure({}),
        figures_pareto.pareto_figure({}),
    ):
        assert isinstance(fig, go.Figure)


def test_pareto_figure_overlays_sweeps_and_filters_dominated():
    a = [
        {"value": 0.1, "f": 0.5, "g": 0.4, "nondominated": True},
        {"value": 0.2, "f": 0.6, "g": 0.5, "nondominated": False},
    ]
    b = [{"value": None, "f": 0.3, "g": 0.7, "nondominated": True}]
    front = np.c_[[0, 1], [1, 0]]
    fig = figures_pareto.pareto_figure({"#1 mdmm": a, "#2 bdmm": b}, front=front)
    assert [t.name for t in fig.data] == ["Pareto front", "#1 mdmm", "#2 bdmm"]
    assert list(fig.data[1].x) == [0.5, 0.6]
    assert list(fig.data[1].marker.symbol) == ["circle", "diamond"]  # hollow: not converged
    assert fig.data[1].marker.color != fig.data[2].marker.color
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    only = figures_pareto.pareto_figure({"#1 mdmm": a}, nondominated_only=True)
    assert list(only.data[0].x) == [0.5]
    assert "non-dominated" in only.layout.title.text


def test_front_figure_marks_the_target_on_the_front():
    front = np.c_[np.linspace(0, 1, 101), np.linspace(1, 0, 101)]
    fig = figures.front_figure(front, epsilon=0.6)
    assert [t.name for t in fig.data] == ["Pareto front", "target: front at g = 0.6"]
    assert fig.data[1].x[0] == pytest.approx(0.4) and fig.data[1].y[0] == pytest.approx(0.6)
    assert fig.layout.shapes[0].y0 == 0.6  # the dashed level g = ε
    assert len(figures.front_figure(front, epsilon=3.0).data) == 1  # ε off the front: no target
