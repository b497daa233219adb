"""MOO Lab's numerical core: problems, balancing methods, batched training, sweeps, metrics.

Pure PyTorch; imports neither SQLAlchemy nor Streamlit.
"""

from moo_core.api import run, sweep
from moo_core.balancer import Balancer, Report
from moo_core.config import (
    RunConfig,
    SweepConfig,
    make_run_config,
    make_sweep_config,
    parse_over,
    run_config_from_dict,
    sweep_config_from_dict,
)
from moo_core.methods import METHODS, hyperparams_of
from moo_core.problems import PROBLEMS
from moo_core.records import (
    COLUMNS,
    RunOutcome,
    RunResult,
    StepChunk,
    SweepResult,
    multiplier_names,
    objective_names,
    step_columns,
)
from moo_core.registry import ConfigError, Hyperparam

__all__ = [
    "COLUMNS",
    "METHODS",
    "PROBLEMS",
    "Balancer",
    "ConfigError",
    "Hyperparam",
    "Report",
    "RunConfig",
    "RunOutcome",
    "RunResult",
    "StepChunk",
    "SweepConfig",
    "SweepResult",
    "hyperparams_of",
    "make_run_config",
    "make_sweep_config",
    "multiplier_names",
    "objective_names",
    "parse_over",
    "run",
    "run_config_from_dict",
    "step_columns",
    "sweep",
    "sweep_config_from_dict",
]
