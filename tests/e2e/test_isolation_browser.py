"""Two people training at once on one server never see each other's data or state.

Two Chromium contexts (separate cookies and storage: two Streamlit sessions) open different datasets from links;
while one trains the other stays at epoch 0, then both train at the same time, each keeping its own dataset.
"""

from __future__ import annotations

import time

import pytest

from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state, points_drawn

VIEWPORT = {"width": 1400, "height": 900}
# Long runs, so neither finishes while the test watches.
LINKS = {
    "circles": "?ds=circles&n=300&hidden=6:tanh,4:tanh&epochs=5000&seed=1",
    "moons": "?ds=moons&n=120&hidden=5:relu&epochs=5000&lr=0.01&seed=2",
}
POINTS = {"circles": 300, "moons": 120}


def _wait_for_epoch(frame, at_least: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    epoch = live_state(frame)["epoch"]
    while time.monotonic() < deadline and epoch < at_least:
        time.sleep(0.25)
        epoch = live_state(frame)["epoch"]
    return epoch


def _play(page) -> None:
    page.get_by_role("button", name=t("playground.play"), exact=True).click()
    page.get_by_role("button", name=t("playground.pause"), exact=True).wait_for(timeout=30_000)


def _points_drawn(frame) -> int:
    """Train + test points in the live view's boundary chart."""
    return points_drawn(frame)


def _dataset_shown(page) -> str:
    return page.get_by_role("combobox", name=t("widgets.dataset"), exact=True).input_value()


# Two sessions on a cold server, each starting with a full script run: more time than a one-page test.
@pytest.mark.timeout(420)
def test_two_sessions_train_different_datasets_at_once_and_each_sees_only_its_own(browser, app_url):
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in LINKS]
    pages, frames = {}, {}
    try:
        for context, (name, query) in zip(contexts, LINKS.items(), strict=True):
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(app_url.rstrip("/") + "/" + query)
            wait_for_app(page, timeout=60)
            pages[name], frames[name] = page, live_frame(page)
        for name, page in pages.items():
            assert _dataset_shown(page) == t(f"widgets.datasets.{name}")
            assert _points_drawn(frames[name]) == POINTS[name]

        # Only moons plays: circles, in the other session, must stay at epoch 0.
        _play(pages["moons"])
        assert _wait_for_epoch(frames["moons"], 15) >= 15, "training did not start"
        assert live_state(frames["circles"])["epoch"] == 0, "the idle session trained along with the other one"
        assert pages["circles"].get_by_role("button", name=t("playground.play"), exact=True).is_visible()

        # Now both train at once, each advancing on its own.
        _play(pages["circles"])
        moons_before = live_state(frames["moons"])["epoch"]
        assert _wait_for_epoch(frames["circles"], 15) >= 15, "the second session did not train"
        assert _wait_for_epoch(frames["moons"], moons_before + 10) >= moons_before + 10, (
            "the first session stopped when the second one started"
        )
        for name, page in pages.items():
            assert _dataset_shown(page) == t(f"widgets.datasets.{name}"), f"{name}: the dataset changed"
            assert f"ds={name}" in page.url
            assert _points_drawn(frames[name]) == POINTS[name], f"{name}: the chart shows another session's data"
            save_screenshot(page, f"isolation-{name}")
    except BaseException:
        for name, page in pages.items():
            save_screenshot(page, f"FAILED-isolation-{name}")
        raise
    finally:
        for context in contexts:
            context.close()
