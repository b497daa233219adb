import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e._browser import CHROMIUM, ROOT, free_port, wait_http


@pytest.fixture
def server(tmp_path):
    """A fresh Streamlit server and one worker on a new SQLite database: (base URL, db URL)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    env = {**os.environ, "MOO_DATABASE_URL": url, "MOO_EXTERNAL_WORKERS": "1"}
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        ),
        subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        ),
    ]  # fmt: skip
    try:
        wait_http(port, procs[1])
        yield f"http://127.0.0.1:{port}", url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
