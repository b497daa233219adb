"""Tasks with several secondary objectives: f plus one column per listed objective."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from moo_core.registry import ConfigError
from moo_core.tasks import Task, build_task, make_task_spec
from tests.moo_core.test_tasks import (
    classification_data,
    flat,
    gradients,
    make_spec,
    regression_data,
)

CPU = torch.device("cpu")
DIABETES = {"dataset": "diabetes", "target": "target", "group": "sex", "hidden": "8"}


@pytest.fixture(scope="module")
def diabetes_data():
    from moo_core.data import load_table, prepare

    name, frame = load_table("diabetes", None)
    return prepare(frame, name, "target", group="sex", require_groups=2)


def diabetes_task(data, objective: str, batch_size: int = 64) -> Task:
    spec = make_task_spec(**DIABETES, objective=objective, batch_size=batch_size)
    return Task(spec, data)


def test_the_objective_list_is_normalised_and_counted():
    spec = make_task_spec(**DIABETES, objective=" parity , l1 ")
    assert spec.objective == "parity,l1"
    assert spec.objectives == ("parity", "l1") and spec.n_objectives == 3
    assert spec.to_dict()["objective"] == "parity,l1"  # stored configs keep a string
    listed = make_task_spec(**DIABETES, objective=["mmd", "bounds", "parity"])
    assert listed.objective == "mmd,bounds,parity" and listed.n_objectives == 4
    single = make_task_spec(**DIABETES, objective="l1")
    assert single.objective == "l1" and single.objectives == ("l1",)
    assert single.n_objectives == 2


@pytest.mark.parametrize(
    ("objective", "message"),
    [
        ("parity,lasso", "objective 'lasso' is not allowed"),
        ("l1,parity,l1", "objective 'l1' is listed twice"),
        ("l1,,parity", "empty entry"),
        ("l1,", "empty entry"),
        ("", "objective '' is not allowed"),
        (None, "objective None is not allowed"),
    ],
)
def test_bad_objective_lists_are_rejected(objective, message):
    with pytest.raises(ConfigError, match=message):
        make_task_spec(**DIABETES, objective=objective)


@pytest.mark.parametrize(
    ("objective", "data", "changes", "message"),
    [
        ("l1,sum_to_one", "regression", {}, "'sum_to_one' needs loss 'ce'"),
        ("l1,mmd", "classification", {}, "'mmd' needs a numeric target"),
        ("parity,bounds", "classification", {}, "'bounds' needs a numeric target"),
        ("l1,parity", "regression", {"group": None}, "'parity' needs a group column"),
        ("l1,lasso", "regression", {}, "objective 'lasso' is unknown"),
        ("mmd,mmd", "regression", {}, "objective 'mmd' is listed twice"),
    ],
)
def test_each_objective_is_checked_against_the_data(objective, data, changes, message):
    source = regression_data if data == "regression" else classification_data
    with pytest.raises(ConfigError, match=message):
        Task(make_spec(objective, **changes), source())


def test_a_three_objective_task_stacks_rows_and_matches_single_objective_tasks(diabetes_data):
    seeds, step = [0, 1, 2], 5
    task = diabetes_task(diabetes_data, "parity,l1")
    assert task.n_objectives == 3
    values, grads = gradients(task, task.init_params(seeds, CPU), step)
    assert values.shape == (3, 3) and torch.isfinite(values).all()
    for k, seed in enumerate(seeds):  # row k is the single run with seed k
        single = diabetes_task(diabetes_data, "parity,l1")
        values1, grads1 = gradients(single, single.init_params([seed], CPU), step)
        torch.testing.assert_close(values[k : k + 1], values1, rtol=1e-5, atol=1e-6)
        for many, one in zip(flat(grads), flat(grads1), strict=True):
            torch.testing.assert_close(many[k : k + 1], one, rtol=1e-4, atol=1e-6)
    for column, objective in ((1, "parity"), (2, "l1")):  # each column is that task's g
        alone = diabetes_task(diabetes_data, objective)
        expected = alone.evaluate(alone.init_params(seeds, CPU), step).detach()
        torch.testing.assert_close(values[:, 0], expected[:, 0])
        torch.testing.assert_close(values[:, column], expected[:, 1])
    assert all(torch.count_nonzero(grad) == 0 for grad in grads[2][1::2])  # l1: no biases


def test_a_three_objective_report_and_description(diabetes_data):
    task = diabetes_task(diabetes_data, "parity,l1", batch_size=10_000)
    params = task.init_params([0, 1], CPU)
    full = task.evaluate(params, 0).detach().double().numpy()
    report = task.report(params)
    assert set(report) == {"objectives", "val_objectives"}
    assert all(value.shape == (2, 3) and value.dtype == np.float64 for value in report.values())
    assert all(np.isfinite(value).all() for value in report.values())
    np.testing.assert_allclose(report["objectives"], full, rtol=1e-5, atol=1e-7)
    summary = task.describe()
    json.dumps(summary)
    assert summary["objective"] == "parity,l1"
    assert summary["objectives"] == ["parity", "l1"]
    assert summary["g_units"] == ["target units", "mean |weight|"]
    assert summary["g_unit"] == "target units, mean |weight|"
    assert summary["mmd_bandwidths"] is None


def test_build_task_reads_a_builtin_dataset_with_a_list():
    task = build_task(make_task_spec(**DIABETES, objective="l1,parity,mmd,bounds"), None)
    assert task.n_objectives == 5
    values = task.evaluate(task.init_params([0], CPU), 0)
    assert values.shape == (1, 5) and torch.isfinite(values).all() and values.requires_grad
    assert task.describe()["mmd_bandwidths"] is not None


def test_sum_to_one_with_parity_is_one_vs_rest_throughout():
    data = classification_data()
    task = Task(make_spec("sum_to_one,parity,l1", batch_size=10_000), data)
    assert task.n_objectives == 4 and task.one_vs_rest
    params = task.init_params([0, 1], CPU)
    values = task.evaluate(params, 0).detach().double().numpy()
    sigmoids = task.predictions(params, "train")  # one-vs-rest probabilities
    labels, groups = task.train.targets.numpy(), task.train.groups.numpy()
    one_hot = np.eye(3)[labels][None]
    bce = -(one_hot * np.log(sigmoids) + (1 - one_hot) * np.log(1 - sigmoids))
    np.testing.assert_allclose(values[:, 0], bce.sum(2).mean(1), rtol=1e-4)
    np.testing.assert_allclose(values[:, 1], np.abs(sigmoids.sum(2) - 1).mean(1), rtol=1e-4)
    means = np.stack([sigmoids[:, groups == g].mean(1) for g in np.unique(groups)], 1)
    gaps = (means.max(1) - means.min(1)).max(1)
    np.testing.assert_allclose(values[:, 2], gaps, rtol=1e-4, atol=1e-6)
    alone = Task(make_spec("l1", batch_size=10_000), data)
    expected = alone.evaluate(alone.init_params([0, 1], CPU), 0).detach().double().numpy()
    np.testing.assert_allclose(values[:, 3], expected[:, 1], rtol=1e-6)


# ---- end to end: the engine trains a task with two constrained objectives ------------------

TWO_CONSTRAINTS = {**DIABETES, "objective": "parity,l1"}


def test_mdmm_trains_a_task_under_two_constraints():
    from moo_core import make_run_config, run

    config = make_run_config(
        None, "mdmm", epsilon=0.05, constraint="le", steps=50, device="cpu", task=TWO_CONSTRAINTS
    )
    assert config.n_objectives == 3
    result = run(config, keep_trajectory=True)
    assert result.outcome.status == "completed" and result.outcome.steps == 50
    summary = json.loads(json.dumps(result.summary()))
    final = summary["final"]
    assert len(final["objectives"]) == 3 and all(np.isfinite(final["objectives"]))
    assert len(final["lambda"]) == 2 and all(np.isfinite(final["lambda"]))
    assert set(summary["validation"]) == {"f", "g1", "g2"}
    assert all(np.isfinite(value) for value in summary["validation"].values())
    assert summary["task"]["objectives"] == ["parity", "l1"]
    for name in ("f", "g1", "g2", "lambda1", "lambda2"):
        assert np.isfinite(result.trajectory[name]).all(), name


def test_cli_runs_two_constraints_and_rejects_a_wrong_epsilon_list():
    from tests.moo_core._helpers import cli

    args = ["run", "--dataset", "diabetes", "--target", "target", "--group", "sex"]
    args += ["--objective", "parity,l1", "--method", "mdmm", "--steps", "50", "--device", "cpu"]
    done = cli(*args, "--epsilon", "0.05,0.05", "--hidden", "8")
    assert done.returncode == 0, done.stderr
    final = json.loads(done.stdout.strip().splitlines()[-1])["final"]
    assert len(final["objectives"]) == 3 and all(np.isfinite(final["objectives"]))
    bad = cli(*args, "--epsilon", "1,2,3")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "1,2,3" in bad.stderr
