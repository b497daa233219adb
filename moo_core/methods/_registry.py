from moo_core.registry import Hyperparam, Registry

METHODS: Registry = Registry("method")

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


def hyperparams_of(method) -> tuple[Hyperparam, ...]:
    """The full typed hyperparameter list of a method: common ones (with its defaults) + its own."""
    common = tuple(
        Hyperparam(**{**spec.__dict__, "default": method.defaults.get(spec.name, spec.default)})
        for spec in COMMON_HYPERPARAMS
    )
    return common + tuple(method.hyperparams)
