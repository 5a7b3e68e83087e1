"""The Playground's live view in Chromium: it repaints while playing, Pause freezes it within a frame, Step
moves one epoch, multiclass regions carry their class colour, and the layer view draws while paused."""

from __future__ import annotations

import time

import numpy as np

from playground import figures
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import (
    counter,
    heat_signature,
    live_frame,
    live_state,
    wait_for_epoch,
    wait_until_settled,
)


def open_playground(page, app_url, query=""):
    page.goto(app_url.rstrip("/") + "/" + query)
    wait_for_app(page, timeout=60)
    frame = live_frame(page)
    frame.wait_for_function("() => !!(window.__liveView && window.__liveView.layers)", timeout=30000)
    return frame


XOR = "?ds=xor&hidden=8:tanh,8:tanh&bs=10&lr=0.03&opt=sgd&n=500&test=0.5&epochs=5000"


def test_play_repaints_pause_freezes_within_a_frame_and_step_moves_one_epoch(page, app_url):
    frame = open_playground(page, app_url, XOR)
    before = heat_signature(frame)
    page.get_by_role("button", name="Play").click()
    playing = wait_for_epoch(frame, 30)
    assert playing["epoch"] >= 30
    assert heat_signature(frame) != before, "the output picture was not repainted while training"
    time.sleep(1.5)
    sample = live_state(frame)
    rate = (sample["frames"] - playing["frames"]) / ((sample["now"] - playing["now"]) / 1000)
    epochs = (sample["epoch"] - playing["epoch"]) / ((sample["now"] - playing["now"]) / 1000)
    print(f"painted frames per second: {rate:.1f}, epochs per second: {epochs:.1f}")

    page.get_by_role("button", name="Pause").click()
    # Within a frame of the press the player has stopped: at most the server's confirmation (the state it holds)
    # is drawn after it, however slow the server is to answer.
    stopped = frame.evaluate("""() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
        const r = document.getElementById('root');
        done({playing: r.dataset.playing, frames: +r.dataset.frames, pausedAt: +r.dataset.pausedAt}); })))""")
    assert stopped["playing"] == "0" and stopped["frames"] - stopped["pausedAt"] <= 1
    page.get_by_role("button", name="Play").wait_for(timeout=15000)
    paused = wait_until_settled(frame)
    assert live_state(frame)["frames"] - stopped["pausedAt"] <= 1, "frames kept playing after Pause"
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == paused["epoch"], "training went on after Pause"
    assert counter(frame, "epoch").replace(",", "") == str(paused["epoch"])
    picture = heat_signature(frame)

    page.get_by_role("button", name="Step").click()
    stepped = wait_for_epoch(frame, paused["epoch"] + 1)
    time.sleep(1.0)
    assert live_state(frame)["epoch"] == stepped["epoch"] == paused["epoch"] + 1
    assert heat_signature(frame) != picture, "Step did not redraw the picture"
    save_screenshot(page, "live-view-stepped")


def class_colour_at(frame, x1: float, x2: float) -> list[int]:
    """The heat canvas's pixel at the data point (x1, x2)."""
    return frame.evaluate(
        """([x1, x2]) => { const c = document.querySelector('canvas.heat'), [d0, d1] = window.__liveView.spec.domain;
            const px = Math.round((x1 - d0) / (d1 - d0) * (c.width - 1)), py = Math.round((d1 - x2) / (d1 - d0) * (c.height - 1));
            return Array.from(c.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3)); }""",  # noqa: E501
        [x1, x2],
    )


def nearest_class(rgb, colours) -> int:
    parsed = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
    # Compare hues by the direction from the pale background: a pale pixel still points at its class colour.
    pale = np.array([247, 247, 247])
    direction = np.asarray(rgb, dtype=float) - pale
    return int(
        np.argmax([np.dot(direction, np.asarray(c) - pale) / np.linalg.norm(np.asarray(c) - pale) for c in parsed])
    )


def test_multiclass_regions_are_drawn_in_their_class_colour(page, app_url):
    frame = open_playground(page, app_url, "?ds=multiclass&epochs=60")
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Play").wait_for(timeout=60000)  # finished: the button says Play again
    wait_until_settled(frame)
    points = frame.evaluate(
        "() => document.querySelector('#panel-boundary') && window.__liveView && "
        "Array.from(window.__livePoints ? window.__livePoints() : [])"
    )
    assert points, "the boundary panel's points are not readable"
    data = np.asarray(points).reshape(-1, 3)
    colours = list(figures.CLASS_COLOURS)
    for k in np.unique(data[:, 2]).astype(int):
        cluster = data[data[:, 2] == k, :2]
        centre = np.median(cluster, axis=0)
        rgb = class_colour_at(frame, *centre)
        assert max(rgb) - min(rgb) > 60, f"class {k}'s core at {centre} is drawn pale/white: {rgb}"
        assert nearest_class(rgb, colours) == k, f"class {k}'s core at {centre} has colour {rgb}"
    save_screenshot(page, "live-view-multiclass")


def test_the_layer_view_switched_on_while_paused_draws_at_once(page, app_url):
    frame = open_playground(page, app_url, "?ds=circles&hidden=4:tanh,2:tanh")
    page.get_by_text("Layer view", exact=True).click()
    frame.wait_for_selector("#panel-layer canvas", timeout=20000)
    painted = frame.evaluate("""() => { const c = document.querySelector('#panel-layer canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert painted > 500, "the layer view's canvas is empty"
    assert live_state(frame)["epoch"] == 0  # still paused: nothing was trained to make it appear
    save_screenshot(page, "live-view-layer-paused")


def test_while_playing_the_diagram_is_redrawn_at_half_the_rate_and_shows_the_last_frame_once_paused(page, app_url):
    # Per-frame costs of the browser: the neuron thumbnails are redrawn at most every 30 ms while playing (main.js
    # NETWORK_MS) and show exactly the heatmap's frame whenever the view stops; unchanged counter text is not
    # rewritten.
    frame = open_playground(page, app_url, XOR)
    page.get_by_role("button", name="Play").click()
    wait_for_epoch(frame, 10)
    # Per frame only the counters' values change: their labels are not rewritten (no restyle for nothing).
    changed = frame.evaluate("""() => new Promise((done) => {
        const seen = {label: 0, value: 0};
        const observer = new MutationObserver((records) => { for (const r of records) {
            const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            const kind = el.classList.contains('label') ? 'label' : el.classList.contains('value') ? 'value' : null;
            if (kind) seen[kind]++; } });
        observer.observe(document.getElementById('counters'), {subtree: true, childList: true, characterData: true});
        setTimeout(() => { observer.disconnect(); done(seen); }, 1000); })""")
    assert changed["value"] > 0 and changed["label"] == 0, changed
    wait_for_epoch(frame, 40)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=15000)
    wait_until_settled(frame)
    drawn = frame.evaluate("() => window.__liveStats.network")
    gaps = np.diff(drawn)
    assert len(drawn) >= 5 and (gaps >= 29).mean() >= 0.9, f"network redrawn every {np.median(gaps):.1f} ms"
    stale = frame.evaluate("""() => {
        const c = document.querySelector('#panel-network canvas'), ctx = c.getContext('2d');
        const before = Array.from(ctx.getImageData(0, 0, c.width, c.height).data);
        window.__liveView.redrawNetwork();
        const after = ctx.getImageData(0, 0, c.width, c.height).data;
        return before.reduce((n, v, i) => n + (v !== after[i]), 0); }""")
    assert stale == 0, f"{stale} pixel values of the paused diagram are from an older frame"


# When the Dataset control first shows in the sidebar, and the first live view frame (kept to compare later).
_CONTROLS_WATCH = """(() => {
  if (window.top !== window) return;
  const watch = new MutationObserver(() => {
    const frame = document.querySelector('iframe[title="playground.live_view.live_view"]');
    if (frame && !window.__firstLiveFrame) window.__firstLiveFrame = frame;
    const labels = document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stWidgetLabel"]');
    if (!window.__controlsAt && Array.from(labels).some((l) => l.textContent.trim() === "Dataset")) {
      window.__controlsAt = performance.timeOrigin + performance.now();
    }
    if (!window.__switchesAt && Array.from(labels).some((l) => l.textContent.trim() === "Language")) {
      window.__switchesAt = performance.timeOrigin + performance.now();
    }
  });
  document.addEventListener("DOMContentLoaded", () => watch.observe(document, { subtree: true, childList: true }));
})();"""


def test_a_first_visit_paints_the_picture_before_the_controls_and_keeps_its_frame(page, app_url):
    """The first run leaves the ~40 controls for the run the painted picture asks for (loop.picture_first): the
    boundary is on screen before the Dataset control and the sidebar's language and palette switches, the controls
    then come without rebuilding the view, and a bad link's warning is still there when they do."""
    from benchmarks.side_by_side import OURS_PROBE, probe_script

    page.add_init_script(probe_script(OURS_PROBE))  # every frame: when canvas.heat first had pixels
    page.add_init_script(_CONTROLS_WATCH)
    page.goto(app_url.rstrip("/") + "/?ds=xor&n=abc")
    wait_for_app(page, timeout=60)  # waits for the controls too
    page.get_by_text("Dataset", exact=True).first.wait_for(timeout=30000)
    frame = live_frame(page)
    painted = frame.evaluate("() => window.__paintProbe && window.__paintProbe.firstPaint")
    controls_at = page.evaluate("() => window.__controlsAt")
    assert painted and controls_at, (painted, controls_at)
    assert painted < controls_at, f"the controls came {(painted - controls_at) / 1000:.2f} s before the picture"
    switches_at = page.evaluate("() => window.__switchesAt")
    assert switches_at and painted < switches_at, "the language switch came before the picture"
    sidebar = page.locator('[data-testid="stSidebar"]')
    for label in ("Language", "Colours"):  # and both are there once the controls are
        assert sidebar.get_by_text(label, exact=True).count() == 1, label
    assert page.evaluate(
        "() => document.querySelector('iframe[title=\"playground.live_view.live_view\"]') === window.__firstLiveFrame"
    ), "drawing the controls rebuilt the live view's frame"
    assert page.locator('[data-testid="stAlert"]', has_text="n=abc").count() == 1
    assert page.locator("[data-nnp-controls]").count() == 0
    # The view the controls came to still trains: Step repaints the picture.
    before = heat_signature(frame)
    page.get_by_role("button", name="Step").click()
    wait_for_epoch(frame, 1)
    assert heat_signature(frame) != before
