"""A suggested task for a dataset: column roles, objective, ε and its sweep, model and steps,
measured on the data by a short probe. The Datasets page and `python -m moo_core run
--dataset NAME --method M` (given no roles) both call `suggest`, so they suggest the same run.

The probe trains the loss f alone (a weighted sum with weight 0 on g) for PROBE_STEPS
full-batch Adam steps, once as a linear model and once with one hidden layer of 16: the
linear one is kept when it learns at least 90 % of what the wider one learns on the
validation rows (it settles sooner). It measures g at the start and at this unconstrained
fit, g_fit. Every objective here is ≥ 0 and 0 is the cheapest place for it (zero weights,
equal group means, …), so:

- ε = g_fit / 2, halfway from the unconstrained fit to 0: the constraint binds (a looser ε
  leaves it idle) and half the fit's g stays in reach of a network that still learns;
- the ε sweep runs from g_fit / 10 (tight) to g_fit (idle): the whole trade-off;
- where g_fit ≈ 0 no ε can bind, and the suggestion says so.

`outlook` says before launch, in words, why the suggested run cannot end converged by the
verdict's criteria (moo_core.verdict), where a reason is known; tests/moo_core/test_suggest.py
trains every built-in dataset × objective and checks each outlook against the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from moo_core.data import DATASETS, describe_frame, load_table
from moo_core.registry import ConfigError
from moo_core.tasks._checks import REGRESSION_OBJECTIVES

PROBE_STEPS = 300
PROBE_LR = 1e-2
STEPS = 8000  # full batch: diabetes mmd ≤ ε settles by then (its f still moved at 6,000)
MINI_BATCH_STEPS = 2000  # mini-batches: 2,000 steps are ~160 epochs of fastsim's 12 batches
FULL_BATCH_ROWS = 1024  # more training rows than this: mini-batches of MINI_BATCH
MINI_BATCH = 256
HYPERPARAMS = {"lr": 1e-3, "lr_lambda": 1e-3}  # Adam; a slow multiplier settles, a fast one rings
# Measured on diabetes (linear, full batch, 8,000 steps): parity ≤ 12 converges at δ = 1 and
# rings at δ = 10 (violation 0.05 over the last quarter); mmd converges at δ = 10, not at 1.
BY_OBJECTIVE = {"parity": {"damping": 1.0}}
IDLE = 1e-3  # g_fit at or below this: the unconstrained fit already holds any ε ≥ 0
LEARNS = 0.9  # the linear model, if it learns this share of what one hidden layer of 16 learns
GROUP_VALUES = (2, 10)  # a column with this many distinct values can group rows for parity


@dataclass(frozen=True)
class Suggestion:
    dataset: str
    target: str
    objective: str
    group: str | None
    epsilon: float
    sweep: tuple[float, float]  # the ε sweep's From and To
    steps: int
    hidden: tuple[int, ...]
    batch_size: int
    hyperparams: Mapping[str, float] = field(default_factory=dict)
    constraint: str = "le"
    g_start: float | None = None  # the probe's measurements
    g_fit: float | None = None
    f_fit: float | None = None
    baseline_f: float | None = None
    outlook: str | None = None  # why the run cannot converge (None: no known reason)
    expect: str | None = None  # what its verdict's reason will say then

    def task(self) -> dict[str, Any]:
        """make_task_spec keyword arguments."""
        return {
            "dataset": self.dataset,
            "target": self.target,
            "objective": self.objective,
            "group": self.group,
            "hidden": ",".join(map(str, self.hidden)),
            "batch_size": self.batch_size,
        }

    def why(self) -> str:
        """How ε and its sweep were chosen, in words."""
        if self.g_fit is None or self.g_fit <= IDLE:
            return (
                f"An unconstrained fit already keeps g at {_num(self.g_fit)}: no ε binds, so "
                f"ε = {self.epsilon:g} leaves the constraint idle."
            )
        return (
            f"ε = {self.epsilon:g}: half of g = {_num(self.g_fit)}, where a fit of f alone "
            f"ends (it starts at {_num(self.g_start)}), so the constraint binds; the sweep runs "
            f"from {self.sweep[0]:g} (tight) to {self.sweep[1]:g} (idle)."
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sweep"], out["hidden"] = list(self.sweep), list(self.hidden)
        out["hyperparams"] = dict(self.hyperparams)
        return out


def suggest_roles(ref: str, frame, objective: str | None = None) -> dict[str, Any]:
    """Target, group and objective for a table: a built-in's own, else the last numeric column
    (a text target cannot serve bounds or mmd), a column of 2–10 values as the group, l1."""
    columns = [str(c) for c in frame.columns]
    if ref in DATASETS:
        builtin = DATASETS.get(ref)
        target, group = builtin.default_target, builtin.default_group
        objective = objective or builtin.default_objective
    else:
        objective = objective or "l1"
        kinds = {row["name"]: row for row in describe_frame(frame)}
        low, high = GROUP_VALUES
        few = [c for c in columns if low <= kinds[c]["distinct"] <= high]
        numeric = [c for c in columns if kinds[c]["kind"] == "numeric" and kinds[c]["distinct"] > 1]
        if objective == "sum_to_one":  # needs classes: a text column or one of few values
            classes = [c for c in columns if kinds[c]["kind"] != "numeric"] or few
            target = (classes or columns)[-1]
        else:  # a number where bounds or mmd need one, and the usual last column otherwise
            wanted = numeric if objective in REGRESSION_OBJECTIVES or numeric else columns
            target = wanted[-1]
        groups = [c for c in few if c != target] if objective == "parity" else []
        group = groups[0] if groups else None  # else every column stays a feature
    return {"target": target, "group": group, "objective": objective}


def suggest(
    ref: str,
    fetch: Callable[[str], bytes] | None = None,
    objective: str | None = None,
) -> Suggestion:
    """The suggested run for dataset `ref` (and `objective`, else the dataset's own), measured
    by the probe; ConfigError when the data cannot serve it (the message says why)."""
    from moo_core.tasks._build import build_task
    from moo_core.tasks._spec import make_task_spec

    _, frame = load_table(ref, fetch)
    roles = suggest_roles(ref, frame, objective)
    if roles["objective"] == "parity" and roles["group"] is None:
        raise ConfigError("parity needs a group column, and this table has none with 2–10 values")
    spec = {"dataset": ref, **roles}
    built = build_task(make_task_spec(**spec, hidden=""), fetch)
    rows = built.train.count
    batch = rows if rows <= FULL_BATCH_ROWS else MINI_BATCH
    linear, wider = (_probe(spec, hidden, batch, fetch) for hidden in ("", "16"))
    base = linear["baseline_f"]  # judged on the validation rows: learning, not memorising
    simple = base - linear["val_f"] >= LEARNS * (base - wider["val_f"])
    chosen, hidden = (linear, ()) if simple else (wider, (16,))
    g_fit = max(0.0, chosen["g"])
    epsilon = _round2(g_fit / 2) if g_fit > IDLE else _round2(max(g_fit, IDLE))
    suggestion = Suggestion(
        dataset=ref,
        target=roles["target"],
        objective=roles["objective"],
        group=roles["group"],
        epsilon=epsilon,
        sweep=(_round2(g_fit / 10), _round2(g_fit)) if g_fit > IDLE else (0.0, _round2(IDLE)),
        steps=STEPS if batch >= rows else MINI_BATCH_STEPS,
        hidden=hidden,
        batch_size=batch,
        hyperparams={**HYPERPARAMS, **BY_OBJECTIVE.get(roles["objective"], {})},
        g_start=chosen["g_start"],
        g_fit=g_fit,
        f_fit=chosen["f"],
        baseline_f=base,
    )
    return _with_outlook(suggestion, rows, built.classification)


def _probe(spec: Mapping[str, Any], hidden: str, batch: int, fetch) -> dict[str, float]:
    """f alone, PROBE_STEPS steps: f and g at its end, g at its start, the baseline."""
    from moo_core.api import run
    from moo_core.config import make_run_config

    config = make_run_config(
        None,
        "weighted_sum",
        epsilon=0.0,
        constraint="le",
        steps=PROBE_STEPS,
        device="cpu",
        hyperparams={"weight": 0.0, "lr": PROBE_LR},
        task={**spec, "hidden": hidden, "batch_size": batch},
    )
    result = run(config, keep_trajectory=True, fetch=fetch)
    summary = result.summary()
    g = result.trajectory["g"]
    return {
        "f": float(summary["final"]["f"]),
        "g": float(summary["final"]["g"]),
        "val_f": float(summary["validation"]["f"]),
        "g_start": float(g[0]),
        "baseline_f": float(summary["baseline_f"]),
    }


OUTLOOKS = {  # why a suggested run cannot end converged, and what its verdict will say then
    "mini-batch": (
        "it trains on mini-batches of {batch} of {rows} rows: g and λ jitter from batch to "
        "batch by more than the verdict's tolerance (0.1 % of f, 1 % of λ)",
        "still moving",
    ),
    "idle": (
        "the constraint stays idle (an unconstrained fit already meets it), and a run that only "
        "minimises f is never judged stationary: the verdict's test then compares ∇f with itself",
        "not stationary (residual 1)",
    ),
    "l1": (
        "l1 = mean |w| has no gradient where a weight is 0, and a bound on it drives weights "
        "there, so the balanced gradient ∇f + λ∇g never vanishes and the verdict's "
        "stationarity test cannot pass",
        "not stationary",
    ),
    "separable": (
        "this network separates the classes (the probe's loss fell to {share:.0%} of a constant "
        "prediction's): the loss keeps falling towards 0 as the weights grow, so f never settles",
        "still moving",
    ),
}
SEPARABLE = 0.25  # a classifier whose probe ends below this share of the baseline separates


def outlook_kind(suggestion: Suggestion, rows: int, classification: bool) -> str | None:
    """Which known reason keeps the suggested run from converging (a key of OUTLOOKS)."""
    if suggestion.batch_size < rows:
        return "mini-batch"
    if suggestion.g_fit is not None and suggestion.g_fit <= IDLE:
        return "idle"
    if suggestion.objective == "l1":
        return "l1"
    share = (suggestion.f_fit or 0.0) / max(suggestion.baseline_f or 1.0, 1e-12)
    return "separable" if classification and share < SEPARABLE else None


def _with_outlook(suggestion: Suggestion, rows: int, classification: bool) -> Suggestion:
    from dataclasses import replace

    kind = outlook_kind(suggestion, rows, classification)
    if kind is None:
        return suggestion
    share = (suggestion.f_fit or 0.0) / max(suggestion.baseline_f or 1.0, 1e-12)
    text, expect = OUTLOOKS[kind]
    words = text.format(batch=suggestion.batch_size, rows=rows, share=share)
    return replace(suggestion, outlook=words, expect=expect)


def _round2(value: float) -> float:
    """Two significant digits: 0.076, 12, 0.0015."""
    return float(f"{value:.2g}")


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"
