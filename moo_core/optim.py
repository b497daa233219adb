"""SGD and Adam over parameters stacked on a leading run axis, with one learning rate per row.

Both are element-wise, so K stacked runs take exactly the steps K single runs would (and a
row that turned NaN cannot touch the others). Adam follows torch.optim.Adam's defaults
(β = 0.9, 0.999; eps = 1e-8; bias correction). `alive`, where given, freezes the other rows.
"""

from __future__ import annotations

import torch


def _rows(value: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return value.reshape(-1, *([1] * (like.dim() - 1)))


class BatchedSGD:
    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor):
        self.params, self.lr = params, lr

    @torch.no_grad()
    def step(self, directions: list[torch.Tensor], alive: torch.Tensor | None = None) -> None:
        for param, direction in zip(self.params, directions, strict=True):
            update = _rows(self.lr, param) * direction
            if alive is not None:
                update = torch.where(_rows(alive, param), update, torch.zeros_like(update))
            param.sub_(update)


class BatchedAdam:
    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.first = [torch.zeros_like(p) for p in params]
        self.second = [torch.zeros_like(p) for p in params]
        self.count = 0

    @torch.no_grad()
    def step(self, directions: list[torch.Tensor], alive: torch.Tensor | None = None) -> None:
        self.count += 1
        beta1, beta2 = self.betas
        correction1 = 1.0 - beta1**self.count
        correction2 = 1.0 - beta2**self.count
        for param, grad, m, v in zip(self.params, directions, self.first, self.second, strict=True):
            if alive is not None:
                grad = torch.where(_rows(alive, param), grad, torch.zeros_like(grad))
            m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
            denom = (v / correction2).sqrt_().add_(self.eps)
            update = _rows(self.lr, param) / correction1 * m / denom
            if alive is not None:
                update = torch.where(_rows(alive, param), update, torch.zeros_like(update))
            param.sub_(update)


OPTIMIZERS = {"sgd": BatchedSGD, "adam": BatchedAdam}
