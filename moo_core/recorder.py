"""Per-step records of K stacked runs: a device buffer flushed as StepChunks, divergence found
per chunk, and what the verdict needs (the tail of each run, when it last broke a constraint).

A row is alive while every objective it recorded was finite; its later records are NaN and
its outcome is its last finite record. Checked per chunk, not per step: rows are independent
(a NaN row cannot touch another), so nothing in the training step needs to know.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from moo_core.records import StepChunk, step_columns
from moo_core.verdict import TAIL_FRACTION, VIOLATION_TOLERANCE

TAIL_SAMPLES = 4096  # a longer tail is sampled at a stride
# Methods that need no Gram matrix train with one backward a step (closed forms: no Gram); every
# COSINE_EVERY-th step takes the Gram too, to record their conflict (the cosine column holds the
# latest).
COSINE_EVERY = 32


class Recorder:
    def __init__(self, m, count, device, steps: int, chunk_steps: int, keep, on_chunk, constraints):
        self.m, self.count, self.keep, self.on_chunk = m, count, keep, on_chunk
        self.constraints = constraints  # ε in the data's units
        self.window = 1  # > 1: objectives recorded as a running mean over that many steps
        self.recent: torch.Tensor | None = None
        self.columns = step_columns(m)
        self.buffer = torch.empty((chunk_steps, len(self.columns), count), device=device)
        self.nan = torch.full((1, count), float("nan"), device=device)
        self.alive = torch.ones(count, dtype=torch.bool, device=device)
        self.finished = torch.zeros(count, dtype=torch.long, device=device)
        self.last_good = torch.full((count, len(self.columns)), float("nan"), device=device)
        self.last_violated = torch.full((count,), -1, dtype=torch.long, device=device)
        self.saved: list[np.ndarray] = []
        self.start, self.filled = 0, 0
        self.flushed_at = -math.inf  # the first step is flushed at once (see chunk_end)
        self.tail_start = min(steps - 1, math.floor(steps * (1.0 - TAIL_FRACTION)))
        self.stride = max(1, math.ceil((steps - self.tail_start) / TAIL_SAMPLES))
        self.tail: list[np.ndarray] = []  # (T, columns, K) blocks of the tail's sampled steps

    def record(self, values, lam, cosine) -> None:
        """One step: objectives (K, m), multipliers (K, m − 1) or None, cosine (K,) or None.
        On mini-batches (window > 1) the objectives are the mean over the last `window`
        batches (one epoch): a stable basis, not batch noise mistaken for oscillation."""
        if self.window > 1:
            values = self._running_mean(values)
        torch.cat(  # the violation column is filled per chunk, from the objectives
            [
                values.T,
                lam.T if lam is not None else self.nan.expand(self.m - 1, self.count),
                self.nan,
                cosine.unsqueeze(0) if cosine is not None else self.nan,
            ],
            out=self.buffer[self.filled],
        )
        self.filled += 1

    def _running_mean(self, values: torch.Tensor) -> torch.Tensor:
        if self.recent is None:
            self.recent = values.new_full((self.window, *values.shape), float("nan"))
            self.seen = 0
        self.recent[self.seen % self.window] = values
        self.seen += 1
        return self.recent[: min(self.seen, self.window)].mean(0)

    def tolerances(self) -> torch.Tensor:
        """(K, c): each constraint's violation tolerance, 1e-3·max(1, |ε|)."""
        epsilon = self.constraints.epsilon
        return VIOLATION_TOLERANCE * epsilon.abs().clamp_min(1.0)

    def chunk_end(self, chunk_seconds: float, should_stop) -> str | None:
        """After a step: flush when the buffer is full or `chunk_seconds` have passed since the
        last flush (the first step at once: a live page shows a point as soon as training
        starts); then "cancelled" if a stop is asked, "diverged" when every row has, else None.
        The training loops (engine._loop, fused.run) stop on anything but None."""
        full = self.filled == self.buffer.shape[0]
        if not full and time.monotonic() - self.flushed_at < chunk_seconds:
            return None
        self.flush()
        self.flushed_at = time.monotonic()
        if should_stop is not None and should_stop():
            return "cancelled"
        return None if bool(self.alive.any()) else "diverged"

    def flush(self) -> None:
        if not self.filled:
            return
        block = self.buffer[: self.filled]
        violations = self.constraints.violations(block[:, 1 : self.m].transpose(1, 2))  # (T, K, c)
        block[:, 2 * self.m - 1] = violations.amax(-1)
        good = torch.isfinite(block[:, : self.m]).all(1) & self.alive  # (T, K)
        good = good.cumprod(0).bool()  # alive until the first non-finite step
        block = torch.where(good.unsqueeze(1), block, self.nan.unsqueeze(0))
        counted = good.sum(0)
        rows = torch.arange(self.count, device=block.device)
        last = block[(counted - 1).clamp_min(0), :, rows]
        self.last_good = torch.where((counted > 0).unsqueeze(1), last, self.last_good)
        self.finished += counted
        self.alive = good[-1]
        steps = torch.arange(self.start, self.start + self.filled, device=block.device)
        broken = (violations > self.tolerances()).any(-1) & good  # (T, K)
        latest = torch.where(
            broken, steps.unsqueeze(1), torch.full_like(broken, -1, dtype=torch.long)
        )
        self.last_violated = torch.maximum(self.last_violated, latest.amax(0))
        host = block.cpu().numpy()
        self._keep_tail(host)
        if self.keep:
            self.saved.append(host.copy())
        if self.on_chunk is not None:
            named = {name: host[:, i, :].copy() for i, name in enumerate(self.columns)}
            self.on_chunk(StepChunk(start=self.start, columns=named))
        self.start += self.filled
        self.filled = 0

    def _keep_tail(self, host: np.ndarray) -> None:
        steps = np.arange(self.start, self.start + len(host))
        keep = (steps >= self.tail_start) & ((steps - self.tail_start) % self.stride == 0)
        if keep.any():
            self.tail.append(host[keep].copy())

    def tail_of(self, k: int) -> np.ndarray:
        """Row k's sampled tail, (T, columns), finite steps only."""
        if not self.tail:
            return np.empty((0, len(self.columns)))
        rows = np.concatenate(self.tail)[:, :, k]
        return rows[np.isfinite(rows[:, : self.m]).all(1)]

    def trajectory(self) -> dict[str, np.ndarray]:
        width = len(self.columns)
        stacked = np.concatenate(self.saved) if self.saved else np.empty((0, width, self.count))
        return {name: stacked[:, i, :] for i, name in enumerate(self.columns)}
