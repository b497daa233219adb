"""Backends for the storage contract: a temp SQLite file, and a private PostgreSQL server
that the tests start themselves (skipped only where the PostgreSQL binaries are absent)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from sqlalchemy import text

import storage


def _pg_bin() -> str | None:
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return os.path.dirname(initdb)
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_user() -> tuple[list[str], int | None]:
    """postgres refuses to run as root: run it as the `postgres` (or `nobody`) user then."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], uid
    pytest.skip("running as root and no unprivileged user to run postgres")


@pytest.fixture(scope="session")
def postgres_url():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb) are not installed")
    prefix, uid = _as_user()
    root = tempfile.mkdtemp(prefix="moolab-pg-")
    data, sockets = os.path.join(root, "data"), os.path.join(root, "sock")
    os.mkdir(sockets)
    if uid is not None:
        for path in (root, sockets):
            os.chown(path, uid, -1)
    subprocess.run(
        [*prefix, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(os.path.join(root, "server.log"), "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [
            *prefix,
            f"{bindir}/postgres",
            "-D",
            data,
            "-p",
            str(port),
            "-k",
            sockets,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=50",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            )
            if ready.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                with open(os.path.join(root, "server.log")) as handle:
                    pytest.fail(f"postgres did not start:\n{handle.read()}")
            time.sleep(0.1)
        yield url
    finally:
        subprocess.run(
            [*prefix, f"{bindir}/pg_ctl", "stop", "-D", data, "-m", "fast", "-w"],
            capture_output=True,
        )
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


_databases = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """An empty database on each backend (a fresh PostgreSQL database per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/moolab.db"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"contract_{os.getpid()}_{next(_databases)}"
    admin = storage.make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url):
    engine = storage.make_engine(db_url)
    storage.upgrade(engine)
    yield engine
    engine.dispose()
