"""Workshop mode in Chromium (MOO_ADMIN_TOKEN set): the instructor launches a run; a
participant, in a browser context of their own, sees it on History and Live but cannot delete
or cancel it; the instructor, token typed in, deletes it. Screenshots: artifacts/workshop-*."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e._browser import ARTIFACTS

pytestmark = pytest.mark.e2e
TOKEN = "sesame-workshop"
LONG_RUN = "/?problem=concave&method=mdmm&epsilon=0.6&steps=2000000"  # running throughout


@pytest.fixture(autouse=True)
def workshop_mode(monkeypatch):
    """Set before the server starts (autouse fixtures come first): it reads the environment."""
    monkeypatch.setenv("MOO_ADMIN_TOKEN", TOKEN)


def type_token(page, token: str) -> None:
    field = page.locator(".st-key-_admin_token input")
    field.fill(token)
    field.press("Enter")
    page.get_by_text("Instructor: you may delete or cancel anything").wait_for(timeout=30_000)


def wait_status(engine, run_id: int, status: str, timeout: float = 60) -> None:
    import storage

    deadline = time.monotonic() + timeout
    while (view := storage.get_run(engine, run_id)).status != status:
        assert time.monotonic() < deadline, f"run {run_id} is {view.status}, not {status}"
        time.sleep(0.3)


def test_participant_cannot_delete_the_instructors_run(server, page):
    import storage

    base, db_url = server
    engine = storage.make_engine(db_url)
    page.goto(base + LONG_RUN)
    page.locator(".st-key-launch button").wait_for(timeout=60_000)
    type_token(page, TOKEN)
    page.locator(".st-key-launch button").click()
    page.wait_for_url(re.compile(r".*/live\?runs=\d+"), timeout=60_000, wait_until="commit")
    run_id = int(re.search(r"runs=(\d+)", page.url).group(1))
    wait_status(engine, run_id, "running")
    owner = storage.owner_of(engine, "run", run_id)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert owner and cookies.get("moolab_me") == owner  # a reload keeps this session's runs

    participant = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    other = participant.new_page()
    try:
        other.goto(base + f"/live?runs={run_id}")
        cancel = other.locator(f".st-key-cancel{run_id} button").first  # a fragment redraws it
        cancel.wait_for(timeout=60_000)
        assert cancel.is_disabled()
        other.goto(base + "/history")
        delete = other.locator(".st-key-delete_run button")
        delete.wait_for(timeout=60_000)
        other.get_by_text(f"Run #{run_id}: Read-only").wait_for(timeout=30_000)
        assert delete.is_disabled()
        other.get_by_text("Workshop mode: everyone's results are shown").wait_for()
        other.get_by_role("button", name="Download CSV").first.wait_for()
        other.screenshot(path=str(ARTIFACTS / "workshop-participant.png"), full_page=True)
        assert storage.get_run(engine, run_id) is not None
        assert storage.owner_of(engine, "run", run_id) != other.context.cookies()[0]["value"]
        other.locator('[data-testid="stSidebarNavLink"]', has_text="Lab").click()
        other.get_by_text("Workshop limits: ≤ 20,000 steps a run").wait_for(timeout=30_000)
        other.locator(".st-key-launch button").scroll_into_view_if_needed()
        other.screenshot(path=str(ARTIFACTS / "workshop-lab.png"))
    finally:
        participant.close()

    page.locator('[data-testid="stSidebarNavLink"]', has_text="History").click()
    page.locator(".st-key-delete_run button").click()  # the token is kept across pages
    page.get_by_role("button", name="Confirm delete").click()
    deadline = time.monotonic() + 30
    while storage.get_run(engine, run_id) is not None:
        assert time.monotonic() < deadline, "the instructor's delete did not happen"
        time.sleep(0.3)
    page.screenshot(path=str(ARTIFACTS / "workshop-instructor.png"), full_page=True)
    engine.dispose()
