"""Lessons: which preset a form or URL describes, and the verdict of a race read from its data.

The verdict quotes the stored metrics, not the lesson's text: "MDMM holds |g − ε| ≤ 1e-3 from
step 3,493; BDMM's g swings between 0.00 and 0.98 and never settles". Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from moo_core.verdict import settled_from
from moo_core.verdict import tolerance as verdict_tolerance
from ui.labels import objective_count
from ui.palette import method_of

SWING = 0.05  # g moving more than this over the last half of a run has not settled
NAMES = {
    "mdmm": "MDMM",
    "bdmm": "BDMM",
    "nupi": "νPI",
    "augmented_lagrangian": "the augmented Lagrangian",
    "weighted_sum": "the weighted sum",
    "penalty": "the penalty",
    "mgda": "MGDA",
    "pcgrad": "PCGrad",
    "gradnorm": "GradNorm",
}
CONDITIONS = {"eq": "|g − ε| ≤ {tol:g}", "le": "g ≤ ε + {tol:g}", "ge": "g ≥ ε − {tol:g}"}


def lesson_for(presets, values: Mapping[str, Any]) -> int | None:
    """The index of the preset whose values (and compared methods) `values` hold, else None."""
    vs = values.get("vs") or ""
    chosen = set(vs if isinstance(vs, list | tuple) else str(vs).split(",")) - {""}
    for index, preset in enumerate(presets):
        same = all(_same(values.get(k), v) for k, v in preset.values.items())
        if same and chosen == set(preset.compare):
            return index
    return None


def _same(got: Any, want: str) -> bool:
    if got is None:
        return False
    try:
        return float(got) == float(want)
    except (TypeError, ValueError):
        return str(got) == want


def display_name(label: str) -> str:
    method = method_of(label)
    return NAMES.get(method, method)


def _kind(config: Mapping[str, Any]) -> str:
    kind = config.get("constraint", "eq")
    return str(kind[0] if isinstance(kind, list | tuple) else kind)


def _epsilon(config: Mapping[str, Any]) -> float | None:
    eps = config.get("epsilon")
    if isinstance(eps, list | tuple):
        eps = eps[0] if eps else None
    return None if eps is None else float(eps)


def run_sentence(label: str, metrics: Mapping[str, np.ndarray], config: Mapping) -> str:
    """One run's part of the verdict ("" for a run without steps, ε or a single g)."""
    steps = np.asarray(metrics.get("step", ()))
    eps = _epsilon(config)
    if not len(steps) or eps is None:
        return ""
    if objective_count(metrics) > 2:
        return _sentence_m(label, metrics, config)
    name, tolerance = display_name(label), verdict_tolerance(eps)
    start = settled_from(steps, metrics["violation"], tolerance)
    if start is not None:
        condition = CONDITIONS.get(_kind(config), CONDITIONS["eq"]).format(tol=tolerance)
        return f"{name} holds {condition} from step {start:,}"
    g = np.asarray(metrics["g"], dtype=float)
    tail = g[len(g) // 2 :]
    tail = tail[np.isfinite(tail)]
    if not len(tail):
        return f"{name} diverged"
    lo, hi = float(tail.min()), float(tail.max())
    if hi - lo > SWING:
        return f"{name}'s g swings between {lo:.2f} and {hi:.2f} and never settles"
    return f"{name} settles at g = {tail[-1]:.2f}, not at ε = {eps:g}"


def _sentence_m(label: str, metrics: Mapping[str, np.ndarray], config: Mapping) -> str:
    """A run with several constraints: from which step every one holds (the stored violation
    is the largest over them), or how far the worst one ends from its level."""
    eps = config.get("epsilon")
    levels = [float(e) for e in (eps if isinstance(eps, list | tuple) else [eps])]
    name, tolerance = display_name(label), max(verdict_tolerance(level) for level in levels)
    violation = np.asarray(metrics["violation"], dtype=float)
    start = settled_from(np.asarray(metrics["step"]), violation, tolerance)
    if start is not None:
        return f"{name} holds every constraint within {tolerance:g} from step {start:,}"
    finite = violation[np.isfinite(violation)]
    if not len(finite):
        return f"{name} diverged"
    return f"{name} ends with its worst constraint {finite[-1]:.3g} from its level"


def verdict(series: Mapping[str, Mapping[str, np.ndarray]], configs: Mapping[str, Mapping]) -> str:
    """Every run's sentence, joined: the race's verdict ("" when none can be said)."""
    sentences = [run_sentence(label, m, configs.get(label, {})) for label, m in series.items()]
    text = "; ".join(s for s in sentences if s)
    return f"{text}." if text else ""
