"""The MLP task: stacked rows equal single runs, objectives match formulas, bad specs fail."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from moo_core.data._prepared import Prepared
from moo_core.registry import ConfigError
from moo_core.tasks import Task, TaskSpec, check_task
from moo_core.tasks._kernels import gaussian_kernel_mean
from moo_core.tasks._objectives import mmd_squared

CPU = torch.device("cpu")
BANDWIDTHS = (0.1, 0.2, 0.5, 1.0, 2.0)


def regression_data(rows: int = 120, groups: int = 2, seed: int = 0) -> Prepared:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    target = features @ [2.0, 0.3, -5.0] + 50.0 + rng.normal(0.0, 0.5, rows)
    return Prepared(
        name="synthetic",
        features=features,
        feature_names=("a", "b", "c"),
        target=target,
        target_name="y",
        groups=np.arange(rows) % groups,
        group_names=tuple(f"g{i}" for i in range(groups)),
    )


def classification_data(rows: int = 90, classes: int = 3, seed: int = 1) -> Prepared:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 4))
    target = np.argmax(features @ rng.normal(size=(4, classes)), axis=1).astype(np.int64)
    return Prepared(
        name="synthetic",
        features=features,
        feature_names=("a", "b", "c", "d"),
        target=target,
        target_name="label",
        classes=tuple(f"c{i}" for i in range(classes)),
        groups=np.arange(rows) % 3,
        group_names=("x", "y", "z"),
    )


def make_spec(objective: str, **changes) -> TaskSpec:
    spec = TaskSpec(dataset="synthetic", target="y", objective=objective, group="grp")
    return replace(spec, **{"hidden": (8, 8), "batch_size": 16, **changes})


CASES = {
    "l1-mse": ("l1", regression_data, {}),
    "l1-linear": ("l1", regression_data, {"hidden": ()}),
    "l1-ce": ("l1", classification_data, {}),
    "bounds-huber": ("bounds", regression_data, {"loss": "huber", "bounds": (45.0, 52.0)}),
    "mmd-mse": ("mmd", regression_data, {}),
    "parity-mse": ("parity", regression_data, {}),
    "parity-ce": ("parity", classification_data, {}),
    "sum_to_one-ce": ("sum_to_one", classification_data, {}),
}


def build(case: str, **changes) -> Task:
    objective, data, extra = CASES[case]
    return Task(make_spec(objective, **{**extra, **changes}), data())


def gradients(task: Task, params, step: int):
    """Values (K, m) and each objective's gradients (unused tensors as zeros)."""
    values = task.evaluate(params, step)
    grads = [
        list(torch.autograd.grad(column.sum(), params, retain_graph=True, materialize_grads=True))
        for column in values.unbind(1)
    ]
    return values.detach(), grads


def flat(grads: list[list[torch.Tensor]]) -> list[torch.Tensor]:
    return [grad for column in grads for grad in column]


@pytest.mark.parametrize("case", CASES)
def test_stacked_rows_equal_single_runs(case):
    seeds, step = [0, 1, 2], 7
    stacked = build(case)
    values, grads = gradients(stacked, stacked.init_params(seeds, CPU), step)
    assert values.shape == (3, 2)
    for k, seed in enumerate(seeds):
        single = build(case)
        values1, grads1 = gradients(single, single.init_params([seed], CPU), step)
        torch.testing.assert_close(values[k : k + 1], values1, rtol=1e-5, atol=1e-6)
        for many, one in zip(flat(grads), flat(grads1), strict=True):
            torch.testing.assert_close(many[k : k + 1], one, rtol=1e-4, atol=1e-6)


def test_init_is_deterministic_and_seeded():
    task = build("l1-mse")
    first, again = task.init_params([3, 4], CPU), task.init_params([3, 4], CPU)
    other = task.init_params([5], CPU)
    shapes = [(2, 3, 8), (2, 1, 8), (2, 8, 8), (2, 1, 8), (2, 8, 1), (2, 1, 1)]
    assert [tuple(p.shape) for p in first] == shapes
    for a, b, c in zip(first, again, other, strict=True):
        assert torch.equal(a, b) and a.requires_grad
        assert not torch.equal(a[0], c[0])
    fan_ins = (3, 3, 8, 8, 8, 8)  # torch.nn.Linear's default range ±1/√fan_in
    assert all(
        float(p.detach().abs().max()) <= 1 / np.sqrt(n) for p, n in zip(first, fan_ins, strict=True)
    )


def test_batches_walk_an_epoch_and_full_batch_uses_all_rows():
    task = build("l1-mse")  # 96 training rows, batches of 16 → 6 per epoch
    assert task.train.count == 96 and task.validation.count == 24
    epoch = torch.cat([task.batch(step).targets for step in range(6)])
    assert torch.equal(epoch.sort().values, task.train.targets.sort().values)
    assert torch.equal(task.batch(3).targets, task.batch(3).targets)
    assert not torch.equal(task.batch(0).targets, task.batch(6).targets)
    whole = build("l1-mse", batch_size=1000)
    assert torch.equal(whole.batch(5).targets, whole.train.targets)


def full_batch(case: str, seeds=(0, 1), **changes):
    task = build(case, batch_size=10_000, **changes)
    params = task.init_params(list(seeds), CPU)
    f, g = task.evaluate(params, 0).detach().double().numpy().T
    return task, params, f, g, task.predictions(params, "train")


def group_means(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    return np.stack([values[:, groups == code].mean(1) for code in np.unique(groups)], 1)


def test_regression_losses_and_parity_match_formulas():
    task, _, f, g, predictions = full_batch("parity-mse")
    targets, groups = task.train.targets.numpy(), task.train.groups.numpy()
    np.testing.assert_allclose(f, ((predictions - targets) ** 2).mean(1), rtol=1e-4)
    means = group_means(predictions, groups)
    np.testing.assert_allclose(g, np.abs(means[:, 0] - means[:, 1]), rtol=1e-4, atol=1e-5)
    assert np.all(g > 0)


def test_huber_and_bounds_match_formulas():
    task, _, f, g, predictions = full_batch("bounds-huber")
    targets, delta = task.train.targets.numpy(), task.target_std
    residual = np.abs(predictions - targets)
    huber = np.where(residual <= delta, 0.5 * residual**2, delta * (residual - 0.5 * delta))
    np.testing.assert_allclose(f, huber.mean(1), rtol=1e-4)
    low, high = task.output_range
    violation = np.maximum(predictions - high, 0) + np.maximum(low - predictions, 0)
    np.testing.assert_allclose(g, violation.mean(1), rtol=1e-4, atol=1e-6)
    assert np.all(g > 0)
    default = build("bounds-huber", bounds=None)
    trained = default.train.targets.numpy()
    assert default.output_range == pytest.approx((trained.min(), trained.max()))


def test_classification_losses_and_parity_match_formulas():
    task, _, f, g, probabilities = full_batch("parity-ce")
    labels, groups = task.train.targets.numpy(), task.train.groups.numpy()
    picked = np.take_along_axis(probabilities, labels[None, :, None], axis=2)[..., 0]
    np.testing.assert_allclose(f, -np.log(picked).mean(1), rtol=1e-4)
    per_class = [group_means(probabilities[..., c], groups) for c in range(3)]
    gaps = np.stack([means.max(1) - means.min(1) for means in per_class], 1).max(1)
    np.testing.assert_allclose(g, gaps, rtol=1e-4, atol=1e-6)


def test_sum_to_one_matches_formula():
    task, _, f, g, sigmoids = full_batch("sum_to_one-ce")
    labels = task.train.targets.numpy()
    one_hot = np.eye(3)[labels][None]
    bce = -(one_hot * np.log(sigmoids) + (1 - one_hot) * np.log(1 - sigmoids))
    np.testing.assert_allclose(f, bce.sum(2).mean(1), rtol=1e-4)
    np.testing.assert_allclose(g, np.abs(sigmoids.sum(2) - 1).mean(1), rtol=1e-4)


def test_l1_is_mean_absolute_weight_and_ignores_biases():
    task, params, _, g, _ = full_batch("l1-mse")
    weights = [p.detach().numpy() for p in params[0::2]]
    expected = sum(np.abs(w).sum((1, 2)) for w in weights) / sum(w[0].size for w in weights)
    np.testing.assert_allclose(g, expected, rtol=1e-5)
    _, (_, grads_g) = gradients(task, params, 0)
    assert all(torch.count_nonzero(grad) == 0 for grad in grads_g[1::2])


def numpy_mmd_squared(x: np.ndarray, y: np.ndarray) -> float:
    def kernel_mean(a, b):
        squared = (a[:, None] - b[None, :]) ** 2
        return sum(np.exp(-squared / (2 * s**2)) for s in BANDWIDTHS).mean()

    return kernel_mean(x, x) + kernel_mean(y, y) - 2 * kernel_mean(x, y)


def test_mmd_is_zero_for_identical_samples_and_grows_with_shift():
    sample = torch.randn(200, 1, generator=torch.Generator().manual_seed(0))
    stacked = torch.stack([sample, sample + 0.5, sample + 2.0])
    values = mmd_squared(stacked, sample)
    assert abs(float(values[0])) < 1e-6
    assert 0 < float(values[1]) < float(values[2])
    expected = numpy_mmd_squared(sample.numpy()[:, 0] + 0.5, sample.numpy()[:, 0])
    assert float(values[1]) == pytest.approx(expected, rel=1e-4)


def test_kernel_mean_value_and_hand_written_gradient():
    generator = torch.Generator().manual_seed(0)
    left = torch.randn(3, 7, 2, generator=generator, dtype=torch.float64, requires_grad=True)
    right = torch.randn(5, 2, generator=generator, dtype=torch.float64, requires_grad=True)
    squared = (left.unsqueeze(-2) - right.unsqueeze(-3)).square().sum(-1)
    expected = sum(torch.exp(-squared / (2 * s**2)) for s in BANDWIDTHS).mean((-2, -1))
    torch.testing.assert_close(gaussian_kernel_mean(left, right, BANDWIDTHS), expected)
    for pair in ((left, right), (left, left)):  # (left, left) is MMD's within-sample term
        assert torch.autograd.gradcheck(lambda a, b: gaussian_kernel_mean(a, b, BANDWIDTHS), pair)


def test_task_mmd_compares_standardised_predictions_with_targets():
    task, _, _, g, predictions = full_batch("mmd-mse")
    scaled_targets = (task.train.targets.numpy() - task.target_mean) / task.target_std
    scaled = (predictions - task.target_mean) / task.target_std
    expected = [numpy_mmd_squared(row, scaled_targets) for row in scaled]
    np.testing.assert_allclose(g, expected, rtol=1e-3, atol=1e-6)


def test_values_are_in_data_units():
    base, scaled = regression_data(), regression_data()
    scaled = replace(scaled, target=scaled.target * 10.0)
    for loss, objective, power in (("mse", "mmd", 0), ("huber", "parity", 1)):
        spec = make_spec(objective, loss=loss)
        values = []
        for data in (base, scaled):
            task = Task(spec, data)
            f, g = task.evaluate(task.init_params([0], CPU), 4)[0]
            values.append((f.item(), g.item()))
        assert values[1][0] == pytest.approx(100 * values[0][0], rel=1e-4)
        assert values[1][1] == pytest.approx(10**power * values[0][1], rel=1e-3, abs=1e-6)


@pytest.mark.parametrize("case", ["parity-ce", "mmd-mse"])
def test_report_matches_full_batch_and_describe_is_json(case):
    task, params, f, g, _ = full_batch(case)
    report = task.report(params)
    assert set(report) == {"objectives", "val_objectives"}
    np.testing.assert_allclose(report["objectives"][:, 0], f, rtol=1e-5)
    np.testing.assert_allclose(report["objectives"][:, 1], g, rtol=1e-5)
    assert all(value.shape == (2, 2) and np.isfinite(value).all() for value in report.values())
    assert all(value.dtype == np.float64 for value in report.values())
    summary = task.describe()
    json.dumps(summary)
    assert summary["objective"] == task.spec.objective
    assert summary["objectives"] == [task.spec.objective]
    assert summary["g_units"] == [summary["g_unit"]]
    assert summary["rows_validation"] == task.validation.count > 0


def test_gradient_descent_lowers_the_loss():
    task = build("l1-mse", hidden=(16,), batch_size=32)
    params = task.init_params([0, 1], CPU)
    before = task.report(params)
    for step in range(200):
        _, (grads_f, _) = gradients(task, params, step)
        with torch.no_grad():
            for param, grad in zip(params, grads_f, strict=True):
                param -= 0.002 * grad
    after = task.report(params)
    assert all(value.shape == (2, 2) and np.isfinite(value).all() for value in after.values())
    assert np.all(after["objectives"][:, 0] < 0.1 * before["objectives"][:, 0])
    assert np.all(after["val_objectives"][:, 0] < 0.1 * before["val_objectives"][:, 0])


BAD_SPECS = [
    ("l1", regression_data, {"loss": "ce"}, "loss 'ce' needs a categorical target"),
    ("l1", classification_data, {"loss": "mse"}, "loss 'mse' needs a numeric target"),
    ("l1", classification_data, {"loss": "huber"}, "loss 'huber' needs a numeric target"),
    ("sum_to_one", regression_data, {}, "'sum_to_one' needs loss 'ce'"),
    ("mmd", classification_data, {}, "'mmd' needs a numeric target"),
    ("bounds", classification_data, {}, "'bounds' needs a numeric target"),
    ("parity", regression_data, {"group": None}, "'parity' needs a group column"),
    ("parity", lambda: regression_data(groups=1), {}, "group column 'grp' has one value"),
    ("l1", regression_data, {"validation": 0.001}, "leaves 0 for validation"),
    ("l1", regression_data, {"validation": 0.999}, "and 0 for training"),
    ("l1", regression_data, {"validation": 0.0}, "between 0 and 1"),
    ("l1", regression_data, {"hidden": (0,)}, "hidden width 0"),
    ("l1", regression_data, {"hidden": (5000,)}, "hidden width 5000"),
    ("l1", regression_data, {"hidden": (4,) * 9}, "hidden has 9 layers"),
    ("l1", regression_data, {"batch_size": 0}, "batch_size 0"),
    ("lasso", regression_data, {}, "objective 'lasso' is unknown"),
    ("l1", regression_data, {"loss": "mae"}, "loss 'mae' is unknown"),
    ("l1", lambda: classification_data(classes=1), {}, "has one class"),
    ("bounds", regression_data, {"bounds": (3.0, 1.0)}, "low ≤ high"),
]


@pytest.mark.parametrize(("objective", "data", "changes", "message"), BAD_SPECS)
def test_incompatible_specs_raise_config_error(objective, data, changes, message):
    with pytest.raises(ConfigError, match=message):
        Task(make_spec(objective, **changes), data())


def test_check_task_returns_the_resolved_loss():
    assert check_task(make_spec("l1"), regression_data()) == "mse"
    assert check_task(make_spec("l1"), classification_data()) == "ce"
    assert check_task(make_spec("bounds", loss="huber"), regression_data()) == "huber"
