"""compose.yaml, checked against the Compose schema and run for real (`make docker-test`).

Compose v2 (the `docker compose` plugin) is not packaged for Debian bookworm, which is all
this machine can install from, so the topology is started from compose.yaml's own
services with plain `docker run` on a user-defined network (service name = network alias,
the file's image, command, environment and health check; host ports left out): PostgreSQL,
the app and two workers, then a run submitted through the app container completes on a
worker, through PostgreSQL. Where the plugin is installed, `docker compose config -q` also
checks the file. The schema is the Compose specification's JSON schema shipped in Debian's
docker-compose package (fetched with `apt-get download`, not installed); it predates the
top-level `name` key of Compose v2, the one key it is told about.
"""

from __future__ import annotations

import glob
import json
import os
import re
import secrets
import shlex
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.docker.engine import (
    docker,
    exec_json,
    remove,
    wait_healthy,
    wait_run,
)

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
LOG_DIR = Path(os.environ.get("MOO_DOCKER_LOG_DIR", "/tmp/moolab-docker"))
PROJECT = "moolabtest"
NETWORK = f"{PROJECT}_default"
# compose.yaml requires the database password from the environment; the topology gets a fresh one
PASSWORD = os.environ.get("POSTGRES_PASSWORD") or secrets.token_hex(16)
VARIABLE = re.compile(r"\$\{(\w+)(?::[-?]([^}]*))?\}")


def interpolate(value: object, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` (message: VAR is required)."""

    def one(match: re.Match) -> str:
        name, rest = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if ":?" in match.group(0):
            raise AssertionError(f"{name} is required: {rest}")
        return rest or ""

    return VARIABLE.sub(one, str(value))


def compose_doc() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def compose_schema() -> dict:
    folder = LOG_DIR / "compose-schema"
    found = glob.glob(str(folder / "**" / "compose_spec.json"), recursive=True)
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            "apt-get download docker-compose && dpkg -x docker-compose_*.deb .",
            shell=True,
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
        found = glob.glob(str(folder / "**" / "compose_spec.json"), recursive=True)
    assert found, "Debian's docker-compose package carries no compose_spec.json"
    return json.loads(Path(found[0]).read_text())


def test_compose_file_matches_the_compose_schema() -> None:
    import jsonschema  # a streamlit dependency, in the virtual environment

    schema = compose_schema()
    schema["properties"]["name"] = {"type": "string"}  # Compose v2's project name
    jsonschema.Draft201909Validator(schema).validate(compose_doc())


def test_compose_config_when_the_plugin_is_installed() -> None:
    if docker("compose", "version", check=False).returncode != 0:
        pytest.skip("the Compose v2 plugin is not installed (not packaged for Debian bookworm)")
    docker("compose", "-f", str(COMPOSE), "config", "-q")


def test_compose_file_holds_no_database_password() -> None:
    text = COMPOSE.read_text()
    assert "${POSTGRES_PASSWORD:?" in text and "moolab:moolab@" not in text
    db = compose_doc()["services"]["db"]["environment"]
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD is required"):
        interpolate(db["POSTGRES_PASSWORD"], {})
    assert interpolate(db["POSTGRES_PASSWORD"], {"POSTGRES_PASSWORD": "s3cret"}) == "s3cret"


def duration(value: str) -> str:
    return str(value)  # compose and `docker run --health-*` share the 10s / 1m30s syntax


def run_args(name: str, service: dict, alias: str) -> list[str]:
    args = ["run", "-d", "--name", name, "--network", NETWORK, "--network-alias", alias]
    env = {**os.environ, "POSTGRES_PASSWORD": PASSWORD}
    for key, value in (service.get("environment") or {}).items():
        args += ["-e", f"{key}={interpolate(value, env)}"]
    for volume in service.get("volumes") or []:
        source, _, target = volume.partition(":")
        args += ["-v", f"{PROJECT}_{source}:{target}"]
    check = service.get("healthcheck")
    if check:
        test = check["test"]
        cmd = test[1] if test[0] == "CMD-SHELL" else shlex.join(test[1:])
        args += ["--health-cmd", cmd]
        for key in ("interval", "timeout", "start_period"):
            if key in check:
                args += [f"--health-{key.replace('_', '-')}", duration(check[key])]
        if "retries" in check:
            args += ["--health-retries", str(check["retries"])]
    args.append(service["image"])
    args += service.get("command") or []
    return args


@pytest.fixture(scope="module")
def topology():
    services = compose_doc()["services"]
    names = {"db": f"{PROJECT}-db-1", "app": f"{PROJECT}-app-1"}
    workers = [f"{PROJECT}-worker-{i}" for i in (1, 2)]
    volumes = tuple(f"{PROJECT}_{v}" for v in compose_doc().get("volumes") or {})
    everything = (*names.values(), *workers)

    def down() -> None:
        remove(*everything, volumes=volumes, networks=(NETWORK,))

    down()
    docker("network", "create", NETWORK)
    try:
        docker(*run_args(names["db"], services["db"], "db"))
        timings = {"db_healthy_s": round(wait_healthy(names["db"], timeout=120), 1)}
        start = time.monotonic()
        docker(*run_args(names["app"], services["app"], "app"))
        for worker in workers:
            docker(*run_args(worker, services["worker"], "worker"))
        yield names, workers, timings, start
    finally:
        for name in everything:
            log = docker("logs", "--tail", "200", name, check=False)
            (LOG_DIR / f"{name}.log").write_text(log.stdout + log.stderr)
        down()


def test_workers_have_their_own_health_check(topology) -> None:
    names, workers, timings, start = topology
    for worker in workers:
        test = json.loads(
            docker("inspect", "-f", "{{json .Config.Healthcheck.Test}}", worker).stdout
        )
        assert "worker health" in " ".join(test) and "_stcore" not in " ".join(test), test
        timings[f"{worker}_healthy_s"] = round(wait_healthy(worker, timeout=240), 1)
    wait_healthy(names["app"], timeout=240)
    timings["app_healthy_s"] = round(time.monotonic() - start, 1)
    healthy = json.loads(docker("exec", workers[0], "python", "-m", "worker", "health").stdout)
    assert healthy["healthy"] is True and healthy["workers"] == 1, healthy


def test_a_run_completes_through_postgresql(topology) -> None:
    names, workers, timings, _ = topology
    app = names["app"]
    env = docker("exec", app, "sh", "-c", "echo $MOO_DATABASE_URL $MOO_EXTERNAL_WORKERS").stdout
    url = f"postgresql+psycopg://moolab:{PASSWORD}@db:5432/moolab"
    assert env.split() == [url, "1"], env
    submit = ["python", "-m", "worker", "submit", "--problem", "concave", "--method", "mdmm"]
    run_id = exec_json(app, *submit, "--epsilon", "0.6", "--steps", "300", "--seed", "2")["run_id"]
    status = wait_run(app, run_id, timeout=300)
    assert status["status"] == "completed", status
    hosts = {docker("inspect", "-f", "{{.Config.Hostname}}", w).stdout.strip() for w in workers}
    assert status["worker_id"].split(":")[0] in hosts, (status["worker_id"], hosts)
    # the app container runs no worker of its own (MOO_EXTERNAL_WORKERS=1)
    alone = docker("exec", app, "python", "-m", "worker", "health", check=False)
    assert alone.returncode == 1 and json.loads(alone.stdout)["workers"] == 0, alone.stdout
    (LOG_DIR / "compose-timings.json").write_text(json.dumps(timings, indent=1))
