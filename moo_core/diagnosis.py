"""Plain words for what went wrong in a finished run: the sentences the Live page and the CLI
show beside the verdict. Pure numpy: reading results never imports torch.

- **Learned nothing**: the verdict found f no better than a constant prediction (a task).
- **λ kept growing**: a multiplier's mean over each eighth of the run grew in every eighth
  and still grew at the end (by more than 1 %), and the run ended not converged with its
  constraint still violated: λ pushed harder and harder and g had not given (the diabetes
  network held to parity ≤ 0.05 ran λ up to 135,182). A cycling multiplier (BDMM) falls in
  some eighth; a settled one stops growing. Too short a run looks the same, and the words
  say so.
- **ε out of reach**: the verdict suspected infeasibility or found the run pinned at the box.
- **Validation breaks a constraint**: a task's g on the held-out rows violates its ε by more
  than the verdict's tolerance, whatever the training rows did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from moo_core.records import StepChunk, multiplier_names, objective_count, objective_names
from moo_core.verdict import NO_LEARNING, VIOLATION_TOLERANCE

BLOCKS = 8
STILL_GROWING = 0.01  # the last eighth's mean above the one before by more than this share
OUT_OF_REACH = ("suspected infeasible", "stuck at the box boundary")


def block_means(steps: np.ndarray, values: np.ndarray, total: int) -> np.ndarray:
    """Means of `values` (T,) or (T, c) over each eighth of a run of `total` steps ((8, c);
    NaN for an eighth with no finite value)."""
    blocks = MultiplierBlocks(total)
    blocks.add(np.asarray(steps, dtype=np.int64), np.asarray(values, dtype=float))
    return blocks.means()


def blocks_of(metrics: Mapping[str, np.ndarray], total: int) -> np.ndarray | None:
    """block_means of a run's stored multipliers (None without steps)."""
    if not len(metrics.get("step", ())):
        return None
    names = multiplier_names(objective_count(metrics))
    return block_means(metrics["step"], np.stack([metrics[n] for n in names], axis=1), total)


class MultiplierBlocks:
    """Sums and counts of multipliers per eighth of a run of `steps` steps. As a chunk
    callback it keeps row 0's (the CLI keeps no trajectory); `means()`: (8, c) or None."""

    def __init__(self, steps: int):
        self.total = max(1, int(steps))
        self.sums: np.ndarray | None = None
        self.counts: np.ndarray | None = None

    def __call__(self, chunk: StepChunk) -> None:
        names = multiplier_names(chunk.objectives)
        values = np.stack([chunk.columns[name][:, 0] for name in names], axis=1)
        self.add(np.arange(chunk.start, chunk.start + chunk.length), values)

    def add(self, steps: np.ndarray, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float).reshape(len(steps), -1)
        if self.sums is None:
            self.sums = np.zeros((BLOCKS, values.shape[1]))
            self.counts = np.zeros((BLOCKS, values.shape[1]))
        block = np.clip(steps * BLOCKS // self.total, 0, BLOCKS - 1)
        finite = np.isfinite(values)
        np.add.at(self.sums, block, np.where(finite, values, 0.0))
        np.add.at(self.counts, block, finite)

    def means(self) -> np.ndarray | None:
        if self.sums is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sums / self.counts


def ran_away(means: np.ndarray | None) -> list[int]:
    """The constraints (0-based) whose |λ| grew in every eighth and still grew at the end
    (`means`: block_means of λ)."""
    if means is None or len(means) < BLOCKS:
        return []
    size = np.abs(np.asarray(means, dtype=float))
    out = []
    for i in range(size.shape[1]):
        column = size[:, i]
        if not np.isfinite(column).all():
            continue
        rising = bool((np.diff(column) > 0).all())
        if rising and column[-1] > (1.0 + STILL_GROWING) * column[-2]:
            out.append(i)
    return out


def warnings_of(
    summary: Mapping[str, Any], config: Mapping[str, Any], multipliers: np.ndarray | None = None
) -> list[str]:
    """Plain-word warnings about a finished run from its summary, its config's ε and kinds
    and its multipliers' block means (`block_means`, or MultiplierBlocks.means); [] if none."""
    final = summary.get("final") or {}
    objectives = list(final.get("objectives") or [final.get("f"), final.get("g")])
    m = max(2, len(objectives))
    eps, kinds = _levels(config, m)
    names = [_name(m, i) for i in range(m - 1)]
    reason = str(summary.get("reason") or "")
    out = []
    if NO_LEARNING in reason:
        out.append(
            f"The network learned nothing: its loss f = {_num(objectives[0])} is no better than "
            f"always predicting one value (f = {_num(summary.get('baseline_f'))})."
        )
    lams = final.get("multipliers") or [final.get("lambda")]
    violated = (summary.get("violation") or 0.0) > VIOLATION_TOLERANCE * max(1.0, *map(abs, eps))
    for i in ran_away(multipliers) if violated and not summary.get("converged") else []:
        g, e = names[i]
        out.append(
            f"λ{g[1:]} kept growing through the whole run, to {_num(lams[i])}, and {g} had not "
            f"come to {e} = {eps[i]:g} by the end: {e} may be out of reach for this model, or "
            f"the run too short to tell; a looser {e} or more steps will say which."
        )
    if found := next((why for why in OUT_OF_REACH if reason.startswith(why)), None):
        worst = max(range(m - 1), key=lambda i: _violation(kinds[i], objectives[i + 1], eps[i]))
        g, e = names[worst]
        out.append(
            f"{e} = {eps[worst]:g} looks out of reach: {g} ended at {_num(objectives[worst + 1])} "
            f"and stopped moving towards it ({found})."
        )
    validation = summary.get("validation") or {}
    for i, name in enumerate(objective_names(m)[1:]):
        value = validation.get(name)
        if value is None or i >= len(eps):
            continue
        gap = _violation(kinds[i], value, eps[i])
        if gap > VIOLATION_TOLERANCE * max(1.0, abs(eps[i])):
            g, e = names[i]
            out.append(
                f"On the validation rows {g} = {_num(value)} breaks {e} ({_reads(kinds[i], g, e)},"
                f" {e} = {eps[i]:g}) by {_num(gap)}; on the training rows {g} = "
                f"{_num(objectives[i + 1])}."
            )
    return out


def _levels(config: Mapping[str, Any], m: int) -> tuple[list[float], list[str]]:
    eps, kinds = config.get("epsilon"), config.get("constraint", "eq")
    eps = list(eps) if isinstance(eps, list | tuple) else [eps] * (m - 1)
    kinds = list(kinds) if isinstance(kinds, list | tuple) else [kinds] * (m - 1)
    return [float(e) if e is not None else 0.0 for e in eps], [str(k) for k in kinds]


def _name(m: int, i: int) -> tuple[str, str]:
    """(g, ε) of constraint i: "g", "ε" for one constraint, "g2", "ε2" among several."""
    return ("g", "ε") if m == 2 else (f"g{i + 1}", f"ε{i + 1}")


def _violation(kind: str, g: float | None, eps: float) -> float:
    if g is None or not np.isfinite(g):
        return 0.0
    if kind == "le":
        return max(0.0, g - eps)
    if kind == "ge":
        return max(0.0, eps - g)
    return abs(g - eps)


def _reads(kind: str, g: str, e: str) -> str:
    return {"le": f"{g} ≤ {e}", "ge": f"{g} ≥ {e}"}.get(kind, f"{g} = {e}")


def _num(value: Any) -> str:
    if value is None or not np.isfinite(float(value)):
        return "—"
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
