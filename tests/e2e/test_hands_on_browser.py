"""Hands-on in real Chromium: draw points, edit a weight by hand, open a classroom link."""

import time

from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import LIVE_VIEW_SELECTOR, live_frame, points_drawn


def open_playground(page, app_url, query=""):
    page.goto(app_url.rstrip("/") + "/" + query)
    wait_for_app(page, timeout=60)
    return live_frame(page)


def training_points(frame) -> int:
    return points_drawn(frame)


def wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_three_clicks_in_draw_mode_add_three_points(page, app_url):
    frame = open_playground(page, app_url, "?ds=xor&n=40")
    before = training_points(frame)
    page.get_by_text("Draw points").click()
    assert wait_until(lambda: frame.evaluate("document.getElementById('root').dataset.draw") == "1")
    page.locator(LIVE_VIEW_SELECTOR).evaluate("el => el.scrollIntoView({block: 'end'})")
    heat = frame.locator("#panel-boundary canvas.heat").bounding_box()  # already in page coordinates
    for fx, fy in ((0.3, 0.3), (0.5, 0.6), (0.7, 0.4)):
        page.mouse.click(heat["x"] + heat["width"] * fx, heat["y"] + heat["height"] * fy)
        time.sleep(0.4)
    assert wait_until(lambda: training_points(frame) == before + 3), (before, training_points(frame))
    assert "pts=" in page.url
    save_screenshot(page, "hands-on-drawn-points")
    # The drawn points stay in the data when training goes on: Step, then Play for a moment.
    epoch = frame.evaluate("+document.getElementById('root').dataset.epoch")
    page.get_by_role("button", name="Step", exact=True).click()
    assert wait_until(lambda: frame.evaluate("+document.getElementById('root').dataset.epoch") > epoch)
    page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(3)
    page.get_by_role("button", name="Pause", exact=True).click()
    time.sleep(2)
    assert training_points(frame) == before + 3, "drawn points vanished once training went on"
    assert "pts=" in page.url


def test_changing_a_weight_redraws_the_boundary(page, app_url):
    frame = open_playground(page, app_url, "?ds=circles&hidden=3:tanh")
    picture = "() => document.querySelector('#panel-boundary canvas.heat').toDataURL()"
    before = frame.evaluate(picture)
    page.locator(LIVE_VIEW_SELECTOR).evaluate("el => el.scrollIntoView({block: 'end'})")
    neurons = frame.evaluate("window.__liveNeurons()")
    x, y = neurons[1][0]  # first hidden neuron: selects its bias
    box = page.locator(LIVE_VIEW_SELECTOR).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    slider = page.get_by_role("slider", name="Bias of neuron 1 in layer 1")
    slider.wait_for(timeout=30000)
    slider.focus()
    for _ in range(60):
        page.keyboard.press("ArrowRight")
    assert wait_until(lambda: frame.evaluate(picture) != before), "the boundary did not change"
    save_screenshot(page, "hands-on-edited-bias")


def test_a_classroom_link_hides_the_controls_it_does_not_keep(page, app_url):
    open_playground(page, app_url, "?ds=moons&show=learning_rate,activation")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("slider", name="Learning rate").count() == 1
    assert page.get_by_role("combobox", name="Layer 1: activation", exact=True).count() == 1
    for hidden in ("Dataset", "Optimizer", "Initialization", "Loss"):
        assert page.get_by_role("combobox", name=hidden, exact=True).count() == 0, hidden
    assert page.get_by_role("button", name="Share for class").count() == 0
    save_screenshot(page, "hands-on-classroom-link")


def test_hovering_the_plane_shows_the_network_output_and_each_neuron(page, app_url):
    import re

    import numpy as np

    from core.experiment.run import build_network, prepare_data
    from playground.urlstate import config_from_query, default_config

    query = {"ds": "circles", "hidden": "3:tanh,2:sigmoid", "seed": "5"}
    frame = open_playground(page, app_url, "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    page.locator(LIVE_VIEW_SELECTOR).evaluate("el => el.scrollIntoView({block: 'end'})")
    heat = frame.locator("#panel-boundary canvas.heat").bounding_box()
    page.mouse.move(heat["x"] + heat["width"] * 0.3, heat["y"] + heat["height"] * 0.6)
    tip = frame.locator("#panel-boundary .hover-tip")
    tip.wait_for(state="visible", timeout=10000)
    x1, x2, shown = map(float, re.findall(r"-?\d+\.\d+", tip.inner_text())[:3])
    config, _ = config_from_query(query, default_config())
    network = build_network(config, prepare_data(config).split.y_train)
    expected = network.predict(np.array([[x1, x2]]))[0, 0]
    assert abs(expected - 0.5) > 0.01, "pick a point where the output is informative"
    assert abs(shown - expected) < 0.01, (shown, expected)  # x1, x2 are shown rounded to 2 decimals
    save_screenshot(page, "hands-on-hover")
