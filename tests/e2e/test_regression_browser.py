"""The Regression lab in a real browser: Play trains the 1-3-1 sine preset and the test R² climbs."""

import re
import time

import pytest
from playwright.sync_api import expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

TRAINING_TIMEOUT_S = 150  # two busy cores can slow training to a few epochs per second
SLOW_PAGE_MS = 120_000  # first render of a page with six charts, and screenshots of it, on a loaded machine


def _metric(page, label_key: str) -> str:
    """The value shown by the st.metric labelled ``t(label_key)``."""
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=t(label_key))
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _test_r2(page) -> float:
    return float(_metric(page, "regression.counter.test_r2").replace("−", "-"))


def _epoch(page) -> int:
    return int(re.match(r"([\d,]+)", _metric(page, "regression.counter.epoch")).group(1).replace(",", ""))


@pytest.mark.timeout(2 * TRAINING_TIMEOUT_S + 120)
def test_play_trains_the_sine_preset_and_test_r2_rises(page, app_url):
    page.set_default_timeout(SLOW_PAGE_MS)
    # Enter at the root and follow the link, as a visitor does: on a fresh server a deep link runs the page file
    # without streamlit_app.py's navigation (Streamlit's app_pages/ folder fallback).
    page.goto(app_url)
    wait_for_app(page, timeout=90)
    page.get_by_role("link", name=t("app.nav.regression")).click(no_wait_after=True)
    wait_for_app(page, timeout=90)
    expect(page.get_by_role("heading", name=t("regression.title"))).to_be_visible(timeout=SLOW_PAGE_MS)
    r2_tile = page.locator('[data-testid="stMetric"]').filter(has_text=t("regression.counter.test_r2"))
    expect(r2_tile).to_be_visible(timeout=SLOW_PAGE_MS)
    assert _epoch(page) == 0
    untrained = _test_r2(page)
    assert untrained < 0.5  # fresh weights: a flat-ish curve, far from the sine
    save_screenshot(page, "regression-untrained")

    page.get_by_role("button", name=t("regression.play")).click()
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    readings = []
    while time.monotonic() < deadline:
        time.sleep(1.0)
        try:
            readings.append((_epoch(page), _test_r2(page)))
        except (ValueError, AttributeError):  # caught mid-redraw; read again
            continue
        if readings[-1][1] > 0.9:
            break
    assert readings, "the counters never showed during training"
    epoch, r2 = readings[-1]
    assert epoch > 0 and r2 > 0.9, f"test R² did not rise above 0.9 in {TRAINING_TIMEOUT_S} s: {readings[-5:]}"
    assert r2 > untrained + 0.5
    save_screenshot(page, "regression-training")

    page.get_by_role("button", name=t("regression.pause")).click()
    expect(page.get_by_role("button", name=t("regression.play"))).to_be_visible(timeout=SLOW_PAGE_MS)
    wait_for_app(page, timeout=90)
    # The counters may still show an epoch from before the last chunk the server trained before it saw Pause;
    # let the display catch up (two equal readings a second apart), then require it to stay put.
    previous, paused_at = -1, _epoch(page)
    deadline = time.monotonic() + 20
    while paused_at != previous and time.monotonic() < deadline:
        time.sleep(1.0)
        previous, paused_at = paused_at, _epoch(page)
    time.sleep(2.0)
    assert _epoch(page) == paused_at, "training went on after Pause"
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.get_by_role("heading", name=t("regression.metrics_header")).scroll_into_view_if_needed()
    wait_for_app(page, timeout=90)
    save_screenshot(page, "regression-paused")
