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
