"""The Regression lab in a real browser: Play animates the live fit of the 1-3-1 sine and the test R² climbs."""

import re
import time

import pytest
from playwright.sync_api import expect

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import counter, live_frame, live_state

TRAINING_TIMEOUT_S = 150  # two busy cores can slow training to a few epochs per second
SLOW_PAGE_MS = 120_000  # first render of the page and its sweeps' controls on a loaded machine


def _epoch(frame) -> int:
    """The epoch counter of the live view, "120 / 800" -> 120."""
    return int(re.match(r"([\d,]+)", counter(frame, "epoch")).group(1).replace(",", ""))


def _test_r2(frame) -> float:
    value = counter(frame, "test_r2").replace("−", "-")
    return float(value) if value not in ("–", "") else float("nan")


def _fitted_curve_picture(frame) -> str:
    """The pixels of the canvas the fitted curve is painted on (over the Plotly figure of the fit)."""
    return frame.evaluate("() => document.querySelector('#panel-fit > canvas').toDataURL()")


def _wait_until(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(message() if callable(message) else message)


@pytest.mark.timeout(2 * TRAINING_TIMEOUT_S + 120)
def test_play_animates_the_fit_and_test_r2_rises_then_pause_stops(page, app_url):
    page.set_default_timeout(SLOW_PAGE_MS)
    # Enter at the root and follow the link, as a visitor does: on a fresh server a deep link runs the page file
    # without streamlit_app.py's navigation (Streamlit's app_pages/ folder fallback).
    page.goto(app_url)
    wait_for_app(page, timeout=90)
    page.get_by_role("link", name=t("app.nav.regression")).click(no_wait_after=True)
    wait_for_app(page, timeout=90)
    expect(page.get_by_role("heading", name=t("regression.title"))).to_be_visible(timeout=SLOW_PAGE_MS)
    frame = live_frame(page, timeout=90)
    panels = frame.evaluate("() => Array.from(document.querySelectorAll('#panels .panel')).map(p => p.id)")
    assert panels == ["panel-fit", "panel-decomposition", "panel-loss", "panel-metric"]
    assert counter(frame, "epoch") == "0 / 800"
    untrained_r2 = _test_r2(frame)
    assert untrained_r2 < 0.5  # fresh weights: a flat-ish curve, far from the sine
    untrained_curve = _fitted_curve_picture(frame)
    save_screenshot(page, "regression-untrained")

    page.get_by_role("button", name=t("regression.play")).click()
    _wait_until(lambda: _epoch(frame) >= 20, 60, lambda: f"only {_epoch(frame)} epochs after 60 s of Play")
    start = live_state(frame)
    time.sleep(3)
    end = live_state(frame)
    rate = (end["frames"] - start["frames"]) / ((end["now"] - start["now"]) / 1000)
    print(f"painted frames per second while fitting the 1-3-1 sine: {rate:.1f}")
    assert end["frames"] > start["frames"] and end["epoch"] > start["epoch"], "the live view stopped moving"
    assert _fitted_curve_picture(frame) != untrained_curve, "the fitted curve was not redrawn"
    save_screenshot(page, "regression-training")

    readings = []

    def fitted() -> bool:
        readings.append((_epoch(frame), _test_r2(frame)))
        return readings[-1][1] > 0.9

    _wait_until(fitted, TRAINING_TIMEOUT_S, lambda: f"test R² stayed below 0.9: {readings[-5:]}")
    assert readings[-1][1] > untrained_r2 + 0.5

    if _epoch(frame) >= 800:
        # On a quiet machine the run can reach its 800th epoch before R² is read: a finished run offers Play,
        # which starts it over, so start it again and pause that run (it needs seconds to finish again).
        page.get_by_role("button", name=t("regression.play")).click()
        _wait_until(lambda: 0 < _epoch(frame) < 800, 60, "the finished run did not start over")
    page.get_by_role("button", name=t("regression.pause")).click()
    expect(page.get_by_role("button", name=t("regression.play"))).to_be_visible(timeout=SLOW_PAGE_MS)
    wait_for_app(page, timeout=90)
    time.sleep(1.0)  # the view shows the last batch it holds at once
    paused_at = _epoch(frame)
    time.sleep(2.0)
    assert _epoch(frame) == paused_at, "training went on after Pause"
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.get_by_role("heading", name=t("regression.metrics_header")).scroll_into_view_if_needed()
    wait_for_app(page, timeout=90)
    save_screenshot(page, "regression-paused")
