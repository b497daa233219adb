"""Three objectives in a real headless Chromium: the Lab's dtlz2 form with one ε and one kind
per constraint (from a comma-list URL), a sweep of one constraint's ε launched from it, and the
Pareto page drawing that sweep's points in 3-D over the front's surface. Screenshots: artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e._browser import ARTIFACTS, board_frame, choose, poll

pytestmark = pytest.mark.e2e

URL = "/?problem=dtlz2&method=mdmm&epsilon=0.5,0.4&constraint=eq,le&steps=300"
COUNT = 5

# [type, number of points, has a WebGL scene] of each trace of each Plotly chart on the page
TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(el =>
  (el._fullData || []).map(t => [t.type, (t.x || []).length,
    Boolean(el._fullLayout && el._fullLayout.scene && el._fullLayout.scene._scene
            && el._fullLayout.scene._scene.glplot)]))"""


def _fill(page, key: str, value: str) -> None:
    """Type `value` into the number input with widget key `key` and commit it (Enter)."""
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    deadline = time.monotonic() + 30
    while float(box.input_value()) != float(value) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_three_objective_sweep_from_lab_to_pareto(server, page):
    base, db_url = server
    page.set_viewport_size({"width": 1400, "height": 2400})  # the whole form without scrolling
    page.goto(base + URL)
    second = page.locator(".st-key-epsilon_2 input")
    second.wait_for(timeout=60_000)
    assert poll(page, "() => document.querySelector('.st-key-epsilon_2 input').value",
                lambda v: v == "0.4", timeout=30) == "0.4"  # fmt: skip
    assert page.locator(".st-key-constraint_2 input").input_value() == "le"
    page.wait_for_function(  # the preview: the front's surface with the target on it
        "Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(el => (el._fullData || []).some(t => t.type === 'mesh3d'))",
        timeout=60_000,
    )
    page.screenshot(path=str(ARTIFACTS / "lab_dtlz2.png"), full_page=True)

    page.get_by_text("Sweep settings").click()
    choose(page, "sweep_over", "epsilon1")
    _fill(page, "sweep_start", "0.2")
    _fill(page, "sweep_stop", "0.7")
    _fill(page, "sweep_count", str(COUNT))
    page.locator(".st-key-sweep button").click()
    page.wait_for_url(re.compile(r".*/pareto\?run=\d+"), timeout=60_000, wait_until="commit")

    traces = poll(page, TRACES, lambda ts: [COUNT, True] in [t[1:] for t in ts], timeout=180)
    assert ["scatter3d", COUNT, True] in traces, traces  # the sweep's points, drawn in WebGL
    assert [t[0] for t in traces if t[0] == "mesh3d"] == ["mesh3d"], traces  # over the front
    page.get_by_text("hypervolume").first.wait_for(state="attached", timeout=30_000)
    time.sleep(1)  # the WebGL scene's first frame
    page.screenshot(path=str(ARTIFACTS / "pareto_3d.png"), full_page=True)
    assert not page.get_by_text("WebGL is not supported").count()
    live_run(page, base, db_url)


def live_run(page, base: str, db_url: str) -> None:
    """A finished dtlz2 run on the Live page: its path in 3-D over the front, λ1 and λ2."""
    import storage
    from moo_core import make_run_config

    engine = storage.make_engine(db_url)
    config = make_run_config("dtlz2", "mdmm", epsilon=(0.5, 0.4), constraint="eq,le", steps=2000)
    run_id = storage.submit_run(engine, config)
    page.goto(base + f"/live?runs={run_id}")
    board = board_frame(page)  # Live draws on its chart board (pages/_board.py), in a frame
    path = poll(board, TRACES, lambda ts: any(t[0] == "scatter3d" and t[1] > 100 for t in ts))
    assert any(t[0] == "scatter3d" and t[1] > 100 and t[2] for t in path), path
    page.get_by_text("|g1 − ε1|").first.wait_for(timeout=120_000)
    time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / "live_3d.png"), full_page=True)
