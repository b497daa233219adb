"""The Lab's lessons: a preset form, the runs it races, and the claims its card makes.

A lesson's text is its claims (ui.claims, ui.claim_kinds) joined: every number it quotes is
checked against its own runs by tests/ui/test_lesson_claims.py, which launches each card as a
learner does. Measured with the lab's defaults (sgd, lr 0.01, seed 0); when a method's defaults
change, that test says which sentence no longer holds. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ui.claim_kinds import Converges, Cycles, EndsAt, Kick, Misses, OnFront, Spirals, Swings
from ui.claims import Claim, Run


@dataclass(frozen=True)
class Preset:
    title: str
    lead: str  # what the lesson shows, in words that claim no number
    look: str  # what to watch on the Live page ("λ and the two points on the front")
    values: dict[str, Any]
    compare: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()

    def query(self) -> dict[str, str]:
        q = {k: str(v) for k, v in self.values.items()}
        if self.compare:
            q["vs"] = ",".join(self.compare)
        return q

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.values["method"], *self.compare)

    @property
    def explanation(self) -> str:
        """The card's text: the lead, then every claim's sentence."""
        return " ".join([self.lead, *(sentence(c.text()) for c in self.claims)]).strip()

    @property
    def watch(self) -> str:
        return f"Watch {self.look}."

    @property
    def name(self) -> str:
        """The experiment a started lesson is saved as."""
        return f"lesson: {self.title}"


def sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter (ASCII only: νPI stays νPI), a full stop."""
    first = text[:1].upper() if text[:1].isascii() else text[:1]
    return f"{first}{text[1:]}."


def check(preset: Preset, runs: Mapping[str, Run]) -> list[tuple[Claim, str | None]]:
    """Each claim with None when the runs (by method) show it, else what they showed."""
    out = []
    for claim in preset.claims:
        chosen = list(runs) if claim.method == "*" else [claim.method]
        missing = [m for m in chosen if m not in runs]
        why = f"no finished {missing[0]} run" if missing else None
        for method in chosen if not missing else ():
            if (failed := claim.check(runs[method])) is not None:
                why = f"{method}: {failed}"
                break
        out.append((claim, why))
    return out


def report(preset: Preset, runs: Mapping[str, Run]) -> list[str]:
    """What the runs showed, one line a claim, past tense with their own numbers: "✓ MDMM
    converged: …" or "✗ The card said: … — these runs: …"."""
    lines = []
    for claim, why in check(preset, runs):
        if why is None:
            one = runs[claim.method] if claim.method != "*" else next(iter(runs.values()))
            lines.append(f"✓ {sentence(claim.seen(one))}")
        else:
            lines.append(f"✗ The card said: {sentence(claim.text())} These runs: {why}.")
    return lines


LONG = {"steps": 6000}  # MDMM (δ = 10) on the concave front converges by step ~3,500
BDMM_CYCLES = Cycles("bdmm", g_low=0.0, g_high=0.98, lam_low=-0.72, lam_high=4.0, every=2200)
PRESETS = (
    Preset(
        "BDMM vs MDMM on a concave front",
        "Both chase g = ε with a multiplier λ; MDMM's damping δ is the difference.",
        "λ and the two points on the front",
        {"problem": "concave", "method": "mdmm", "epsilon": 0.6, "damping": 10, "steps": 6000},
        ("bdmm",),
        (BDMM_CYCLES, Converges("mdmm", {"damping": 10}, by=3500, lam=0.92, overshoot=False)),
    ),
    Preset(
        "A weighted sum cannot reach a concave front",
        "On a concave front a weighted sum's optimum lies at an end; a multiplier reaches the "
        "middle.",
        "the path chart: where each point stops",
        {"problem": "concave", "method": "weighted_sum", "epsilon": 0.6, "weight": 0.5, **LONG},
        ("mdmm",),
        (
            EndsAt("weighted_sum", {"weight": 0.5}, f=0.002, g=0.98),
            Converges("mdmm", by=3500, lam=0.92),
        ),
    ),
    Preset(
        "Convex front: every method agrees",
        "On a convex front multipliers and a penalty all find the front.",
        "the three points meet on the convex front",
        {"problem": "convex", "method": "mdmm", "epsilon": 1.0, "damping": 1, "steps": 3000},
        ("bdmm", "penalty"),
        (
            OnFront("*"),
            Converges("bdmm", by=260),
            Converges("mdmm", {"damping": 1}, by=1100),
            Misses("penalty", {"penalty_weight": 10}, by=0.048),
        ),
    ),
    Preset(
        "Multiplier dynamics: BDMM, MDMM, augmented Lagrangian, νPI",
        "Four dual dynamics on one problem; open Compare for the phase portrait (g − ε against λ).",
        "the four λ lines",
        {"problem": "concave", "method": "mdmm", "epsilon": 0.6, "damping": 3, "steps": 6000},
        ("bdmm", "augmented_lagrangian", "nupi"),
        (
            BDMM_CYCLES,
            Spirals("mdmm", {"damping": 3}, peak=2.9, turns=5),
            Converges("mdmm", {"damping": 3}, by=4300, lam=0.92),
            Swings("augmented_lagrangian", {"penalty": 20}, high=16, low=-7.9),
            Converges("augmented_lagrangian", {"penalty": 20}, by=100, lam=0.92),
            Kick("nupi", peak=2.4, within=5),
            Converges("nupi", by=320, lam=0.92),
        ),
    ),
)


def preset_at(raw: Any) -> Preset | None:
    """The preset a URL's `lesson` index names (None when it names none)."""
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else None
    text = str(raw or "")
    return PRESETS[int(text)] if text.isdigit() and int(text) < len(PRESETS) else None
