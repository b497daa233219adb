"""Per-step records of K stacked runs: a device buffer flushed as StepChunks, divergence found
per chunk, and what the verdict needs (each run's tail, reduced as it passes: moo_core.tail;
when it last broke a constraint).

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
from moo_core.tail import TailAccumulator
from moo_core.verdict import VIOLATION_TOLERANCE

# A chunk holds at most this many recorded numbers (4 MiB in float32): a batch of many rows
# flushes more often, in blocks that stay in cache, never fewer than MIN_CHUNK_STEPS steps.
RECORD_FLOATS = 1 << 20
MIN_CHUNK_STEPS = 16


class Recorder:
    def __init__(self, m, count, device, steps: int, chunk_steps: int, keep, on_chunk, constraints):
        self.m, self.count, self.keep, self.on_chunk = m, count, keep, on_chunk
        self.constraints = constraints  # ε in the data's units
        self.window = 1  # > 1: objectives recorded as a running mean over that many steps
        self.recent: torch.Tensor | None = None
        self.columns = step_columns(m)
        fits = max(MIN_CHUNK_STEPS, RECORD_FLOATS // (len(self.columns) * count))
        chunk_steps = min(chunk_steps, fits)
        self.buffer = torch.empty((chunk_steps, len(self.columns), count), device=device)
        self.capacity = chunk_steps
        self.nan = torch.full((1, count), float("nan"), device=device)
        self.alive = torch.ones(count, dtype=torch.bool, device=device)
        self.finished = torch.zeros(count, dtype=torch.long, device=device)
        self.last_good = torch.full((count, len(self.columns)), float("nan"), device=device)
        self.last_violated = torch.full((count,), -1, dtype=torch.long, device=device)
        self.saved: list[np.ndarray] = []
        self.start, self.filled = 0, 0
        self.flushed_at = -math.inf  # the first step is flushed at once (see chunk_end)
        self.steps = steps
        self.tail: TailAccumulator | None = None  # made at the first flush (window is known)

    def record(self, values, lam, cosine) -> None:
        """One step: objectives (m, K), multipliers (K, m − 1) or None, cosine (1, K) or None.
        On mini-batches (window > 1) the objectives are the mean over the last `window`
        batches (one epoch): a stable basis, not batch noise mistaken for oscillation."""
        if self.window > 1:
            values = self._running_mean(values)
        torch.cat(  # the violation column is filled per chunk, from the objectives
            [
                values,
                lam.T if lam is not None else self.nan.expand(self.m - 1, self.count),
                self.nan,
                cosine if cosine is not None else self.nan,
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
        The training loop (engine._loop) stops on anything but None."""
        full = self.filled == self.capacity
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
        finite = torch.isfinite(block[:, : self.m]).all(1)  # (T, K)
        if bool(finite.all()) and bool(self.alive.all()):  # the usual chunk: nothing diverged
            good = finite
            self.last_good = block[-1].T.clone()
            self.finished += self.filled
        else:
            good = (finite & self.alive).cumprod(0).bool()  # alive until the first non-finite
            block = torch.where(good.unsqueeze(1), block, self.nan.unsqueeze(0))
            counted = good.sum(0)
            rows = torch.arange(self.count, device=block.device)
            last = block[(counted - 1).clamp_min(0), :, rows]
            self.last_good = torch.where((counted > 0).unsqueeze(1), last, self.last_good)
            self.finished += counted
            self.alive = good[-1]
        broken = (violations > self.tolerances()).any(-1) & good  # (T, K)
        from_end = broken.flip(0).to(torch.uint8).argmax(0)  # steps since the last broken one
        latest = torch.where(broken.any(0), self.start + self.filled - 1 - from_end, -1)
        self.last_violated = torch.maximum(self.last_violated, latest)
        if self.tail is None:
            self.tail = TailAccumulator(self.steps, self.window, self.m, self.constraints)
        self.tail.feed(self.start, block, violations)
        host = block.cpu().numpy()
        if self.keep:
            self.saved.append(host.copy())
        if self.on_chunk is not None:
            named = {name: host[:, i, :].copy() for i, name in enumerate(self.columns)}
            self.on_chunk(StepChunk(start=self.start, columns=named))
        self.start += self.filled
        self.filled = 0

    def tail_stats(self):
        """Every row's tail, reduced (moo_core.verdict.TailStats), on the host."""
        if self.tail is None:
            self.tail = TailAccumulator(self.steps, self.window, self.m, self.constraints)
        return self.tail.result(self.tolerances())

    def ends(self) -> dict[str, np.ndarray]:
        """What the loop left on the device, in one transfer: per row its last finite record
        (K, columns), its finished steps, whether it is alive and the last step it broke a
        constraint."""
        width = self.last_good.shape[1]
        flat = (
            torch.cat(
                [
                    self.last_good.double().reshape(-1),
                    self.finished.double(),
                    self.alive.double(),
                    self.last_violated.double(),
                ]
            )
            .cpu()
            .numpy()
        )
        end = self.count * width
        return {
            "last": flat[:end].reshape(self.count, width),
            "finished": flat[end : end + self.count].astype(np.int64),
            "alive": flat[end + self.count : end + 2 * self.count].astype(bool),
            "last_violated": flat[end + 2 * self.count :].astype(np.int64),
        }

    def trajectory(self) -> dict[str, np.ndarray]:
        width = len(self.columns)
        stacked = np.concatenate(self.saved) if self.saved else np.empty((0, width, self.count))
        return {name: stacked[:, i, :] for i, name in enumerate(self.columns)}
