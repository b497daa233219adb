"""Small helpers over the `docker` command line for the `docker`-marked tests."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

IMAGE = "moolab"


def docker(
    *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def exec_json(container: str, *args: str, timeout: float = 120):
    """`docker exec CONTAINER ARGS`; the last stdout line parsed as JSON (the worker CLI's)."""
    out = docker("exec", container, *args, timeout=timeout).stdout.strip().splitlines()
    return json.loads(out[-1])


def health(container: str) -> str:
    return docker("inspect", "-f", "{{.State.Health.Status}}", container).stdout.strip()


def wait_healthy(container: str, timeout: float = 180) -> float:
    """Seconds until the container's own HEALTHCHECK reports healthy; fails on unhealthy,
    on an exited container and on timeout, with the container's log."""
    start = time.monotonic()
    status = ""
    while time.monotonic() - start < timeout:
        running = docker("inspect", "-f", "{{.State.Running}}", container).stdout.strip()
        status = health(container)
        if status == "healthy":
            return time.monotonic() - start
        if status == "unhealthy" or running != "true":
            break
        time.sleep(1)
    logs = docker("logs", "--tail", "60", container, check=False)
    raise AssertionError(
        f"{container} is {status or 'not running'} after {time.monotonic() - start:.0f} s\n"
        f"{logs.stdout}\n{logs.stderr}"
    )


def host_port(container: str, port: int = 8501) -> int:
    out = docker("port", container, f"{port}/tcp").stdout.strip().splitlines()[0]
    return int(out.rsplit(":", 1)[1])


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


def wait_run(container: str, run_id: int, timeout: float = 300) -> dict:
    """Poll `python -m worker status RUN` in the container until the run has ended."""
    start = time.monotonic()
    status: dict = {}
    while time.monotonic() - start < timeout:
        status = exec_json(container, "python", "-m", "worker", "status", str(run_id))
        if status["status"] not in {"queued", "running"}:
            return status
        time.sleep(2)
    raise AssertionError(f"run {run_id} still {status.get('status')} after {timeout:.0f} s")


def remove(*names: str, volumes: tuple[str, ...] = (), networks: tuple[str, ...] = ()) -> None:
    for name in names:
        docker("rm", "-f", "-v", name, check=False)
    for volume in volumes:
        docker("volume", "rm", "-f", volume, check=False)
    for network in networks:
        docker("network", "rm", network, check=False)
