"""Engine defaults: URL from MOO_DATABASE_URL, SQLite pragmas on every connection."""

from __future__ import annotations

from sqlalchemy import text

import storage


def test_default_url_is_sqlite_under_data(monkeypatch, tmp_path):
    monkeypatch.delenv("MOO_DATABASE_URL", raising=False)
    assert storage.database_url() == "sqlite:///data/moolab.db"
    monkeypatch.chdir(tmp_path)
    engine = storage.make_engine()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert (tmp_path / "data" / "moolab.db").exists()
    engine.dispose()


def test_env_url_and_pragmas(monkeypatch, tmp_path):
    monkeypatch.setenv("MOO_DATABASE_URL", f"sqlite:///{tmp_path}/nested/x.db")
    engine = storage.make_engine()
    for _ in range(2):  # every pooled connection
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert (tmp_path / "nested" / "x.db").exists()
    engine.dispose()


def test_session_scope_commits_or_rolls_back(tmp_path):
    engine = storage.make_engine(f"sqlite:///{tmp_path}/s.db")
    storage.upgrade(engine)
    with storage.session_scope(engine) as session:
        session.execute(
            text("INSERT INTO workers VALUES ('a', NULL, NULL, NULL, '2020-01-01', '2020-01-01')")
        )
    try:
        with storage.session_scope(engine) as session:
            session.execute(
                text(
                    "INSERT INTO workers VALUES ('b', NULL, NULL, NULL, '2020-01-01', '2020-01-01')"
                )
            )
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM workers")).scalars().all() == ["a"]
    engine.dispose()
