"""What a run trains (a toy problem or a task on real data) and how to name its numbers.

Pure: no Streamlit, no storage, no torch. A task run's stored config has "problem": None and
a "task" dict; its summary has "validation" {f, g} and "task" {loss, objective, f_unit, ...}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TOY_AXES = ("f (objective)", "g (constrained objective)")  # (x, y) of an (f, g) plot


def run_config(view: Any) -> dict[str, Any]:
    """The run part of a run's or a sweep's stored config."""
    config = getattr(view, "config", None) or {}
    return config.get("run", config)


def dataset_label(ref: str, names: Mapping[str, str] | None = None) -> str:
    """A built-in's name, an upload's stored file name, else "upload 1a2b3c4d" (as the CLI)."""
    if ref.startswith("sha256:"):
        return (names or {}).get(ref) or f"upload {ref[7:15]}"
    return ref.rsplit("/", 1)[-1]


def subject(config: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """ "concave", or a task's "breast_cancer → target" (RunConfig.subject, from a dict)."""
    task = config.get("task")
    if not task:
        return str(config.get("problem"))
    return f"{dataset_label(str(task.get('dataset')), names)} → {task.get('target')}"


def subject_of(view: Any, names: Mapping[str, str] | None = None) -> str:
    return subject(run_config(view), names)


def task_info(view: Any) -> dict[str, Any]:
    """A finished task run's summary["task"] (loss, objective, units, rows), else {}."""
    return dict((getattr(view, "summary", None) or {}).get("task") or {})


def _named(name: str, unit: str | None) -> str:
    return f"{name} ({unit})" if unit else name


def objective_names(config: Mapping[str, Any], info: Mapping[str, Any]) -> tuple[str, str]:
    """What f and g are: a task's loss and objective with their units (known once the run
    has a summary; while it trains, the config's names: its loss may still be "auto")."""
    task = config.get("task")
    if not task:
        return "f", "g"
    loss = info.get("loss") or task.get("loss")
    objective = info.get("objective") or task.get("objective")
    f = _named(f"{loss} loss" if loss else "training loss", info.get("f_unit"))
    g = _named(str(objective), info.get("g_unit"))
    return f, g


def axis_titles(config: Mapping[str, Any], info: Mapping[str, Any]) -> tuple[str, str]:
    """(x, y) titles of an (f, g) plot: "f: ce loss (nats)" for a task, else the toy ones."""
    if not config.get("task"):
        return TOY_AXES
    f, g = objective_names(config, info)
    return f"f: {f}", f"g: {g}"


def values_title(config: Mapping[str, Any], info: Mapping[str, Any]) -> str | None:
    """The y title of the f-and-g-over-steps plot for a task (None: the toy default)."""
    if not config.get("task"):
        return None
    f, g = objective_names(config, info)
    return f"f: {f}; g: {g}"


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:.6g}"


def summary_line(view: Any) -> str:
    """A finished run's final values, its distance from ε and, for a task, the validation set's
    f and g beside the training set's."""
    summary = getattr(view, "summary", None) or {}
    final, validation = summary.get("final", {}), summary.get("validation")
    eps, g = run_config(view).get("epsilon"), final.get("g")
    gap = _gap(run_config(view).get("constraint", "eq"), g, eps)
    where = " (train)" if validation else ""
    f, lam = _num(final.get("f")), _num(final.get("lambda"))
    line = f"final{where} f = {f}, g = {_num(g)}, λ = {lam}{gap}"
    if validation:
        line += f"; validation f = {_num(validation.get('f'))}, g = {_num(validation.get('g'))}"
    return line


def _gap(kind: str, g: float | None, eps: float | None) -> str:
    """How far g ends from its constraint: |g − ε| for g = ε; for an inequality the violation
    (0 when it holds), so a satisfied g ≤ ε does not read as an error."""
    if g is None or eps is None:
        return ""
    if kind == "le":
        return f", violation max(0, g − ε) = {max(g - eps, 0.0):.2e}"
    if kind == "ge":
        return f", violation max(0, ε − g) = {max(eps - g, 0.0):.2e}"
    return f", |g − ε| = {abs(g - eps):.2e}"


def task_line(view: Any) -> str:
    """A finished task run's data: split sizes, features, classes and the data notes."""
    info = task_info(view)
    if not info:
        return ""
    parts = [f"{info.get('rows_train')} training / {info.get('rows_validation')} validation rows"]
    if info.get("features") is not None:
        parts.append(f"{info['features']} input features")
    if info.get("classes"):
        parts.append(f"classes {', '.join(map(str, info['classes']))}")
    return "; ".join(parts + [str(note) for note in info.get("notes") or ()])


def with_validation(points: Sequence[Mapping[str, Any]], summary: Mapping[str, Any] | None):
    """A task sweep's stored points with val_f and val_g from its summary's points (the
    stored points carry the training set's f and g only); a toy sweep's unchanged."""
    extra = list((summary or {}).get("points") or ())
    out = []
    for i, point in enumerate(points):
        index = point.get("index", i)
        source = extra[index] if isinstance(index, int) and 0 <= index < len(extra) else {}
        found = {k: source[k] for k in ("val_f", "val_g") if k in source}
        out.append(dict(point) | found)
    return out
