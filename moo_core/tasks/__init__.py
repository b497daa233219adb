"""Neural-network tasks: a small MLP on a tabular dataset, as an Objective of K stacked runs."""

from moo_core.tasks._build import build_task
from moo_core.tasks._checks import check_task, resolve_loss
from moo_core.tasks._spec import LOSSES, MISSING, OBJECTIVES, TaskSpec, make_task_spec
from moo_core.tasks._task import Task

__all__ = [
    "LOSSES",
    "MISSING",
    "OBJECTIVES",
    "Task",
    "TaskSpec",
    "build_task",
    "check_task",
    "make_task_spec",
    "resolve_loss",
]
