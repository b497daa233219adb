"""MOO Lab storage: the run queue, metrics and experiments in SQLite or PostgreSQL.

Timestamps are naive UTC from the database clock. A NULL metric value means NaN.
"""

from storage.db import DEFAULT_URL, database_url, make_engine, session_scope
from storage.migrate import upgrade
from storage.models import (
    EXPERIMENT_KINDS,
    RUN_KINDS,
    RUN_STATUSES,
    Base,
    Dataset,
    Experiment,
    Metric,
    Run,
    SweepPoint,
    Worker,
)
from storage.queries import (
    ExperimentView,
    RunView,
    delete_experiment,
    delete_run,
    get_metrics,
    get_run,
    get_sweep_points,
    list_experiments,
    list_runs,
    rename_experiment,
)
from storage.queue import (
    ClaimedRun,
    append_metrics,
    beat,
    claim_next_run,
    create_experiment,
    finish_run,
    reap_stale,
    request_cancel,
    store_sweep_points,
    submit_run,
)
from storage.schemas import StoredConfig, validate_config
from storage.workers import WorkerView, live_workers, register_worker, worker_beat

__all__ = [
    "DEFAULT_URL",
    "EXPERIMENT_KINDS",
    "RUN_KINDS",
    "RUN_STATUSES",
    "Base",
    "ClaimedRun",
    "Dataset",
    "Experiment",
    "ExperimentView",
    "Metric",
    "Run",
    "RunView",
    "StoredConfig",
    "SweepPoint",
    "Worker",
    "WorkerView",
    "append_metrics",
    "beat",
    "claim_next_run",
    "create_experiment",
    "database_url",
    "delete_experiment",
    "delete_run",
    "finish_run",
    "get_metrics",
    "get_run",
    "get_sweep_points",
    "list_experiments",
    "list_runs",
    "live_workers",
    "make_engine",
    "reap_stale",
    "register_worker",
    "rename_experiment",
    "request_cancel",
    "session_scope",
    "store_sweep_points",
    "submit_run",
    "upgrade",
    "validate_config",
    "worker_beat",
]
