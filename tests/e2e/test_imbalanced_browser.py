"""In Chromium: switching the sampler on the Imbalanced data page makes synthetic points appear and vanish."""

import re

from playwright.sync_api import Page, expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

TRAINING_TIMEOUT_MS = 120_000  # the first visit trains three networks on a shared two-core box


def choose_strategy(page: Page, strategy: str) -> None:
    box = page.get_by_role("combobox", name=t("imbalanced.sampler.label"), exact=True)
    box.click()
    page.get_by_role("option", name=t(f"imbalanced.strategies.{strategy}"), exact=True).click()
    expect(box).to_have_value(t(f"imbalanced.strategies.{strategy}"))
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)


def points_chart(page: Page):
    """The 'training points after resampling' chart: the first Plotly chart of the page."""
    return page.get_by_test_id("stPlotlyChart").first


def test_switching_sampler_shows_synthetic_points_appear(page, app_url):
    page.goto(app_url + "imbalanced")
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)
    expect(page.get_by_role("heading", name=t("imbalanced.title"))).to_be_visible()
    synthetic_legend = points_chart(page).locator(".legendtext", has_text=t("figures.synthetic"))

    choose_strategy(page, "none")
    expect(page.get_by_text(t("imbalanced.sampler.no_synthetic"))).to_be_visible()
    expect(synthetic_legend).to_have_count(0)
    save_screenshot(page, "imbalanced-none")

    choose_strategy(page, "attribute_wise")
    expect(page.get_by_text(re.compile(r"The sampler added \d+ synthetic points"))).to_be_visible()
    expect(synthetic_legend).to_have_count(1)
    # Hollow diamonds are drawn: Plotly renders each marker as an SVG path inside the synthetic trace.
    synthetic_markers = points_chart(page).locator(".scatterlayer .trace").nth(1).locator("path.point")
    expect(synthetic_markers.first).to_be_visible()
    assert synthetic_markers.count() > 10
    save_screenshot(page, "imbalanced-attribute-wise")
    save_screenshot(page, "imbalanced-attribute-wise-full", full_page=True)
