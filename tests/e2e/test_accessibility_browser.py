"""axe-core over every page in both languages: no critical or serious violations, and <html lang> follows the language.

The main document is audited as a visitor first sees it; the live views' own iframes are audited on their own
(paused and playing), with their lang, <title>, chart names and throttled spoken summary.
Rules: WCAG 2.0/2.1 A and AA plus axe's best practices.
"""

from __future__ import annotations

import time

import pytest

from playground.i18n import t
from tests.apptest_helpers import registered_pages
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed (requirements-dev.txt)"
)

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("critical", "serious")


def _describe(violation: dict) -> str:
    nodes = "; ".join(f"{n['target']} {n.get('failureSummary', '')[:200]}" for n in violation["nodes"][:3])
    count = len(violation["nodes"])
    return f"{violation['id']} ({violation['impact']}, {count} elements): {violation['help']} — {nodes}"


def wait_for_accessibility_script(page) -> None:
    """Until the app's accessibility script (playground/accessibility.py) has run in the page. Streamlit renders each
    element when its code has loaded, so on a busy machine a formula can be on the page before the script that
    makes it focusable; and on an English page the ``lang`` check above passes before the script has run at all.
    """
    page.wait_for_function("() => window.__playgroundA11y === true", timeout=30_000)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("url_path", list(registered_pages().values()))
def test_page_has_no_serious_accessibility_violations(page, app_url, url_path, lang):
    page.goto(f"{app_url}{url_path}?lang={lang}")
    wait_for_app(page, timeout=120)
    page.wait_for_function(f"() => document.documentElement.lang === {lang!r}", timeout=30_000)
    wait_for_accessibility_script(page)
    result = axe_playwright.Axe().run(page, options={"runOnly": RULES, "resultTypes": ["violations"]})
    blocking = [v for v in result.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        save_screenshot(page, f"axe-{url_path}-{lang}")
    assert not blocking, "\n".join(_describe(v) for v in blocking)


LIVE_VIEWS = {
    "playground": ("/", "playground.play"),
    "compare": ("/compare", "compare.play"),
    "regression": ("/regression", "regression.play"),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", list(LIVE_VIEWS))
def test_live_view_iframe_is_titled_summarised_and_has_no_serious_violations(page, app_url, view, lang):
    """The live view's own document: lang and <title> follow the app language, every chart is named by its title
    and the counters, the counters are spoken through a throttled polite live region, and axe finds nothing
    critical or serious inside it, while paused and while playing."""
    path, play = LIVE_VIEWS[view]
    page.set_default_timeout(120_000)
    if view == "regression":  # a deep link on a fresh server skips the app's navigation (see the regression test)
        page.goto(f"{app_url}?lang={lang}")
        wait_for_app(page, timeout=120)
        page.get_by_role("link", name=t("app.nav.regression", lang=lang)).click(no_wait_after=True)
    else:
        page.goto(f"{app_url.rstrip('/')}{path}?lang={lang}")
    wait_for_app(page, timeout=120)
    frame = live_frame(page, timeout=120)
    frame.wait_for_function(f"() => document.documentElement.lang === {lang!r}", timeout=30_000)
    assert frame.evaluate("() => document.title") == t("live_view.document_title", lang=lang)

    live = frame.locator("#announce")
    assert live.get_attribute("aria-live") == "polite"
    assert not frame.evaluate("() => !!document.querySelector('#counters[aria-live], .counter [aria-live]')")
    frame.wait_for_function("() => document.getElementById('announce').textContent.length > 0", timeout=30_000)
    epoch_label = frame.locator('.counter[data-name="epoch"] .label').text_content().strip()
    assert epoch_label and epoch_label in live.text_content()

    charts = frame.evaluate("""() => Array.from(document.querySelectorAll('#panels .panel'),
        (p) => ({role: p.getAttribute('role'), name: p.getAttribute('aria-label') || ''}))""")
    assert charts and all(c["role"] == "img" for c in charts), charts
    summary = live.text_content()
    assert all(summary in c["name"] and len(c["name"]) > len(summary) for c in charts), (summary, charts)

    def audit(when: str) -> None:
        result = axe_playwright.Axe().run(frame, options={"runOnly": RULES, "resultTypes": ["violations"]})
        blocking = [v for v in result.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            save_screenshot(page, f"axe-live-{view}-{lang}-{when}")
        assert not blocking, when + ":\n" + "\n".join(_describe(v) for v in blocking)

    audit("paused")
    # Playing: the spoken summary changes only every few seconds, not with every painted frame.
    frame.evaluate("""() => { window.__announced = 0;
        new MutationObserver(() => { window.__announced += 1; })
          .observe(document.getElementById('announce'), {childList: true, characterData: true, subtree: true}); }""")
    start = live_state(frame)
    page.get_by_role("button", name=t(play, lang=lang), exact=True).click()
    time.sleep(6.0)  # a fast run (Regression's 800 epochs) may even finish meanwhile: then it is announced too
    painted = live_state(frame)["frames"] - start["frames"]
    announced = frame.evaluate("() => window.__announced")
    assert 1 <= announced <= 3 < painted, f"{announced} announcements for {painted} painted frames in 6 s"
    audit("playing")


@pytest.mark.timeout(300)
def test_every_display_formula_takes_keyboard_focus_whether_or_not_it_overflows_now(page, app_url):
    """A formula 2 px too wide at one moment fits at the next (fonts, window width): all of them are focusable, so
    axe's scrollable-region-focusable holds at any width and a keyboard user can scroll any that overflows."""
    page.goto(f"{app_url}regression?lang=en")
    wait_for_app(page, timeout=120)
    page.wait_for_selector(".katex-display", timeout=60_000)
    wait_for_accessibility_script(page)
    formulas = page.evaluate(
        "() => Array.from(document.querySelectorAll('.katex-display'),"
        " (el) => [el.getAttribute('tabindex'), el.scrollWidth > el.clientWidth])"
    )
    assert formulas and all(tabindex == "0" for tabindex, _ in formulas), formulas
    page.set_viewport_size({"width": 700, "height": 900})  # narrower: more of them overflow, all still focusable
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.querySelectorAll('.katex-display:not([tabindex=\"0\"])').length") == 0
