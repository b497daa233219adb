"""`python -m moo_core methods` as a table to read (`--json` prints the registry's records)."""

from __future__ import annotations

from moo_core.methods import METHODS, hyperparams_of
from moo_core.methods._specs import COMMON_HYPERPARAMS

COLUMNS = ("method", "ε", "Gram", "λ", "summary")


def methods_table() -> str:
    names = METHODS.names()
    rows = [
        (
            name,
            _mark(METHODS.get(name).uses_epsilon),
            _mark(METHODS.get(name).needs_gram),
            _mark(METHODS.get(name).lagrangian),
            METHODS.get(name).summary,
        )
        for name in names
    ]
    widths = [max(len(row[i]) for row in (COLUMNS, *rows)) for i in range(len(COLUMNS) - 1)]
    lines = [_row(COLUMNS, widths), _row((*tuple("-" * w for w in widths), "-------"), widths)]
    lines += [_row(row, widths) for row in rows]
    lines += [
        "",
        "ε: takes one (kind, epsilon) constraint per other objective; Gram: needs each "
        "objective's gradient; λ: Lagrange multipliers (report.multipliers).",
        "",
        "Hyperparameters (default, then range or choices):",
        "  every method, the lab's training loop only (a Balancer refuses them): "
        + "; ".join(_spec(spec) for spec in COMMON_HYPERPARAMS),
    ]
    width = max(len(name) for name in names)
    common = {spec.name for spec in COMMON_HYPERPARAMS}
    for name in names:
        method = METHODS.get(name)
        specs = [spec for spec in hyperparams_of(method) if spec.name not in common]
        changed = [f"{key}={value}" for key, value in method.defaults.items() if key in common]
        text = "; ".join([_spec(spec) for spec in specs] + [f"lab default {c}" for c in changed])
        lines.append(f"  {name:<{width}}  {text or '(none)'}")
    lines += ["", "Dual steps (how the multipliers move):"]
    lines += [
        f"  {name:<{width}}  {METHODS.get(name).dual_step}"
        for name in names
        if METHODS.get(name).dual_step
    ]
    return "\n".join(lines)


def _mark(flag: bool) -> str:
    return "yes" if flag else "-"


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()


def _spec(spec) -> str:
    default = f"{spec.default!r}" if spec.kind in ("choice", "floats") else f"{spec.default:g}"
    where = "|".join(spec.choices) if spec.kind == "choice" else spec.allowed()
    return f"{spec.name}={default} ({where})"
