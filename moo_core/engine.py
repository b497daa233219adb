"""The training loop: one batch of K rows (moo_core.batch), stepped together.

A single run, a sweep, a race of several methods and a real-data task all train here: one
place steps, records, stops and hands chunks to the caller's hooks (`on_chunk`, which a worker
uses to store steps and beat; `should_stop`, asked between chunks). Each group of rows weighs
through its `Balancer` (moo_core.weigher), the class a user drives from their own loop; the
step is a closed form or autograd (moo_core.steps), the closed form captured once and replayed
on CUDA (moo_core.capture); the end judges all rows at once (moo_core.outcomes).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from moo_core import capacity, devices
from moo_core import threads as thread_policy
from moo_core.balancer import Balancer
from moo_core.batch import Batch, Fetch, Group
from moo_core.capture import CapturedStep
from moo_core.config import RunConfig
from moo_core.methods import METHODS, Constraints
from moo_core.objective import Objective
from moo_core.optim import OPTIMIZERS
from moo_core.outcomes import outcomes
from moo_core.problems import PROBLEMS
from moo_core.recorder import Recorder
from moo_core.records import RunOutcome, StepChunk
from moo_core.registry import ConfigError
from moo_core.scaling import start_scale, to_data_units
from moo_core.steps import AutogradStep, ClosedFormStep
from moo_core.weigher import Weigher

ChunkCallback = Callable[[StepChunk], None]
StopCheck = Callable[[], bool]


def build_objective(run: RunConfig, fetch: Fetch | None = None) -> Objective:
    """The toy problem, or the task with its data loaded (ConfigError for bad data)."""
    if run.task is not None:
        from moo_core.tasks import build_task

        return build_task(run.task, fetch)
    return PROBLEMS.get(run.problem)(run.init)


@dataclass
class Trained:
    """What the loop leaves: the batch's objective, parameters, methods and records."""

    objective: Objective
    params: list[torch.Tensor]
    weigher: Weigher
    recorder: Recorder
    constraints: Constraints  # ε in the data's units, (K, c)
    scale: torch.Tensor | None  # what the methods divided the values by (moo_core.scaling)


@dataclass(frozen=True)
class BatchResult:
    outcomes: list[RunOutcome]
    seconds: float  # training, from the start point to the last step
    device: str
    device_reason: str
    trajectory: dict[str, np.ndarray] | None  # column → (steps, K), when kept
    info: dict | None  # the objective's description (a task's), for every row's summary


def user_constraints(batch: Batch, device: torch.device) -> Constraints:
    """The batch's constraints with ε in the data's units: (K, c)."""
    epsilon = torch.tensor(batch.epsilon, dtype=torch.float32, device=device)
    return Constraints(tuple(batch.first.kinds()), epsilon)


def make_balancer(batch: Batch, group: Group, device: torch.device, scale=None) -> Balancer:
    """The Balancer of one group: its rows' hyperparameters, ε (over the objectives' starting
    values where `scale` is given: moo_core.scaling) and seeds."""
    rows = group.rows
    epsilon = user_constraints(batch, device).epsilon[rows]
    if scale is not None:
        epsilon = epsilon / scale[:, 1:]
    constraints = [(kind, epsilon[:, i]) for i, kind in enumerate(batch.first.kinds())]
    settings = {
        name: value
        if isinstance(value, str)
        else torch.tensor(value, dtype=torch.float32, device=device)
        for name, value in group.settings.items()
    }
    seeds = batch.seeds[rows].tolist()
    return Balancer.configured(group.method, constraints, seed=seeds, **settings)


def train(
    batch: Batch,
    *,
    objective: Objective | None = None,
    fetch: Fetch | None = None,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    keep_trajectory: bool = False,
    chunk_seconds: float = 0.25,
    chunk_steps: int = 1024,
    threads: int | None = None,
    capture: bool | None = None,
) -> BatchResult:
    """Train every row of `batch` to its end, a cancel or divergence of every row.

    `on_chunk` receives the recorded steps of all rows (row k is the k-th run or setting; a diverged
    row's later steps are NaN) at most every `chunk_seconds` and at the end; `should_stop` is
    asked at the same moments and ends the batch as cancelled. `threads` overrides the
    intra-op thread count sized to the work (moo_core.threads). `capture`: replay the step from
    a graph (moo_core.capture) — None: on CUDA where the step has a closed form, unless
    MOO_CAPTURE=0; True: also on the CPU, through the host stand-in (for tests); False: never."""
    first = batch.first
    objective = objective or build_objective(first, fetch)
    m = objective.n_objectives
    if m != first.n_objectives:
        raise ConfigError(f"the objective has {m} objectives; the run expects {first.n_objectives}")
    work = batch.size * objective.work_per_row()
    device, reason = devices.choose(first.device, work, batch.size)
    per_row = objective.bytes_per_row() + capacity.RECORD_BYTES_PER_ROW
    if device.type == "cpu":  # the host's share of each row lives in the same memory
        per_row += capacity.HOST_BYTES_PER_ROW
    capacity.check_rows(batch.size, per_row, devices.free_memory(device), f"{device} memory")
    started = time.perf_counter()
    params = objective.init_params(batch.seeds.tolist(), device)
    constraints = user_constraints(batch, device)
    uses_epsilon = torch.tensor(
        [METHODS.get(g.method).uses_epsilon for g in batch.groups for _ in _range(g.rows)],
        device=device,
    ).unsqueeze(-1)
    epsilon = torch.where(uses_epsilon, constraints.epsilon, float("nan"))
    scale, notes = start_scale(objective, params, epsilon)
    if notes:
        objective.notes = (*objective.notes, *notes)
    weigher = Weigher(
        [
            (g.rows, make_balancer(batch, g, device, None if scale is None else scale[g.rows]))
            for g in batch.groups
        ]
    )
    recorder = Recorder(
        m, batch.size, device, first.steps, chunk_steps, keep_trajectory, on_chunk, constraints
    )
    recorder.window = objective.batches_per_epoch  # a running mean: see Recorder
    with thread_policy.using(thread_policy.choose(work, threads)):
        lr = torch.tensor(batch.column("lr"), dtype=torch.float32, device=device)
        optimizer = OPTIMIZERS[first.hyperparams["optimizer"]](params, lr)
        closed = objective.has_closed_form() and scale is None
        kind = ClosedFormStep if closed else AutogradStep
        step = kind(objective, weigher, params, optimizer, scale)
        if capture is None:  # MOO_CAPTURE=0 keeps a CUDA step eager (moo_core.capture)
            capture = device.type == "cuda" and os.environ.get("MOO_CAPTURE", "1") != "0"
        if closed and capture:
            step = CapturedStep(step)
        status = _loop(step, recorder, first.steps, chunk_seconds, should_stop, scale, closed)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - started
        trained = Trained(objective, params, weigher, recorder, constraints, scale)
        found = outcomes(trained, status)
    return BatchResult(
        outcomes=found,
        seconds=seconds,
        device=str(device),
        device_reason=f"{reason}; {step.describe()}" if isinstance(step, CapturedStep) else reason,
        trajectory=recorder.trajectory() if keep_trajectory else None,
        info=objective.describe(),
    )


def _range(rows: slice) -> range:
    return range(rows.start, rows.stop)


def _loop(step, recorder: Recorder, steps: int, chunk_seconds, should_stop, scale, closed) -> str:
    """Step until `steps`, a cancel or every row diverged; the batch's status."""
    status, multipliers, record = "completed", step.weigher.multipliers, recorder.record
    chunk_end = recorder.chunk_end
    with torch.no_grad() if closed else contextlib.nullcontext():
        for index in range(steps):
            values = step(index)  # (m, K), detached
            lams = multipliers()
            record(values, lams if scale is None else to_data_units(lams, scale), step.cosine)
            if end := chunk_end(chunk_seconds, should_stop):
                status = "cancelled" if end == "cancelled" else status  # diverged rows say so
                break
    recorder.flush()
    return status
