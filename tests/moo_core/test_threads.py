"""The thread policy: one thread for small work, more only for large batches, overrides."""

from __future__ import annotations

import pytest
import torch

from moo_core import ConfigError, make_run_config, run
from moo_core.threads import WORK_PER_THREAD, choose, cores, parse_threads

from ._helpers import cli


def test_small_work_trains_on_one_thread(monkeypatch):
    monkeypatch.delenv("MOO_THREADS", raising=False)
    assert choose(10_000) == 1
    assert choose(WORK_PER_THREAD * 64) == cores()  # never more than the cores


def test_an_explicit_setting_overrides(monkeypatch):
    monkeypatch.setenv("MOO_THREADS", "1")
    assert choose(WORK_PER_THREAD * 64) == 1
    assert choose(10, explicit=cores()) == cores()


@pytest.mark.parametrize("bad", ["0", "257", "two", "-1"])
def test_bad_thread_counts_name_the_value(bad, monkeypatch):
    with pytest.raises(ConfigError, match=f"--threads '{bad}'"):
        parse_threads(bad)
    monkeypatch.setenv("MOO_THREADS", bad)
    with pytest.raises(ConfigError, match="MOO_THREADS"):
        choose(10)


def test_a_run_restores_the_callers_thread_count(monkeypatch):
    monkeypatch.delenv("MOO_THREADS", raising=False)
    before = torch.get_num_threads()
    seen = []
    config = make_run_config("concave", "mdmm", steps=20, device="cpu")
    run(config, on_chunk=lambda chunk: seen.append(torch.get_num_threads()))
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == before


def test_cli_refuses_zero_threads():
    done = cli("run", "--problem", "concave", "--method", "mdmm", "--threads", "0")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --threads '0' is out of range; allowed 1 to 256"
    ]


def test_more_threads_than_cores_may_be_asked_for():
    from moo_core.threads import parse_threads

    assert parse_threads(str(cores() + 2)) == cores() + 2
