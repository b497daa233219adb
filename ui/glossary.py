"""Plain sentences for the form's tooltips: what a setting does, said before its symbol and
the registry's technical help (moo_core's hyperparameters say "Damping δ"; a learner needs
"how hard MDMM pulls g back to ε" first). Pure."""

from __future__ import annotations

PLAIN = {
    "optimizer": "How the network's weights are stepped: plain gradient steps (sgd) or Adam.",
    "lr": "How big each training step is: larger is faster but can overshoot or blow up.",
    "lr_lambda": "How fast λ reacts when g misses ε: larger reacts sooner but can swing.",
    "damping": "How hard MDMM pulls g back to ε on top of λ: more settles without "
    "overshoot but creeps; 0 is BDMM.",
    "penalty": "How hard the augmented Lagrangian punishes a miss, and how big λ's steps are.",
    "updates": "Whether λ steps from the point before or after the weights' step.",
    "inequality": "How a ≤ or ≥ constraint is kept: λ never negative (projected), or a "
    "slack variable as in the mdmm package.",
    "kp": "νPI's reaction to how fast the miss changes (the proportional kick).",
    "ki": "νPI's reaction to the miss itself (as BDMM's λ step).",
    "ema_nu": "How much νPI smooths the miss before reacting to its change.",
    "init": "How νPI takes its very first step.",
    "penalty_weight": "How much a miss of ε costs: a fixed price, so the run stops a bit past ε.",
    "kind": "Whether a miss costs in proportion to its size (hinge) or its square (squared).",
    "weight": "How much the weighted sum cares about g against f (0: only f, 1: only g).",
    "shares": "How the weight on g is split among several objectives.",
    "alpha": "How much the geometric mean leans towards g against f.",
    "shift": "A small number added before taking logs, so an objective at 0 is no infinity.",
    "lr_weights": "How fast GradNorm changes its task weights.",
    "c": "How far CAGrad may turn from the average gradient to avoid conflict.",
    "rescale": "Whether CAGrad shrinks its step afterwards, as the paper's code can (0: no).",
    "reduction": "Whether PCGrad adds up the corrected gradients or takes their average.",
    "temperature": "How evenly DWA spreads its weights (higher: more even).",
    "max_norm": "The longest step Nash-MTL may take (0: no limit).",
    "update_weights_every": "How many steps Nash-MTL keeps its weights before recomputing them.",
    "lr_log_variance": "How fast the uncertainty weighting learns each objective's noise.",
}


def tooltip(name: str, technical: str) -> str:
    """The plain sentence, then the technical help ("" where there is none)."""
    plain = PLAIN.get(name)
    return f"{plain} ({technical})" if plain else technical
