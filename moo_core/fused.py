"""The fused training loop: closed-form problems × Gram-free methods (issue 16, item 4).

With K = 256 rows a step's tensors hold a few hundred numbers, so a step costs what its
Python does, not its arithmetic: the generic loop (`engine._Step`) spends most of its time
building a `Report`, walking the Balancer and the optimizer, reshaping weight columns and
allocating. Here the method's own `weigh` is called directly, its weights are mixed with the
closed-form gradients into one preallocated buffer per parameter and, for SGD, the step is
taken in place from it. The arithmetic is the generic loop's, operation for operation:
`torch.addcmul` or `add(alpha=…)` would save a kernel each but round once (a fused
multiply-add) where the generic loop rounds twice, so they are not used. Same inputs, same
results to the last bit (tests/moo_core/test_fused.py).

`torch.compile` was measured and not used: its compile time exceeds a whole 3000-step
256-ε sweep on this 2-core CPU (docs/benchmarks.md, "Busy machines").
"""

from __future__ import annotations

import torch

from moo_core.balancer import Balancer, Report, gram_matrix, mix
from moo_core.methods import min_cosine
from moo_core.optim import BatchedSGD
from moo_core.recorder import COSINE_EVERY, Recorder


def eligible(objective, balancer: Balancer, scale, recorder: Recorder) -> bool:
    """The fused loop applies: a closed form, a method without the Gram matrix, the
    objectives in their own units and one record per step (no running mean)."""
    closed = getattr(objective, "analytic_gradients", None) is not None
    return closed and not balancer.needs_gram and scale is None and recorder.window == 1


class FusedStep:
    """One step of the fused loop; `run` steps until done and returns (status, report)."""

    def __init__(self, objective, balancer: Balancer, params, optimizer, recorder: Recorder):
        self.objective, self.balancer, self.optimizer = objective, balancer, optimizer
        self.recorder = recorder
        self.params = [p.detach() for p in params]  # same storage: updates reach `params`
        self.directions = [torch.empty_like(p) for p in self.params]
        self.dims = [p.dim() for p in self.params]
        self.sgd_rows = (
            [optimizer.lr.reshape(-1, *[1] * (p.dim() - 1)) for p in self.params]
            if type(optimizer) is BatchedSGD
            else None
        )
        self.method = None
        self.cosine: torch.Tensor | None = None
        self.weights: torch.Tensor | None = None
        self.values: torch.Tensor | None = None

    def __call__(self, step: int) -> None:
        values, gradients = self.objective.closed_form(self.params)
        gram = gram_matrix(gradients) if step % COSINE_EVERY == 0 else None
        if gram is not None:
            self.cosine = min_cosine(gram)
        if self.method is None:  # the Balancer builds and checks the method on its first step
            weights = self.balancer.weigh(values, gram).weights
            self.method = self.balancer.method_in_use()
        else:
            weights = self.method.weigh(values, gram)
        self.recorder.record(values, self.method.multipliers(), self.cosine)
        self._descend(weights, gradients)
        self.objective.project(self.params)
        self.weights, self.values = weights, values

    def _descend(self, weights: torch.Tensor, gradients) -> None:
        """Σᵢ wᵢ·∇Lᵢ per parameter (as `balancer.mix`), then the optimizer's step."""
        if self.sgd_rows is None:
            self.optimizer.step(mix(weights, gradients))
            return
        by_dim = {dim: weights.reshape(*weights.shape, *[1] * (dim - 1)) for dim in self.dims}
        for index, (param, total) in enumerate(zip(self.params, self.directions, strict=True)):
            columns = by_dim[param.dim()]  # columns[:, i]: objective i's weight, one per row
            torch.mul(columns[:, 0], gradients[0][index], out=total)
            for i in range(1, len(gradients)):
                total.add_(columns[:, i] * gradients[i][index])
            total.mul_(self.sgd_rows[index])  # lr·d, as BatchedSGD, then x − lr·d
            param.sub_(total)

    def report(self) -> Report | None:
        """The last step's report (its weights are what the stationarity check needs)."""
        if self.weights is None:
            return None
        constraints = self.balancer.constraints_in_use()
        return Report(self.weights, self.method.multipliers(), self.values, constraints)


def run(step: FusedStep, steps: int, chunk_seconds: float, should_stop) -> tuple[str, Report]:
    """Step until `steps`, a cancel or every row diverged, as `engine._loop` does."""
    recorder, status = step.recorder, "completed"
    with torch.no_grad():
        for index in range(steps):
            step(index)
            if end := recorder.chunk_end(chunk_seconds, should_stop):
                status = "cancelled" if end == "cancelled" else status
                break
    recorder.flush()
    return status, step.report()
