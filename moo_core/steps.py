"""One training step of a batch, in two kinds that differ only in how the gradients come.

`ClosedFormStep`: the objective gives its values and every objective's gradient in closed form
(toy problems); the weights mix them. `AutogradStep`: autograd gives them (tasks, problems
without a closed form) — a method that needs no Gram matrix takes one backward of Σᵢ wᵢ·Lᵢ
(the weights are the vector of a vector–Jacobian product), the others each objective's
gradient. Either way a step returns the values it was taken at, objective-major (m, K) — the
layout of a record — and leaves the parameters stepped and projected.

Every 32nd step (COSINE_EVERY) also takes the Gram matrix where the method does not need it,
to record the gradients' conflict (`cosine`, held in between).
"""

from __future__ import annotations

import torch

from moo_core.gradients import gram_matrix, mix, objective_gradients
from moo_core.methods import min_cosine
from moo_core.optim import BatchedSGD

COSINE_EVERY = 32


class _Step:
    def __init__(self, objective, weigher, params, optimizer, scale=None):
        self.objective, self.weigher, self.optimizer = objective, weigher, optimizer
        self.params = params
        self.scale = scale  # the methods see values / scale (moo_core.scaling)
        self.cosine: torch.Tensor | None = None  # (1, K): the latest measured, for records
        self.needs_gram = weigher.needs_gram

    def takes_gram(self, index: int) -> bool:
        """The method needs the Gram matrix, or the conflict is recorded this step."""
        return self.needs_gram or index % COSINE_EVERY == 0

    def _gram(self, gradients) -> torch.Tensor:
        gram = gram_matrix(gradients)
        self.cosine = min_cosine(gram).unsqueeze(0)
        return gram


class ClosedFormStep(_Step):
    """Values and gradients from `objective.closed_form` (toy problems: one parameter (K, n)),
    mixed as Σᵢ wᵢ∇Lᵢ objective by objective — ∇f unscaled where every method's weight on f
    is 1 — and, with SGD, the step lr·Σᵢ wᵢ∇Lᵢ taken in place: the arithmetic of the plain
    mix and BatchedSGD, to the bit, in the fewest kernels."""

    def __init__(self, objective, weigher, params, optimizer, scale=None):
        super().__init__(objective, weigher, params, optimizer, scale)
        self.detached = [p.detach() for p in params]  # same storage: the steps reach `params`
        self.lr = optimizer.lr.reshape(-1, 1) if type(optimizer) is BatchedSGD else None
        first = 1 if weigher.unit_f_weight else 0  # the first weight that multiplies
        self.columns = [slice(i, i + 1) for i in range(objective.n_objectives)]
        self.first, self.rest = first, range(first + 1, objective.n_objectives)
        # bound once: a step of a few hundred rows costs what its Python does
        self.closed_form, self.project = objective.closed_form, objective.project

    def __call__(self, index: int) -> torch.Tensor:
        values, (grads,) = self.closed_form(self.detached)  # (m, K), [(m, K, n)]
        gram = None
        if self.needs_gram or index % COSINE_EVERY == 0:
            gram = self._gram([[grads[i]] for i in range(values.shape[0])])
        weights, first, columns = self.weigher(values.T, gram), self.first, self.columns
        total = torch.mul(weights[:, columns[first]], grads[first])
        if first:
            total.add_(grads[0])
        for i in self.rest:
            total.add_(weights[:, columns[i]] * grads[i])
        if self.lr is None:
            self.optimizer.step([total])
        else:
            self.detached[0].sub_(total.mul_(self.lr))  # x − lr·Σᵢ wᵢ∇Lᵢ, as BatchedSGD
        self.project(self.detached)
        return values


class AutogradStep(_Step):
    """Values with their graph from `objective.evaluate`, gradients by autograd."""

    def __call__(self, index: int) -> torch.Tensor:
        values = self.objective.evaluate(self.params, index)
        balanced = values if self.scale is None else values / self.scale
        if not self.takes_gram(index):  # one backward of Σ wᵢ·Lᵢ
            weights = self.weigher(balanced.detach(), None)
            directions = torch.autograd.grad(
                balanced, self.params, weights, allow_unused=True, materialize_grads=True
            )
        else:
            gradients = objective_gradients(balanced, self.params)
            weights = self.weigher(balanced.detach(), self._gram(gradients))
            directions = mix(weights, gradients)
        with torch.no_grad():
            self.optimizer.step(list(directions))
            self.objective.project(self.params)
        return values.detach().T
