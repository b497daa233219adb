"""Container set-up checks that run without a Docker engine.

The entrypoint script is executed for real with `sh` against a temporary app folder
(MOO_APP_DIR) in dry-run mode (MOO_DRY_RUN=1 prints the final command instead of
exec-ing it). The Dockerfile and compose.yaml are checked as text (and with PyYAML
when it is installed), and hadolint is run on the Dockerfile.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
HADOLINT = ROOT / ".venv" / "bin" / "hadolint"

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh")


def entrypoint(app_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"MOO_DATABASE_URL", "PORT"}}
    full_env.update({"MOO_APP_DIR": str(app_dir), "MOO_DRY_RUN": "1"})
    full_env.update(env)
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


# --- entrypoint ---------------------------------------------------------------


def test_app_runs_streamlit_on_all_interfaces(tmp_path: Path) -> None:
    result = entrypoint(tmp_path, "app")
    assert result.returncode == 0, result.stderr
    line = result.stdout.splitlines()[-1]
    cmd = line.split()
    assert cmd[:3] == ["streamlit", "run", "app.py"]
    assert "--server.address 0.0.0.0" in line
    assert "--server.port 8501" in line
    assert "--server.headless true" in line
    assert "--browser.gatherUsageStats false" in line


def test_app_is_the_default_and_honours_port(tmp_path: Path) -> None:
    result = entrypoint(tmp_path, PORT="9000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("streamlit run app.py")
    assert "--server.port 9000" in result.stdout


def test_app_starts_its_own_worker_unless_workers_are_external(tmp_path: Path) -> None:
    # The container's worker runs beside Streamlit, so `docker exec … worker submit` runs
    # train before any page is opened; the app is then told not to spawn another one.
    own = entrypoint(tmp_path, "app")
    assert own.stdout.splitlines()[0] == "worker: python -m worker serve"
    external = entrypoint(tmp_path, "app", MOO_EXTERNAL_WORKERS="1")
    assert external.returncode == 0, external.stderr
    assert [line for line in external.stdout.splitlines() if "worker" in line] == []
    text = ENTRYPOINT.read_text()
    assert "export MOO_EXTERNAL_WORKERS=1" in text


def test_data_dir_is_created(tmp_path: Path) -> None:
    assert not (tmp_path / "data").exists()
    assert entrypoint(tmp_path, "app").returncode == 0
    assert (tmp_path / "data").is_dir()


def test_worker_passes_flags_on(tmp_path: Path) -> None:
    result = entrypoint(tmp_path, "worker", "--exit-when-idle")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python -m worker serve --exit-when-idle"


def test_other_commands_are_executed_as_given(tmp_path: Path) -> None:
    result = entrypoint(tmp_path, "python", "-m", "worker", "status")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python -m worker status"


def test_reset_db_deletes_the_sqlite_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "moolab.db"
    db.write_bytes(b"SQLite format 3\x00")
    (data / "moolab.db-wal").write_bytes(b"")
    keep = data / "notes.txt"
    keep.write_text("keep me")
    result = entrypoint(tmp_path, "reset-db")
    assert result.returncode == 0, result.stderr
    assert not db.exists()
    assert not (data / "moolab.db-wal").exists()
    assert keep.exists()


def test_reset_db_without_a_file_is_fine(tmp_path: Path) -> None:
    result = entrypoint(tmp_path, "reset-db")
    assert result.returncode == 0, result.stderr


def test_reset_db_refuses_postgresql(tmp_path: Path) -> None:
    url = "postgresql+psycopg://moolab:moolab@db:5432/moolab"
    result = entrypoint(tmp_path, "reset-db", MOO_DATABASE_URL=url)
    assert result.returncode != 0
    assert "not an SQLite URL" in result.stderr


def test_reset_db_refuses_files_outside_the_data_dir(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.db"
    outside.write_bytes(b"x")
    result = entrypoint(tmp_path, "reset-db", MOO_DATABASE_URL=f"sqlite:///{outside}")
    assert result.returncode != 0
    assert outside.exists()


def test_entrypoint_is_posix_sh_with_strict_mode() -> None:
    text = ENTRYPOINT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert re.search(r"^set -eu$", text, re.M)
    assert os.access(ENTRYPOINT, os.X_OK)


# --- Dockerfile ---------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_shape() -> None:
    ins = dockerfile_instructions()
    by_kw: dict[str, list[str]] = {}
    for kw, rest in ins:
        by_kw.setdefault(kw, []).append(rest)
    # a build stage (pip, build-only files) and the image, on the same base
    assert by_kw["FROM"] == ["python:3.11-slim AS build", "python:3.11-slim"]
    assert by_kw["WORKDIR"] == ["/build", "/app"]
    assert by_kw["VOLUME"] == ["/app/data"]
    assert by_kw["EXPOSE"] == ["8501"]
    assert by_kw["ENTRYPOINT"] == ['["/app/docker/entrypoint.sh"]']
    assert by_kw["CMD"] == ['["app"]']
    users = by_kw["USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "TORCH_VARIANT=cpu" in by_kw["ARG"]
    assert 'TORCH_INDEX_URL=""' in by_kw["ARG"]
    assert f"TORCH_CPU_INDEX_URL={TORCH_CPU_INDEX}" in by_kw["ARG"]
    assert 'TORCH_WHEEL=""' in by_kw["ARG"]
    copies = by_kw["COPY"]
    assert "--from=build /opt/venv /opt/venv" in copies
    # build-only files (certificates, pip.conf, a torch wheel) stay in the build stage
    assert "docker/extras/ ./extras/" in copies and "rm -rf /src/docker/extras" in " ".join(
        by_kw["RUN"]
    )
    assert not any(
        c.startswith(". ") for c in copies[copies.index("--from=build /opt/venv /opt/venv") :]
    )
    (health,) = by_kw["HEALTHCHECK"]
    assert "/_stcore/health" in health and "urllib" in health and "curl" not in health
    runs = " ".join(by_kw["RUN"])
    assert "--no-cache-dir" in runs
    assert "torch==2.13.0" in runs
    # 0.0.0.0 is set by the entrypoint the image starts.
    assert "0.0.0.0" in ENTRYPOINT.read_text()


TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def test_no_remote_url_is_written_down() -> None:
    # The CUDA wheel index is a build argument the user passes; besides the local health
    # URL only PyTorch's own CPU wheel index (the default CPU torch) may appear.
    scripts = sorted((ROOT / "docker").rglob("*.sh")) + sorted(
        (ROOT / "docker").rglob("*ockerfile")
    )
    for path in (DOCKERFILE, COMPOSE, ENTRYPOINT, ROOT / "docker" / "extras.py", *scripts):
        urls = re.findall(r"https?://[^\s'\"]+", path.read_text())
        allowed = [u for u in urls if u.startswith("http://127.0.0.1:") or u == TORCH_CPU_INDEX]
        assert urls == allowed, (path.name, urls)


def test_hadolint_is_clean() -> None:
    if not HADOLINT.exists():
        pytest.skip(".venv/bin/hadolint is not installed")
    result = subprocess.run(
        [str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


# --- compose.yaml -------------------------------------------------------------


def compose_services() -> dict[str, str]:
    """Top-level service name -> its text block (no YAML parser needed)."""
    text = COMPOSE.read_text()
    section = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"^  (?=[A-Za-z][\w-]*:\s*$)", section, flags=re.M)
    return {b.split(":", 1)[0]: b for b in blocks if b.strip()}


def test_compose_services_text() -> None:
    services = compose_services()
    assert {"db", "app", "worker"} <= set(services)
    assert "image: postgres:16" in services["db"]
    assert "healthcheck:" in services["db"]
    assert "moolab-pg:/var/lib/postgresql/data" in services["db"]
    assert "build: ." in services["app"]
    assert 'MOO_EXTERNAL_WORKERS: "1"' in services["app"]
    assert '"8501:8501"' in services["app"]
    assert "condition: service_healthy" in services["app"]
    assert 'command: ["worker"]' in services["worker"]
    # Scalable: no fixed container name or host port on the worker.
    assert "container_name" not in services["worker"]
    assert "ports:" not in services["worker"]
    text = COMPOSE.read_text()
    assert "MOO_DATABASE_URL: postgresql+psycopg://moolab:${POSTGRES_PASSWORD:?" in text
    assert "moolab:moolab@" not in text and "POSTGRES_PASSWORD: moolab" not in text
    assert "driver: nvidia" in text and "capabilities: [gpu]" in text


def test_compose_parsed_with_yaml() -> None:
    import yaml  # PyYAML is pinned in requirements-dev.txt

    doc = yaml.safe_load(COMPOSE.read_text())
    services = doc["services"]
    url = "postgresql+psycopg://moolab:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/moolab"
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert services["db"]["image"] == "postgres:16"
    assert "healthcheck" in services["db"]
    assert services["app"]["environment"]["MOO_DATABASE_URL"] == url
    assert str(services["app"]["environment"]["MOO_EXTERNAL_WORKERS"]) == "1"
    assert services["app"]["ports"] == ["8501:8501"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["environment"]["MOO_DATABASE_URL"] == url
    assert services["worker-gpu"]["profiles"] == ["gpu"]


def test_compose_workers_have_their_own_health_check() -> None:
    import yaml

    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("worker", "worker-gpu"):
        check = services[name]["healthcheck"]
        assert check["test"] == ["CMD", "python", "-m", "worker", "health"], name
    assert "healthcheck" not in services["app"]  # the image's Streamlit check


# --- python -m worker health ------------------------------------------------------


def worker_health(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "MOO_DATABASE_URL"}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "worker", "health", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_worker_health_is_cheap_and_reads_the_heartbeat(tmp_path: Path) -> None:
    import storage
    from worker import health

    assert health.DEFAULT_URL == storage.DEFAULT_URL
    missing = worker_health(tmp_path)
    assert missing.returncode == 1
    assert json.loads(missing.stdout) == {
        "healthy": False,
        "host": socket.gethostname(),
        "workers": 0,
        "reason": "no database file",
    }
    url = f"sqlite:///{tmp_path / 'moolab.db'}"
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    storage.register_worker(engine, "other:1:x", "another-host", 1, "cpu")
    assert worker_health(tmp_path, MOO_DATABASE_URL=url).returncode == 1  # not this host
    storage.register_worker(engine, "here:2:y", socket.gethostname(), 2, "cpu")
    ok = worker_health(tmp_path, MOO_DATABASE_URL=url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["workers"] == 1
    imported = {line.rsplit("|", 1)[-1].strip() for line in ok.stderr.splitlines()}
    assert "torch" not in imported and "storage" not in imported  # a health check is cheap
    time.sleep(1.2)
    stale = worker_health(tmp_path, "--within", "1", MOO_DATABASE_URL=url)
    assert stale.returncode == 1 and json.loads(stale.stdout)["workers"] == 0


# --- docker/build-here.sh: bad input is one line ------------------------------------

BUILD = ROOT / "docker" / "build-here.sh"


def fake_docker(tmp_path: Path, body: str) -> dict[str, str]:
    """A PATH whose `docker` is a stub script and that has no dockerd."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "docker"
    stub.write_text("#!/bin/sh\n" + body)
    stub.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOO_")}
    env.update(
        PATH=f"{bin_dir}:/usr/bin:/bin",
        MOO_DOCKER_LOG_DIR=str(tmp_path / "logs"),
        MOO_DOCKER_NO_INSTALL="1",
        PY=sys.executable,
    )
    return env


def build_here(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(BUILD)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_build_says_when_there_is_no_engine(tmp_path: Path) -> None:
    if Path("/usr/bin/dockerd").exists():
        pytest.skip("dockerd is on /usr/bin here, the stub PATH cannot hide it")
    result = build_here(fake_docker(tmp_path, "exit 1\n"))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "docker-test: no Docker engine: dockerd is not installed (and MOO_DOCKER_NO_INSTALL=1)"
    ]


STUB_ENGINE = """case "$1" in
    info) [ "${2:-}" = -f ] && echo /tmp; exit 0 ;;
    image) exit 0 ;;
    build) %s ;;
esac
exit 0
"""


def test_build_says_when_the_disk_is_full(tmp_path: Path) -> None:
    env = fake_docker(tmp_path, STUB_ENGINE % "exit 0")
    env["MOO_DOCKER_MIN_FREE_GB"] = "999999"
    result = build_here(env)
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert re.fullmatch(
        r"docker-test: disk full: \d+ GB free under /tmp, the build needs 999999 GB", line
    )


def test_build_says_when_the_index_is_unreachable(tmp_path: Path) -> None:
    pip_error = (
        "echo \"WARNING: Retrying after connection broken by 'NewConnectionError: "
        "Failed to establish a new connection: [Errno 111] Connection refused'\"; exit 1"
    )
    result = build_here(fake_docker(tmp_path, STUB_ENGINE % pip_error))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"docker-test: package index unreachable from the build container "
        f"(see {tmp_path / 'logs' / 'build.log'})"
    )
