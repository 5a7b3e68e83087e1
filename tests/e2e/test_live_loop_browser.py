"""The one live loop in Chromium on Compare and the Regression lab (the Playground's own test is in
test_live_view_browser.py): Play advances and repaints, Pause freezes the picture within a frame, Step advances
exactly one epoch."""

from __future__ import annotations

import time

import pytest

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import heat_signature, live_frame, live_state, wait_for_epoch, wait_until_settled

TIMEOUT_S = 120  # two busy cores can slow training to a few epochs per second


def open_compare(page, app_url):
    page.goto(app_url.rstrip("/") + "/compare?ds=xor&vary=activation&values=tanh,relu&epochs=5000")
    wait_for_app(page, timeout=90)
    return live_frame(page, timeout=90)


def open_regression(page, app_url):
    # Enter at the root and follow the link, as a visitor does (a deep link on a fresh server runs the page file
    # without streamlit_app.py's navigation).
    page.goto(app_url)
    wait_for_app(page, timeout=90)
    page.get_by_role("link", name=t("app.nav.regression")).click(no_wait_after=True)
    wait_for_app(page, timeout=90)
    return live_frame(page, timeout=90)


def regression_picture(frame) -> str:
    """The canvas the fitted curve is painted on (over the Plotly figure of the fit)."""
    return frame.evaluate("() => document.querySelector('#panel-fit > canvas').toDataURL()")


def open_regression_2d(page, app_url):
    from tests.e2e.test_regression_browser import open_2d_target

    return open_2d_target(page, app_url)


def surface_picture(frame) -> str:
    """The 2-D surface's canvas.heat and every term's canvas: the browser paints them all from the parameters."""
    return frame.evaluate("""() => Array.from(document.querySelectorAll('#panel-surface canvas.heat, canvas.term'))
                                       .map((c) => c.toDataURL()).join('|')""")


# page -> (how to open it, its picture, the string table of its buttons)
PAGES = {
    "compare": (open_compare, heat_signature, "compare"),
    "regression": (open_regression, regression_picture, "regression"),
    "regression_2d": (open_regression_2d, surface_picture, "regression"),
}


@pytest.mark.timeout(4 * TIMEOUT_S)
@pytest.mark.parametrize("name", PAGES)
def test_play_repaints_pause_freezes_within_a_frame_and_step_moves_one_epoch(page, app_url, name):
    page.set_default_timeout(TIMEOUT_S * 1000)
    open_page, picture, strings = PAGES[name]
    frame = open_page(page, app_url)
    before = picture(frame)
    page.get_by_role("button", name=t(f"{strings}.play"), exact=True).click()
    playing = wait_for_epoch(frame, 10, timeout=TIMEOUT_S)
    assert playing["epoch"] >= 10, f"{name}: Play did not advance"
    assert picture(frame) != before, f"{name}: the picture was not repainted while training"

    page.get_by_role("button", name=t(f"{strings}.pause"), exact=True).click()
    # Within a frame of the press the player has stopped: at most the server's confirmation (the state it holds)
    # is drawn after it, however slow the server is to answer.
    stopped = frame.evaluate("""() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
        const r = document.getElementById('root');
        done({playing: r.dataset.playing, frames: +r.dataset.frames, pausedAt: +r.dataset.pausedAt}); })))""")
    assert stopped["playing"] == "0" and stopped["frames"] - stopped["pausedAt"] <= 1, stopped
    page.get_by_role("button", name=t(f"{strings}.play"), exact=True).wait_for()
    paused = wait_until_settled(frame, timeout=TIMEOUT_S)
    assert live_state(frame)["frames"] - stopped["pausedAt"] <= 1, f"{name}: frames kept playing after Pause"
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"], f"{name}: training went on after Pause"
    shown = picture(frame)

    page.get_by_role("button", name=t(f"{strings}.step"), exact=True).click()
    stepped = wait_for_epoch(frame, paused["epoch"] + 1, timeout=TIMEOUT_S)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == stepped["epoch"] == paused["epoch"] + 1, f"{name}: Step is not one epoch"
    assert picture(frame) != shown, f"{name}: Step did not redraw the picture"
    save_screenshot(page, f"live-loop-{name}-stepped")
