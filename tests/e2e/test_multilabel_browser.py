"""A multi-label run in Chromium: the Playground on "three discs" trains three sigmoid outputs; each label's picture
shows that label's sigmoid as the model computes it, the diagram has three output nodes, and the counters move."""

from __future__ import annotations

import numpy as np

from core.engine.network import Network
from playground import figures
from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import (
    LIVE_VIEW_SELECTOR,
    counter,
    live_frame,
    live_state,
    wait_for_epoch,
    wait_until_settled,
)

THREE_DISCS = "?ds=three_discs&noise=0.05&n=400&hidden=8:tanh,8:tanh&epochs=3000"
N_LABELS = 3


def open_multilabel(page, app_url):
    page.set_viewport_size({"width": 1366, "height": 768})  # a laptop screen: the pictures must read there
    page.goto(app_url.rstrip("/") + "/" + THREE_DISCS)
    wait_for_app(page, timeout=60)
    frame = live_frame(page)
    frame.wait_for_function("() => !!(window.__liveView && window.__liveView.layers)", timeout=30000)
    frame.wait_for_selector(f"#panel-label_{N_LABELS - 1} canvas.heat", timeout=30000)
    return frame


def expected_colour(p: np.ndarray) -> np.ndarray:
    """BINARY_SCALE at probability p (orange at 0, pale at 0.5, blue at 1), as the browser's lookup table."""
    stops = [(s, np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)) for s, c in figures.BINARY_SCALE]
    out = np.empty((len(p), 3))
    for k, v in enumerate(np.round(np.clip(p, 0, 1) * 255) / 255):
        (s0, c0), (s1, c1) = (stops[0], stops[1]) if v <= stops[1][0] else (stops[1], stops[2])
        out[k] = c0 + (c1 - c0) * (v - s0) / (s1 - s0)
    return out


def sample_label_picture(frame, label: int, points: np.ndarray) -> np.ndarray:
    """The RGB of label ``label``'s picture (canvas.heat) at data points (x1, x2)."""
    return np.asarray(
        frame.evaluate(
            """([label, xs, ys]) => {
            const c = document.querySelector(`#panel-label_${label} canvas.heat`), [d0, d1] = window.__liveView.spec.domain;
            const ctx = c.getContext('2d');
            return xs.map((x, k) => {
                const px = Math.round((x - d0) / (d1 - d0) * (c.width - 1)), py = Math.round((d1 - ys[k]) / (d1 - d0) * (c.height - 1));
                return Array.from(ctx.getImageData(px, py, 1, 1).data.slice(0, 3)); }); }""",  # noqa: E501
            [label, points[:, 0].tolist(), points[:, 1].tolist()],
        ),
        dtype=float,
    )


def core_network(frame) -> Network:
    """The network the browser draws, rebuilt in core from the parameters it holds (x1, x2 inputs)."""
    spec = frame.evaluate("""() => { const n = window.__liveView.net;
        return {sizes: n.sizes, activations: n.activations, features: n.features,
                weights: n.weights.map((w) => Array.from(w)), biases: n.biases.map((b) => Array.from(b))}; }""")
    assert spec["features"] == ["x1", "x2"]
    sizes = spec["sizes"]
    layers = [
        {"units": units, "activation": activation}
        for units, activation in zip(sizes[1:], spec["activations"], strict=True)
    ]
    net = Network.from_spec(sizes[0], layers, loss="bce")
    params = []
    for layer, (w, b) in enumerate(zip(spec["weights"], spec["biases"], strict=True)):
        params += [np.reshape(w, (sizes[layer + 1], sizes[layer])), np.reshape(b, (-1, 1))]
    net.set_parameters(params)
    return net


def test_three_discs_train_three_sigmoids_each_label_picture_shows_its_own_output(page, app_url):
    frame = open_multilabel(page, app_url)
    neurons = frame.evaluate("() => window.__liveNeurons()")
    assert len(neurons[-1]) == N_LABELS, "the network diagram does not end in one output node per label"
    before = {name: counter(frame, name) for name in ("hamming", "test_metric", "label_0", "label_1", "label_2")}

    page.get_by_role("button", name="Play").click()
    wait_for_epoch(frame, 150, timeout=60)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=15000)
    paused = wait_until_settled(frame)
    assert paused["epoch"] >= 150
    after = {name: counter(frame, name) for name in before}
    assert after["hamming"] != before["hamming"] and after["test_metric"] != before["test_metric"], (before, after)
    assert float(after["hamming"]) < 0.2, f"Hamming loss {after['hamming']} after {paused['epoch']} epochs"
    for j in range(N_LABELS):
        accuracy = float(after[f"label_{j}"].split("%")[0])
        assert accuracy > 80, f"label {j}: {after[f'label_{j}']}"

    # The browser's forward pass is core's, on the parameters it shows.
    rng = np.random.default_rng(0)
    points = rng.uniform(-2.3, 2.3, size=(400, 2))
    browser = np.asarray(
        frame.evaluate("([xs, ys]) => window.__liveForward(xs, ys)", [points[:, 0].tolist(), points[:, 1].tolist()])
    ).reshape(-1, N_LABELS)
    model = core_network(frame).predict(points)
    np.testing.assert_allclose(browser, model, atol=1e-6, rtol=0)

    # Each label's picture is its own sigmoid: where the model is sure, the pixel is that label's yes/no colour.
    for j in range(N_LABELS):
        pixels = sample_label_picture(frame, j, points)
        error = np.abs(pixels - expected_colour(model[:, j])).max(axis=1)
        sure = (model[:, j] < 0.1) | (model[:, j] > 0.9)
        assert np.median(error[sure]) < 12 and np.mean(error[sure] < 40) > 0.9, (
            f"label {j}'s picture does not show output {j}: median error {np.median(error[sure]):.1f}"
        )
        # and not another label's: where label j and label k disagree with confidence, the colours differ.
        for k in range(N_LABELS):
            if k == j:
                continue
            differ = (model[:, j] > 0.9) & (model[:, k] < 0.1)
            if differ.any():
                other = np.abs(pixels[differ] - expected_colour(model[differ, k])).max(axis=1)
                assert np.median(other) > 100, f"label {j}'s picture looks like label {k}'s"
    # Points in the overlap of two discs carry two labels: both sigmoids say yes there.
    both = (model > 0.5).sum(axis=1) >= 2
    assert both.any(), "no point of the plane is given two labels"
    assert live_state(frame)["epoch"] == paused["epoch"]
    page.evaluate(f"document.querySelector('{LIVE_VIEW_SELECTOR}').scrollIntoView({{block: 'start'}})")
    save_screenshot(page, "multilabel-three-discs")


def test_a_csv_with_three_label_columns_becomes_three_label_pictures_that_train(page, app_url, tmp_path):
    rng = np.random.default_rng(0)
    points = rng.uniform(-2, 2, size=(120, 2))
    rows = [f"{a:.3f},{b:.3f},{int(a > 0)},{int(b > 0)},{int(a * a + b * b < 1.5)}" for a, b in points]
    csv = tmp_path / "labels.csv"
    csv.write_text("x1,x2,east,north,centre\n" + "\n".join(rows) + "\n")
    page.goto(app_url)
    wait_for_app(page, timeout=60)
    live_frame(page)
    page.get_by_text(t("playground.files_header")).click()
    page.locator('[data-testid="stFileUploader"]').nth(1).locator("input[type=file]").set_input_files(str(csv))
    page.get_by_text("Loaded 120 rows with 3 yes/no labels").wait_for(timeout=60000)
    dataset = page.get_by_role("combobox", name=t("widgets.dataset"), exact=True)
    assert dataset.input_value() == t("widgets.datasets.uploaded_multilabel")
    frame = live_frame(page)
    frame.wait_for_selector("#panel-label_2 canvas.heat", timeout=30000)
    assert len(frame.evaluate("() => window.__liveNeurons()")[-1]) == 3
    titles = frame.evaluate("() => [0, 1, 2].map((j) => document.querySelector(`#panel-label_${j}`).dataset.title)")
    assert [title.split("”")[0].strip("“") for title in titles] == ["east", "north", "centre"], titles
    before = counter(frame, "hamming")
    page.get_by_role("button", name="Play", exact=True).click()
    state = wait_for_epoch(frame, 40, timeout=60)
    assert state["epoch"] >= 40, "the uploaded labels did not train"
    assert counter(frame, "hamming") != before
    save_screenshot(page, "multilabel-uploaded-csv")


def test_the_multiclass_vs_multilabel_lesson_opens_its_two_sigmoids_in_the_playground(page, app_url):
    page.goto(app_url.rstrip("/") + "/lessons?lesson=activations&step=output_multilabel")
    wait_for_app(page, timeout=90)
    link = page.get_by_role("link", name=t("lessons.open_playground"))
    link.wait_for(timeout=90000)
    assert page.get_by_text(t("lessons.claims_all_hold")).count() == 1, "a claim of the step failed on its own run"
    save_screenshot(page, "multilabel-lesson")
    page.goto(app_url.rstrip("/") + "/" + link.get_attribute("href").removeprefix("./"))
    wait_for_app(page, timeout=60)
    frame = live_frame(page)
    frame.wait_for_selector("#panel-label_1 canvas.heat", timeout=30000)
    assert frame.locator("#panel-label_2").count() == 0
    assert len(frame.evaluate("() => window.__liveNeurons()")[-1]) == 2
