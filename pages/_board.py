"""The chart board: Plotly figures in one Streamlit component that updates them in place.

`st.plotly_chart` names its element by a hash of the figure, so a chart whose data changed was
unmounted and drawn anew on every Live refresh: blank frames, stale copies, a redraw that
bounded the page's lag (docs/benchmarks.md). The board (ui/board/) keeps one stable element,
draws each figure once and updates it with Plotly.react; it also plays replays in the browser.
Its files and the plotly.js that ships with the plotly package are served by Streamlit from a
folder of their own: nothing is fetched from the internet. Not a page."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

SOURCE = Path(__file__).resolve().parent.parent / "ui" / "board"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PROJECTOR_FONT = 22


@st.cache_resource(show_spinner=False)
def _component():
    """Declare the component once per server, from a folder holding its files and plotly.js
    (Streamlit serves a component's folder, symlinks resolved inside it only)."""
    files = sorted(SOURCE.iterdir())
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"moolab-board-{plotly.__version__}-{digest}"
    if not (folder / "plotly.min.js").exists():
        staging = Path(tempfile.mkdtemp(prefix="moolab-board-"))
        for file in files:
            shutil.copy(file, staging / file.name)
        shutil.copy(PLOTLY_JS, staging / "plotly.min.js")
        try:
            staging.rename(folder)
        except OSError:  # another server made it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return components.declare_component("board", path=str(folder))


@st.cache_resource(show_spinner=False)
def _template() -> dict:
    blank = go.Figure(layout={"template": "plotly_white"})
    return json.loads(pio.to_json(blank, validate=False))["layout"]["template"]


def _figure_json(figure: go.Figure) -> str:
    figure.layout.template = None  # the board applies plotly_white itself (sent once a call)
    return pio.to_json(figure, validate=False)


def board(
    figures: Sequence[tuple[str, go.Figure, bool]],
    key: str,
    columns: int = 2,
    projector: bool = False,
    static: bool = False,
    replay: dict | None = None,
) -> None:
    """Draw (id, figure, wide) in a grid of `columns`, updated in place on later calls with
    the same `key`. `static`: no zoom or hover (cheaper while runs are polled); `projector`:
    large fonts and thick lines; `replay`: ui.replay's spec (controls above the charts)."""
    items = ",".join(
        f'{{"id": {json.dumps(name)}, "wide": {json.dumps(bool(wide))}, '
        f'"figure": {_figure_json(figure)}}}'
        for name, figure, wide in figures
    )
    _component()(
        figures=f"[{items}]",
        columns=columns,
        template=_template(),
        font=PROJECTOR_FONT if projector else None,
        static=static,
        replay=replay,
        key=key,
        default=None,
    )
