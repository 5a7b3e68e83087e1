"""The Compare page in real Chromium: three activations train side by side, and the exported replay plays offline."""

import time
from itertools import pairwise

import numpy as np

from playground.figures import BINARY_SCALE
from playground.i18n import t
from playground.palette import STANDARD
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state

THREE_ACTIVATIONS = "?ds=moons&vary=activation&values=sigmoid,tanh,relu"


def open_compare(page, app_url, query):
    page.goto(app_url.rstrip("/") + "/compare" + query)
    wait_for_app(page, timeout=60)
    return live_frame(page)


def record_loss_points(frame) -> None:
    """From now on, count the loss points each run's training curve receives (runs are series 0, 2, 4, ...)."""
    frame.evaluate(
        """() => { window.lossPoints = [];
                   window.addEventListener('message', (event) => {
                     const raw = (event.data && event.data.args) || {};
                     const args = typeof raw.payload === 'string' ? JSON.parse(raw.payload) : raw;
                     for (const f of args.frames || []) {
                       const loss = f.panels && f.panels.loss;
                       if (!loss) continue;
                       loss.extend.x.forEach((xs, i) => {
                         if (i % 2 === 0) window.lossPoints[i / 2] = (window.lossPoints[i / 2] || 0) + xs.length;
                       });
                     }
                   }); }"""
    )


def loss_points(frame) -> list[int]:
    return frame.evaluate("() => Array.from(window.lossPoints, (n) => n || 0)")


def colour_pixels(frame, panel: str, colours: list[str]) -> list[int]:
    """Pixels of each colour (within a small distance) on the canvas of ``panel``: is each run's line drawn?"""
    return frame.evaluate(
        """([panel, colours]) => {
             const canvas = document.querySelector('#panel-' + panel + ' canvas');
             const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
             const rgb = colours.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
             const counts = rgb.map(() => 0);
             for (let p = 0; p < data.length; p += 4) {
               if (data[p + 3] < 200) continue;
               rgb.forEach(([r, g, b], i) => {
                 if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 60) counts[i]++;
               });
             }
             return counts; }""",
        [panel, colours],
    )


def wait_until(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(message() if callable(message) else message)


def test_three_activations_on_moons_train_side_by_side_and_every_loss_curve_grows(page, app_url):
    frame = open_compare(page, app_url, THREE_ACTIVATIONS + "&epochs=400")
    panels = frame.evaluate("() => Array.from(document.querySelectorAll('#panels .panel')).map(p => p.id)")
    assert panels == ["panel-run0", "panel-run1", "panel-run2", "panel-loss", "panel-metric"]
    labels = frame.locator(".counter .label").all_inner_texts()
    assert [label.lower() for label in labels[1:]] == ["sigmoid", "tanh", "relu"]
    save_screenshot(page, "compare-before-play")

    record_loss_points(frame)
    page.get_by_role("button", name=t("compare.play"), exact=True).click()
    wait_until(lambda: len(loss_points(frame)) == 3 and min(loss_points(frame)) >= 5, 60, "no loss points arrived")
    first = loss_points(frame)
    # Every curve grows (a busy machine may take a while to deliver the next batch).
    wait_until(
        lambda: all(b > a for a, b in zip(first, loss_points(frame), strict=True)),
        60,
        lambda: f"not every curve grew: {first} -> {loss_points(frame)}",
    )
    drawn = colour_pixels(frame, "loss", list(STANDARD.run_colours[:3]))
    assert min(drawn) > 30, f"a run's loss curve is missing from the chart: {drawn} pixels per run colour"
    assert live_state(frame)["frames"] >= 5, "the boundaries were not redrawn"
    save_screenshot(page, "compare-three-activations-playing")

    page.get_by_role("button", name=t("compare.pause"), exact=True).click()
    page.get_by_role("button", name=t("compare.play"), exact=True).wait_for(timeout=15000)
    time.sleep(1.0)
    paused = live_state(frame)["epoch"]
    time.sleep(2.0)
    assert live_state(frame)["epoch"] == paused, "training went on after Pause"
    page.get_by_text(t("compare.summary_header"), exact=True).wait_for(timeout=30000)
    save_screenshot(page, "compare-three-activations-paused")


def test_exported_replay_opens_from_a_file_offline_and_animates(page, app_url, browser, tmp_path):
    frame = open_compare(page, app_url, THREE_ACTIVATIONS + "&epochs=20")
    page.get_by_role("button", name=t("compare.play"), exact=True).click()
    wait_until(lambda: live_state(frame)["epoch"] >= 20, 90, "the comparison did not train 20 epochs")
    download_button = page.get_by_role("button", name=t("compare.replay_download"))
    download_button.wait_for(timeout=30000)
    with page.expect_download(timeout=60000) as download:
        download_button.click()
    exported = tmp_path / "comparison-replay.html"
    download.value.save_as(exported)
    assert exported.stat().st_size > 1_000_000  # plotly.js itself is inside

    offline = browser.new_context(viewport={"width": 1200, "height": 800}, offline=True)
    try:
        replay = offline.new_page()
        requests = []
        replay.on("request", lambda request: requests.append(request.url))
        replay.goto(exported.as_uri())
        replay.wait_for_function(
            "() => { const gd = document.querySelector('.js-plotly-plot'); return gd && gd._fullLayout; }",
            timeout=30000,
        )
        replay.evaluate(
            """() => { const gd = document.querySelector('.js-plotly-plot'); window.framesShown = [];
                       gd.on('plotly_animatingframe', event => window.framesShown.push(event.name));
                       gd.on('plotly_animated', () => { window.replayDone = true; });
                       // Every painted frame while playing: are the three boundaries and their points there?
                       window.blankPaints = 0; window.paints = 0;
                       const look = () => {
                         window.paints++;
                         const images = document.querySelectorAll('.heatmaplayer image').length;
                         const points = document.querySelectorAll('.scatterlayer .point').length;
                         if (images < 3 || points === 0) window.blankPaints++;
                         if (!window.replayDone) requestAnimationFrame(look);
                       };
                       window.startLooking = () => requestAnimationFrame(look); }"""
        )
        save_screenshot(replay, "compare-replay-export-start")
        replay.evaluate("() => window.startLooking()")
        replay.get_by_text(t("compare.replay_play")).click()
        replay.wait_for_function("() => window.framesShown.length >= 3", timeout=60000)
        slider = replay.evaluate("() => document.querySelector('.js-plotly-plot')._fullLayout.sliders[0].active")
        assert slider > 0, "the slider did not move with the animation"
        replay.wait_for_function("() => window.replayDone === true", timeout=180000)
        shown = replay.evaluate("() => window.framesShown")
        assert shown[-1] == "20" and len(shown) >= 5, shown
        # The boundaries (and their points) stay drawn during playback, not only once it has ended.
        paints, blank = replay.evaluate("() => [window.paints, window.blankPaints]")
        assert paints > 5 and blank == 0, f"{blank} of {paints} painted frames showed blank boundary panels"
        heatmaps = replay.evaluate("() => document.querySelectorAll('.subplot image').length")
        assert heatmaps == 3, "the boundaries are not drawn at the end of the replay"
        save_screenshot(replay, "compare-replay-export-end")
        assert all(url.startswith("file:") for url in requests), requests
    finally:
        offline.close()


FOUR_NETWORKS = "?ds=xor&hidden=8:tanh,8:tanh&bs=10&lr=0.03&n=500&epochs=5000&vary=activation&values=" + ",".join(
    ("sigmoid", "tanh", "relu", "leaky_relu")
)


def heat_samples(frame, panel: str, domain, n: int = 12) -> list[list[float]]:
    """An n × n sample of ``panel``'s canvas.heat: [x₁, x₂, r, g, b] per pixel, at the point the pixel shows."""
    return frame.evaluate(
        """([panel, n, [d0, d1]]) => {
             const c = document.querySelector('#panel-' + panel + ' canvas.heat');
             const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, out = [];
             for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
               const px = Math.floor((a + 0.5) * c.width / n), py = Math.floor((b + 0.5) * c.height / n);
               const x1 = d0 + ((px + 0.5) / c.width) * (d1 - d0), x2 = d1 - ((py + 0.5) / c.height) * (d1 - d0);
               const k = 4 * (py * c.width + px);
               out.push([x1, x2, data[k], data[k + 1], data[k + 2]]);
             }
             return out; }""",
        [panel, n, list(domain)],
    )


def binary_colour(p: float) -> np.ndarray:
    """BINARY_SCALE at probability ``p``, interpolated in RGB as the view's colour table is."""
    stops = [(at, np.array([int(c[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)) for at, c in BINARY_SCALE]
    for (a, ca), (b, cb) in pairwise(stops):
        if p <= b:
            return ca + (cb - ca) * (p - a) / (b - a)
    return stops[-1][1]


def test_four_networks_each_paint_their_own_predictions_on_a_100_by_100_heatmap(page, app_url):
    from urllib.parse import parse_qsl

    from core.data.datasets import DOMAIN
    from core.data.features import transform_features
    from core.experiment.run import build_trainer, prepare_data
    from core.labs.compare import sweep
    from playground import urlstate
    from playground.pages.compare import page as compare_page

    frame = open_compare(page, app_url, FOUR_NETWORKS)
    assert frame.evaluate("() => document.querySelectorAll('canvas.heat').length") == 4
    page.get_by_role("button", name=t("compare.play"), exact=True).click()
    wait_until(lambda: live_state(frame)["epoch"] >= 15, 120, "the four networks did not train 15 epochs")
    page.get_by_role("button", name=t("compare.pause"), exact=True).click()
    page.get_by_role("button", name=t("compare.play"), exact=True).wait_for(timeout=30000)
    time.sleep(1.5)  # the paused view draws the state the server holds
    save_screenshot(page, "compare-four-networks-paused")

    query = dict(parse_qsl(FOUR_NETWORKS[1:]))
    base, _ = urlstate.config_from_query(
        {k: v for k, v in query.items() if k not in compare_page.QUERY_KEYS}, compare_page.DEFAULT_BASE
    )
    runs = sweep(base, "activation", query["values"].split(","))
    pictures = []
    for i, run in enumerate(runs):
        held = frame.evaluate("(name) => window.__livePanelNet(name)", f"run{i}")
        assert held["grid"] == [100, 100], "the heatmap is not computed on a 100 × 100 grid"
        # The parameters the browser holds, run through core: its forward pass is the network's.
        data = prepare_data(run.config)
        net = build_trainer(run.config, data).network
        net.set_parameters(
            [
                np.reshape(p, q.shape)
                for p, q in zip(
                    [v for pair in zip(held["weights"], held["biases"], strict=True) for v in pair],
                    net.parameters(),
                    strict=True,
                )
            ]
        )
        samples = np.array(heat_samples(frame, f"run{i}", DOMAIN))
        core_p = net.predict(transform_features(samples[:, :2], data.features))[:, 0]
        browser_p = np.array(
            frame.evaluate(
                "([n, xs, ys]) => window.__livePanelForward(n, xs, ys)",
                [f"run{i}", samples[:, 0].tolist(), samples[:, 1].tolist()],
            )
        )
        np.testing.assert_allclose(browser_p, core_p, atol=1e-6)
        # Every sampled pixel has the colour of the network's prediction there (smoothing blurs cell edges a little).
        expected = np.array([binary_colour(p) for p in core_p])
        distance = np.abs(samples[:, 2:] - expected).sum(axis=1)
        assert np.median(distance) < 12 and np.mean(distance < 60) > 0.9, (run.label, np.sort(distance)[-10:])
        pictures.append(samples[:, 2:])
    # Four networks, four pictures: no panel shows another's.
    for a in range(4):
        for b in range(a + 1, 4):
            assert np.abs(pictures[a] - pictures[b]).sum() > 100, f"runs {a} and {b} show the same picture"
