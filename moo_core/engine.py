"""The training loop: K runs stacked on a leading axis and stepped together.

A single run is K = 1; a sweep is K settings of one hyperparameter in the same tensors, so it
costs about one run's Python overhead (and is one set of kernels on a GPU). Each step goes
through `Balancer`, the same class a user drives from their own loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from moo_core import fused
from moo_core import threads as thread_policy
from moo_core._lazy import torch
from moo_core.balancer import Balancer, gram_matrix, mix
from moo_core.config import RunConfig
from moo_core.methods import METHODS, Constraints
from moo_core.optim import OPTIMIZERS
from moo_core.outcomes import Final
from moo_core.problems import PROBLEMS, Objective
from moo_core.recorder import COSINE_EVERY, Recorder
from moo_core.records import RunOutcome, StepChunk
from moo_core.registry import ConfigError
from moo_core.scaling import start_scale, to_data_units

ChunkCallback = Callable[[StepChunk], None]
StopCheck = Callable[[], bool]
Fetch = Callable[[str], bytes]  # "sha256:…" → the stored bytes of an uploaded dataset


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for but CUDA is not available here")
    return torch.device(name)


def build_objective(run: RunConfig, fetch: Fetch | None = None) -> Objective:
    """The toy problem, or the task with its data loaded (ConfigError for bad data)."""
    if run.task is not None:
        from moo_core.tasks import build_task

        return build_task(run.task, fetch)
    return PROBLEMS.get(run.problem)(run.init)


def _rows(runs: list[RunConfig], name: str, device: torch.device) -> torch.Tensor:
    values = [r.hyperparams[name] for r in runs]
    return torch.tensor(values, dtype=torch.float32, device=device)


def _settings(runs: list[RunConfig], device: torch.device) -> dict:
    first = runs[0].hyperparams
    return {
        name: value if isinstance(value, str) else _rows(runs, name, device)
        for name, value in first.items()
    }


def _check_batch(runs: list[RunConfig]) -> None:
    """A batch shares its problem and length; methods may differ (a race: moo_core.lockstep)."""
    shared = ("problem", "task", "constraint", "steps", "init", "device")
    for name in shared:
        if len({str(getattr(r, name)) for r in runs}) > 1:
            raise ValueError(f"runs in one batch must share {name!r}")


def user_constraints(runs: list[RunConfig], device: torch.device) -> Constraints:
    """The batch's constraints with ε in the data's units: (K, c)."""
    epsilon = torch.tensor([r.epsilons() for r in runs], dtype=torch.float32, device=device)
    return Constraints(tuple(runs[0].kinds()), epsilon)


def make_balancer(runs: list[RunConfig], device: torch.device, scale=None) -> Balancer:
    """The Balancer of a batch: per-row hyperparameters, ε (over the objectives' starting
    values where `scale` is given: moo_core.scaling) and seeds."""
    if len({r.method for r in runs}) > 1:  # a race: one Balancer per method (lockstep)
        from moo_core.lockstep import mixed_balancer

        return mixed_balancer(runs, device, scale, make_balancer)
    epsilon = user_constraints(runs, device).epsilon
    if scale is not None:
        epsilon = epsilon / scale[:, 1:]
    constraints = [(kind, epsilon[:, i]) for i, kind in enumerate(runs[0].kinds())]
    return Balancer.configured(
        runs[0].method, constraints, seed=[r.seed for r in runs], **_settings(runs, device)
    )


class _Step:
    """One training step through the Balancer: the closed form where the problem has one,
    else autograd (one backward, or per-objective gradients for Gram methods)."""

    def __init__(self, objective, balancer: Balancer, params: list[torch.Tensor], scale=None):
        self.objective, self.balancer, self.params = objective, balancer, params
        self.closed = getattr(objective, "closed_form", None)
        self.scale = scale  # the Balancer sees values / scale (moo_core.scaling)
        self.cosine: torch.Tensor | None = None

    def __call__(self, step: int):
        closed = self.closed(self.params) if self.closed is not None else None
        if closed is not None:
            values, gradients = closed
            take_gram = self.balancer.needs_gram or step % COSINE_EVERY == 0
            gram = gram_matrix(gradients) if take_gram else None
            report = self.balancer.weigh(values, gram)
            directions = mix(report.weights, gradients)
        else:
            values = self.objective.evaluate(self.params, step)
            take_gram = step % COSINE_EVERY == 0
            balanced = values if self.scale is None else values / self.scale
            report, directions = self.balancer.directions(balanced, self.params, gram=take_gram)
            values = values.detach()
        if report.gram is not None:
            self.cosine = report.min_cosine()
        return values, report, directions


def train_batch(
    runs: list[RunConfig],
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    keep_trajectory: bool = False,
    chunk_seconds: float = 0.25,
    chunk_steps: int = 1024,
    objective: Objective | None = None,
    threads: int | None = None,
    fuse: bool = True,
) -> tuple[list[RunOutcome], float, str, dict[str, np.ndarray] | None]:
    """Train `runs` (same problem, method and steps; other values may differ) as one batch.

    `on_chunk` receives the recorded steps at most every `chunk_seconds` (and at the end);
    `should_stop` is asked at the same moments and ends the batch as cancelled.
    `threads` overrides the intra-op thread count sized to the work (moo_core.threads).
    Closed-form problems with Gram-free methods train in the fused loop (moo_core.fused; the
    same results to the last bit); `fuse=False` keeps them on the generic one.
    Returns the per-row outcomes, training seconds, the device and, if asked, the trajectory.
    """
    _check_batch(runs)
    first = runs[0]
    device = resolve_device(first.device)
    objective = objective or build_objective(first)
    m = objective.n_objectives
    if m != first.n_objectives:
        raise ConfigError(f"the objective has {m} objectives; the run expects {first.n_objectives}")
    started = time.perf_counter()
    params = objective.init_params([r.seed for r in runs], device)
    uses_epsilon = METHODS.get(first.method).uses_epsilon
    epsilon = user_constraints(runs, device).epsilon if uses_epsilon else None
    scale, notes = start_scale(objective, params, epsilon)
    if notes and hasattr(objective, "notes"):
        objective.notes = (*objective.notes, *notes)
    balancer = make_balancer(runs, device, scale)
    constraints = user_constraints(runs, device)
    work = thread_policy.step_work(params, getattr(objective, "rows_per_step", 1))
    recorder = Recorder(
        m, len(runs), device, first.steps, chunk_steps, keep_trajectory, on_chunk, constraints
    )
    recorder.window = getattr(objective, "batches_per_epoch", 1)  # a running mean: see Recorder
    with thread_policy.using(thread_policy.choose(work, threads)):
        optimizer = OPTIMIZERS[balancer.settings["optimizer"]](params, balancer.settings["lr"])
        if fuse and fused.eligible(objective, balancer, scale, recorder):
            take_fused = fused.FusedStep(objective, balancer, params, optimizer, recorder)
            status, report = fused.run(take_fused, first.steps, chunk_seconds, should_stop)
        else:
            take_step = _Step(objective, balancer, params, scale)
            status, report = _loop(
                take_step, optimizer, recorder, first.steps, chunk_seconds, should_stop
            )
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - started
        final = Final(objective, params, balancer, recorder, report, constraints, scale)
        outcomes = final.outcomes(status)
    return outcomes, seconds, str(device), recorder.trajectory() if keep_trajectory else None


def _loop(take_step: _Step, optimizer, recorder: Recorder, steps, chunk_seconds, should_stop):
    """Step until `steps`, a cancel or every row diverged: (status, the last step's report)."""
    status, report = "completed", None
    for step in range(steps):
        values, report, directions = take_step(step)  # detached: no graph from here on
        lams = to_data_units(report.columns, take_step.scale)
        recorder.record(values, lams, take_step.cosine)
        optimizer.step(directions)  # in-place under no_grad
        take_step.objective.project(take_step.params)  # likewise
        if end := recorder.chunk_end(chunk_seconds, should_stop):
            status = "cancelled" if end == "cancelled" else status  # diverged rows say so
            break
    recorder.flush()
    return status, report
