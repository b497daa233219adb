"""Shared helpers for the moo_core tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from moo_core import make_run_config, run

ROOT = Path(__file__).resolve().parents[2]


def run_once(problem: str, method: str, *, keep: bool = False, hp: dict | None = None, **kwargs):
    """One CPU run of `problem` × `method`; `hp` are the method's hyperparameters."""
    config = make_run_config(problem, method, device="cpu", hyperparams=hp or {}, **kwargs)
    return run(config, keep_trajectory=keep)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "moo_core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
