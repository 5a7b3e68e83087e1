"""In Chromium: every internal link the app renders lands on a real page and carries its settings there.

Each page is opened as a visitor would (English and Chinese); every ``<a href>`` pointing into the app is collected
(the navigation, the lessons' "Open in the Playground" and "Go deeper" links), plus the link the Playground's
"Share for class" dialog builds. Each one is then followed: Streamlit's "Page not found" box must not appear, and
the query parameters the link carries (the experiment, the tab, the language) must still be in the address bar
once the page has run, since every page mirrors its settings there. The Experiments page's "Open the best in the
Playground" link needs a finished search, so test_experiments_browser.py follows that one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from core.labs.lessons import LESSONS
from playground.i18n import t
from tests.e2e.browser_helpers import wait_for_app

PAGE_TIMEOUT_S = 150  # lesson steps train on arrival; the box is shared
SLOW_MS = PAGE_TIMEOUT_S * 1000
NOT_FOUND = "Page not found"  # Streamlit's own dialog, not one of our strings
PAGES = ("", "compare", "activations", "under_the_hood", "regression", "imbalanced", "experiments", "digits")
# One lesson step per page its "Go deeper" link opens (and tab), and the issue's step: each also has its "Open in
# the Playground" link.
LESSON_STEPS = tuple(
    {
        (step.link, step.link_tab): (lesson.id, step.id)
        for lesson in LESSONS.values()
        for step in lesson.steps
        if step.link
    }.values()
) + (("nonlinearity", "linear_hidden"),)


def internal_links(page: Page, app_url: str, within: str = "body") -> set[str]:
    """Absolute URLs of every link in ``within`` that points into the app (the browser resolves relative ones)."""
    hrefs = page.eval_on_selector_all(f"{within} a[href]", "links => links.map(link => link.href)")
    return {href for href in hrefs if href.startswith(app_url)}


def with_lang(url: str, lang: str) -> str:
    return url if lang == "en" else url + ("&" if "?" in url else "?") + "lang=zh"


def assert_lands_with_its_settings(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=PAGE_TIMEOUT_S)
    expect(page.get_by_text(NOT_FOUND)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stMainBlockContainer").get_by_role("heading").first).to_be_visible(timeout=SLOW_MS)
    carried = dict(parse_qsl(urlsplit(url).query))
    arrived = dict(parse_qsl(urlsplit(page.url).query))
    lost = {key: value for key, value in carried.items() if arrived.get(key) != value}
    assert lost == {}, f"{url} opened {page.url}: the link's settings {lost} did not arrive"


def test_the_old_playground_path_is_what_page_not_found_looks_like(page: Page, app_url: str):
    # The check below must be able to fail: /playground is the default page's url_path, which Streamlit
    # does not serve (the Playground is at the root), and it answers with this box.
    page.goto(app_url + "playground?seed=3")
    wait_for_app(page, timeout=PAGE_TIMEOUT_S)
    expect(page.get_by_text(NOT_FOUND).first).to_be_visible()


MAIN = '[data-testid="stMain"]'
SOURCES = [f"{path}" for path in PAGES] + [f"lessons?lesson={lesson}&step={step}" for lesson, step in LESSON_STEPS]


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_navigation_links_land_on_their_pages(page: Page, app_url: str, lang: str):
    page.goto(with_lang(app_url, lang))
    wait_for_app(page, timeout=PAGE_TIMEOUT_S)
    links = internal_links(page, app_url, '[data-testid="stSidebarNav"]')
    assert {app_url + path for path in PAGES if path} | {app_url + "lessons"} <= links, links
    for link in sorted(links):
        assert_lands_with_its_settings(page, link)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("source", SOURCES)
def test_every_link_on_a_page_lands_with_its_settings(page: Page, app_url: str, source: str, lang: str):
    page.goto(with_lang(app_url + source, lang))
    wait_for_app(page, timeout=PAGE_TIMEOUT_S)
    if source.startswith("lessons?"):
        lesson_id, step_id = (part.split("=")[1] for part in source.split("?")[1].split("&"))
        if LESSONS[lesson_id].step(step_id).config.data.name != "digits":  # digits have no Playground link
            # The step trains before its link appears.
            open_link = page.get_by_role("link", name=t("lessons.open_playground", lang=lang))
            expect(open_link).to_be_visible(timeout=SLOW_MS)
            assert any(urlsplit(link).path == "/" for link in internal_links(page, app_url, MAIN))
    for link in sorted(internal_links(page, app_url, MAIN)):
        assert_lands_with_its_settings(page, link)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_share_for_class_link_lands_with_its_settings(page: Page, app_url: str, lang: str):
    page.goto(with_lang(app_url + "?seed=7", lang))
    wait_for_app(page, timeout=PAGE_TIMEOUT_S)
    page.get_by_role("button", name=t("playground.share", lang=lang)).click()
    share = page.get_by_role("dialog").get_by_test_id("stCode").inner_text().strip()
    assert share.startswith(app_url.rstrip("/")) and "seed=7" in share and "show=" in share, share
    assert_lands_with_its_settings(page, share)
