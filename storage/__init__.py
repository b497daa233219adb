"""MOO Lab storage: the run queue, metrics and experiments in SQLite or PostgreSQL.

Timestamps are naive UTC from the database clock. A NULL metric value means NaN.
"""

from storage.datasets import (
    DatasetView,
    dataset_content,
    delete_dataset,
    get_dataset,
    list_datasets,
    store_dataset,
)
from storage.db import DEFAULT_URL, database_url, make_engine, session_scope
from storage.metrics import (
    append_metrics,
    get_metrics,
    get_sweep_points,
    objectives_of,
    store_sweep_points,
)
from storage.migrate import upgrade
from storage.models import (
    EXPERIMENT_KINDS,
    FRONT_KINDS,
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
    get_run,
    list_experiments,
    list_runs,
    rename_experiment,
    set_experiment_tags,
)
from storage.queue import (
    ClaimedRun,
    beat,
    claim_next_run,
    create_experiment,
    finish_run,
    reap_stale,
    request_cancel,
    submit_run,
)
from storage.schemas import StoredConfig, validate_config
from storage.trajectories import get_sweep_trajectories, store_sweep_trajectories
from storage.workers import WorkerView, live_workers, register_worker, worker_beat

__all__ = [
    "DEFAULT_URL",
    "EXPERIMENT_KINDS",
    "FRONT_KINDS",
    "RUN_KINDS",
    "RUN_STATUSES",
    "Base",
    "ClaimedRun",
    "Dataset",
    "DatasetView",
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
    "dataset_content",
    "delete_dataset",
    "delete_experiment",
    "delete_run",
    "finish_run",
    "get_dataset",
    "get_metrics",
    "get_run",
    "get_sweep_points",
    "get_sweep_trajectories",
    "list_datasets",
    "list_experiments",
    "list_runs",
    "live_workers",
    "make_engine",
    "objectives_of",
    "reap_stale",
    "register_worker",
    "rename_experiment",
    "request_cancel",
    "session_scope",
    "set_experiment_tags",
    "store_dataset",
    "store_sweep_points",
    "store_sweep_trajectories",
    "submit_run",
    "upgrade",
    "validate_config",
    "worker_beat",
]
