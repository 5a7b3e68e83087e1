"""Hostile links in Chromium: Markdown and HTML in the query show as text, and nothing is fetched (issue 19).

``/?ds=[Session expired: log in](http://127.0.0.1:9/…)`` used to put a clickable link into the app's own
warning, and ``/?![](http://127.0.0.1:9/…)=1`` made the browser fetch that address on load. Every request the
page makes is recorded; none may go to the payload's address, and no ``<a>``/``<img>`` may point there.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_helpers import save_screenshot, wait_for_app

HOST = "127.0.0.1:9"
HOSTILE = [
    ("", f"ds={quote(f'[Session expired: log in](http://{HOST}/phish)')}"),
    ("", f"{quote(f'![](http://{HOST}/key)')}=1&preset={quote(f'<img src=http://{HOST}/img>')}"),
    ("compare", f"vary={quote(f'[v](http://{HOST}/vary)')}&lang={quote(f'![](//{HOST}/l)')}"),
    ("under_the_hood", f"tab={quote(f'<a href=http://{HOST}/tab>x</a>![](http://{HOST}/t)')}"),
    ("lessons", f"lesson={quote(f'![x](http://{HOST}/lesson)')}"),
]


@pytest.mark.parametrize(("path", "query"), HOSTILE, ids=[path or "playground" for path, _ in HOSTILE])
def test_a_hostile_link_shows_its_payload_as_text_and_fetches_nothing(page, app_url, path, query):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app_url.rstrip('/')}/{path}?{query}")
    wait_for_app(page, timeout=120)  # a loaded machine can take a while to run a first script
    warning = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text=HOST).first
    expect(warning).to_be_visible(timeout=30_000)  # the payload is named, as text
    page.wait_for_timeout(1000)  # give a would-be image or link time to appear and load
    pointing = page.locator(f'a[href*="{HOST}"], img[src*="{HOST}"], [src*="{HOST}"]')
    assert pointing.count() == 0, [pointing.nth(i).evaluate("e => e.outerHTML") for i in range(pointing.count())]
    assert [url for url in requested if url.startswith((f"http://{HOST}", f"https://{HOST}"))] == []
    save_screenshot(page, f"hostile_link_{path or 'playground'}")
