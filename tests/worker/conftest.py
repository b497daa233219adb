"""Fixtures of the worker tests: a temporary SQLite database named by MOO_DATABASE_URL."""

import pytest

import storage


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    monkeypatch.setenv("MOO_DATABASE_URL", url)
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    return engine
