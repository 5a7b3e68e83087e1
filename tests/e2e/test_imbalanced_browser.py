"""In Chromium: switching the sampler on the Imbalanced data page makes synthetic points appear and vanish."""

import re

from playwright.sync_api import Page, expect

from playground.i18n import t
from tests.e2e.browser_helpers import choose_option, save_screenshot, wait_for_app

TRAINING_TIMEOUT_MS = 120_000  # the first visit trains three networks on a shared two-core box
# wait_for_app can return before a rerun has started, so every expectation after a change waits this long.
SLOW = {"timeout": TRAINING_TIMEOUT_MS}


def choose_strategy(page: Page, strategy: str) -> None:
    box = page.get_by_role("combobox", name=t("imbalanced.sampler.label"), exact=True)
    choose_option(page, box, t(f"imbalanced.strategies.{strategy}"))
    expect(box).to_have_value(t(f"imbalanced.strategies.{strategy}"), **SLOW)
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)


def points_chart(page: Page):
    """The 'training points after resampling' chart: the first Plotly chart of the page."""
    return page.get_by_test_id("stPlotlyChart").first


def open_the_lab(page: Page, app_url: str) -> None:
    # Enter at the root, as a visitor does: on a freshly started server a deep link to /imbalanced runs the
    # page file without streamlit_app.py's st.navigation (Streamlit's app_pages/ folder fallback).
    page.goto(app_url)
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)
    page.get_by_role("link", name=t("app.nav.imbalanced")).click(no_wait_after=True)
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)
    expect(page.get_by_role("heading", name=t("imbalanced.title"))).to_be_visible(**SLOW)


def test_switching_sampler_shows_synthetic_points_appear(page, app_url):
    open_the_lab(page, app_url)
    synthetic_legend = points_chart(page).locator(".legendtext", has_text=t("figures.synthetic"))

    choose_strategy(page, "none")
    expect(page.get_by_text(t("imbalanced.sampler.no_synthetic"))).to_be_visible(**SLOW)
    expect(synthetic_legend).to_have_count(0, **SLOW)
    save_screenshot(page, "imbalanced-none")

    choose_strategy(page, "attribute_wise")
    expect(page.get_by_text(re.compile(r"The sampler added \d+ synthetic points"))).to_be_visible(**SLOW)
    expect(synthetic_legend).to_have_count(1, **SLOW)
    # Hollow diamonds are drawn: Plotly renders each marker as an SVG path; the synthetic trace comes last.
    synthetic_markers = points_chart(page).locator(".scatterlayer .trace").last.locator("path.point")
    expect(synthetic_markers.first).to_be_visible(**SLOW)
    assert synthetic_markers.count() > 10
    save_screenshot(page, "imbalanced-attribute-wise")


def test_the_ensemble_draws_each_members_boundary_line(page, app_url):
    open_the_lab(page, app_url)

    choose_strategy(page, "balanced_bagging")
    expect(page.get_by_text(t("imbalanced.sampler.ensemble_members"))).to_be_visible(**SLOW)
    # The boundary chart: its title names the strategy; each member's P = 0.5 line is a Plotly contour trace.
    title = t("imbalanced.test.boundary_title", strategy=t("imbalanced.strategies.balanced_bagging"))
    boundary = page.get_by_test_id("stPlotlyChart").filter(has_text=title)
    boundary.scroll_into_view_if_needed()
    expect(boundary.locator(".contourlayer .contour")).to_have_count(5, **SLOW)
    save_screenshot(page, "imbalanced-ensemble")
