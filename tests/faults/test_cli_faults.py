"""Fault suite, the CLI and the worker (issue 21 item 3, issue 25 items 3 and 6): an error no
retry can fix fails its run with one line and the worker goes on; an unusable database makes
every command say so in one line and exit 2, and an idle worker stop claiming instead of
trying once a second; non-finite or negative seconds are refused."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import storage
import worker.jobs
import worker.loop
from moo_core import make_run_config
from worker.cli import main
from worker.loop import WorkerOptions, serve

ROOT = worker.loop.__file__.rsplit("/worker/", 1)[0]
COMMANDS = [
    ["status", "1"],
    ["list"],
    ["cancel", "1"],
    ["export", "1", "--out", "{tmp}/out.csv"],
    ["submit", "--problem", "concave", "--method", "mdmm", "--steps", "10"],
    ["serve", "--exit-when-idle"],
]


def one_line(capsys, argv) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_errors_no_retry_can_fix_fail_their_run_in_one_line_and_the_worker_goes_on(
    db, monkeypatch, capsys
):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    trained = worker.jobs.race

    def race(configs, **kwargs):  # a run whose code cannot be imported here
        if configs[0].seed == 7:
            raise ImportError("No module named 'sklearn'")
        return trained(configs, **kwargs)

    monkeypatch.setattr(worker.jobs, "race", race)
    no_device = storage.submit_run(db, make_run_config("concave", "mdmm", steps=50, device="cuda"))
    no_import = storage.submit_run(db, make_run_config("concave", "mdmm", steps=50, seed=7))
    task = make_run_config(
        None,
        "mdmm",
        steps=50,
        task={"dataset": "sha256:" + "ab" * 32, "target": "y", "objective": "l1"},
    )
    refused = storage.submit_run(db, task)  # its upload was deleted after it was queued
    fine = storage.submit_run(db, make_run_config("concave", "mdmm", steps=50))

    assert serve(db, WorkerOptions(exit_when_idle=True, poll=0.01)) == 4  # it went on
    errors = {run_id: storage.get_run(db, run_id) for run_id in (no_device, no_import, refused)}
    assert errors[no_device].error == (
        "RuntimeError: device 'cuda' was asked for but CUDA is not available here"
    )
    assert errors[no_import].error == "ImportError: No module named 'sklearn'"
    assert errors[refused].error.startswith("dataset sha256:abababababab… is not stored")
    assert all(view.status == "failed" for view in errors.values())
    assert all(len(view.error.splitlines()) == 1 for view in errors.values())
    assert storage.get_run(db, fine).status == "completed"
    said = capsys.readouterr().err
    assert said.count("Traceback") == 2  # the code's errors, once each, in the worker's log


def corrupt(tmp_path, monkeypatch) -> str:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"not an SQLite file\n" * 500)
    monkeypatch.setenv("MOO_DATABASE_URL", f"sqlite:///{path}")
    return str(path)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: argv[0])
def test_a_corrupt_database_is_one_line_and_exit_2_on_every_command(
    argv, tmp_path, monkeypatch, capsys
):
    path = corrupt(tmp_path, monkeypatch)
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    err = one_line(capsys, argv)
    assert err == f"error: the database {path} is unusable: file is not a database"


@pytest.mark.parametrize("argv", COMMANDS[2:], ids=lambda argv: argv[0])
def test_a_read_only_database_is_one_line_and_exit_2_where_a_command_writes(
    argv, db, tmp_path, monkeypatch, capsys
):
    storage.submit_run(db, make_run_config("concave", "mdmm", steps=10))
    readonly = f"sqlite:///file:{db.url.database}?mode=ro&uri=true"
    monkeypatch.setenv("MOO_DATABASE_URL", readonly)
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    if argv[0] == "export":  # reads only: it works
        assert main(argv) == 0
        return
    assert one_line(capsys, argv).endswith("is unusable: attempt to write a readonly database")
    monkeypatch.setenv("MOO_DATABASE_URL", str(db.url))
    assert [view.status for view in storage.list_runs(db)] == ["queued"]  # nothing changed


def test_reading_commands_create_no_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOO_DATABASE_URL", f"sqlite:///{tmp_path}/typo.db")
    for argv in (["list"], ["status", "3"]):
        err = one_line(capsys, argv)
        assert err.startswith(f"error: the database {tmp_path}/typo.db is unusable: no such file")
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("flag", ["--poll", "--heartbeat", "--grace"])
@pytest.mark.parametrize("bad", ["-1", "nan", "inf", "0", "soon"])
def test_non_finite_or_negative_seconds_are_refused(flag, bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", flag, bad])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2
    assert err == (
        f"error: argument {flag}: {bad!r} is not a finite number of seconds greater than 0"
    )


def test_a_worker_on_a_read_only_database_says_so_once_and_claims_nothing(db, tmp_path):
    """Before: "attempt to write a readonly database (trying again)" once a second, for ever."""
    run_id = storage.submit_run(db, make_run_config("concave", "mdmm", steps=10))
    readonly = f"sqlite:///file:{db.url.database}?mode=ro&uri=true"
    env = {"MOO_DATABASE_URL": readonly, "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.05"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(6)  # about 100 polls
    proc.terminate()
    err = proc.communicate(timeout=30)[1]
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].endswith(
        "unusable: attempt to write a readonly database; claiming no work until it can be "
        "used again"
    )
    assert storage.get_run(db, run_id).status == "queued"


def test_a_worker_that_cannot_import_torch_still_exits_when_idle(db, monkeypatch, capsys):
    """Issue 21: `'_LazyModule' object has no attribute 'cuda'` at registration made
    `serve --exit-when-idle` print "(trying again)" for ever."""
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    assert serve(db, WorkerOptions(exit_when_idle=True, poll=0.01)) == 0
    said = capsys.readouterr().err.strip().splitlines()
    assert said == [
        "worker: cannot tell the device (ModuleNotFoundError: import of torch halted; None in "
        "sys.modules)"
    ]
    assert [w.device for w in storage.live_workers(db, 60)] == ["unknown"]


def test_a_stale_run_of_a_live_worker_on_this_host_is_not_reaped(db):
    """A lock longer than --grace holds back every worker's beats: a reaper that read the
    heartbeats through it (WAL) failed runs that were only waiting."""
    import os
    import socket

    from storage.queue import claim_queued
    from worker.guard import Guard

    alive, dead = (storage.submit_run(db, make_run_config("concave", "mdmm")) for _ in range(2))
    for run_id, pid in ((alive, os.getpid()), (dead, 2**22 + 12345)):
        worker_id = f"w{run_id}"
        storage.register_worker(db, worker_id, socket.gethostname(), pid, "cpu")
        claim_queued(db, run_id, worker_id)
    time.sleep(1.5)  # both heartbeats older than the 1 s grace
    guard = Guard(db, "reaper", poll=0.05, exit_when_idle=True)
    assert storage.reap_stale(db, 1.0, spare=guard.spare) == [dead]
    assert storage.get_run(db, alive).status == "running"
