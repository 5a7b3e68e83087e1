"""The Digits page in a real browser: the small CNN trains, its kernels are painted, and its parameter count sits
next to the dense network's in the comparison table."""

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

SLOW_PAGE_MS = 240_000  # the page trains on arrival; two busy cores can make that take a minute or more


def _colours(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int).reshape(-1, 3)


@pytest.mark.timeout(600)
def test_the_cnn_trains_and_its_kernels_and_parameter_count_are_shown(page, app_url):
    page.set_default_timeout(SLOW_PAGE_MS)
    page.set_viewport_size({"width": 1400, "height": 4000})
    page.goto(app_url)
    wait_for_app(page, timeout=90)
    page.get_by_role("link", name=t("app.nav.digits")).click(no_wait_after=True)
    expect(page.get_by_role("heading", name=t("digits.results.header"))).to_be_visible(timeout=SLOW_PAGE_MS)
    sidebar = page.get_by_test_id("stSidebarUserContent")
    sidebar.get_by_text(t("digits.presets.digits_cnn"), exact=True).click(no_wait_after=True)
    kernels = page.locator(".stPlotlyChart").filter(has_text=t("digits.fig.kernels_title"))
    expect(kernels).to_be_visible(timeout=SLOW_PAGE_MS)
    expect(page.get_by_text(t("digits.fig.maps_title", layer="maxpool 2×2"))).to_be_visible(timeout=SLOW_PAGE_MS)
    wait_for_app(page, timeout=240)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible(timeout=SLOW_PAGE_MS)
    save_screenshot(page, "digits-cnn", full_page=True)
    # the 8 kernels are drawn on a diverging scale: some cells blue (raise z), some orange (lower z)
    pixels = _colours(kernels.screenshot())
    blue = (pixels[:, 2] > pixels[:, 0] + 40).sum()
    orange = (pixels[:, 0] > pixels[:, 2] + 60).sum()
    assert blue > 50 and orange > 50, (blue, orange)
