"""Keyboard shortcuts of the live views in Chromium: Space plays and pauses, → steps one epoch, R resets; pressed
in the page or inside the live view's iframe, never while typing in a field."""

from __future__ import annotations

import time

from playground.i18n import t
from tests.e2e.browser_helpers import wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state, wait_for_epoch, wait_until_settled
from tests.e2e.test_compare_browser import open_compare
from tests.e2e.test_live_view_browser import XOR, open_playground


def _epoch_text(frame) -> str:
    return frame.locator('.counter[data-name="epoch"]').inner_text()


def _epoch_from_text(frame) -> int:
    """The number in the epoch counter ("Epoch\\n120" or "Epoch\\n120 / 800")."""
    text = _epoch_text(frame)
    assert "epoch" in text.lower(), text
    value = text.split("\n")[-1].split("/")[0].strip().replace(",", "")
    return int(value)


def _wait(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message() if callable(message) else message)


def _focus_page_body(page) -> None:
    """Nothing focused: the keys go to the page (as after a click on empty space)."""
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")


def test_space_plays_and_pauses_arrow_steps_and_r_resets_on_the_playground(page, app_url):
    frame = open_playground(page, app_url, XOR)
    assert _epoch_from_text(frame) == 0
    _focus_page_body(page)

    page.keyboard.press("Space")
    _wait(lambda: _epoch_from_text(frame) >= 10, 60, lambda: f"Space did not start training: {_epoch_text(frame)}")
    page.get_by_role("button", name=t("playground.pause")).wait_for(timeout=15000)

    page.keyboard.press("Space")
    page.get_by_role("button", name=t("playground.play")).wait_for(timeout=15000)
    paused = wait_until_settled(frame)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"], "training went on after Space paused it"
    assert _epoch_from_text(frame) == paused["epoch"]

    page.keyboard.press("ArrowRight")
    wait_for_epoch(frame, paused["epoch"] + 1)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"] + 1, "→ did not advance exactly one epoch"
    assert _epoch_from_text(frame) == paused["epoch"] + 1

    page.keyboard.press("r")
    _wait(lambda: _epoch_from_text(frame) == 0, 30, lambda: f"R did not reset: {_epoch_text(frame)}")

    # Focus inside the live view's own iframe (a click on its counters): Space still plays, then pauses.
    page.locator('iframe[title="playground.live_view.live_view"]').scroll_into_view_if_needed()
    frame.locator("#counters").click()
    assert frame.evaluate("() => document.hasFocus()")
    page.keyboard.press("Space")
    _wait(lambda: _epoch_from_text(frame) >= 3, 60, "Space inside the live view did not start training")
    page.keyboard.press("Space")
    page.get_by_role("button", name=t("playground.play")).wait_for(timeout=15000)
    paused = wait_until_settled(frame)
    assert paused["epoch"] >= 3

    # Typing a space in a number field types; it does not toggle Play.
    fields = '[data-testid="stNumberInput"] input, [data-testid="stTextInput"] input'
    field = page.locator(fields).locator("visible=true")
    field.first.click()
    page.keyboard.press("Space")
    time.sleep(2.0)
    assert live_state(frame)["epoch"] == paused["epoch"], "a space typed in a field started training"
    assert page.get_by_role("button", name=t("playground.play")).is_visible()


def test_space_plays_and_pauses_compare(page, app_url):
    frame = open_compare(page, app_url, "?ds=moons&vary=activation&values=sigmoid,tanh")
    start = live_state(frame)["epoch"]
    _focus_page_body(page)
    page.keyboard.press("Space")
    page.get_by_role("button", name=t("compare.pause"), exact=True).wait_for(timeout=30000)
    _wait(lambda: live_state(frame)["epoch"] >= start + 3, 90, "Space did not start the comparison")
    page.keyboard.press("Space")
    page.get_by_role("button", name=t("compare.play"), exact=True).wait_for(timeout=30000)
    paused = wait_until_settled(frame, timeout=30)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"], "the comparison went on after Space paused it"


def test_space_plays_and_pauses_regression(page, app_url):
    page.set_default_timeout(120_000)
    page.goto(app_url)
    wait_for_app(page, timeout=90)
    page.get_by_role("link", name=t("app.nav.regression")).click(no_wait_after=True)
    wait_for_app(page, timeout=90)
    frame = live_frame(page, timeout=90)
    start = live_state(frame)["epoch"]
    _focus_page_body(page)
    page.keyboard.press("Space")
    page.get_by_role("button", name=t("regression.pause")).wait_for(timeout=60000)
    _wait(lambda: live_state(frame)["epoch"] >= start + 3, 120, "Space did not start the regression run")
    page.keyboard.press("Space")
    page.get_by_role("button", name=t("regression.play")).wait_for(timeout=60000)
    paused = wait_until_settled(frame, timeout=30)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"], "the regression run went on after Space paused it"
