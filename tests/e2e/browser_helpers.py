"""Helpers for browser tests: finding Chromium, waiting for Streamlit, saving screenshots.

Fixtures (``app_url``, ``browser``, ``page``) live in ``tests/e2e/conftest.py``; a test reads:

    from tests.e2e.browser_helpers import save_screenshot, wait_for_app

    def test_something(page, app_url):
        page.goto(app_url)
        wait_for_app(page)
        save_screenshot(page, "something")
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tests.apptest_helpers import REPO_ROOT

if TYPE_CHECKING:  # importable without Playwright, so a missing package can be reported as a skip
    from playwright.sync_api import Locator, Page

__all__ = [
    "ARTIFACTS_DIR",
    "CHROMIUM_ARGS",
    "SCREENSHOTS_DIR",
    "choose_option",
    "e2e_required",
    "find_chromium",
    "save_screenshot",
    "server_tracebacks",
    "wait_for_app",
]

ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"

# Debian's Chromium, launched by path: Playwright's own browser download is not reachable here.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = (
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def e2e_required() -> bool:
    """True when env ``PLAYGROUND_E2E=required``: a missing browser then fails the run instead of skipping."""
    return os.environ.get("PLAYGROUND_E2E", "").strip().lower() == "required"


def find_chromium() -> str | None:
    """Path of a Chromium executable: env ``PLAYGROUND_CHROMIUM`` if set, else Debian's; None if absent."""
    override = os.environ.get("PLAYGROUND_CHROMIUM")
    candidates = (override,) if override else (*CHROMIUM_CANDIDATES, shutil.which("chromium"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def wait_for_app(page: Page, *, timeout: float = 30) -> None:
    """Block until Streamlit is connected and has finished running the script (at most ``timeout`` seconds).

    Call it after ``page.goto(...)``, and after an interaction once the rerun has visibly started.
    """
    timeout_ms = timeout * 1000
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached", timeout=timeout_ms
    )
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', state="visible", timeout=timeout_ms)
    # "notRunning" is only reached after a run; a fresh page starts at "initial". A live page's first run may leave
    # its controls for the run its first picture asks for (playground.live.loop.picture_first): wait for that too.
    # A widget whose code is still loading shows Streamlit's skeleton in its place (the Playground's select boxes
    # first appear on that second run): wait until none is left.
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app !== null
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && document.querySelector('[data-testid="stStatusWidget"]') === null
                && document.querySelector('[data-nnp-controls]') === null
                && document.querySelector('[data-testid="stSkeleton"]') === null;
        }""",
        timeout=timeout_ms,
    )


def choose_option(page: Page, box: Locator, option: str, *, attempts: int = 5) -> None:
    """Open the selectbox ``box`` and click its option named ``option`` (exact name).

    A rerun that lands between opening the list and clicking closes it again, so a list that does not show the
    option within a few seconds is closed and reopened. Clicks do not wait for navigation: under load Playwright
    can wait forever for one it believes the click scheduled; callers wait for the rerun's visible result.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            box.click(no_wait_after=True, timeout=30_000)
            page.get_by_role("option", name=option, exact=True).click(no_wait_after=True, timeout=10_000)
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


# Streamlit's own websocket teardown (1.67, Starlette server) can log a traceback when a browser context closes
# while a message is in flight: `receive_bytes` raises "WebSocket is not connected", Streamlit takes it for a text
# frame and calls `close()` on the closed socket. Nothing of ours is on that stack; the session ends as it should.
_TEARDOWN_RACE = re.compile(r"^starlette\.websockets\.WebSocketDisconnected?\b")
_TRACEBACK_START = "Traceback (most recent call last):"
_FRAME = re.compile(r'^\s+File "([^"]+)", line \d+')


def _is_our_file(path: str) -> bool:
    resolved = Path(path)
    return resolved.is_relative_to(REPO_ROOT) and "site-packages" not in resolved.parts


def server_tracebacks(log_text: str) -> list[str]:
    """The tracebacks in a server log that point at a problem: each as its text, in order.

    One traceback is the header line, its indented frames and the exception line after them (a chained
    exception is two tracebacks). Left out: Streamlit's websocket teardown race (a ``WebSocketDisconnected``
    raised with no frame from this repository), which a closing browser can trigger in any test.
    """
    lines = log_text.splitlines()
    found = []
    for start, line in enumerate(lines):
        if not line.lstrip().startswith(_TRACEBACK_START):
            continue
        end = start + 1
        while end < len(lines) and lines[end].startswith((" ", "\t")):
            end += 1
        exception_line = lines[end] if end < len(lines) else ""
        block = lines[start : end + 1]
        frames = [match.group(1) for text in block if (match := _FRAME.match(text))]
        benign = _TEARDOWN_RACE.match(exception_line) and not any(_is_our_file(path) for path in frames)
        if not benign:
            found.append("\n".join(block))
    return found


def save_screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Write a PNG of the page to ``test-artifacts/screenshots/<name>.png`` and return its path."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{safe_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
