"""axe-core over every page in both languages: no critical or serious violations, and <html lang> follows the language.

The main document is audited as a visitor first sees it (the live views' own iframes are their own documents).
Rules: WCAG 2.0/2.1 A and AA plus axe's best practices.
"""

from __future__ import annotations

import pytest

from tests.apptest_helpers import registered_pages
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed (requirements-dev.txt)"
)

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("critical", "serious")


def _describe(violation: dict) -> str:
    nodes = "; ".join(f"{n['target']} {n.get('failureSummary', '')[:200]}" for n in violation["nodes"][:3])
    count = len(violation["nodes"])
    return f"{violation['id']} ({violation['impact']}, {count} elements): {violation['help']} — {nodes}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("url_path", list(registered_pages().values()))
def test_page_has_no_serious_accessibility_violations(page, app_url, url_path, lang):
    page.goto(f"{app_url}{url_path}?lang={lang}")
    wait_for_app(page, timeout=120)
    page.wait_for_function(f"() => document.documentElement.lang === {lang!r}", timeout=30_000)
    result = axe_playwright.Axe().run(page, options={"runOnly": RULES, "resultTypes": ["violations"]})
    blocking = [v for v in result.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        save_screenshot(page, f"axe-{url_path}-{lang}")
    assert not blocking, "\n".join(_describe(v) for v in blocking)
