"""Shared helpers for the moo_core tests."""

from __future__ import annotations

from moo_core import make_run_config, run


def run_once(problem: str, method: str, *, keep: bool = False, hp: dict | None = None, **kwargs):
    """One CPU run of `problem` × `method`; `hp` are the method's hyperparameters."""
    config = make_run_config(problem, method, device="cpu", hyperparams=hp or {}, **kwargs)
    return run(config, keep_trajectory=keep)
