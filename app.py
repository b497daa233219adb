"""MOO Lab dashboard: `streamlit run app.py`. The UI queues runs; workers train them."""

import streamlit as st

from pages import _faults
from pages._shared import follow_deep_link, mark_navigation
from pages._workshop import sidebar

# An emoji icon is drawn in the browser (a data: URL); a :material/…: one made every visitor's
# browser fetch it from a font server outside the app (tests/e2e/test_hostile_names.py).
st.set_page_config(page_title="MOO Lab", page_icon="⚖️", layout="wide")

PAGES = [
    st.Page("pages/lab.py", title="Lab", icon=":material/science:", default=True, url_path="lab"),
    st.Page("pages/datasets.py", title="Datasets", icon=":material/table:", url_path="datasets"),
    st.Page("pages/live.py", title="Live", icon=":material/monitoring:", url_path="live"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page("pages/pareto.py", title="Pareto", icon=":material/scatter_plot:", url_path="pareto"),
    st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
    st.Page(
        "pages/scoreboard.py",
        title="Scoreboard",
        icon=":material/leaderboard:",
        url_path="scoreboard",
    ),
]

mark_navigation()
nav = st.navigation(PAGES)
sidebar()  # workshop mode (MOO_ADMIN_TOKEN): the instructor's token and what this session may do
follow_deep_link()  # a page opened before this server ever ran app.py (see require_navigation)
with _faults.shown():  # a database fault met by a page: one line, never a traceback
    nav.run()
