"""The one-loop redesign (issue 22) keeps every result: seeded runs of every method × problem,
tasks, sweeps and races end with the same final values and verdicts, bit for bit, as the code
before it (tests/moo_core/pinned.py wrote fixtures/pinned.json from that code)."""

from __future__ import annotations

import json

import pytest

from . import pinned

EXPECTED = json.loads(pinned.FIXTURE.read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED["runs"]))
def test_run(name):
    from moo_core import run

    got = pinned._clean(run(pinned.config(pinned.run_cases()[name]), threads=1).summary())
    assert got == EXPECTED["runs"][name]


@pytest.mark.parametrize("name", sorted(EXPECTED["sweeps"]))
def test_sweep(name):
    from moo_core import make_sweep_config, sweep

    kwargs, (over, start, stop, count) = pinned.sweep_cases()[name]
    swept = make_sweep_config(pinned.config(kwargs), over, start, stop, count)
    assert pinned._clean(sweep(swept, threads=1).summary()) == EXPECTED["sweeps"][name]


@pytest.mark.parametrize("name", sorted(EXPECTED["races"]))
def test_race(name):
    from moo_core import race

    configs = [pinned.config(kwargs) for kwargs in pinned.race_cases()[name]]
    got = [pinned._clean(result.summary()) for result in race(configs, threads=1)]
    assert got == EXPECTED["races"][name]


def test_the_cases_cover_every_method_and_problem():
    from moo_core import METHODS, PROBLEMS

    cases = pinned.run_cases().values()
    assert {c["method"] for c in cases} == set(METHODS.names())
    assert {c["problem"] for c in cases} - {None} == set(PROBLEMS.names())
