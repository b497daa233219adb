import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e._browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, free_port, wait_http


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by `page` to see whether the test failed
    return report


@pytest.fixture
def server(tmp_path):
    """A fresh Streamlit server and one worker on a new SQLite database: (base URL, db URL)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    env = {**os.environ, "MOO_DATABASE_URL": url, "MOO_EXTERNAL_WORKERS": "1"}
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        ),
        subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        ),
    ]  # fmt: skip
    try:
        wait_http(port, procs[1])
        yield f"http://127.0.0.1:{port}", url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


@pytest.fixture
def page(request, server, tmp_path):
    """A Chromium page (1400 px wide). When the test fails, its screenshot goes to
    artifacts/failed-<test>.png and the page's text and the server's log end up in the report,
    so a CI log shows what the browser saw."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1400})
        try:
            yield tab
        finally:
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                _describe_failure(request.node.name, tab, tmp_path / "server.log")
            browser.close()


def _describe_failure(name: str, tab, log: Path) -> None:
    try:
        tab.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
        text = tab.locator("body").inner_text(timeout=5_000)
    except Exception as error:  # the browser may be what broke
        text = f"(page unreadable: {error})"
    print(f"\n--- {name}: {tab.url}\n--- what the page showed:\n{text[-4000:]}")
    print(f"--- server log (end):\n{log.read_text(errors='replace')[-3000:]}")
