"""Every balancing method's declaration — name, summary, typed hyperparameters and what the
engine, configs and pages need to know of it — in one torch-free table.

Configs are validated, forms drawn and stored runs read without torch (it costs ~1.6 s to
import): these declarations are plain data, and each method's arithmetic lives in its own
module (`implementation`), which imports torch and is loaded when a run is trained
(`MethodSpec.load`). A method's module names its declaration (`class Mdmm(…, method="mdmm")`)
and takes these attributes from it, so the two cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moo_core.registry import ConfigError, Hyperparam, Registry, load_implementation, parse_floats

CONSTRAINT_KINDS = ("eq", "le", "ge")

# Every method trains the model parameters with one of these; a method may change the defaults.
COMMON_HYPERPARAMS = (
    Hyperparam(
        "optimizer", "choice", "sgd", "Optimizer for the model parameters", choices=("sgd", "adam")
    ),
    Hyperparam(
        "lr", "float", 0.01, "Learning rate of the model parameters", 1e-6, 10.0, log_scale=True
    ),
)
LR_LAMBDA = Hyperparam(
    "lr_lambda",
    "float",
    0.01,
    "Learning rate of the multiplier λ (gradient ascent)",
    1e-6,
    10.0,
    log_scale=True,
)
INEQUALITY = Hyperparam(
    "inequality",
    "choice",
    "projected",
    "Inequalities: projected multiplier λ ≥ 0, or the mdmm package's squared slack",
    choices=("projected", "slack"),
)


@dataclass(frozen=True)
class MethodSpec:
    """One method as configs and pages see it; `implementation` is "module:Class" under
    moo_core.methods. Calling the spec builds the method (loading its module)."""

    name: str
    summary: str
    implementation: str
    hyperparams: tuple[Hyperparam, ...] = ()
    defaults: Mapping[str, float | str] = field(default_factory=dict)
    uses_epsilon: bool = False
    needs_gram: bool = False
    enforces_constraints: bool = False  # meets ε exactly at convergence (verdict)
    requires_positive: bool = False  # every objective + `shift` must stay > 0
    # (method, settings) this method is a case of, step for step: a race batches the two
    # as one method (moo_core.batch.as_family); None for most
    special_case_of: tuple[str, dict] | None = None
    constant_weights: bool = False  # weights from the settings alone (weighted sum)
    unit_f_weight: bool = False  # the weight on f is exactly 1 at every step (Lagrangians)
    # multipliers() are Lagrange multipliers (a Report's `multipliers`); for the others they are
    # the weights on the others the lab records in its multiplier columns, or None
    lagrangian: bool = False
    dual_step: str = ""  # how the multipliers move, for the docs and `methods`
    fits: Callable[[Mapping[str, Any], int], None] | None = None  # settings vs m

    def check(self, settings: Mapping[str, Any], objectives: int) -> None:
        """Raise ConfigError where settings don't fit `objectives` (e.g. a weight vector's
        length); called when a configuration is made. Most methods fit any m."""
        if self.fits is not None:
            self.fits(settings, objectives)

    def load(self) -> type:
        """The method's class (its module, and so torch, is imported here)."""
        return load_implementation(self, "moo_core.methods")

    def __call__(self, settings, constraints, seeds=None):
        return self.load()(settings, constraints, seeds)


METHODS: Registry[MethodSpec] = Registry("method")


declare = METHODS.add


def hyperparams_of(method) -> tuple[Hyperparam, ...]:
    """The full typed hyperparameter list of a method (its spec or class): the common ones
    (with its defaults) + its own."""
    common = tuple(
        dataclasses.replace(spec, default=method.defaults.get(spec.name, spec.default))
        for spec in COMMON_HYPERPARAMS
    )
    return common + tuple(method.hyperparams)


def parse_shares(text: str) -> tuple[float, ...]:
    """ "1,2" → (1.0, 2.0); "" → () (equal shares)."""
    return tuple(float(part) for part in parse_floats("shares", text).split(",") if part)


def _shares_fit(settings: Mapping[str, Any], objectives: int) -> None:
    shares = parse_shares(settings.get("shares", ""))
    if shares and len(shares) != objectives - 1:
        raise ConfigError(
            f"shares={settings['shares']!r} has {len(shares)} numbers; "
            f"{objectives} objectives need {objectives - 1}"
        )


ADAM = {"optimizer": "adam"}
declare(
    MethodSpec(
        "weighted_sum",
        "L = (1 − w)·f + w·g",
        "_weighted_sum:WeightedSum",
        (
            Hyperparam(
                "weight", "float", 0.5, "Weight w on the others (on g for two objectives)", 0.0, 1.0
            ),
            Hyperparam(
                "shares",
                "floats",
                "",
                "How w is split among g₁, g₂, … (comma-separated; empty: equally)",
            ),
        ),
        constant_weights=True,
        fits=_shares_fit,
    )
)
declare(
    MethodSpec(
        "geometric_mean",
        "minimise (f + s)^(1−α)·(g + s)^α (in log space)",
        "_geometric_mean:GeometricMean",
        (
            Hyperparam("alpha", "float", 0.5, "Exponent α on g", 0.0, 1.0),
            Hyperparam(
                "shift",
                "float",
                0.01,
                "Shift s added to every objective before the log (in the objectives' units)",
                1e-9,
                1e6,
                log_scale=True,
            ),
        ),
        defaults=ADAM,
        requires_positive=True,
    )
)
declare(
    MethodSpec(
        "penalty",
        "L = f + μ·P(g − ε), hinge or squared",
        "_penalty:Penalty",
        (
            Hyperparam("penalty_weight", "float", 10.0, "Penalty weight μ", 0.0, 1e4),
            Hyperparam("kind", "choice", "squared", "Penalty shape", choices=("hinge", "squared")),
        ),
        uses_epsilon=True,
        unit_f_weight=True,
    )
)
DUAL = {
    "uses_epsilon": True,
    "enforces_constraints": True,
    "unit_f_weight": True,
    "lagrangian": True,
}
ASCENT = (
    "gradient ascent λ ← λ + lr_lambda·d (projected onto λ ≥ 0 for inequalities); "
    "or your own optimizer on balancer.parameters(), as the mdmm package"
)
declare(
    MethodSpec(
        "bdmm",
        "L = f + λ(g − ε); descent on x, ascent on λ",
        "_multipliers:Bdmm",
        (LR_LAMBDA, INEQUALITY),
        special_case_of=("mdmm", {"damping": 0.0}),  # the same steps, bit for bit (δ = 0)
        dual_step=ASCENT,
        **DUAL,
    )
)
declare(
    MethodSpec(
        "mdmm",
        "L = f + λ(g − ε) + (δ/2)(g − ε)²",
        "_multipliers:Mdmm",
        (Hyperparam("damping", "float", 10.0, "Damping δ", 0.0, 1e4), LR_LAMBDA, INEQUALITY),
        dual_step=ASCENT,
        **DUAL,
    )
)
declare(
    MethodSpec(
        "augmented_lagrangian",
        "L = f + λ(g − ε) + (ρ/2)(g − ε)²; λ ← λ + ρ(g − ε)",
        "_augmented_lagrangian:AugmentedLagrangian",
        (
            Hyperparam(
                "penalty",
                "float",
                20.0,
                "Penalty coefficient ρ, also the multiplier step (ρ < 0 rewards violation)",
                0.0,
                1e4,
            ),
            Hyperparam(
                "updates",
                "choice",
                "alternating",
                "Multiplier step from the defect before (simultaneous) or after (alternating) "
                "the parameters' step, as cooper's Simultaneous/AlternatingPrimalDual optimizers",
                choices=("simultaneous", "alternating"),
            ),
        ),
        dual_step="the method of multipliers λ ← λ + ρ·d (projected for inequalities), its own",
        **DUAL,
    )
)
declare(
    MethodSpec(
        "nupi",
        "L = f + λ(g − ε); λ by a νPI controller of g − ε",
        "_nupi:NuPI",
        (
            dataclasses.replace(
                LR_LAMBDA, default=0.1, help="Step η of the multiplier λ (cooper's lr)"
            ),
            Hyperparam(
                "kp",
                "float",
                100.0,
                "Proportional gain κₚ (κₚ < 0 amplifies the oscillations it is there to damp)",
                0.0,
                1e4,
            ),
            Hyperparam(
                "ki",
                "float",
                1.0,
                "Integral gain κᵢ (κᵢ < 0 turns ascent into descent: λ grows with the slack)",
                0.0,
                1e4,
            ),
            Hyperparam(
                "ema_nu",
                "float",
                0.0,
                "Average ν of the error in the proportional term (ν = 1 freezes the average, "
                "ν > 1 makes it diverge; cooper allows (−1, 1))",
                0.0,
                0.999,
            ),
            Hyperparam(
                "init",
                "choice",
                "sgd",
                "First step: plain ascent η·κᵢ·e₀ (sgd, cooper's default) or ξ₋₁ = 0 (zeros)",
                choices=("sgd", "zeros"),
            ),
        ),
        dual_step="νPI: λ ← λ + lr_lambda·(κᵢ·d + κₚ·(ξₜ − ξₜ₋₁)) (projected), its own",
        **DUAL,
    )
)
LR_WEIGHTS = Hyperparam(
    "lr_weights", "float", 0.01, "Learning rate of the task weights", 1e-6, 10.0, log_scale=True
)
declare(
    MethodSpec(
        "gradnorm",
        "adaptive task weights that balance gradient norms",
        "_gradnorm:GradNorm",
        (Hyperparam("alpha", "float", 1.5, "Restoring force α", 0.0, 10.0), LR_WEIGHTS),
        needs_gram=True,
    )
)
# MGDA: Adam by default: with SGD the min-norm step stalls on ZDT's box edge x₁ = 0, where ∇g
# is unbounded and the min-norm weight on it drops to ~0.
declare(
    MethodSpec(
        "mgda",
        "min-norm common descent direction",
        "_mgda:Mgda",
        defaults=ADAM,
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "pcgrad",
        "project conflicting gradients, then sum",
        "_pcgrad:PcGrad",
        (
            Hyperparam(
                "reduction",
                "choice",
                "sum",
                "Sum the projected gradients (TorchJD, LibMTL) or average them (Pytorch-PCGrad)",
                choices=("sum", "mean"),
            ),
        ),
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "upgrad",
        "sum of the gradients projected onto their dual cone",
        "_upgrad:UpGrad",
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "dualproj",
        "mean gradient projected onto the gradients' dual cone",
        "_dualproj:DualProj",
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "imtl_g", "equal projection on every unit gradient", "_imtl_g:ImtlG", needs_gram=True
    )
)
declare(
    MethodSpec(
        "cagrad",
        "conflict-averse step in a ball around the mean gradient",
        "_cagrad:CaGrad",
        (
            Hyperparam(
                "c", "float", 0.5, "Radius c of the ball, in mean-gradient norms", 0.0, 100.0
            ),
            Hyperparam(
                "rescale",
                "choice",
                "0",
                "Divide the step as the paper's code: 0 no (TorchJD), 1 by 1 + c² (the paper's "
                "default), 2 by 1 + c",
                choices=("0", "1", "2"),
            ),
        ),
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "nash_mtl",
        "Nash bargaining solution between the tasks",
        "_nash_mtl:NashMtl",
        (
            Hyperparam("max_norm", "float", 1.0, "Largest step norm (0: no clipping)", 0.0, 1e6),
            Hyperparam("update_weights_every", "int", 1, "Steps between weight updates", 1, 1000),
        ),
        needs_gram=True,
    )
)
declare(
    MethodSpec(
        "uncertainty",
        "learned task uncertainties weigh the losses",
        "_uncertainty:Uncertainty",
        (
            Hyperparam(
                "lr_log_variance",
                "float",
                0.01,
                "Learning rate of the log-variances sᵢ",
                1e-6,
                10.0,
                log_scale=True,
            ),
        ),
    )
)
declare(
    MethodSpec(
        "dwa",
        "task weights from the ratio of recent losses",
        "_dwa:Dwa",
        (
            Hyperparam(
                "temperature", "float", 2.0, "Softmax temperature T", 1e-3, 1e3, log_scale=True
            ),
        ),
    )
)
