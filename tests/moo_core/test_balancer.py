"""Properties of every method × m ∈ {2, 3} through the public `Balancer`; the registry decides
which methods are tested, so a new one is tested for free."""

from __future__ import annotations

import itertools

import pytest
import torch

from moo_core import METHODS, Balancer, ConfigError
from moo_core.balancer import gram_matrix, mix

K = 4
KINDS = {2: [("eq", 0.5)], 3: [("le", 0.4), ("ge", 0.3)]}
CASES = [(method, m) for method in METHODS.names() for m in (2, 3)]


def losses(m: int, seed: int = 0, rows: int = K):
    """m smooth positive objectives of stacked parameters (rows, 5), each row independent."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, 5, generator=generator, dtype=torch.float64).requires_grad_(True)
    centres = torch.randn(m, 5, generator=generator, dtype=torch.float64)
    values = torch.stack([((x - c) ** 2).sum(-1) * 0.2 + 0.1 for c in centres], -1)
    return x, values


def balancer(method: str, m: int, seed=0) -> Balancer:
    return Balancer(method, KINDS[m], seed=seed)


@pytest.mark.parametrize(("method", "m"), CASES)
def test_weights_shapes_and_finite_for_every_method(method, m):
    bal = balancer(method, m, seed=list(range(K)))
    for step in range(4):  # stateful methods keep their shapes
        x, values = losses(m, step)
        report = bal.backward(values[:, 0], [values[:, i] for i in range(1, m)], [x])
        assert report.weights.shape == (K, m)
        assert torch.isfinite(report.weights).all()
        assert report.multipliers is None or report.multipliers.shape == (K, m - 1)
        assert report.violation.shape == (K,) and (report.violation >= 0).all()
        assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.parametrize(("method", "m"), CASES)
def test_grad_is_the_weighted_sum_of_gradients(method, m):
    """`.grad` = Σᵢ wᵢ·∇Lᵢ with the reported weights, whichever path took it."""
    x, values = losses(m, 1)
    report = balancer(method, m).backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
    x2, values2 = losses(m, 1)
    grads = [torch.autograd.grad(values2[:, i].sum(), x2, retain_graph=True) for i in range(m)]
    expected = mix(report.weights, grads)[0]
    torch.testing.assert_close(x.grad, expected)


@pytest.mark.parametrize(("method", "m"), CASES)
def test_stacked_rows_equal_single_runs(method, m):
    """K stacked rows step exactly as K separate runs (row k sees only row k)."""
    stacked = balancer(method, m, seed=list(range(K)))
    singles = [balancer(method, m, seed=k) for k in range(K)]
    for step in range(3):
        x, values = losses(m, step)
        together = stacked.backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
        for k, single in enumerate(singles):
            xk, valuesk = losses(m, step)
            alone = single.backward(valuesk[k, 0], list(valuesk[k, 1:].unbind(-1)), [xk])
            torch.testing.assert_close(together.weights[k], alone.weights)
            if together.multipliers is not None:
                torch.testing.assert_close(together.multipliers[k], alone.multipliers)


@pytest.mark.parametrize(("method", "m"), CASES)
def test_state_dict_resumes_the_same_trajectory(method, m):
    first = balancer(method, m)
    for step in range(3):
        x, values = losses(m, step)
        first.backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
    resumed = balancer(method, m)
    resumed.load_state_dict(first.state_dict())
    x, values = losses(m, 9)
    a = first.backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
    x, values = losses(m, 9)
    b = resumed.backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
    torch.testing.assert_close(a.weights, b.weights)


def test_one_backward_a_step_for_gram_free_methods(monkeypatch):
    """Methods without a Gram matrix differentiate Σ wᵢ·Lᵢ once: one backward call (and m for
    the others: one per objective)."""
    calls = []
    for name in ("grad", "backward"):
        original = getattr(torch.autograd, name)
        counted = lambda *a, _f=original, **k: (calls.append(1), _f(*a, **k))[1]  # noqa: E731
        monkeypatch.setattr(torch.autograd, name, counted)
    for method in METHODS.names():
        calls.clear()
        x, values = losses(3)
        Balancer(method, KINDS[3]).backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
        assert calls == [1] * (3 if METHODS.get(method).needs_gram else 1), method


def test_unstacked_scalars_report_vectors():
    x = torch.tensor([0.3, -0.2], requires_grad=True)
    f, g1, g2 = (x**2).sum(), ((x - 1) ** 2).sum(), ((x + 1) ** 2).sum()
    report = Balancer("mdmm", [("eq", 1.0), ("le", 2.0)]).backward(f, [g1, g2], [x])
    assert report.weights.shape == (3,) and report.multipliers.shape == (2,)
    assert x.grad.shape == (2,)


def test_mgda_three_tasks_reaches_the_min_norm_point():
    """Frank–Wolfe against a fine grid on the simplex; the direction descends on every task."""
    generator = torch.Generator().manual_seed(4)
    grads = torch.randn(6, 3, 4, generator=generator, dtype=torch.float64)
    gram = grads @ grads.transpose(1, 2)
    weights = Balancer("mgda").weigh(torch.ones(6, 3, dtype=torch.float64), gram).weights
    assert torch.allclose(weights.sum(-1), torch.ones(6, dtype=torch.float64))
    grid = torch.tensor(
        [(a / 200, b / 200, 1 - (a + b) / 200) for a in range(201) for b in range(201 - a)],
        dtype=torch.float64,
    )
    for k in range(6):
        best = torch.einsum("ni,ij,nj->n", grid, gram[k], grid).min()
        reached = weights[k] @ gram[k] @ weights[k]
        assert reached <= best + 1e-9  # exact: no grid point does better
        direction = weights[k] @ grads[k]
        # a common descent direction up to Frank–Wolfe's tolerance
        assert (grads[k] @ direction >= -1e-2 * direction.norm() * grads[k].norm(dim=1)).all()


def test_pcgrad_three_tasks_equals_explicit_projections():
    """The Gram-only computation equals projecting the vectors themselves in the drawn order."""
    generator = torch.Generator().manual_seed(5)
    vectors = torch.randn(1, 3, 6, generator=generator, dtype=torch.float64)
    gram = vectors @ vectors.transpose(1, 2)
    pcgrad = Balancer("pcgrad", seed=11)
    weights = pcgrad.weigh(torch.ones(1, 3, dtype=torch.float64), gram).weights[0]
    orders = Balancer("pcgrad", seed=11)
    orders.weigh(torch.ones(1, 3, dtype=torch.float64), gram)  # build the same generator
    replay = torch.Generator().manual_seed(11)
    total = torch.zeros(6, dtype=torch.float64)
    g = vectors[0]
    for i in range(3):
        others = torch.tensor([j for j in range(3) if j != i])[torch.randperm(2, generator=replay)]
        projected = g[i].clone()
        for j in others.tolist():
            dot = projected @ g[j]
            if dot < 0:
                projected = projected - dot / (g[j] @ g[j]) * g[j]
        total += projected
    torch.testing.assert_close(weights @ g, total)


def test_gradnorm_weights_sum_to_the_task_count():
    bal = Balancer("gradnorm", lr_weights=0.5)
    for step in range(10):
        x, values = losses(3, step)
        report = bal.backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])
        torch.testing.assert_close(report.weights.sum(-1), torch.full((K,), 3.0, dtype=x.dtype))


def test_weighted_sum_splits_by_shares():
    _, values = losses(3)
    report = Balancer("weighted_sum", weight=0.4, shares="1,3").weigh(values.detach())
    expected = torch.tensor([0.6, 0.1, 0.3], dtype=values.dtype).expand(K, 3)
    torch.testing.assert_close(report.weights, expected)


def test_gram_matrix_is_symmetric_and_per_row():
    x, values = losses(3)
    grads = [torch.autograd.grad(values[:, i].sum(), x, retain_graph=True) for i in range(3)]
    gram = gram_matrix(grads)
    assert gram.shape == (K, 3, 3)
    torch.testing.assert_close(gram, gram.transpose(1, 2))
    for k, i, j in itertools.product(range(K), range(3), range(3)):
        torch.testing.assert_close(gram[k, i, j], grads[i][0][k] @ grads[j][0][k])


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        ([("eq", 0.5)], "1 constraint(s) for 2 other objective(s)"),
        ([("eq", 0.5), ("lt", 0.1)], "'lt' is not allowed"),
        ([("eq", "x"), ("le", 0.1)], "'x' is not a number"),
        ([("eq",), ("le", 0.1)], "must be a (kind, epsilon) pair"),
    ],
)
def test_bad_constraints_name_the_value(constraints, message):
    x, values = losses(3)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Balancer("mdmm", constraints).backward(values[:, 0], list(values[:, 1:].unbind(-1)), [x])


def test_bad_hyperparameters_name_the_value():
    with pytest.raises(ConfigError, match="unknown hyperparameter 'dampng'"):
        Balancer("mdmm", [("eq", 0.5)], dampng=1.0)
    with pytest.raises(ConfigError, match="damping=-1"):
        Balancer("mdmm", [("eq", 0.5)], damping=-1)
