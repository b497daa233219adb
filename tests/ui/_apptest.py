"""Opening a page the way a visitor does: through app.py's navigation, in a fresh session."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def page(path: str, query: dict | None = None) -> AppTest:
    """A fresh session on `path` with `query` in the URL, run once."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()
