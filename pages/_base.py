"""The lowest layer of the pages' common code: where the app lives, navigation through app.py,
and a confirm button. Imports no other page module (pages._faults, pages._workshop and
pages._shared build on it, in that order). Not a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

ROOT = Path(__file__).resolve().parent.parent
_NAVIGATED, _DEEP_LINK = "_navigated", "_deep_link"


def mark_navigation() -> None:
    """Called by app.py: this session's pages run inside its st.navigation."""
    st.session_state[_NAVIGATED] = True


def require_navigation(page_file: str) -> None:
    """Send a page the server ran on its own back through app.py, keeping the URL's query.

    Until some session has run app.py, Streamlit treats `pages/` as an old-style (v1)
    pages folder: a deep link such as /history opened first runs that file alone, without
    the sidebar and the wide layout app.py sets. A page run by AppTest.from_file on its own
    has no app.py to go to, and goes on as it is."""
    if st.session_state.get(_NAVIGATED):
        return
    try:
        page = Path(page_file).resolve().relative_to(ROOT).as_posix()  # as app.py names it
        st.session_state[_DEEP_LINK] = (page, st.query_params.to_dict())
        st.switch_page("app.py")
    except StreamlitAPIException:  # app.py is not a page of this run: nowhere to go
        st.session_state.pop(_DEEP_LINK, None)


def follow_deep_link() -> None:
    """Called by app.py after st.navigation: open the page require_navigation remembered."""
    if link := st.session_state.pop(_DEEP_LINK, None):
        page, query = link
        st.switch_page(page, query_params=query)


def confirmed(label: str, key: str, target: Any, warning: str) -> bool:
    """A destructive button that asks again: True only once "Confirm" is clicked for `target`.

    The pending request remembers its target, so choosing another item drops it."""
    pending = f"{key}.pending"
    if st.session_state.get(pending) != target:
        if st.button(label, key=key):
            st.session_state[pending] = target
            st.rerun()
        return False
    st.warning(warning)
    yes, no = st.columns(2)
    if yes.button("Confirm delete", key=f"{key}.confirm", type="primary"):
        del st.session_state[pending]
        return True
    if no.button("Keep it", key=f"{key}.keep"):
        del st.session_state[pending]
        st.rerun()
    return False


if __name__ == "__main__":  # opened as the old-style page /base: not a page, go to the app
    require_navigation(str(ROOT / "pages" / "lab.py"))
