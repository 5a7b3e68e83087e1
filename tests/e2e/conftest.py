"""Fixtures for browser tests: a real ``streamlit run`` server and Debian's Chromium driven by Playwright.

- ``app_url`` (session): base URL of the server, e.g. ``http://127.0.0.1:8765/``; its log goes to
  ``test-artifacts/server.log``, and a test fails at teardown if the server logged a traceback meanwhile.
- ``browser`` (session): a headless Chromium.
- ``page`` (per test): a page in a fresh context (1400x900); a screenshot is saved when the test fails.

Every test in this directory is marked ``e2e``. Without Chromium they are skipped, unless
``PLAYGROUND_E2E=required`` is set, in which case a missing browser fails the run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import free_port, stop_process_group, streamlit_command, wait_healthy
from tests.apptest_helpers import APP_FILE, REPO_ROOT
from tests.e2e.browser_helpers import (
    ARTIFACTS_DIR,
    CHROMIUM_ARGS,
    e2e_required,
    find_chromium,
    save_screenshot,
    server_tracebacks,
)

E2E_DIR = Path(__file__).parent
SERVER_START_TIMEOUT = 90  # seconds; a cold start on a busy two-core box is slow
VIEWPORT = {"width": 1400, "height": 900}


def _browser_missing_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        if os.environ.get("PLAYGROUND_CHROMIUM"):
            return f"PLAYGROUND_CHROMIUM={os.environ['PLAYGROUND_CHROMIUM']!r} is not an executable file"
        return "no Chromium found at /usr/bin/chromium (apt-get install chromium, or set PLAYGROUND_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _browser_missing_reason()
    for item in items:
        if E2E_DIR not in Path(item.path).parents:
            continue
        item.add_marker(pytest.mark.e2e)
        # Skip before any fixture runs, so no server is started for nothing. When the browser is
        # required, let the `browser` fixture fail instead.
        if missing and not e2e_required():
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {missing}"))


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _die_with_parent() -> None:
    """Runs in the server process before exec: the kernel kills it when pytest itself dies.

    Fixture teardown never runs if pytest is killed outright (SIGKILL, or SIGTERM from `timeout`);
    without this the server would be left running as an orphan.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


@pytest.fixture(scope="session")
def server_log() -> Path:
    """Path of the server's combined stdout/stderr log (one per xdist worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR / (f"server-{worker}.log" if worker else "server.log")


@pytest.fixture(scope="session")
def app_url(server_log: Path) -> Iterator[str]:
    """Start ``streamlit run streamlit_app.py`` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = streamlit_command(port, str(APP_FILE.relative_to(REPO_ROOT)))
    with server_log.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    try:
        try:
            wait_healthy(url, server, "streamlit", SERVER_START_TIMEOUT)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"{exc}:\n{_log_tail(server_log)}")
        yield url
    finally:
        stop_process_group(server)


@pytest.fixture(autouse=True)
def _fail_on_server_traceback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if the server logged a traceback while it ran (Streamlit's teardown race aside)."""
    if "app_url" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app_url")  # the server is up, so its startup output is not counted
    log_path: Path = request.getfixturevalue("server_log")
    start = log_path.stat().st_size if log_path.exists() else 0
    yield
    with log_path.open(encoding="utf-8", errors="replace") as log:
        log.seek(start)
        new_output = log.read()
    if server_tracebacks(new_output):
        pytest.fail(f"the streamlit server logged a traceback during this test:\n{new_output[-4000:]}")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; fails instead of skipping if PLAYGROUND_E2E=required."""
    missing = _browser_missing_reason()
    if missing:
        if e2e_required():
            pytest.fail(f"PLAYGROUND_E2E=required but {missing}")
        pytest.skip(f"browser test skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context and page (1400x900) per test; a failing test leaves a screenshot behind."""
    context = browser.new_context(viewport=VIEWPORT)
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)
    yield new_page
    try:
        if request.node.stash.get(_CALL_FAILED, False):
            save_screenshot(new_page, f"FAILED-{request.node.name}")
    finally:
        context.close()
