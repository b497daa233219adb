import pytest


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    monkeypatch.setenv("MOO_DATABASE_URL", url)
    monkeypatch.setenv("MOO_EXTERNAL_WORKERS", "1")
    import streamlit as st

    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


@pytest.fixture
def engine(db_url):
    """An engine on the page tests' database, migrated to the head."""
    import storage

    eng = storage.make_engine(db_url)
    storage.upgrade(eng)
    yield eng
    eng.dispose()
