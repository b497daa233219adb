"""MOO Lab's numerical core: problems, balancing methods, batched training, sweeps, metrics.

Pure PyTorch; imports neither SQLAlchemy nor Streamlit. The names below load their module on
first use (PEP 562). Declarations (registries, configs, records) import no torch; the modules
that train import it at their top: validating a config or reading results never loads it.
"""

from __future__ import annotations

from moo_core.registry import lazy_names

_WHERE = {
    "race": "moo_core.api",
    "run": "moo_core.api",
    "sweep": "moo_core.api",
    "Balancer": "moo_core.balancer",
    "Report": "moo_core.balancer",
    "RunConfig": "moo_core.config",
    "SweepConfig": "moo_core.config",
    "make_run_config": "moo_core.config",
    "make_sweep_config": "moo_core.config",
    "parse_over": "moo_core.config",
    "run_config_from_dict": "moo_core.config",
    "sweep_config_from_dict": "moo_core.config",
    "METHODS": "moo_core.methods",
    "hyperparams_of": "moo_core.methods",
    "PROBLEMS": "moo_core.problems",
    "COLUMNS": "moo_core.records",
    "RunOutcome": "moo_core.records",
    "RunResult": "moo_core.records",
    "StepChunk": "moo_core.records",
    "SweepResult": "moo_core.records",
    "multiplier_names": "moo_core.records",
    "objective_names": "moo_core.records",
    "step_columns": "moo_core.records",
    "ConfigError": "moo_core.registry",
    "Hyperparam": "moo_core.registry",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)


def __dir__() -> list[str]:
    return __all__
