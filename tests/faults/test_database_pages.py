"""Fault suite: what every page shows when the database fails it (issue 25 item 3) — one
clear line, never a traceback: a corrupt, read-only or vanished database, and a lock that
holds a running run's writes back ("waiting for the database (locked for N s)")."""

from __future__ import annotations

import sqlite3

import pytest

import storage
from moo_core import make_run_config
from tests.ui._apptest import page, unescaped

PAGES = ["lab", "datasets", "live", "compare", "pareto", "history", "scoreboard"]


def texts(at) -> dict[str, list[str]]:
    return {kind: [unescaped(e.value) for e in at.get(kind)] for kind in ("error", "warning")}


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("name", PAGES)
def test_a_corrupt_database_is_one_message_on_every_page(name, db_url, tmp_path):
    (tmp_path / "lab.db").write_bytes(b"not an SQLite file\n" * 500)
    at = page(f"pages/{name}.py", {"runs": "1"} if name == "live" else None)
    assert_no_exception(at)
    assert texts(at)["error"] == [
        f"The database {tmp_path}/lab.db cannot be used: file is not a database. Stored runs "
        "are not shown and nothing can be started until it is repaired, freed or restored."
    ]


@pytest.mark.parametrize("name", PAGES)
def test_a_read_only_database_is_said_on_every_page_and_its_runs_still_show(
    name, engine, tmp_path, monkeypatch
):
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=10))
    monkeypatch.setenv("MOO_DATABASE_URL", f"sqlite:///file:{tmp_path}/lab.db?mode=ro&uri=true")
    at = page(f"pages/{name}.py", {"runs": str(run_id)} if name == "live" else None)
    assert_no_exception(at)
    warnings = texts(at)["warning"]
    assert any(
        "takes no writes (attempt to write a readonly database): stored runs can be viewed" in text
        for text in warnings
    ), warnings
    if name == "history":
        assert any(f"{run_id}" in str(frame.value) for frame in at.dataframe)


def test_a_write_refused_by_a_read_only_database_is_one_line(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("MOO_DATABASE_URL", f"sqlite:///file:{tmp_path}/lab.db?mode=ro&uri=true")
    at = page("pages/lab.py")
    at.button(key="launch").click().run()
    assert_no_exception(at)
    assert (
        f"The database {tmp_path}/lab.db cannot be used: attempt to write a readonly database."
        in texts(at)["error"][0]
    )
    assert storage.list_runs(engine) == []


def test_a_vanished_database_file_is_said_on_every_page(engine, tmp_path):
    at = page("pages/history.py")
    assert_no_exception(at)
    (tmp_path / "lab.db").rename(tmp_path / "moved.db")
    for name in PAGES:
        at = page(f"pages/{name}.py")
        assert_no_exception(at)
        assert texts(at)["error"] == [
            f"The database file {tmp_path}/lab.db has vanished (deleted or moved): restore it, "
            "or restart the server."
        ]
    assert not (tmp_path / "lab.db").exists()  # no page made a new, empty one


def test_live_says_a_running_run_waits_for_a_locked_database(engine, tmp_path):
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=1000))
    claimed = storage.claim_next_run(engine, "w1")
    with engine.begin() as connection:  # its last beat 35 s ago, as during a 35 s lock
        connection.exec_driver_sql(
            "UPDATE runs SET heartbeat = strftime('%Y-%m-%d %H:%M:%f', 'now', '-35 seconds') "
            f"WHERE id = {claimed.id}"
        )
    lock = sqlite3.connect(tmp_path / "lab.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        at = page("pages/live.py", {"runs": str(run_id)})
    finally:
        lock.execute("COMMIT")
        lock.close()
    assert_no_exception(at)
    warnings = texts(at)["warning"]
    assert [w for w in warnings if "waiting for the database" in w] == [
        f"Run {run_id}: waiting for the database (locked for 35 s). Training goes on; its steps "
        "are kept and stored, in order, when the lock clears."
    ], warnings
    unlocked = page("pages/live.py", {"runs": str(run_id)})  # no lock: the worker may be dead
    assert not any("waiting for the database" in w for w in texts(unlocked)["warning"])
    assert any("has not reported for" in w for w in texts(unlocked)["warning"])
