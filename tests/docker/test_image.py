"""The built `moolab` image, run for real (`make docker-test`; skipped by a plain pytest).

One container, as the README starts it (named volume on /app/data, port 8501 published,
here on a free local port), goes through the checks in order: size and CPU torch, health,
non-root, a run submitted with `docker exec` that completes while no browser ever opens
the app, the first page, a restart and a re-created container that keep the data, and the
README's reset-db command. Times are written to $MOO_DOCKER_LOG_DIR/measured.json.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from pathlib import Path

import pytest

from tests.docker.engine import (
    IMAGE,
    docker,
    exec_json,
    host_port,
    http_get,
    remove,
    wait_healthy,
    wait_run,
)

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
NAME = "moolab-test"  # not the README's `moolab`: never touch a user's own container
VOLUME = "moolab-test-data"
LOG_DIR = Path(os.environ.get("MOO_DOCKER_LOG_DIR", "/tmp/moolab-docker"))
MAX_BYTES = 2_500_000_000
SUBMIT = ["python", "-m", "worker", "submit", "--problem", "concave", "--method", "mdmm"]
SUBMIT += ["--epsilon", "0.6", "--steps", "300", "--seed", "1"]

measured: dict[str, float | int | str] = {}


def record(**values) -> None:
    measured.update(values)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / "measured.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(old | measured, indent=1))


def start_container() -> float:
    docker("run", "-d", "--name", NAME, "-p", "127.0.0.1::8501", "-v", f"{VOLUME}:/app/data", IMAGE)
    return time.monotonic()


@pytest.fixture(scope="module")
def container():
    docker("image", "inspect", IMAGE)  # fails loudly when the image was not built
    remove(NAME, volumes=(VOLUME,))
    (LOG_DIR / "measured.json").unlink(missing_ok=True)
    started = start_container()
    yield started
    remove(NAME, volumes=(VOLUME,))


def test_image_size_and_cpu_torch() -> None:
    size = int(docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout)
    record(image_bytes=size)
    assert size <= MAX_BYTES, f"image is {size / 1e9:.2f} GB, over 2.5 GB"
    probe = (
        "import torch, importlib.metadata as m; "
        "print(torch.__version__, torch.cuda.is_available(), sorted("
        "d.metadata['Name'] for d in m.distributions() "
        "if d.metadata['Name'].lower().startswith('nvidia')))"
    )
    out = docker("run", "--rm", "--entrypoint", "python", IMAGE, "-c", probe).stdout.strip()
    assert out == "2.13.0+cpu False []", out


def test_health_turns_healthy(container: float) -> None:
    port = host_port(NAME)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the endpoint itself, polled 4 times a second
        try:
            http_get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.25)
    record(http_ready_s=round(time.monotonic() - container, 1))
    seconds = wait_healthy(NAME, timeout=180)  # docker's HEALTHCHECK (every 10 s)
    status, _ = http_get(f"http://127.0.0.1:{port}/_stcore/health")
    assert status == 200
    record(healthy_after_s=round(time.monotonic() - container, 1), health_wait_s=round(seconds, 1))


def test_runs_as_non_root(container: float) -> None:
    assert docker("exec", NAME, "id", "-u").stdout.strip() == "10001"
    status = docker("exec", NAME, "cat", "/proc/1/status").stdout
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    assert set(uids) == {"10001"}, uids  # real, effective, saved, filesystem


def worker_processes() -> list[str]:
    script = (
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null; echo; done"
        " | grep -e '-m worker serve' | grep -v grep || true"
    )
    out = docker("exec", NAME, "sh", "-c", script).stdout
    return [line for line in out.splitlines() if line.strip()]


def test_exec_submit_completes_without_a_browser(container: float) -> None:
    # Nothing has requested a page: only the health endpoint was polled. The entrypoint
    # started the worker, the app knows it (MOO_EXTERNAL_WORKERS=1) and spawns none.
    assert len(worker_processes()) == 1, worker_processes()
    start = time.monotonic()
    run_id = exec_json(NAME, *SUBMIT)["run_id"]
    record(exec_submit_s=round(time.monotonic() - start, 1))
    status = wait_run(NAME, run_id, timeout=300)
    assert status["status"] == "completed", status
    assert status["steps_stored"] > 0, status
    record(submit_to_completed_s=round(time.monotonic() - start, 1))
    assert len(worker_processes()) == 1


def test_first_page(container: float) -> None:
    """The first page in a real browser (after the run above: no browser was needed for it):
    seconds from opening the URL to the page's title and navigation on screen."""
    from playwright.sync_api import sync_playwright

    from tests.e2e._browser import ARGS, CHROMIUM, PAGE_TITLES, navigation

    port = host_port(NAME)
    status, body = http_get(f"http://127.0.0.1:{port}/")
    assert status == 200
    assert "streamlit" in body.lower(), body[:300]
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (make system-deps installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.monotonic()
            tab.goto(f"http://127.0.0.1:{port}/")
            links, _ = navigation(tab)
            record(first_page_browser_s=round(time.monotonic() - start, 2))
        finally:
            browser.close()
    assert links == PAGE_TITLES, links


def runs() -> list[dict]:
    return exec_json(NAME, "python", "-m", "worker", "list")


def test_data_survives_a_restart_and_a_new_container(container: float) -> None:
    before = runs()
    assert [r["status"] for r in before] == ["completed"]
    docker("restart", NAME)
    wait_healthy(NAME)
    assert runs() == before
    docker("rm", "-f", NAME)  # the volume stays
    start_container()
    wait_healthy(NAME)
    assert runs() == before


def readme_reset_command() -> str:
    text = (ROOT / "README.md").read_text()
    commands = [c for c in re.findall(r"`([^`\n]+)`", text) if "reset-db" in c and "docker" in c]
    assert commands, "README.md names no `docker ... reset-db` command"
    return commands[0]


def to_test_names(command: str) -> list[list[str]]:
    """The README's command with its container `moolab` and volume `moolab-data` renamed to
    this test's; the image name stays."""
    steps = []
    for part in command.split("&&"):
        words = shlex.split(part)
        assert words[0] == "docker", command
        if words[1] in {"stop", "start"}:
            words = [w if w != "moolab" else NAME for w in words]
        words = [w.replace("moolab-data:", f"{VOLUME}:") for w in words]
        steps.append(words)
    return steps


def test_readme_reset_db_command(container: float) -> None:
    assert runs(), "a run should exist before the reset"
    for words in to_test_names(readme_reset_command()):
        docker(*words[1:], timeout=120)
    wait_healthy(NAME)
    assert runs() == []
