"""Hostile names in a real browser (issue 25 item 1): a participant's file name, column names,
class values, experiment name and tags are markdown images and links, raw HTML, a <script>,
bare URLs, a right-to-left override and very long text. Every page shows them as text: no
page renders a link, image or script from them, and the browser asks nothing of any host but
the app (every other request is intercepted, recorded and refused)."""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import urlparse

import pytest

from tests.e2e._browser import ARTIFACTS, _frames, charts, poll

pytestmark = pytest.mark.e2e

EVIL = "evil.invalid"  # a name no resolver answers (RFC 2606); requests to it are refused
NAME = f"![x](http://{EVIL}/a.png)\u202eגדולה {'L' * 120}.csv"
COLUMNS = [
    f"[t](http://{EVIL}/t)",
    f"<img src=http://{EVIL}/i.png onerror=alert(1)>",
    f"<script>fetch('http://{EVIL}/s')</script>",
]
CLASSES = [f"http://{EVIL}/c", f"![c](http://{EVIL}/c.png)"]
EXPERIMENT = f"[e](http://{EVIL}/e) <b>bold</b> www.{EVIL} " + "W" * 140
TAGS = [f"[tag](http://{EVIL}/tag)", f"<a href=http://{EVIL}/a>a</a>"]

# Any link, image, script or handler made from the names: an attribute that loads or links
# (href, src, style's url(), …) naming the hostile host, an event handler on the page's own
# content, or a script whose text does. Attributes that are only text (aria-label, title,
# value) may hold the names: that is how a widget shows them.
FORMED = """() => {
  const loads =
    /^(href|xlink:href|src|srcset|action|formaction|data|poster|background|style|ping|cite)$/i;
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const named = attr.value.includes('evil.invalid');
      if ((loads.test(attr.name) && named) || (/^on/i.test(attr.name) && named))
        found.push(`<${el.tagName.toLowerCase()} ${attr.name}="${attr.value.slice(0, 80)}">`);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('evil.invalid'))
      found.push('<script> ' + el.textContent.slice(0, 80));
  }
  return found;
}"""
TEXT = "() => document.body.innerText"


def hostile_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for i in range(60):
        writer.writerow([i % 7, (i * 3) % 5, CLASSES[i % 2]])
    return buffer.getvalue().encode()


def store_hostile_runs(url: str) -> tuple[int, int]:
    """The upload, a task run and a 3-setting sweep on it, named and tagged hostilely."""
    import storage
    from moo_core import make_run_config, make_sweep_config

    engine = storage.make_engine(url)
    storage.upgrade(engine)
    view = storage.store_dataset(engine, NAME, hostile_csv(), COLUMNS, 60)
    task = {"dataset": view.ref, "target": COLUMNS[2], "objective": "l1", "hidden": [8]}
    run = make_run_config(None, "mdmm", steps=60, task=task)
    experiment, (run_id,) = storage.submit_owned(engine, EXPERIMENT, "single", [run])
    sweep = make_sweep_config(run, "epsilon", 0.01, 0.05, 3)
    _, (sweep_id,) = storage.submit_owned(engine, f"![s](http://{EVIL}/s.png)", "sweep", [sweep])
    storage.set_experiment_tags(engine, experiment, TAGS)
    deadline = time.monotonic() + 180
    while {storage.get_run(engine, i).status for i in (run_id, sweep_id)} != {"completed"}:
        assert time.monotonic() < deadline, "the worker did not finish the hostile runs"
        time.sleep(0.5)
    engine.dispose()
    return run_id, sweep_id


def shown(text: str) -> str:
    return text.replace("\u2060", "")  # plain()'s invisible word joiners


def settle(page, seconds: float = 2.0) -> None:
    """Until the page has stopped running its script, then a moment for charts to draw."""
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    time.sleep(seconds)


def formed(page) -> list[str]:
    found = page.evaluate(FORMED)
    for frame in _frames(page):
        try:
            found += frame.evaluate(FORMED)
        except Exception:  # a frame replaced meanwhile: the next page looks again
            continue
    return found


def test_hostile_names_are_text_on_every_page_and_nothing_is_fetched(server, page):
    base, url = server
    run_id, sweep_id = store_hostile_runs(url)
    app = urlparse(base).netloc
    outside: list[str] = []

    def only_the_app(route):
        if urlparse(route.request.url).netloc == app:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_app)
    visits = {
        "lab": "/lab",
        "live": f"/live?runs={run_id}",
        "compare": f"/compare?runs={run_id}",
        "pareto": f"/pareto?run={sweep_id}",
        "history": "/history",
        "scoreboard": "/scoreboard",
        "bad-url": f"/live?runs=![u](http://{EVIL}/u.png)",
    }
    texts = {}
    for name, path in visits.items():
        page.goto(base + path)
        settle(page)
        if name == "live":
            poll(page, TEXT, lambda text: "classes" in text, timeout=60)
        if name in ("live", "compare"):
            charts(page, 2)  # the names' charts drawn, legends and titles included
        if name == "pareto":
            page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=60_000)
        if name == "history":  # the hostile experiment: its name, tags and rename box
            page.locator(".st-key-history_exp").get_by_role("button", name="Open").click()
            page.get_by_role("option").filter(has_text="bold").first.click()
            settle(page)
        page.screenshot(path=str(ARTIFACTS / f"hostile-{name}.png"), full_page=True)
        assert formed(page) == [], name
        texts[name] = shown(page.evaluate(TEXT))

    page.goto(base + "/datasets")  # the upload chosen: its name, columns and classes
    settle(page)
    page.locator(".st-key-ds_source").get_by_role("button", name="Open").click()
    page.get_by_role("option").filter(has_text="evil").first.click()
    settle(page, 3.0)
    # the text column as the target (the page suggests a numeric one): the others are features
    page.locator(".st-key-ds_target").get_by_role("button", name="Open").click()
    page.get_by_role("option").filter(has_text="script").first.click()
    settle(page, 3.0)
    page.screenshot(path=str(ARTIFACTS / "hostile-datasets.png"), full_page=True)
    assert formed(page) == [], "datasets"
    texts["datasets"] = shown(page.evaluate(TEXT))

    assert outside == []  # no request left for any other host
    live = texts["live"]
    assert f"{NAME.replace(chr(0x202E), '')} → {COLUMNS[2]}" in live  # the subject, as text
    classes = re.search(r"classes (.*?); ", live)[1]
    assert sorted(classes.split(", ")) == sorted(CLASSES)
    assert "![x](http://evil.invalid/a.png)" in texts["pareto"]
    assert "\u202e" not in "".join(texts.values())  # no override reorders what follows it
    assert "run id '![u](http://evil.invalid…' is not a whole number" in texts["bad-url"]
    assert COLUMNS[0] in texts["datasets"] and COLUMNS[1] in texts["datasets"]
