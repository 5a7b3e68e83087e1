"""The Playground in real Chromium: Play animates the live view, Pause stops it, links restore experiments."""

import time

from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import counter, live_frame, live_state


def open_playground(page, app_url, query=""):
    page.goto(app_url.rstrip("/") + "/" + query)
    wait_for_app(page, timeout=60)
    return live_frame(page)


def test_play_trains_and_redraws_then_pause_stops(page, app_url):
    frame = open_playground(page, app_url, "?ds=spirals&n=500&noise=0.05&hidden=8:tanh,8:tanh&bs=10&epochs=2000")
    save_screenshot(page, "playground-before-play")
    start = live_state(frame)
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and live_state(frame)["epoch"] < 20:
        time.sleep(0.2)
    playing = live_state(frame)
    assert playing["epoch"] >= 20, f"only {playing['epoch']} epochs in 10 s"
    assert playing["frames"] - start["frames"] >= 5, "the boundary was not redrawn several times"
    time.sleep(2)
    sample = live_state(frame)
    rate = (sample["frames"] - playing["frames"]) / ((sample["now"] - playing["now"]) / 1000)
    print(f"painted frames per second while training 2-8-8-1 on spirals: {rate:.1f}")
    save_screenshot(page, "playground-playing")

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=15000)
    time.sleep(1.0)
    paused = live_state(frame)["epoch"]
    time.sleep(2.0)
    assert live_state(frame)["epoch"] == paused, "training went on after Pause"
    assert counter(frame, "epoch").replace(",", "") == str(paused)
    save_screenshot(page, "playground-paused")


def test_a_link_with_settings_restores_them(page, app_url):
    frame = open_playground(page, app_url, "?ds=moons&hidden=5:relu&lr=0.1&seed=3")
    assert page.get_by_role("combobox", name="Dataset", exact=True).input_value() == "Moons"
    assert page.get_by_role("combobox", name="Layer 1: activation", exact=True).input_value() == "relu"
    assert "seed=3" in page.url and "ds=moons" in page.url
    page.get_by_role("button", name="Step").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and live_state(frame)["epoch"] < 1:
        time.sleep(0.2)
    assert live_state(frame)["epoch"] == 1
    save_screenshot(page, "playground-restored-from-link")


def test_a_bad_link_warns_and_the_page_still_works(page, app_url):
    frame = open_playground(page, app_url, "?lr=-5&hidden=3:relux&bogus=1")
    alerts = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    text = " ".join(alerts)
    assert "lr=-5" in text and "relux" in text and "bogus" in text
    page.get_by_role("button", name="Step").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and live_state(frame)["epoch"] < 1:
        time.sleep(0.2)
    assert live_state(frame)["epoch"] == 1
    save_screenshot(page, "playground-bad-link")
