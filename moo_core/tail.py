"""The verdicts' evidence, gathered while a batch trains: each row's tail reduced as it passes.

The criteria (moo_core.verdict) read ranges, first and last values and how often |λ| rose over
the last quarter of a run's steps. Accumulating those per chunk, on the device, keeps O(K)
numbers however long the tail and however many rows — instead of the tail itself, K × T × the
columns — and the end of a batch copies them to the host once.

On mini-batches (`window` > 1) the tail is judged in means over consecutive windows of one
epoch's steps, aligned to the tail's end (a partial first window is left out; a tail no longer
than one window is taken as it is), as `verdict.smooth` does to stored arrays.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from moo_core.verdict import TAIL_FRACTION, TailStats


def tail_start(steps: int) -> int:
    """The first step of a run's tail (its last quarter)."""
    return min(steps - 1, math.floor(steps * (1.0 - TAIL_FRACTION)))


class TailAccumulator:
    def __init__(self, steps: int, window: int, m: int, constraints):
        self.constraints = constraints  # ε in the data's units: violations of window means
        self.m = m
        length = steps - tail_start(steps)
        self.window = window if window > 1 and length > window else 1
        self.start = tail_start(steps) + (length % self.window if self.window > 1 else 0)
        self.carry: torch.Tensor | None = None  # a partial window's rows
        self.count = 0
        self.stats: dict[str, torch.Tensor] = {}

    def feed(self, start: int, block: torch.Tensor, violations: torch.Tensor) -> None:
        """Steps [start, start + T) of every row: `block` (T, columns, K) as recorded,
        `violations` (T, K, c) computed from it."""
        skip = max(0, self.start - start)
        if skip >= block.shape[0]:
            return
        m = self.m
        rows = block[skip:, : 2 * m - 1].double()  # objectives and multipliers (T, 2m − 1, K)
        if self.window == 1:
            self._add(rows[:, :m], rows[:, m:], violations[skip:].transpose(1, 2).double())
            return
        if self.carry is not None:
            rows = torch.cat([self.carry, rows])
        usable = rows.shape[0] // self.window * self.window
        self.carry = rows[usable:] if usable < rows.shape[0] else None
        if not usable:
            return
        means = rows[:usable].reshape(-1, self.window, *rows.shape[1:]).mean(1)
        objectives = means[:, :m]
        others = objectives[:, 1:].transpose(1, 2).to(self.constraints.epsilon.dtype)
        violations = self.constraints.violations(others).transpose(1, 2).double()
        self._add(objectives, means[:, m:], violations)

    def _add(self, objectives, multipliers, violations) -> None:
        """Samples (n, x, K) of the objectives, multipliers and violations (x = m, c, c)."""
        named = {"objectives": objectives, "multipliers": multipliers, "violations": violations}
        stats, size = self.stats, multipliers.abs()
        if self.count == 0:
            for name, values in named.items():
                stats[f"{name}_max"], stats[f"{name}_min"] = values.amax(0), values.amin(0)
            stats["multipliers_first"], stats["violations_first"] = multipliers[0], violations[0]
            stats["rising"] = (size.diff(dim=0) >= 0).sum(0)
        else:
            for name, values in named.items():
                stats[f"{name}_max"] = torch.maximum(stats[f"{name}_max"], values.amax(0))
                stats[f"{name}_min"] = torch.minimum(stats[f"{name}_min"], values.amin(0))
            steps = torch.cat([self.previous_size.unsqueeze(0), size])
            stats["rising"] = stats["rising"] + (steps.diff(dim=0) >= 0).sum(0)
        for name, values in named.items():
            stats[f"{name}_last"] = values[-1]
        self.previous_size = size[-1]
        self.count += objectives.shape[0]

    def result(self, tolerances: torch.Tensor) -> TailStats:
        """The rows' TailStats (arrays (K, x)), copied to the host in one transfer."""
        names = [name for name in TailStats.__dataclass_fields__ if name not in ("count",)]
        names.remove("tolerances")
        if self.count == 0:
            rows, c = tolerances.shape
            empty = {n: np.full((rows, self.m if "objectives" in n else c), np.nan) for n in names}
            return TailStats(count=0, tolerances=tolerances.cpu().numpy().astype(float), **empty)
        parts = [self.stats[name].double().T for name in names] + [tolerances.double()]
        widths = [part.shape[1] for part in parts]
        host = torch.cat(parts, dim=1).cpu().numpy()
        arrays = np.split(host, np.cumsum(widths)[:-1], axis=1)
        found = dict(zip([*names, "tolerances"], arrays, strict=True))
        found["rising"] = found["rising"].astype(np.int64)
        return TailStats(count=self.count, **found)
