"""`Balancer` in a user's own loop: what it accepts, what it refuses (saying what to do
instead), what its report holds and how its learned state reaches the user's optimizer."""

from __future__ import annotations

import pytest
import torch

from moo_core import METHODS, Balancer, ConfigError


def model_and_losses(tasks: int = 3, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, tasks))
    x = torch.randn(32, 4, generator=generator)
    y = torch.randn(32, tasks, generator=generator)
    per_sample = (model(x) - y) ** 2  # (32, tasks)
    return model, per_sample


def test_a_positional_number_is_refused_naming_the_keyword():
    with pytest.raises(ConfigError, match=r"second argument is `constraints`.*c=0\.5"):
        Balancer("cagrad", 0.5)
    assert Balancer("cagrad", c=0.5).settings["c"] == 0.5


@pytest.mark.parametrize("name", ["lr", "optimizer"])
def test_the_training_loops_settings_are_refused(name):
    with pytest.raises(ConfigError, match=f"{name}=.*your optimizer has it.*damping"):
        Balancer("mdmm", [("le", 0.1)], **{name: "adam" if name == "optimizer" else 0.1})
    engine = Balancer.configured("mdmm", [("le", 0.1)], optimizer="adam", lr=0.1)
    assert engine.settings["optimizer"] == "adam" and engine.settings["lr"] == 0.1


def test_others_as_a_tensor_equal_others_as_a_sequence():
    grads = []
    for as_tensor in (False, True):
        torch.manual_seed(0)
        model, per_sample = model_and_losses()
        losses = per_sample.mean(0)
        others = losses[1:] if as_tensor else list(losses[1:])
        Balancer("mgda").backward(losses[0], others, model.parameters())
        grads.append([p.grad.clone() for p in model.parameters()])
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b)
    model, per_sample = model_and_losses(2)
    losses = per_sample.mean(0)
    report = Balancer("pcgrad").backward(losses[0], losses[1], model.parameters())  # 0-d
    assert report.weights.shape == (2,)


def test_per_sample_losses_are_refused_naming_the_shape_and_the_fix():
    model, per_sample = model_and_losses()
    with pytest.raises(ConfigError, match=r"shape \(32,\).*reduce per-sample losses.*mean"):
        Balancer("mgda").backward(per_sample[:, 0], list(per_sample[:, 1:].T), model.parameters())
    with pytest.raises(ConfigError, match=r"shape \(32,\)"):
        losses = per_sample.mean(0)
        Balancer("mgda").backward(losses[0], [per_sample[:, 1]], model.parameters())


def test_no_trainable_parameter_is_refused():
    x = torch.tensor([1.0])  # no requires_grad
    with pytest.raises(ConfigError, match="no tensor that requires grad"):
        Balancer("mgda").backward(x.sum(), [x.sum()], [x])


def test_report_multipliers_are_lagrange_multipliers_only():
    """Task weights in `weights`; `multipliers` only for the multiplier methods; `columns`
    keeps what the lab records in its multiplier columns (the weights on the others)."""
    for method in METHODS.names():
        model, per_sample = model_and_losses(3)
        losses = per_sample.mean(0)
        balancer = Balancer(method, [("le", 0.1), ("le", 0.2)])
        report = balancer.backward(losses[0], losses[1:], model.parameters())
        lagrangian = METHODS.get(method).lagrangian
        assert (report.multipliers is not None) == lagrangian, method
        if report.columns is not None and not lagrangian:
            torch.testing.assert_close(report.columns, report.weights[1:])
    assert {m for m in METHODS.names() if METHODS.get(m).lagrangian} == {
        "bdmm", "mdmm", "augmented_lagrangian", "nupi"
    }  # fmt: skip


def test_parameters_hand_lambda_to_the_optimizer_as_an_ascent():
    """λ's .grad is −(g − ε): a descent step of the optimizer raises λ where g > ε; λ is
    projected onto λ ≥ 0 for an inequality before it is used."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    balancer = Balancer("mdmm", [("le", 1.0)], damping=0.0)
    (lam,) = balancer.parameters()
    optimizer = torch.optim.SGD([x, lam], lr=0.5)
    g = (x**2).sum()  # 5 > 1: violated
    report = balancer.backward(x.sum(), [g], [x])
    assert lam.shape == (1,) and lam.grad.tolist() == [-4.0]
    optimizer.step()
    assert lam.tolist() == [2.0] and report.multipliers.tolist() == [0.0]
    optimizer.zero_grad()
    lam.data.fill_(-3.0)  # as an optimizer's overshoot would leave it
    report = balancer.backward(x.sum(), [(x**2).sum() * 0.0], [x])  # holds: g = 0 < 1
    assert lam.tolist() == [0.0] and report.multipliers.tolist() == [0.0]
    assert lam.grad.tolist() == [0.0]  # at the bound and pushed below: no ascent


def test_parameters_refuse_a_rate_they_make_useless_and_the_slack_needs_them():
    with pytest.raises(ConfigError, match="lr_lambda does nothing"):
        Balancer("mdmm", [("le", 0.1)], lr_lambda=0.1).parameters()
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(ConfigError, match=r"slack.*balancer.parameters\(\)"):
        Balancer("mdmm", [("le", 0.1)], inequality="slack").backward(x.sum(), [x.sum()], [x])
    assert list(Balancer("augmented_lagrangian", [("le", 0.1)]).parameters()) == []
    assert list(Balancer("mgda").parameters()) == []


def test_checkpoint_restores_lambda_into_the_handed_parameters():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    first = Balancer("mdmm", [("eq", 1.0)])
    optimizer = torch.optim.Adam([x, *first.parameters()], lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        first.backward(x.sum(), [(x**2).sum()], [x])
        optimizer.step()
    saved = first.state_dict()
    second = Balancer("mdmm", [("eq", 1.0)])
    (lam,) = second.parameters()
    second.load_state_dict(saved)
    second.backward(x.sum(), [(x**2).sum()], [x])
    torch.testing.assert_close(lam.detach(), saved["lambda"][0])
