"""A lesson's claims: each sentence its card says, with the check that its runs show it. Pure.

A claim names the run it is about (by method; "*" for every run of the lesson) and the numbers
it quotes. `text()` is the card's sentence, present tense, quoted numbers; `check(run)` is None
when the run shows the claim, else what the run showed instead; `seen(run)` is the sentence in
the past tense with the run's own numbers (the Live page, once the race is over). The card's
text and the test that runs every lesson (tests/ui/test_lesson_claims.py) both come from these
objects, so they cannot drift apart.

Quoted numbers are approximate by design ("~3,500"): a step count holds within 15 %, a λ or g
within a few hundredths, so a claim holds on any machine's floating point, not one run's last
digit."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ui.lessons import display_name

STEPS_SLACK = 0.15  # "from step ~3,500" holds from 2,975 to 4,025
LEVEL_SLACK = 0.02  # a quoted λ, g or f holds within this (absolute)
TOLERANCE = 1e-3  # the verdict's violation tolerance at |ε| ≤ 1
SYMBOLS = {"damping": "δ", "penalty": "ρ", "penalty_weight": "μ", "weight": "w"}


@dataclass(frozen=True)
class Run:
    """What a claim is checked against: a finished run's summary (converged, reason,
    steps_to_converge, final, front_distance), its stored steps and its config."""

    summary: Mapping[str, Any]
    metrics: Mapping[str, np.ndarray]
    config: Mapping[str, Any]

    @property
    def epsilon(self) -> float:
        eps = self.config.get("epsilon")
        return float(eps[0] if isinstance(eps, list | tuple) else eps)

    def column(self, name: str) -> np.ndarray:
        return np.asarray(self.metrics[name], dtype=float)

    @property
    def final(self) -> Mapping[str, Any]:
        return self.summary.get("final") or {}


def n2(value: float) -> str:
    """Two significant digits, a true minus sign: 0.92, 2.4, −7.9, 16."""
    return f"{value:.2g}".replace("-", "−")


def steps_text(step: int) -> str:
    return f"{step:,}"


@dataclass(frozen=True)
class Claim(abc.ABC):
    method: str  # whose run ("*": every run of the lesson)
    setting: Mapping[str, float] = field(default_factory=dict)  # quoted hyperparameters

    @property
    def name(self) -> str:
        if self.method == "*":
            return "every method"
        quoted = ", ".join(f"{SYMBOLS.get(k, k)} = {v:g}" for k, v in self.setting.items())
        return display_name(self.method) + (f" ({quoted})" if quoted else "")

    def text(self) -> str:
        return self.sentence(self.quoted())

    def seen(self, run: Run) -> str:
        return self.sentence(self.observed(run), past=True)

    def check(self, run: Run) -> str | None:
        hp = run.config.get("hyperparams") or {}
        for key, value in self.setting.items():
            if float(hp.get(key, float("nan"))) != float(value):
                return f"ran with {key} = {hp.get(key)}, the card says {value:g}"
        return self.holds(run)

    # each kind of claim (ui/claim_kinds.py) gives these four
    @abc.abstractmethod
    def quoted(self) -> dict:
        """The numbers the card quotes."""

    @abc.abstractmethod
    def observed(self, run: Run) -> dict:
        """The same numbers, read from a stored run."""

    @abc.abstractmethod
    def sentence(self, numbers: dict, past: bool = False) -> str:
        """The claim in words, with `numbers` (present tense while it runs, past after)."""

    @abc.abstractmethod
    def holds(self, run: Run) -> str | None:
        """None where `run` bears the claim out, else what it showed instead."""


def near(got: float, want: float, slack: float = LEVEL_SLACK) -> bool:
    return bool(np.isfinite(got) and abs(got - want) <= slack)


def steps_near(got: int | None, want: int) -> bool:
    return got is not None and abs(got - want) <= STEPS_SLACK * want


def crossings(g: np.ndarray, epsilon: float, tolerance: float = TOLERANCE) -> int:
    """How often g crosses ε, counting only values more than `tolerance` away (the noise of
    a settled run around ε is no crossing)."""
    away = g - epsilon
    away = away[np.abs(away) > tolerance]
    return int((np.diff(np.sign(away)) != 0).sum())


def period(values: np.ndarray) -> float | None:
    """Mean steps between upward crossings of the mid-range over the run's second half (a
    cycle's length); None with fewer than two crossings."""
    half = values[len(values) // 2 :]
    middle = 0.5 * (np.nanmax(half) + np.nanmin(half))
    up = np.flatnonzero((values[:-1] < middle) & (values[1:] >= middle))
    return float(np.diff(up).mean()) if len(up) >= 2 else None
