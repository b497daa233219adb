"""Neural-network tasks: a small MLP on a tabular dataset, as an Objective of K stacked runs.

Names load their module on first use: a config's task spec (`_spec`) is checked without
loading the network code or torch.
"""

from __future__ import annotations

from moo_core.registry import lazy_names

_WHERE = {
    "build_task": "moo_core.tasks._build",
    "check_task": "moo_core.tasks._checks",
    "resolve_loss": "moo_core.tasks._checks",
    "LOSSES": "moo_core.tasks._spec",
    "MISSING": "moo_core.tasks._spec",
    "OBJECTIVES": "moo_core.tasks._spec",
    "TaskSpec": "moo_core.tasks._spec",
    "make_task_spec": "moo_core.tasks._spec",
    "Task": "moo_core.tasks._task",
    "Suggestion": "moo_core.tasks._suggest",
    "suggest": "moo_core.tasks._suggest",
    "suggest_roles": "moo_core.tasks._suggest",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)
