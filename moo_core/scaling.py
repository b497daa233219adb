"""Scale-free balancing on real data: each objective divided by a scale fixed at the start.

On a task f may be a loss in grams² (~1e5) and g a gap in grams: one lr_λ and one δ cannot fit
both. The Balancer therefore sees Lᵢ / sᵢ and εᵢ / sᵢ — every value of order 1 — while the
records, the summary and ε stay in the data's units. The multipliers are reported in those
units too: λᵢ(data) = λᵢ(scaled)·s_f/sᵢ. Toy problems are already of order 1 and keep their
own scale (and their exact agreement with the reference packages).

The scales: f's is its starting value f₀. A constrained objective's is its starting value g₀
brought a quarter of the way towards its ε on a log scale, s = g₀^¾·|ε|^¼. Neither end
works for every dataset. On g₀ alone a target far below the start (fastsim's MMD², g₀ = 1.88,
ε = 0.006) leaves defects of 10⁻³ near ε: λ grows too slowly and g ended at 0.015. On ε alone
(or at √(g₀ε)) the early defects are hundreds: while g falls, λ winds up far past the value
that holds g at ε and needs thousands of steps to come back, g sitting at a fraction of ε
meanwhile. On fastsim s = 0.3 still wound up, 0.45–0.5 held g within 4 % of ε, 1.88 did not
reach it; diabetes parity and breast_cancer l1 hold for any s between g₀ and ε
(docs/benchmarks.md, "Busy machines"; tests/moo_core/test_scaling.py).

No scale: an objective that is 0 (or not finite) at the start takes |ε| alone (a constraint
with ε = 0 takes g₀ alone); where neither is usable it is balanced in its own units (scale 1).
The run's notes say which.
"""

from __future__ import annotations

import torch

from moo_core.records import objective_names

TOWARDS_EPSILON = 0.25  # the weight of ε in a constrained objective's scale (log scale)


def start_scale(
    objective, params, epsilon: torch.Tensor | None = None
) -> tuple[torch.Tensor | None, list[str]]:
    """(K, m) scales from the objective's first evaluation and the constraints' ε (K, m − 1;
    None for a method without ε: start values only), or None where the objective keeps its
    own; notes for objectives without a full scale."""
    if not getattr(objective, "scale_free", False):
        return None, []
    with torch.no_grad():
        values = objective.evaluate(params, 0).detach().abs()
    start = _usable(values)
    bounds = torch.zeros_like(values) if epsilon is None else _with_f(values, epsilon.abs())
    target = _usable(bounds) & (torch.arange(values.shape[-1], device=values.device) > 0)
    blended = values.clamp_min(1e-30) ** (1 - TOWARDS_EPSILON) * bounds**TOWARDS_EPSILON
    scale = torch.where(
        start & target,
        blended,
        torch.where(start, values, torch.where(target, bounds, torch.ones_like(values))),
    )
    names = objective_names(values.shape[-1])
    notes = []
    for i, name in enumerate(names):
        if bool(start[:, i].all()):
            continue
        fallback = "on |ε|" if bool(target[:, i].all()) else "in its own units"
        notes.append(f"{name} is 0 at the start (no scale): balanced {fallback}")
    first = ", ".join(f"{name} {float(scale[0, i]):.4g}" for i, name in enumerate(names))
    notes.append(
        f"balanced on scales from the starting values and ε ({first}); ε and results in data units"
    )
    return scale, notes


def _usable(values: torch.Tensor) -> torch.Tensor:
    return torch.isfinite(values) & (values > 0)


def _with_f(values: torch.Tensor, epsilon: torch.Tensor) -> torch.Tensor:
    """ε as (K, m) beside the values: f's column (no ε) is 0, so it keeps its start value."""
    return torch.cat([torch.zeros_like(values[:, :1]), epsilon.to(values.dtype)], -1)


def to_data_units(multipliers: torch.Tensor | None, scale: torch.Tensor | None):
    """λ(data) = λ(scaled)·s_f/sᵢ."""
    if multipliers is None or scale is None:
        return multipliers
    return multipliers * scale[:, :1] / scale[:, 1:]
