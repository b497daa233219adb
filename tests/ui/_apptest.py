"""Opening a page the way a visitor does: through app.py's navigation, in a fresh session."""

import re
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


def figures(at: AppTest) -> list[dict]:
    """Every Plotly figure a page drew: st.plotly_chart's and those of the chart board
    (pages/_board.py, a component whose `figures` argument holds them as JSON)."""
    import json

    found = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    for element in at.get("component_instance"):
        args = json.loads(element.proto.json_args)
        found += [item["figure"] for item in json.loads(args.get("figures") or "[]")]
    return found


def board_args(at: AppTest) -> dict:
    """The chart board's arguments other than its figures ({} when the page has no board)."""
    import json

    for element in at.get("component_instance"):
        return {k: v for k, v in json.loads(element.proto.json_args).items() if k != "figures"}
    return {}


def unescaped(value: str) -> str:
    """What markdown displays for text the pages pass through ui.labels.plain: its
    backslash escapes and invisible word joiners resolved."""
    return re.sub(r"\\(.)", r"\1", value).replace("\u2060", "")
