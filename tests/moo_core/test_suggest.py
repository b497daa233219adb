"""The suggested task for every built-in dataset × objective (moo_core.tasks.suggest): it ends
converged with f clearly below a constant prediction's, or the suggestion said before launch
why it cannot, and its verdict then says what that reason predicts. The CLI, given a dataset
and no roles, runs exactly the suggestion."""

from __future__ import annotations

import json

import pytest

from moo_core import ConfigError, make_run_config, run
from moo_core.data import DATASETS
from moo_core.tasks import OBJECTIVES, suggest
from moo_core.tasks._suggest import suggest_roles
from moo_core.verdict import BASELINE_MARGIN

from ._helpers import cli

CASES = [(name, objective) for name in DATASETS.names() for objective in OBJECTIVES]


@pytest.mark.parametrize(("dataset", "objective"), CASES, ids=[f"{d}-{o}" for d, o in CASES])
def test_the_suggestion_converges_or_says_why_not(dataset, objective):
    try:
        found = suggest(dataset, objective=objective)
    except ConfigError as why:  # this data cannot serve this objective: said, nothing to run
        assert str(why)
        return
    config = make_run_config(
        None,
        "mdmm",
        epsilon=found.epsilon,
        constraint=found.constraint,
        steps=found.steps,
        hyperparams=found.hyperparams,
        task=found.task(),
        device="cpu",
    )
    summary = run(config).summary()
    assert summary["final"]["f"] < (1 - BASELINE_MARGIN) * summary["baseline_f"], summary
    if found.outlook is None:
        assert summary["converged"] is True, summary["reason"]
    else:
        assert summary["converged"] is False, found.outlook
        assert found.expect in summary["reason"], (found.outlook, summary["reason"])
    low, high = found.sweep
    assert 0 <= low <= found.epsilon <= high  # the ε sweep brackets the suggestion


def test_an_uploaded_table_gets_a_numeric_target_where_the_objective_needs_one():
    import pandas as pd

    frame = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "price": [3.0, 1.0, 4.0, 1.5], "city": list("abab")}
    )
    assert suggest_roles("upload.csv", frame)["target"] == "price"  # not the text column
    assert suggest_roles("upload.csv", frame, "mmd")["target"] == "price"
    assert suggest_roles("upload.csv", frame, "sum_to_one")["target"] == "city"
    parity = suggest_roles("upload.csv", frame, "parity")
    assert parity["group"] in ("x", "city") and parity["group"] != parity["target"]
    assert suggest_roles("upload.csv", frame)["group"] is None  # l1: every column a feature


def test_the_cli_with_a_dataset_and_no_roles_runs_the_suggestion():
    done = cli("run", "--dataset", "diabetes", "--method", "mdmm")
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout.strip().splitlines()[-1])["config"]
    found = suggest("diabetes")
    task = config["task"]
    assert (task["target"], task["group"], task["objective"]) == (
        found.target, found.group, found.objective)  # fmt: skip
    assert (config["epsilon"], config["constraint"], config["steps"]) == (
        found.epsilon, found.constraint, found.steps)  # fmt: skip
    assert tuple(task["hidden"]) == found.hidden and task["batch_size"] == found.batch_size
    assert {k: config["hyperparams"][k] for k in found.hyperparams} == found.hyperparams
    assert "suggested for diabetes: ε = " in done.stderr
