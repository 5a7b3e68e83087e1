"""In Chromium: the Playground's sidebar shows its labels whole, and presenter mode enlarges what a room reads
and can be left from the page itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

TIMEOUT_S = 120

# Elements whose text is cut (ellipsis or overflow) report a scroll width larger than their box.
CUT_TEXT = """(root) => [...root.querySelectorAll(
        '[data-testid="stWidgetLabel"] p, button p, [data-baseweb="select"] [value], [data-baseweb="select"] div')]
    .filter(el => el.children.length === 0 && el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map(el => el.textContent)"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_the_sidebar_shows_every_label_whole(page: Page, app_url: str, lang: str, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(app_url + "?hidden=4:sigmoid,2:leaky_relu" + ("&lang=zh" if lang == "zh" else ""))
    wait_for_app(page, timeout=TIMEOUT_S)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name=t("widgets.regenerate", lang=lang))).to_be_visible()
    assert sidebar.evaluate(CUT_TEXT) == []
    # The loss formula breaks only between its two halves, never inside "(1 − y)".
    formula = sidebar.locator(".katex").last
    assert formula.locator(".base").count() == 2
    save_screenshot(page, f"sidebar-{lang}-{size[0]}")


def test_presenter_mode_enlarges_buttons_and_is_left_from_the_page(page: Page, app_url: str):
    page.goto(app_url + "?seed=4")
    wait_for_app(page, timeout=TIMEOUT_S)
    step = page.get_by_role("button", name=t("playground.step"))
    normal = step.evaluate("b => parseFloat(getComputedStyle(b.querySelector('p')).fontSize)")

    page.goto(app_url + "?seed=4&presenter=1")
    wait_for_app(page, timeout=TIMEOUT_S)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    large = step.evaluate("b => parseFloat(getComputedStyle(b.querySelector('p')).fontSize)")
    assert large >= 1.25 * normal, (normal, large)
    save_screenshot(page, "presenter-mode")

    page.get_by_role("button", name=t("playground.presenter_leave")).click()
    expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=TIMEOUT_S * 1000)
    expect(page.get_by_role("button", name=t("playground.presenter_leave"))).to_have_count(0)
    assert "presenter" not in page.url and "seed=4" in page.url
