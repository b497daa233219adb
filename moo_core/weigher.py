"""The methods of a batch: one `Balancer` per group of rows, weighing its own rows.

The Balancer is the user's face (moo_core.balancer): the engine goes through it on the first
step, where it builds its method and checks the values against the constraints. From then on
the engine calls each method's `weigh` directly — the same arithmetic, without building a
`Report` a step — and, for a batch of several groups, copies each group's weights and
multipliers into views of the batch's buffers (a group whose weights are its settings alone,
the weighted sum, is not asked again).
"""

from __future__ import annotations

import torch

from moo_core.balancer import Balancer
from moo_core.methods import Constraints


class Weigher:
    def __init__(self, parts: list[tuple[slice, Balancer]]):
        self.parts = parts
        self.needs_gram = any(b.needs_gram for _, b in parts)
        # every row's weight on f is exactly 1: a mix may add ∇f unscaled (the same bits)
        self.unit_f_weight = all(b.method_class.unit_f_weight for _, b in parts)
        self.methods: list | None = None
        self.single = None  # the method of a one-group batch, once built
        self.weights: torch.Tensor | None = None  # the latest (K, m)
        self._multipliers: torch.Tensor | None = None
        self._moving: list = []

    def __call__(self, values: torch.Tensor, gram: torch.Tensor | None) -> torch.Tensor:
        """The weights (K, m) at `values` (K, m, detached) [and Gram (K, m, m)]; advances
        every method's state."""
        if self.single is not None:
            self.weights = self.single.weigh(values, gram)
            self._multipliers = self.single.multipliers()
            return self.weights
        if self.methods is None:
            return self._first(values, gram)
        for rows, method, weights, multipliers in self._moving:
            weights.copy_(method.weigh(values[rows], None if gram is None else gram[rows]))
            if (lam := method.multipliers()) is not None:
                multipliers.copy_(lam)
        return self.weights

    def _first(self, values: torch.Tensor, gram: torch.Tensor | None) -> torch.Tensor:
        reports = [
            b.weigh(values[rows], None if gram is None else gram[rows]) for rows, b in self.parts
        ]
        self.methods = [b.method_in_use() for _, b in self.parts]
        if len(self.parts) == 1:
            self.single = self.methods[0]
            self.weights, self._multipliers = reports[0].weights, reports[0].columns
            return self.weights
        self.weights = torch.empty_like(values)
        lams = torch.full_like(values[:, 1:], float("nan"))
        for (rows, _), report in zip(self.parts, reports, strict=True):
            self.weights[rows] = report.weights
            if report.columns is not None:
                lams[rows] = report.columns
        self._multipliers = lams if any(r.columns is not None for r in reports) else None
        self._moving = [
            (rows, method, self.weights[rows], lams[rows])
            for (rows, _), method in zip(self.parts, self.methods, strict=True)
            if not method.constant_weights
        ]
        return self.weights

    def multipliers(self) -> torch.Tensor | None:
        """(K, m − 1): the multipliers (or weights on the others) the latest weights used;
        NaN in a row whose method has none, None where no method has any."""
        return self._multipliers

    def enforces(self) -> list[bool]:
        """Per row: whether its method enforces its constraints (for the verdicts)."""
        return [b.enforces() for rows, b in self.parts for _ in range(rows.start, rows.stop)]

    def constraints(self) -> Constraints | None:
        """The constraints the methods weigh against (ε per row, balanced units), once built."""
        built = [b.constraints_in_use() for _, b in self.parts]
        if any(c is None for c in built):
            return None
        epsilon = torch.cat([c.epsilon for c in built])
        return Constraints(built[0].kinds, epsilon)

    def state_dict(self) -> dict[str, torch.Tensor]:
        if len(self.parts) == 1:
            return self.parts[0][1].state_dict()
        return {
            f"{i}.{name}": value
            for i, (_, b) in enumerate(self.parts)
            for name, value in b.state_dict().items()
        }
