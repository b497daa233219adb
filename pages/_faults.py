"""The database's faults on the pages (ui/faults.py says what). Not a page."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st


def url():
    """MOO_DATABASE_URL parsed (None if it does not parse)."""
    from sqlalchemy.engine import make_url

    from storage.db import database_url

    try:
        return make_url(database_url())
    except Exception:
        return None


@contextmanager
def shown() -> Iterator[None]:
    """A database error inside the block becomes one st.error line (app.py: every page)."""
    try:
        yield
    except Exception as error:
        from storage.errors import is_database_error
        from ui.faults import database_message
        from ui.labels import plain

        if not is_database_error(error):
            raise
        st.error(plain(database_message(error, url())))


def guarded(function: Callable) -> Callable:
    """The same for a fragment, which reruns on its own, outside app.py's block."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with shown():
            return function(*args, **kwargs)

    return wrapper


if __name__ == "__main__":  # opened as the old-style page /faults: not a page, go to the app
    from pages._base import ROOT, require_navigation

    require_navigation(str(ROOT / "pages" / "lab.py"))
