"""The app opens in a real browser on the Playground page."""

from playwright.sync_api import expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app


def test_root_url_shows_playground_title_in_chromium(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=t("playground.title"))).to_be_visible()
    expect(page).to_have_title(t("app.name"))
    assert save_screenshot(page, "home").stat().st_size > 0


def test_the_playground_asks_nothing_of_any_host_but_its_own(page, app_url):
    """The app works offline and tells no third party who opened it: every request, the tab's icon and the live
    view's assets included, goes to the app's own server (a Material page icon was fetched from a font CDN)."""
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((app_url, "data:", "blob:", "about:")) else elsewhere.append(request.url)
        ),
    )
    page.goto(app_url)
    wait_for_app(page)
    page.locator("iframe").first.content_frame.locator("canvas.heat").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    assert elsewhere == []
