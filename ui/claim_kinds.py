"""The kinds of lesson claim (ui.claims): where a run converges, how its λ moves, where it
ends. Each gives the card's sentence, its past tense with the run's numbers, and the check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.claims import (
    LEVEL_SLACK,
    Claim,
    Run,
    crossings,
    n2,
    near,
    period,
    steps_near,
    steps_text,
)


def _lam(run: Run) -> np.ndarray:
    return run.column("lambda")


def _close(got: float, want: float) -> bool:
    """A quoted λ (two significant digits) holds within 5 % of itself or LEVEL_SLACK."""
    return near(got, want, max(LEVEL_SLACK, 0.05 * abs(want)))


@dataclass(frozen=True)
class Converges(Claim):
    """Converged (the verdict), |g − ε| ≤ 1e-3 from about step `by`; λ ending at `lam`;
    with `overshoot` False, λ never above its final value on the way."""

    by: int = 0
    lam: float | None = None
    overshoot: bool | None = None

    def quoted(self) -> dict:
        return {"by": f"~{steps_text(self.by)}", "lam": self.lam}

    def observed(self, run: Run) -> dict:
        return {"by": steps_text(run.summary["steps_to_converge"]), "lam": run.final["lambda"]}

    def sentence(self, n: dict, past: bool = False) -> str:
        ends = f"{'converged' if past else 'converges'}: |g − ε| ≤ 0.001 from step {n['by']}"
        if self.lam is None:
            return f"{self.name} {ends}"
        if self.overshoot is False:
            raised = "raised" if past else "raises"
            return f"{self.name} {raised} λ to {n2(n['lam'])} without overshoot and {ends}"
        return f"{self.name} {ends}, λ at {n2(n['lam'])}"

    def holds(self, run: Run) -> str | None:
        s = run.summary
        if not s.get("converged"):
            return f"it did not converge ({s.get('reason')})"
        if not steps_near(s.get("steps_to_converge"), self.by):
            return f"it held from step {s.get('steps_to_converge')}, not ~{self.by:,}"
        lam = float(run.final.get("lambda") or np.nan)
        if self.lam is not None and not _close(lam, self.lam):
            return f"λ ended at {lam:.4g}, not {n2(self.lam)}"
        if self.overshoot is False and np.nanmax(_lam(run)) > lam + LEVEL_SLACK / 4:
            return f"λ overshot to {np.nanmax(_lam(run)):.4g} before ending at {lam:.4g}"
        return None


@dataclass(frozen=True)
class Cycles(Claim):
    """Not converged: over the run's second half g swings from `g_low` to `g_high`; λ ranges
    from `lam_low` to `lam_high` with one cycle every ~`every` steps."""

    g_low: float = 0.0
    g_high: float = 0.0
    lam_low: float = 0.0
    lam_high: float = 0.0
    every: int = 0

    def quoted(self) -> dict:
        g, lam = (self.g_low, self.g_high), (self.lam_low, self.lam_high)
        return {"g": g, "lam": lam, "every": f"~{steps_text(self.every)}"}

    def observed(self, run: Run) -> dict:
        g, lam = run.column("g"), _lam(run)
        half = g[len(g) // 2 :]
        cycle = period(lam)
        return {
            "g": (half.min(), half.max()),
            "lam": (np.nanmin(lam), np.nanmax(lam)),
            "every": steps_text(round(cycle)) if cycle else "—",
        }

    def sentence(self, n: dict, past: bool = False) -> str:
        (g0, g1), (l0, l1) = n["g"], n["lam"]
        keeps, swings, tooths = ("kept", "swung", "saw-toothed") if past else (
            "keeps", "swings", "saw-tooths")  # fmt: skip
        return (
            f"{self.name} {keeps} cycling to the end (not converged): g {swings} between "
            f"{g0:.2f} and {g1:.2f} while λ {tooths} from {n2(l0)} to {n2(l1)}, one cycle every "
            f"{n['every']} steps"
        )

    def holds(self, run: Run) -> str | None:
        if run.summary.get("converged"):
            return "it converged"
        n = self.observed(run)
        (g0, g1), (l0, l1) = n["g"], n["lam"]
        if not (near(g0, self.g_low) and near(g1, self.g_high)):
            return f"g swung between {g0:.3f} and {g1:.3f} over the second half"
        if not (_close(l0, self.lam_low) and _close(l1, self.lam_high)):
            return f"λ ranged from {l0:.3g} to {l1:.3g}"
        cycle = period(_lam(run))
        if cycle is None or not steps_near(round(cycle), self.every):
            return f"one cycle every {cycle} steps"
        return None


@dataclass(frozen=True)
class Spirals(Claim):
    """λ overshoots to `peak`, and g crosses ε at least `turns` times on the way in."""

    peak: float = 0.0
    turns: int = 0

    def quoted(self) -> dict:
        return {"peak": self.peak, "turns": f"more than {self.turns}"}

    def observed(self, run: Run) -> dict:
        return {"peak": np.nanmax(_lam(run)), "turns": crossings(run.column("g"), run.epsilon)}

    def sentence(self, n: dict, past: bool = False) -> str:
        verbs = (
            ("overshot", "spiralled", "crossing") if past else ("overshoots", "spirals", "crossing")
        )
        return (
            f"{self.name} {verbs[0]} λ to {n2(n['peak'])} and {verbs[1]} in, g {verbs[2]} ε "
            f"{n['turns']} times"
        )

    def holds(self, run: Run) -> str | None:
        n = self.observed(run)
        if not _close(n["peak"], self.peak):
            return f"λ peaked at {n['peak']:.3g}"
        if n["turns"] <= self.turns:
            return f"g crossed ε {n['turns']} times"
        return None


@dataclass(frozen=True)
class Swings(Claim):
    """λ reaches `high` and `low` (its largest and smallest values over the run)."""

    high: float = 0.0
    low: float = 0.0

    def quoted(self) -> dict:
        return {"high": self.high, "low": self.low}

    def observed(self, run: Run) -> dict:
        return {"high": np.nanmax(_lam(run)), "low": np.nanmin(_lam(run))}

    def sentence(self, n: dict, past: bool = False) -> str:
        verb = "swung" if past else "swings"
        return f"{self.name} {verb} λ from {n2(n['high'])} to {n2(n['low'])}"

    def holds(self, run: Run) -> str | None:
        n = self.observed(run)
        if _close(n["high"], self.high) and _close(n["low"], self.low):
            return None
        return f"λ ranged from {n['low']:.3g} to {n['high']:.3g}"


@dataclass(frozen=True)
class Kick(Claim):
    """λ jumps to `peak` within the first `within` steps (νPI's proportional term)."""

    peak: float = 0.0
    within: int = 0

    def quoted(self) -> dict:
        return {"peak": self.peak, "within": self.within}

    def observed(self, run: Run) -> dict:
        lam = _lam(run)
        return {"peak": np.nanmax(lam), "within": int(np.nanargmax(lam)) + 1}

    def sentence(self, n: dict, past: bool = False) -> str:
        verb = "lifted" if past else "lifts"
        peak, within = n2(n["peak"]), n["within"]
        return f"{self.name}'s proportional kick {verb} λ to {peak} within {within} steps"

    def holds(self, run: Run) -> str | None:
        n = self.observed(run)
        if _close(n["peak"], self.peak) and n["within"] <= self.within:
            return None
        return f"λ peaked at {n['peak']:.3g} at step {n['within'] - 1}"


@dataclass(frozen=True)
class EndsAt(Claim):
    """Converged at the point (f, g), which is not near g = ε: g never came within 0.05."""

    f: float = 0.0
    g: float = 0.0

    def quoted(self) -> dict:
        return {"f": self.f, "g": self.g}

    def observed(self, run: Run) -> dict:
        return {"f": run.final["f"], "g": run.final["g"]}

    def sentence(self, n: dict, past: bool = False) -> str:
        verbs = ("ran", "stayed", "came") if past else ("runs", "stays", "comes")
        return (
            f"{self.name} {verbs[0]} to an end of the front, f = {n['f']:.3f}, g = {n['g']:.2f}, "
            f"and {verbs[1]} there (converged): its g never {verbs[2]} near ε"
        )

    def holds(self, run: Run) -> str | None:
        if not run.summary.get("converged"):
            return f"it did not converge ({run.summary.get('reason')})"
        f, g = run.final["f"], run.final["g"]
        if not (near(f, self.f, 0.005) and near(g, self.g)):
            return f"it ended at f = {f:.4f}, g = {g:.4f}"
        closest = float(np.nanmin(np.abs(run.column("g") - run.epsilon)))
        return None if closest > 0.05 else f"its g came within {closest:.3f} of ε"


@dataclass(frozen=True)
class OnFront(Claim):
    """The run ends within `within` of the analytic front ("*": every run of the lesson)."""

    within: float = 1e-3

    def quoted(self) -> dict:
        return {}

    def observed(self, run: Run) -> dict:
        return {}

    def sentence(self, n: dict, past: bool = False) -> str:
        verb = "ended" if past else "ends"
        return f"{self.name} {verb} on the front (within {self.within:g} of it)"

    def holds(self, run: Run) -> str | None:
        distance = run.summary.get("front_distance")
        if distance is not None and distance <= self.within:
            return None
        return f"it ended {distance} from the front"


@dataclass(frozen=True)
class Misses(Claim):
    """Converged with g about `by` past ε (a penalty's fixed weight misses ε by design)."""

    by: float = 0.0

    def quoted(self) -> dict:
        return {"by": self.by}

    def observed(self, run: Run) -> dict:
        return {"by": run.final["g"] - run.epsilon}

    def sentence(self, n: dict, past: bool = False) -> str:
        verb = "stopped" if past else "stops"
        return f"{self.name} {verb} {n2(n['by'])} past ε (converged)"

    def holds(self, run: Run) -> str | None:
        past = run.final["g"] - run.epsilon
        if run.summary.get("converged") and abs(past - self.by) <= 0.1 * abs(self.by):
            return None
        return f"it ended {past:.4g} past ε ({run.summary.get('reason')})"
