"""Scale-free balancing on real data: each objective divided by its value at the start.

On a task f may be a loss in grams² (~1e5) and g a gap in grams: one lr_λ and one δ cannot fit
both. The Balancer therefore sees Lᵢ / Lᵢ(start) and εᵢ / gᵢ(start) — every value of order 1
— while the records, the summary and ε stay in the data's units. The multipliers are reported
in those units too: λᵢ(data) = λᵢ(scaled)·f(start)/gᵢ(start). Toy problems are already of
order 1 and keep their own scale (and their exact agreement with the reference packages).
An objective that is 0 (or not finite) at the start has no scale: it is balanced in its own
units, and the run's notes say so.
"""

from __future__ import annotations

from moo_core._lazy import torch
from moo_core.records import objective_names


def start_scale(objective, params) -> tuple[torch.Tensor | None, list[str]]:
    """(K, m) scales from the objective's first evaluation, or None where it keeps its own;
    notes for objectives without a scale."""
    if not getattr(objective, "scale_free", False):
        return None, []
    with torch.no_grad():
        values = objective.evaluate(params, 0).abs()
    usable = torch.isfinite(values) & (values > 0)
    scale = torch.where(usable, values, torch.ones_like(values))
    names = objective_names(values.shape[-1])
    notes = [
        f"{name} is 0 at the start (no scale): balanced in its own units"
        for i, name in enumerate(names)
        if not bool(usable[:, i].all())
    ]
    first = ", ".join(f"{name} {float(scale[0, i]):.4g}" for i, name in enumerate(names))
    notes.append(f"balanced on the starting values ({first}); ε and results in data units")
    return scale, notes


def to_data_units(multipliers: torch.Tensor | None, scale: torch.Tensor | None):
    """λ(data) = λ(scaled)·f(start)/gᵢ(start)."""
    if multipliers is None or scale is None:
        return multipliers
    return multipliers * scale[:, :1] / scale[:, 1:]
