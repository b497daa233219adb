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
