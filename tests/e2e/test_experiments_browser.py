"""In Chromium: a 2×2 grid search on the Experiments page fills its results table, then offers the best run."""

import re

from playwright.sync_api import expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

PAGE_TIMEOUT_MS = 120_000
SEARCH_TIMEOUT_MS = 240_000  # 4 candidates × 3 folds of small networks on a shared two-core box


def test_grid_search_fills_the_results_table(page, app_url):
    page.goto(app_url + "experiments")
    wait_for_app(page, timeout=PAGE_TIMEOUT_MS / 1000)
    expect(page.get_by_role("heading", name=t("experiments.title"))).to_be_visible()
    page.get_by_role("tab", name=t("experiments.tabs.search")).click(timeout=PAGE_TIMEOUT_MS)
    # The page opens on a 2×2 grid: learning rate {0.003, 0.3} × hidden layer sizes {(2,), (8,)}.
    page.get_by_role("button", name=t("experiments.search.start")).click(timeout=PAGE_TIMEOUT_MS)

    table = page.get_by_test_id("stDataFrame").locator("table[aria-rowcount]").first
    expect(table).to_have_attribute("aria-rowcount", "5", timeout=SEARCH_TIMEOUT_MS)  # header + 4 candidates
    best_link = page.get_by_role("link", name=t("experiments.search.open_best"))
    expect(best_link).to_be_visible(timeout=SEARCH_TIMEOUT_MS)
    assert best_link.get_attribute("href").startswith("./?")
    expect(page.get_by_text("hidden layer sizes = (8,), learning rate = 0.3")).to_be_visible()  # the known best
    expect(page.get_by_role("button", name=t("experiments.search.start"))).to_be_enabled()
    expect(page.get_by_role("button", name=t("experiments.runner.stop"))).to_be_disabled()

    page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()
    save_screenshot(page, "experiments-grid-search-table")
    best_link.scroll_into_view_if_needed()
    save_screenshot(page, "experiments-grid-search-heatmap")

    # Following it opens the Playground (not Streamlit's "Page not found") with the best settings.
    target = best_link.evaluate("link => link.href")
    page.goto(target)
    wait_for_app(page, timeout=PAGE_TIMEOUT_MS / 1000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("heading", name=t("playground.title"))).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    assert "hidden=8" in page.url and "lr=0.3" in page.url, page.url


def status_pattern(status: str, percent: str) -> re.Pattern:
    """The progress bar's text for ``status`` with the percentage as a regex."""
    return re.compile(re.escape(t(f"experiments.runner.{status}", percent="PCT")).replace("PCT", percent))


def test_stop_ends_a_long_cross_validation_between_two_folds(page, app_url):
    page.goto(app_url + "experiments")
    wait_for_app(page, timeout=PAGE_TIMEOUT_MS / 1000)
    page.get_by_role("tab", name=t("experiments.tabs.cv")).click(timeout=PAGE_TIMEOUT_MS)
    panel = page.get_by_role("tabpanel", name=t("experiments.tabs.cv"))
    panel.get_by_text(t("experiments.cv.methods.loo"), exact=True).click(timeout=PAGE_TIMEOUT_MS)
    wait_for_app(page, timeout=PAGE_TIMEOUT_MS / 1000)
    page.get_by_role("button", name=t("experiments.cv.start")).click(timeout=PAGE_TIMEOUT_MS)
    # Leave-one-out trains one network per training sample (140 here): long enough to stop half way.
    expect(panel.get_by_text(status_pattern("running", r"[1-9]\d?"))).to_be_visible(timeout=SEARCH_TIMEOUT_MS)
    page.get_by_role("button", name=t("experiments.runner.stop")).click(timeout=PAGE_TIMEOUT_MS)
    stopped = panel.get_by_text(status_pattern("stopped", r"\d+"))
    expect(stopped).to_be_visible(timeout=SEARCH_TIMEOUT_MS)
    assert int(re.search(r"\d+", stopped.inner_text()).group()) < 100
    expect(page.get_by_role("button", name=t("experiments.cv.start"))).to_be_enabled()
    save_screenshot(page, "experiments-cv-stopped")
