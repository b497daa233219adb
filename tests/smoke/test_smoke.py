"""The smoke set: what a new user does first, on whichever Python runs it.

`make test` runs the whole suite on the default Python and this file again in a venv of each
other CPython the machine has (`make pythons`: 3.12 and 3.13 here; tests/smoke/pythons.sh):
the CLI's run and sweep, a worker submit → serve → completed round trip, the README's library
example, and the Lab page through AppTest.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def python(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def last_json(done: subprocess.CompletedProcess) -> dict:
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cli_run():
    done = python("-m", "moo_core", "run", "--problem", "concave", "--method", "mdmm",
                  "--epsilon", "0.6", "--steps", "300")  # fmt: skip
    summary = last_json(done)
    assert summary["status"] == "completed" and summary["steps"] == 300
    assert all(math.isfinite(v) for v in summary["final"]["objectives"])


def test_cli_sweep():
    done = python("-m", "moo_core", "sweep", "--problem", "concave", "--method", "mdmm",
                  "--over", "epsilon=0.2:0.8:4", "--steps", "300")  # fmt: skip
    summary = last_json(done)
    assert [point["epsilon"] for point in summary["points"]] == [0.2, 0.4, 0.6, 0.8]
    assert summary["hypervolume"] > 0


def test_worker_round_trip(tmp_path):
    env = {"MOO_DATABASE_URL": f"sqlite:///{tmp_path / 'smoke.db'}"}
    submitted = python("-m", "worker", "submit", "--problem", "concave", "--method", "mdmm",
                       "--epsilon", "0.6", "--steps", "200", env=env)  # fmt: skip
    run_id = last_json(submitted)["run_id"]
    python("-m", "worker", "serve", "--exit-when-idle", env=env, timeout=300)
    status = last_json(python("-m", "worker", "status", str(run_id), env=env))
    assert status["status"] == "completed"
    assert status["steps_stored"] == 200
    assert status["device"] == "cpu" and status["device_reason"].startswith("auto → cpu")


def test_readme_library_example(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use it in your own training loop", 1)[1]
    script = tmp_path / "own_loop.py"
    script.write_text(re.search(r"```python\n(.*?)```", section, re.S).group(1))
    done = python(str(script))
    numbers = {k: float(v) for k, v in re.findall(r"(loss|\|w\||gap) ([0-9.]+)", done.stdout)}
    assert set(numbers) == {"loss", "|w|", "gap"}
    assert numbers["|w|"] < 0.2 and numbers["gap"] < 0.6  # near their bounds 0.15 and 0.5


def test_lab_page_queues_a_run(db_url):
    from streamlit.testing.v1 import AppTest

    import storage

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/lab.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    launch = next(b for b in at.button if b.label == "Launch")
    launch.click().run()
    assert not at.exception, [e.value for e in at.exception]
    engine = storage.make_engine()
    runs = storage.list_runs(engine)
    assert len(runs) == 1 and runs[0].config["method"] == "mdmm"
