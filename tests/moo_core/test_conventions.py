"""The conventions the reference codes differ on, each against a reference computation:
CAGrad's `rescale` (0, 1, 2) against LibMTL 1.1.5's CAGrad (the paper's code, SciPy's SLSQP),
PCGrad's `reduction` against LibMTL's PCGrad (sum) and the projections written out (mean)."""

from __future__ import annotations

import importlib
import importlib.util
import random
import sys
import types

import pytest
import torch

from moo_core import Balancer


@pytest.fixture(scope="module")
def libmtl_weighting():
    """LibMTL's weighting classes, imported without the package's __init__ (it imports
    torchvision, not installed here), each driven on a given task-gradient matrix."""
    spec = importlib.util.find_spec("LibMTL")
    package = types.ModuleType("LibMTL")
    package.__path__ = list(spec.submodule_search_locations)
    saved = sys.modules.get("LibMTL")
    sys.modules["LibMTL"] = package
    try:
        classes = {
            name: importlib.import_module(f"LibMTL.weighting.{name}").__dict__[name]
            for name in ("CAGrad", "PCGrad")
        }
    finally:
        if saved is None:
            sys.modules.pop("LibMTL")
        else:
            sys.modules["LibMTL"] = saved

    def direction(name: str, jacobian: torch.Tensor, **kwargs) -> torch.Tensor:
        class Driven(classes[name]):
            def _compute_grad_dim(self):
                pass

            def _compute_grad(self, losses, mode, rep_grad=False):
                return jacobian.clone()

            def _reset_grad(self, new_grads):
                self.direction = new_grads

        weighting = Driven()
        weighting.task_num, weighting.device, weighting.rep_grad = jacobian.shape[0], "cpu", False
        weighting.backward([None] * jacobian.shape[0], **kwargs)
        return weighting.direction

    return direction


def jacobians(m: int, count: int = 6):
    generator = torch.Generator().manual_seed(m)
    for _ in range(count):
        jacobian = torch.randn(m, 7, generator=generator, dtype=torch.float64)
        yield jacobian * torch.rand(m, 1, generator=generator, dtype=torch.float64).mul(3).add(0.2)


def ours(method: str, jacobian: torch.Tensor, **hyperparameters) -> torch.Tensor:
    gram = (jacobian @ jacobian.T).unsqueeze(0)
    values = torch.ones(1, jacobian.shape[0], dtype=jacobian.dtype)
    weights = Balancer(method, **hyperparameters).weigh(values, gram).weights[0]
    return weights @ jacobian


@pytest.mark.parametrize("rescale", [0, 1, 2])
@pytest.mark.parametrize("c", [0.4, 1.5])
def test_cagrad_rescale_matches_libmtl(libmtl_weighting, rescale, c):
    """LibMTL's CAGrad solves with SLSQP (and writes its objective for three tasks only);
    its directions agree with the exact ones to SLSQP's precision."""
    worst = []
    for jacobian in jacobians(3):
        reference = libmtl_weighting("CAGrad", jacobian.float(), calpha=c, rescale=rescale)
        mine = ours("cagrad", jacobian, c=c, rescale=rescale)
        error = (mine - reference.double()).norm() / reference.norm()
        worst.append(float(error))
    assert max(worst) < 1e-3, worst  # measured ≤ 9e-5 (SLSQP's tolerance, float32)


def test_cagrad_rescale_divides_the_step():
    for jacobian in jacobians(4, 2):
        plain = ours("cagrad", jacobian, c=0.5)
        torch.testing.assert_close(ours("cagrad", jacobian, c=0.5, rescale=1), plain / 1.25)
        torch.testing.assert_close(ours("cagrad", jacobian, c=0.5, rescale=2), plain / 1.5)


def test_pcgrad_sum_matches_libmtl_for_two_tasks(libmtl_weighting):
    """Two tasks: no order to draw, so LibMTL's random order cannot matter."""
    for jacobian in jacobians(2, 12):
        reference = libmtl_weighting("PCGrad", jacobian.float()).double()
        torch.testing.assert_close(ours("pcgrad", jacobian), reference, rtol=1e-5, atol=1e-6)


def test_pcgrad_sum_matches_libmtl_with_its_draws_replayed(libmtl_weighting):
    """Three tasks: LibMTL shuffles with Python's `random`; the same order by projections
    written out, summed as LibMTL sums, and averaged for `reduction=mean`."""
    for jacobian in jacobians(3):
        random.seed(7)
        reference = libmtl_weighting("PCGrad", jacobian.float()).double()
        random.seed(7)
        projected = []
        for i in range(3):
            order = list(range(3))
            random.shuffle(order)
            g = jacobian[i].clone()
            for j in order:
                dot = g @ jacobian[j]
                if dot < 0:
                    g = g - dot / (jacobian[j] @ jacobian[j]) * jacobian[j]
            projected.append(g)
        written_out = torch.stack(projected)
        torch.testing.assert_close(written_out.sum(0), reference, rtol=1e-5, atol=1e-6)
        gram = (jacobian @ jacobian.T).unsqueeze(0)
        values = torch.ones(1, 3, dtype=jacobian.dtype)
        summed = Balancer("pcgrad", seed=3).weigh(values, gram).weights[0]
        mean = Balancer("pcgrad", seed=3, reduction="mean").weigh(values, gram).weights[0]
        torch.testing.assert_close(mean, summed / 3)  # the same draws, averaged


def test_pcgrad_mean_is_the_average_of_the_projections():
    for jacobian in jacobians(2, 6):
        g1, g2 = jacobian
        dot = g1 @ g2
        p1 = g1 - min(dot, 0) / (g2 @ g2) * g2
        p2 = g2 - min(dot, 0) / (g1 @ g1) * g1
        torch.testing.assert_close(ours("pcgrad", jacobian, reduction="mean"), (p1 + p2) / 2)
