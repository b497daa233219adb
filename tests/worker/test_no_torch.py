"""Commands that only queue, list or read runs never load torch (about 1.6 s here): storage
validates configs with the torch-free declarations alone (moo_core.methods._specs and
moo_core.problems._specs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import storage

from ._helpers import ROOT

TORCH_MODULE = re.compile(r"\|\s+torch(\.|\s*$)", re.M)


def imports(*args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run `python -X importtime -m worker ARGS`; the torch modules it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done, [line for line in done.stderr.splitlines() if TORCH_MODULE.search(line)]


@pytest.fixture
def stored_run(db, tmp_path):
    """A queued toy run with a few stored steps (written without training)."""
    done, loaded = imports(
        "submit", "--problem", "dtlz2", "--method", "mdmm", "--epsilon", "0.5,0.4"
    )
    assert loaded == [], "submit loaded torch"
    run_id = json.loads(done.stdout.strip().splitlines()[-1])["run_id"]
    columns = {name: np.linspace(0.0, 1.0, 5) for name in ("f", "g1", "g2", "violation")}
    columns |= {"lambda1": np.zeros(5), "lambda2": np.zeros(5), "grad_cos": np.ones(5)}
    storage.append_metrics(db, run_id, 0, columns)
    return run_id


@pytest.mark.parametrize("command", ["list", "status", "export", "cancel"])
def test_reading_commands_do_not_load_torch(stored_run, command, tmp_path):
    args = {
        "list": ["list"],
        "status": ["status", str(stored_run)],
        "export": ["export", str(stored_run), "--out", str(tmp_path / "run.csv")],
        "cancel": ["cancel", str(stored_run)],
    }[command]
    _, loaded = imports(*args)
    assert loaded == [], f"{command} loaded torch: {loaded[:3]}"
    if command == "export":
        header = (tmp_path / "run.csv").read_text().splitlines()[0]
        assert header == "step,f,g1,g2,lambda1,lambda2,violation,grad_cos"


def test_training_still_loads_torch(db):
    """The guard is not vacuous: a worker that trains does import it."""
    imports("submit", "--problem", "concave", "--method", "mdmm", "--steps", "5")
    _, loaded = imports("serve", "--exit-when-idle")
    assert loaded
