"""The objectives' gradients, their Gram matrix and the mixed direction Σᵢ wᵢ·∇Lᵢ.

Two forms. Per parameter (`objective_gradients`, `gram_matrix`, `mix`): lists of each
objective's gradient for every parameter, as the closed-form problems give them. Flat
(`jacobian`, `gram_of`, `combine`, `unflatten`): each objective's gradient over all the
parameters written into one row of an (m, K, P) tensor, so that the Gram matrix is one
matrix product and the direction another, whatever the number of parameters — what a
hand-written loop of MGDA, PCGrad or CAGrad does (TorchJD's Jacobian matrix).
K is the number of stacked runs (1 for a user's own loop); P a row's parameter count.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

# ---- flat ----------------------------------------------------------------------------------


def jacobian(losses: Sequence[torch.Tensor], params: list[torch.Tensor], rows: int):
    """(m, K, P): objective i's gradient for row k, flattened over the parameters, from m
    losses of shape (K,) (stacked rows) or () (rows = 1): one backward per objective."""
    m = len(losses)
    sizes = [p.numel() // rows for p in params]
    first = params[0]
    flat = torch.empty((m, rows, sum(sizes)), dtype=first.dtype, device=first.device)
    live = [i for i, loss in enumerate(losses) if loss.requires_grad]
    for i in range(m):
        if i not in live:  # a constant objective: no gradient
            flat[i].zero_()
            continue
        loss = losses[i]
        grads = torch.autograd.grad(
            loss.sum() if loss.dim() else loss,
            params,
            retain_graph=i != live[-1],
            allow_unused=True,
            materialize_grads=True,
        )
        torch.cat([g.reshape(rows, -1) for g in grads], 1, out=flat[i])
    return flat


def gram_of(flat: torch.Tensor) -> torch.Tensor:
    """(K, m, m): the inner products of the m gradients, per row."""
    by_row = flat.transpose(0, 1)
    return torch.bmm(by_row, by_row.transpose(1, 2))


def combine(weights: torch.Tensor, flat: torch.Tensor) -> torch.Tensor:
    """(K, P): Σᵢ wᵢ·∇Lᵢ per row, for weights (K, m)."""
    return torch.bmm(weights.to(flat.dtype).unsqueeze(1), flat.transpose(0, 1)).squeeze(1)


def unflatten(direction: torch.Tensor, params: list[torch.Tensor]) -> list[torch.Tensor]:
    """The (K, P) direction cut into one tensor per parameter (views where it can)."""
    rows, pieces, start = direction.shape[0], [], 0
    for param in params:
        size = param.numel() // rows
        piece = direction[:, start : start + size]
        pieces.append(piece.reshape(param.shape) if rows > 1 else piece.view(param.shape))
        start += size
    return pieces


# ---- per parameter (closed forms; the engine) -----------------------------------------------


def objective_gradients(values: torch.Tensor, params: list[torch.Tensor]) -> list:
    """Each objective's gradient for every parameter (zeros where unused), from values (K, m)
    with their graph: one backward per objective (rows are independent)."""
    m = values.shape[1]
    return [
        torch.autograd.grad(
            values[:, i].sum(),
            params,
            retain_graph=i < m - 1,
            allow_unused=True,
            materialize_grads=True,
        )
        for i in range(m)
    ]


def gram_matrix(gradients: Sequence[Sequence[torch.Tensor]], stacked: bool = True) -> torch.Tensor:
    """(K, m, m) inner products of the m objectives' gradients, per stacked row (or (1, m, m)
    for one unstacked run); `gradients[i]` holds objective i's gradient for every parameter."""
    m = len(gradients)
    flat = [_flatten(grads, stacked) for grads in gradients]
    entries = {}
    for i in range(m):
        for j in range(i, m):
            entries[i, j] = entries[j, i] = _dot(flat[i], flat[j])
    return torch.stack([torch.stack([entries[i, j] for j in range(m)], -1) for i in range(m)], -2)


def mix(weights: torch.Tensor, gradients: Sequence[Sequence[torch.Tensor]], stacked: bool = True):
    """Σᵢ wᵢ·∇Lᵢ for every parameter, row by row (weights (K, m))."""
    directions = []
    for index in range(len(gradients[0])):
        total = None
        for i, grads in enumerate(gradients):
            grad = grads[index]
            w = weights[:, i].reshape(-1, *[1] * (grad.dim() - 1)) if stacked else weights[0, i]
            total = w * grad if total is None else total + w * grad
        directions.append(total)
    return directions


def _flatten(grads: Sequence[torch.Tensor], stacked: bool) -> list[torch.Tensor]:
    return [g.flatten(1) if stacked else g.reshape(1, -1) for g in grads]


def _dot(left: list[torch.Tensor], right: list[torch.Tensor]) -> torch.Tensor:
    return sum((a * b).sum(1) for a, b in zip(left, right, strict=True))
