"""Fixtures shared by the test folders: a temporary SQLite database named by
MOO_DATABASE_URL, for pages (`db_url`, `engine`) and for workers run as processes (`db`).
tests/storage overrides `db_url` and `engine` to run each test on SQLite and PostgreSQL."""

import pytest


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    """The pages' database; the app's cached engine and data are dropped around each test."""
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    monkeypatch.setenv("MOO_DATABASE_URL", url)
    monkeypatch.setenv("MOO_EXTERNAL_WORKERS", "1")
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def engine(db_url):
    """An engine on that database, migrated to the head."""
    import storage

    eng = storage.make_engine(db_url)
    storage.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A migrated SQLite database named by MOO_DATABASE_URL (for workers started as processes)."""
    import storage

    url = f"sqlite:///{tmp_path / 'lab.db'}"
    monkeypatch.setenv("MOO_DATABASE_URL", url)
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    yield engine
    engine.dispose()
