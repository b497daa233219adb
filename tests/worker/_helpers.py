"""The `python -m worker` CLI as the worker tests call it (the `db` fixture is in conftest)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def last_json(done: subprocess.CompletedProcess):
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_worker(*args: str, stdout=subprocess.PIPE, stderr=subprocess.PIPE) -> subprocess.Popen:
    """`python -m worker serve --poll 0.05 ARGS` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.05", *args],
        cwd=ROOT,
        stdout=stdout,
        stderr=stderr,
        text=True,
    )


def wait_for(predicate, timeout: float = 60.0, every: float = 0.05):
    """predicate()'s first truthy value, polled every `every` s for up to `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not reached in time")
