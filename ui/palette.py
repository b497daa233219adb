"""One colour per method on every page, and what a method's `lambda` column holds. Pure.

A run keeps its method's colour whatever its position (MDMM is the same blue in every preset,
on Live, Compare and Pareto); a second run of the same method in one figure takes a free
colour, so the two stay apart. Colours are Plotly's qualitative set plus a darker second row,
each method's fixed by name here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable

METHOD_COLOURS = {
    "mdmm": "#1f77b4",  # blue
    "bdmm": "#d62728",  # red
    "augmented_lagrangian": "#2ca02c",  # green
    "nupi": "#9467bd",  # purple
    "weighted_sum": "#ff7f0e",  # orange
    "penalty": "#8c564b",  # brown
    "mgda": "#e377c2",  # pink
    "pcgrad": "#17becf",  # cyan
    "geometric_mean": "#bcbd22",  # olive
    "gradnorm": "#7f7f7f",  # grey
    "cagrad": "#393b79",  # navy
    "upgrad": "#637939",  # moss
    "dualproj": "#8c6d31",  # ochre
    "imtl_g": "#843c39",  # maroon
    "nash_mtl": "#7b4173",  # plum
    "uncertainty": "#3182bd",  # steel blue
    "dwa": "#e6550d",  # rust
}
SPARE = ("#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#636efa", "#fecb52")

# The `lambda` column: a Lagrange multiplier (dual ascent on a constraint), the weight a
# balancing method put on g (MGDA, GradNorm, …; stored in the same column), or nothing at all
# (a fixed weighted sum, a penalty, a projection): then the column is NaN and no chart is drawn.
MULTIPLIER_METHODS = frozenset({"bdmm", "mdmm", "augmented_lagrangian", "nupi"})
WEIGHT_METHODS = frozenset(
    {"mgda", "gradnorm", "cagrad", "upgrad", "dualproj", "imtl_g", "nash_mtl", "uncertainty", "dwa"}
)


def method_of(label: str) -> str:
    """The method in a page's run or sweep label: "#12 mdmm" or "#5 mdmm over epsilon (…)"."""
    words = str(label).split()
    if len(words) > 1 and words[0].startswith("#"):
        return words[1]
    return words[0] if words else ""


def colours(labels: Iterable[str]) -> list[str]:
    """Each label's colour, in order: its method's, or a spare one for a repeated or unknown
    method (the i-th spare colour not already taken)."""
    labels = list(labels)
    taken: set[str] = set()
    out: list[str] = []
    for label in labels:
        fixed = METHOD_COLOURS.get(method_of(label))
        if fixed is None or fixed in taken:
            fixed = next((c for c in SPARE if c not in taken), SPARE[len(out) % len(SPARE)])
        taken.add(fixed)
        out.append(fixed)
    return out


def lambda_kind(method: str) -> str | None:
    """ "multiplier", "weight" or None: what a method's `lambda` column reports."""
    if method in MULTIPLIER_METHODS:
        return "multiplier"
    if method in WEIGHT_METHODS:
        return "weight"
    return None


def lambda_titles(methods: Iterable[str]) -> tuple[str, str]:
    """The title and y-axis title of the chart of the `lambda` column for these methods."""
    kinds = {lambda_kind(m) for m in methods} - {None}
    if kinds == {"weight"}:
        return "Weight on g over steps", "weight on g (set by the method each step)"
    if kinds == {"multiplier"}:
        return "Multiplier λ over steps", "λ (Lagrange multiplier)"
    return "Multiplier λ / weight on g over steps", "λ (multiplier) or weight on g"
