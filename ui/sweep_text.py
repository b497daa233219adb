"""A sweep's "converged k of n" in words: what converging means, why the others did not, and
how many of those reached the front all the same. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from ui.figures_pareto import ON_FRONT
from ui.labels import converged_of

MEANING = (
    "A setting converged when, over its last quarter of steps, it kept its constraint within "
    "0.001 and its λ and objectives stopped moving."
)


def why_not(reason: str | None) -> str:
    """A verdict's first problem without its numbers: "λ still moving", "violation", …"""
    text = str(reason or "not converged").removeprefix("not converged: ").split(";")[0]
    return re.split(r"[\d(:]", text, maxsplit=1)[0].strip() or "not converged"


def convergence_note(label: str, points: Sequence[Mapping], steps: int | None) -> str:
    """ "#5 mdmm over epsilon: 1 of 9 settings converged. …" ("" without verdicts)."""
    judged = [p for p in points if converged_of(p) is not None]
    if not judged:
        return ""
    done = sum(1 for p in judged if converged_of(p))
    text = f"{label}: {done} of {len(points)} settings converged. {MEANING}"
    others = [p for p in judged if not converged_of(p)]
    if not others:
        return text
    reasons = Counter(why_not(p.get("reason")) for p in others)
    listed = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    text += f" The {len(others)} others: {listed} (hover a point for its verdict)."
    reached = [
        p for p in others if p.get("front_distance") is not None and p["front_distance"] <= ON_FRONT
    ]
    if reached:
        within = f"within {steps:,} steps" if steps else "by the end"
        text += (
            f" {len(reached)} of them ended on the front (within {ON_FRONT:g}) but had not "
            f"settled {within}: drawn hollow with a dot; more steps may settle them."
        )
    return text
