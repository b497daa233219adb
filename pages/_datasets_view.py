"""The Datasets page's words about its suggestion. Not a page."""

from __future__ import annotations

import streamlit as st

from moo_core.tasks import Suggestion
from ui.labels import plain


def suggestion_notes(found: Suggestion | str, objective: str) -> None:
    """How ε was chosen from the data, and, before launch, why the suggested run cannot end
    converged where that is known (or why the data suggest nothing for this objective)."""
    if not isinstance(found, Suggestion):
        st.warning(plain(f"No suggestion for {objective} on this data: {found}"))
        return
    st.caption(plain(found.why()))
    if found.outlook:
        st.warning(
            "Before you launch: the suggested run cannot end “converged” by the lab's "
            f"criteria: {found.outlook}. It still learns (f well below a constant "
            "prediction's); its verdict will say what did not settle."
        )
