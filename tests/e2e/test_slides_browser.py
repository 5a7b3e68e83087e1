"""Pictures for slides and the colour-blind-safe palette, in Chromium (issue 22).

The live view's PNG and SVG buttons must deliver a file through Streamlit's sandboxed component iframe; the PNG
decodes at three times the panel's size and shows the heatmap the page shows; the SVG parses as XML and holds every
data point as a vector marker of its class's shape; the palette switch repaints the live heatmap in the chosen
palette's scale at the network's own output.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from playground.i18n import t
from playground.palette import CLASS_SYMBOLS, SAFE, STANDARD
from tests.e2e.browser_helpers import choose_option, save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state, points_drawn
from tests.e2e.test_live_view_js import modules, run_js  # noqa: F401 (the fixture)

SVG = "{http://www.w3.org/2000/svg}"
QUERY = "?ds=circles&hidden=4:tanh,2:tanh&seed=3"


def _download(page, frame, panel: str, fmt: str, tmp_path):
    button = frame.locator(f'.panel-tools[data-panel="{panel}"] .download-{fmt}')
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def _open(page, app_url, query=QUERY):
    page.goto(app_url.rstrip("/") + "/" + query)
    wait_for_app(page, timeout=90)
    frame = live_frame(page, timeout=90)
    frame.wait_for_function("() => window.__liveView && window.__liveView.net !== null", timeout=60_000)
    return frame


def test_png_and_svg_of_both_panels_arrive_and_hold_what_the_view_shows(page, app_url, tmp_path):
    frame = _open(page, app_url)
    page.get_by_role("button", name=t("playground.step"), exact=True).click()
    wait_for_app(page, timeout=90)
    frame.wait_for_function("() => +document.getElementById('root').dataset.epoch >= 1", timeout=60_000)
    epoch = live_state(frame)["epoch"]

    # The buttons are named in the page's language and reached with Tab.
    png = frame.locator('.panel-tools[data-panel="boundary"] .download-png')
    title = frame.evaluate("() => document.querySelector('#panel-boundary .panel-title').textContent")
    assert png.get_attribute("aria-label") == t("live_view.download_png", title=title)
    png.focus()
    page.keyboard.press("Tab")
    assert frame.evaluate("() => document.activeElement.className") == "download-svg"

    sizes = frame.evaluate("""() => {
        const o = document.querySelector('#panel-boundary canvas:not(.heat)');
        const n = document.querySelector('#panel-network canvas');
        return {field: [o.clientWidth, o.clientHeight], network: [n.clientWidth, n.clientHeight]}; }""")
    # ---- the output panel ----
    svg_path = _download(page, frame, "boundary", "svg", tmp_path)
    root = ET.parse(svg_path).getroot()  # well-formed XML
    width, height = sizes["field"]
    band = float(root.get("height")) - height  # the title's lines above the picture
    assert float(root.get("width")) == width and 30 <= band <= 66
    png_path = _download(page, frame, "boundary", "png", tmp_path)
    assert png_path.name == f"boundary-epoch-{epoch}.png"
    image = Image.open(io.BytesIO(png_path.read_bytes())).convert("RGB")
    assert image.size == (round(width * 3), round((height + band) * 3))
    # The heatmap in the file is the one on screen: the plot's centre pixel, 80 % over white as on the page.
    rect = frame.evaluate("""() => { const h = document.querySelector('canvas.heat');
        const c = h.getContext('2d').getImageData(h.width >> 1, h.height >> 1, 1, 1).data;
        return {left: h.offsetLeft, top: h.offsetTop, side: h.clientWidth, rgb: [c[0], c[1], c[2]]}; }""")
    centre = image.getpixel(
        (round((rect["left"] + rect["side"] / 2) * 3), round((rect["top"] + rect["side"] / 2 + band) * 3))
    )
    shown = 0.8 * np.array(rect["rgb"]) + 0.2 * 255
    assert np.abs(np.array(centre) - shown).max() <= 12, (centre, shown)

    assert root.tag == SVG + "svg" and root.find(SVG + "title").text == title
    shown_title = " ".join(span.text for span in root.iter(SVG + "tspan"))
    assert shown_title == " ".join(title.split())  # drawn whole, wrapped between words like the page does
    points = root.findall(f".//{SVG}path")
    marked = [p for p in points if "point" in p.get("class", "").split()]
    assert len(marked) == points_drawn(frame) > 50
    classes = {c for p in marked for c in p.get("class").split() if c.startswith("class-")}
    assert classes == {"class-0", "class-1"}
    circles = [p for p in marked if "class-0" in p.get("class")]
    squares = [p for p in marked if "class-1" in p.get("class")]
    assert all(" 0 1 0 " in p.get("d") for p in circles)  # arcs: circles
    assert all("a" not in p.get("d") and p.get("d").count("L") == 3 for p in squares)  # four corners: squares
    assert len(root.findall(f".//{SVG}image")) == 1  # the heatmap is the only raster part
    ticks = [el.text for el in root.iter(SVG + "text")]
    assert "x₁" in ticks and "x₂" in ticks and "0" in ticks

    # ---- the network diagram ----
    svg_path = _download(page, frame, "network", "svg", tmp_path)
    root = ET.parse(svg_path).getroot()
    width, height = sizes["network"]
    assert float(root.get("width")) == width
    image = Image.open(_download(page, frame, "network", "png", tmp_path))
    assert image.size == (round(width * 3), round(float(root.get("height")) * 3))
    layer_sizes = frame.evaluate("() => window.__liveView.net.sizes")
    assert layer_sizes == [2, 4, 2, 1]
    edges = root.findall(f".//{SVG}line")
    assert len(edges) == sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:], strict=False))
    assert len(root.findall(f".//{SVG}image")) == sum(layer_sizes)  # every neuron's picture
    weights = frame.evaluate("() => window.__liveView.net.weights.map((w) => Array.from(w))")
    first = [float(e.find(SVG + "title").text.split("=")[1]) for e in edges[:8]]
    np.testing.assert_allclose(first, np.round(weights[0], 2), atol=0.006)
    labels = [el.text for el in root.iter(SVG + "text") if el.get("class") == "input-label"]
    assert labels == ["x₁", "x₂"]
    save_screenshot(page, "slides-downloads")


def test_svg_escapes_titles_and_labels(modules):  # noqa: F811 (the fixture)
    hostile = "</text><script>alert(1)</script> & \"x\" 'y' ]]> \u0001"
    svg = run_js(
        modules,
        """
        const dl = await import('/download.js');
        const geometry = {positions: [[[0, 0]], [[1, 0]]], px: (x) => 60 + 100 * x, py: (y) => 50 - 40 * y,
                          box: 20, sizes: [1, 1]};
        const image = document.createElement('canvas'); image.width = 2; image.height = 2;
        const panel = {kind: 'network', spec: {title: arg, labels: [arg], height: 100, name: 'network'},
                       geometry: geometry, images: [image, image], canvas: {clientWidth: 900}};
        const view = {net: {weights: [new Float64Array([0.5])]}};
        return dl.networkSvg(panel, view).svg;
    """,
        hostile,
    )
    root = ET.fromstring(svg.encode("utf-8"))
    assert not root.findall(f".//{SVG}script") and "<script>" not in svg
    expected = hostile.replace("\u0001", "")
    texts = [" ".join(el.itertext()) for el in root.iter(SVG + "text")]
    assert texts == [expected.strip(), expected]  # the title and the input label, as given
    assert root.find(SVG + "title").text == hostile.replace("\u0001", "")


def _heat_pixels(frame, count: int = 40) -> list[dict]:
    """``count`` pixels of canvas.heat with the network's own output at their points (window.__liveForward)."""
    return frame.evaluate(
        """(count) => {
        const h = document.querySelector('canvas.heat'), ctx = h.getContext('2d');
        const [d0, d1] = window.__liveView.spec.domain, out = [];
        for (let k = 0; k < count; k++) {
            const px = Math.floor((((k * 37) % 97) + 1.5) / 100 * h.width);
            const py = Math.floor((((k * 53) % 89) + 5.5) / 100 * h.height);
            const x1 = d0 + ((px + 0.5) / h.width) * (d1 - d0), x2 = d1 - ((py + 0.5) / h.height) * (d1 - d0);
            const c = ctx.getImageData(px, py, 1, 1).data;
            out.push({rgb: [c[0], c[1], c[2]], p: window.__liveForward([x1], [x2])[0]});
        }
        return out; }""",
        count,
    )


def _scale_colour(scale, p: float) -> np.ndarray:
    stops = [s for s, _ in scale]
    rgb = np.array([[int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)] for _, c in scale], dtype=float)
    return np.array([np.interp(p, stops, rgb[:, ch]) for ch in range(3)])


def test_the_palette_switch_repaints_the_live_heatmap_in_the_chosen_scale(page, app_url):
    frame = _open(page, app_url, "?ds=xor&hidden=3:tanh&seed=4")
    for palette in (STANDARD, SAFE):
        if palette is SAFE:
            before = frame.evaluate("() => document.querySelector('canvas.heat').toDataURL()")
            box = page.get_by_role("combobox", name=t("palette.label"), exact=True)
            choose_option(page, box, t("palette.names.safe"))
            expect(box).to_have_value(t("palette.names.safe"), timeout=60_000)
            wait_for_app(page, timeout=90)
            frame = live_frame(page, timeout=90)
            frame.wait_for_function(
                "(b) => document.querySelector('canvas.heat').toDataURL() !== b", arg=before, timeout=60_000
            )
            assert "palette=safe" in page.url
        pixels = _heat_pixels(frame)
        expected = np.array([_scale_colour(palette.binary_scale, px["p"]) for px in pixels])
        got = np.array([px["rgb"] for px in pixels], dtype=float)
        # Smooth scaling blends neighbouring cells: a few levels off, never another palette's colours.
        assert np.abs(got - expected).max() <= 8, (palette.name, np.abs(got - expected).max())
        save_screenshot(page, f"palette-{palette.name}")


def test_the_fitted_curve_downloads_as_a_vector_curve_over_its_points(page, app_url, tmp_path):
    frame = _open(page, app_url, "?ds=sine&seed=2")
    root = ET.parse(_download(page, frame, "boundary", "svg", tmp_path)).getroot()
    [curve] = root.findall(f".//{SVG}polyline")
    xy = np.array([[float(v) for v in pair.split(",")] for pair in curve.get("points").split()])
    ys = frame.evaluate("() => Array.from(window.__liveView.layers[window.__liveView.layers.length - 1])")
    assert len(xy) == len(ys) and np.all(np.diff(xy[:, 0]) > 0)  # one vertex per x of the browser's curve
    # Higher output, higher on the picture: the curve's vertical order is the network's.
    order = np.argsort(ys)
    assert np.all(np.diff(xy[order, 1]) <= 0.011)
    assert len(root.findall(f".//{SVG}circle")) == points_drawn(frame)
    image = Image.open(_download(page, frame, "boundary", "png", tmp_path))
    width = frame.evaluate("() => document.querySelector('canvas.heat').clientWidth")
    assert image.size[0] == round(width * 3)


def test_canvas_shapes_follow_the_plotly_symbols_class_by_class(modules):  # noqa: F811 (the fixture)
    """Class c has the same shape in the live view (shapes.js) as in every Plotly figure (CLASS_SYMBOLS)."""
    shapes = run_js(modules, "const s = await import('/shapes.js'); return s.SHAPES;")
    plotly_names = {"triangle": "triangle-up"}
    assert [plotly_names.get(shape, shape) for shape in shapes] == list(CLASS_SYMBOLS)
    paths = run_js(
        modules,
        """const s = await import('/shapes.js');
        return [0, 1, 2, 3, 4, 5, 6].map((c) => s.shapePath(c, 10, 10, 4));""",
    )
    assert len(set(paths[:6])) == 6 and paths[6] == paths[0]  # six different shapes, then round again
