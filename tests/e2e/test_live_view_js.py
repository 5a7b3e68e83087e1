"""The live view's JavaScript modules, unit-tested in Chromium: the forward pass against core's predictions,
the error function, colour mapping, decoding and the player's clock.

The component folder is served to the page by Playwright's routing (no server, no build step): the test page
imports the same ES modules Streamlit serves.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import erf

from core.data.features import FEATURES, transform_features
from core.engine.activations import ACTIVATIONS, OUTPUT_ONLY
from core.engine.network import Network
from playground import figures
from playground import live_view as live_view_package
from playground.live import playground as live

FRONTEND = Path(live_view_package.__file__).parent / "frontend"
ORIGIN = "http://live-view.test"
TYPES = {".js": "text/javascript", ".html": "text/html"}


@pytest.fixture
def modules(page):
    """A page that can ``await import('/forward.js')`` and friends from the component folder."""

    def serve(route):
        path = FRONTEND / route.request.url.removeprefix(ORIGIN + "/").split("?")[0]
        if path.is_file() and FRONTEND in path.resolve().parents:
            route.fulfill(status=200, body=path.read_bytes(), content_type=TYPES.get(path.suffix, "text/plain"))
        else:
            route.fulfill(status=404, body="")

    page.route(ORIGIN + "/**", serve)
    page.route(
        ORIGIN + "/",
        lambda route: route.fulfill(status=200, body="<!doctype html><title>t</title>", content_type="text/html"),
    )
    page.goto(ORIGIN + "/")
    return page


def run_js(page, body: str, arg=None):
    """Evaluate ``body`` (an async function body with the modules imported as f, c, p, d) with ``arg``."""
    return page.evaluate(
        f"""async (arg) => {{
            const f = await import('/forward.js'), c = await import('/colour.js'),
                  p = await import('/player.js'), d = await import('/decode.js');
            {body}
        }}""",
        arg,
    )


HIDDEN = [a for a in ACTIVATIONS if a not in OUTPUT_ONLY]
OUTPUTS = {
    "binary": ("sigmoid", "bce", 1),
    "multiclass": ("softmax", "softmax_ce", 3),
    "regression": ("linear", "mse", 1),
    "multilabel": ("sigmoid", "bce", 3),
}


def network(hidden: str, output: str, features, seed: int) -> Network:
    activation, loss, units = OUTPUTS[output]
    first = {"units": 5, "activation": hidden, "slope": 0.07 if hidden != "prelu" else 0.3}
    layers = [first, {"units": 4, "activation": hidden}, {"units": units, "activation": activation}]
    net = Network.from_spec(len(features), layers, loss=loss, seed=seed)
    rng = np.random.default_rng(seed)
    params = [p + rng.normal(scale=0.8, size=p.shape) for p in net.parameters()]  # off the initial values
    net.set_parameters(params)
    return net


def browser_predictions(page, net: Network, features, points: np.ndarray) -> np.ndarray:
    spec = {"sizes": net.layer_sizes, "activations": [s.activation for s in net.layers], "features": list(features)}
    out = run_js(
        page,
        "const net = f.makeNet(arg.spec, arg.params); return Array.from(f.predict(net, arg.xs, arg.ys));",  # noqa: E501
        {
            "spec": spec,
            "params": live.network_params(net),
            "xs": points[:, 0].tolist(),
            "ys": points[:, 1].tolist() if points.shape[1] > 1 else None,
        },
    )
    return np.asarray(out).reshape(len(points), -1)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_the_browser_forward_pass_equals_core_for_every_activation_and_output(modules, hidden, output):
    features = FEATURES  # every input feature at once: x1, x2, x1², x2², x1x2, sin x1, sin x2
    net = network(hidden, output, features, seed=HIDDEN.index(hidden))
    points = np.random.default_rng(1).uniform(-2.5, 2.5, size=(200, 2))
    expected = net.predict(transform_features(points, features))
    got = browser_predictions(modules, net, features, points)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)


def test_each_label_of_a_trained_multilabel_network_matches_core(modules):
    """Three discs, trained a little: each of the three sigmoids (one per label) as core computes it, and the
    three do not sum to 1 (they are not a softmax), so the check tells the output units apart."""
    from core.experiment.config import ExperimentConfig
    from core.experiment.run import run

    result = run(
        ExperimentConfig.from_dict(
            {
                "data": {"name": "three_discs", "noise": 0.05},
                "model": {"hidden": [{"units": 6}, {"units": 6}]},
                "train": {"epochs": 30},
            }
        )
    )
    points = np.random.default_rng(5).uniform(-2.5, 2.5, size=(300, 2))
    expected = result.network.predict(transform_features(points, result.data.features))
    got = browser_predictions(modules, result.network, result.data.features, points)
    assert got.shape == (300, 3)
    np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)
    assert np.abs(expected.sum(axis=1) - 1).max() > 0.3
    assert (expected > 0.5).sum(axis=1).max() >= 2, "no point carries two labels: the overlap is not tested"


@pytest.mark.parametrize("feature", FEATURES)
def test_each_input_feature_alone_matches_core(modules, feature):
    features = (feature,)
    net = network("tanh", "binary", features, seed=3)
    points = np.random.default_rng(2).uniform(-2.5, 2.5, size=(100, 2))
    np.testing.assert_allclose(
        browser_predictions(modules, net, features, points),
        net.predict(transform_features(points, features)),
        atol=1e-6,
        rtol=0,
    )


def test_one_dimensional_data_matches_core(modules):
    net = network("gelu", "regression", ("x",), seed=4)
    xs = np.linspace(-3, 3, 50).reshape(-1, 1)
    np.testing.assert_allclose(browser_predictions(modules, net, ("x",), xs), net.predict(xs), atol=1e-6, rtol=0)


def test_erf_is_exact_to_double_precision(modules):
    xs = np.concatenate([np.linspace(-7, 7, 1401), [0.0, 1e-9, -1e-9, 2.999999, 3.0, 30.0, -30.0]])
    got = np.asarray(run_js(modules, "return arg.map(f.erf);", xs.tolist()))
    np.testing.assert_allclose(got, erf(xs), atol=2e-15, rtol=0)


def test_tanh_through_one_exponential_is_exact_to_double_precision(modules):
    xs = np.concatenate(
        [
            np.linspace(-25, 25, 2001),
            np.geomspace(1e-12, 30, 400),
            -np.geomspace(1e-12, 30, 400),
            [0.0, 19.99, 20.0, 1e300, -1e300],
        ]
    )
    got = np.asarray(run_js(modules, "return arg.map(f.tanh);", xs.tolist()))
    np.testing.assert_allclose(got, np.tanh(xs), atol=5e-16, rtol=0)
    edge = run_js(modules, "return [f.tanh(NaN), f.tanh(Infinity), f.tanh(-Infinity), Object.is(f.tanh(-0), -0)];")
    assert np.isnan(edge[0]) and edge[1:] == [1, -1, True]  # NaN stays NaN, −0 stays −0 (as Math.tanh)


def test_the_forward_pass_over_reused_buffers_equals_a_fresh_one(modules):
    # The live view passes last frame's layers back so the grid's arrays are overwritten, not reallocated.
    same = run_js(
        modules,
        """
        const spec = {sizes: [2, 3, 1], activations: ["tanh", "sigmoid"], features: ["x1", "x2"]};
        const params = (s) => ({weights: [[s, -0.3, 0.2, 0.7, -1.1, 0.4], [0.9, -0.6, 0.25]], biases: [[0.1, -0.2, s],
                                [0.05]], slopes: [null, null]});
        const inputs = f.featureMatrix(spec.features, [0, 0.5, -1.5, 2], [1, -2, 0.25, 3]);
        const first = f.forwardLayers(f.makeNet(spec, params(0.5)), inputs, 4);
        const again = f.forwardLayers(f.makeNet(spec, params(-0.8)), inputs, 4, first);
        const fresh = f.forwardLayers(f.makeNet(spec, params(-0.8)), inputs, 4);
        return [again[1] === first[1], again.map((a, l) => Array.from(a).every((v, i) => v === fresh[l][i]))];
    """,
    )
    assert same == [True, [True, True, True]]


def test_a_multiclass_region_is_its_class_colour_where_certain_and_pale_where_unsure(modules):
    colours = list(figures.CLASS_COLOURS)
    result = run_js(
        modules,
        """
        const cc = arg.map(c.parseColour), out = [0, 0, 0];
        const certain = [0, 1, 2].map((k) => { const p = [0, 0, 0]; p[k] = 1; const rgb = [0, 0, 0];
                                               return [c.multiclassColour(p, 0, 3, cc, rgb), rgb]; });
        const unsure = c.multiclassColour([1 / 3, 1 / 3, 1 / 3], 0, 3, cc, out);
        return {certain, unsure: out, parsed: cc};
    """,
        colours,
    )
    for k, (winner, rgb) in enumerate(result["certain"]):
        assert winner == k and rgb == result["parsed"][k]  # a class's core is its own colour, never white
    assert result["unsure"] == [247, 247, 247]


def test_the_binary_scale_maps_probabilities_to_its_ends_and_white_in_the_middle(modules):
    lut = run_js(modules, "return Array.from(c.lookupTable(arg));", figures.BINARY_SCALE)
    assert lut[0:3] == [245, 147, 34] and lut[255 * 3 :] == [8, 119, 189]
    assert all(abs(v - 247) <= 2 for v in lut[127 * 3 : 128 * 3])


def test_the_player_shows_the_newest_due_snapshot_and_never_banks_time(modules):
    result = run_js(
        modules,
        """
        const q = [1, 2, 3, 5, 8].map((epoch) => ({epoch}));
        return {
            due: [0.5, 1, 2.9, 5, 100].map((clock) => p.dueIndex(q, clock)),
            clock: p.advanceClock(10, 10, 20, 60, 1000 / 60),      // one painted frame at 60 epochs/s
            hidden: p.advanceClock(10, 10, 1000, 60, 5000),        // a hidden tab: at most 100 ms counts
            starved: p.advanceClock(10, 10, 10, 100, 100),         // nothing queued: a quarter second at most
            asks: p.snapshotsFor(0.5, 75, 1),
            asks_fraction: p.snapshotsFor(0.5, 100, 100 / 60),  // the server's 1⅔ epochs a snapshot
            slow: p.playSpeed(300, p.supplyRate(p.supplyRate(0, 100, 1000), 100, 1000)),  // 100 epochs/s arrive
            keeping_up: p.playSpeed(75, 80),
        };
    """,
    )
    assert result["due"] == [-1, 0, 1, 3, 4]
    assert result["clock"] == pytest.approx(11.0)
    assert result["hidden"] == pytest.approx(16.0)
    assert result["starved"] == pytest.approx(20.0)
    assert result["asks"] == 38 and result["asks_fraction"] == 30
    assert result["slow"] == pytest.approx(115.0) and result["keeping_up"] == 75


def test_every_painted_frame_gets_a_new_snapshot_without_changing_the_pace(modules):
    # The server's snapshots at 100 epochs/s (1, 2, 2, 1, 2, 2, ... epochs apart) played on a screen whose frames
    # jitter around 57 a second, with main.js's clock: the newest due snapshot, else the next within one frame.
    result = run_js(
        modules,
        """
        const speed = 100, lead = speed / 60, epochs = [];
        for (let acc = 0, e = 0; e < 3000; ) {
            acc += 5 / 3;
            const n = Math.floor(acc + 1e-9);
            acc -= n; e += n; epochs.push(e);
        }
        const play = (useLead) => {
            let queue = epochs.map((epoch) => ({epoch})), clock = 0, shown = 0, t = 0, fresh = 0, frames = 0;
            for (let k = 0; t < 10000; k++) {
                const dt = 1000 / 57 + 3 * Math.sin(k * 1.7) + (k % 23 === 0 ? 16.7 : 0);
                t += dt; frames += 1;
                clock = p.advanceClock(clock, shown - (useLead ? lead : 0), queue[queue.length - 1].epoch, speed, dt);
                const due = useLead ? p.frameIndex(queue, clock, lead) : p.dueIndex(queue, clock);
                if (due >= 0) { shown = queue[due].epoch; queue = queue.slice(due + 1); fresh += 1; }
            }
            return {fresh: fresh / frames, pace: shown / (t / 1000)};
        };
        const q = [2, 3, 5].map((epoch) => ({epoch}));
        return {
            cases: [[1, 1.6], [0.5, 1], [0.2, 1.6], [3.5, 1.6]].map(([clock, l]) => p.frameIndex(q, clock, l)),
            with_lead: play(true), without: play(false),
        };
    """,
    )
    assert result["cases"] == [0, -1, -1, 1]  # early by ≤ the lead, not more; the newest due wins as before
    assert result["with_lead"]["fresh"] > 0.97, result  # a new picture on (nearly) every painted frame
    assert result["without"]["fresh"] < 0.95, result  # what the clock alone gave: a frame in 8 without one
    assert result["with_lead"]["pace"] == pytest.approx(100, rel=0.02)  # the clock still sets the pace


def test_run_pictures_take_turns_so_each_changes_at_least_every_other_frame(modules):
    # Four Compare pictures, a new snapshot every frame, and a budget that only ever allows the least number.
    result = run_js(
        modules,
        """
        const since = [0, 0, 0, 0], drawnAt = [[], [], [], []];
        let stamp = 0, waiting = [false, false, false, false];
        for (let frame = 0; frame < 12; frame++) {
            for (let i = 0; i < 4; i++) if (!waiting[i]) { waiting[i] = true; since[i] = ++stamp; }
            const ids = [0, 1, 2, 3].filter((i) => waiting[i]);
            const { order, least } = p.pictureTurns(ids.map((i) => since[i]), false);
            for (const k of order.slice(0, least)) { waiting[ids[k]] = false; drawnAt[ids[k]].push(frame); }
        }
        return { drawnAt, paused: p.pictureTurns([7, 3, 5], true), playing: p.pictureTurns([7, 3, 5], false) };
    """,
    )
    for frames in result["drawnAt"]:
        assert frames[0] <= 1 and all(b - a <= 2 for a, b in zip(frames, frames[1:], strict=False))
    assert result["paused"] == {"order": [1, 2, 0], "least": 3}  # paused: every picture at once
    assert result["playing"] == {"order": [1, 2, 0], "least": 2}  # longest-waiting first, half rounded up


def test_the_message_format_module_loads(modules):
    exported = run_js(modules, "const m = await import('/messages.js'); return Object.keys(m);")
    assert json.loads(json.dumps(exported)) == []  # types only


def test_render_arguments_are_read_from_the_payload_string(modules):
    sent = {"seq": 3, "playing": True, "frames": [{"epoch": 1, "params": {"weights": [[0.5, -1e-7]]}}]}
    got = run_js(
        modules,
        """const m = await import('/messaging.js');
                             return [m.renderArgs({payload: arg, key: 'k', default: null}), m.renderArgs({}),
                                     m.renderArgs(undefined)];""",
        json.dumps(sent),
    )
    assert got == [sent, {}, {}]


def test_shortcut_keys_are_left_to_fields_and_buttons_that_already_use_them(modules):
    result = run_js(
        modules,
        """
        const k = await import('/keys.js');
        document.body.innerHTML = '<input id="text"><div role="slider" id="slider" tabindex="0"></div>'
            + '<button id="button">b</button><div id="plain"></div>';
        const on = (id, key, extra) => k.transportFor(Object.assign(
            {key: key, target: document.getElementById(id), defaultPrevented: false}, extra || {}));
        return {
            plain: [' ', 'ArrowRight', 'r', 'R', 'x'].map((key) => on('plain', key)),
            text: [' ', 'ArrowRight', 'r'].map((key) => on('text', key)),
            slider: on('slider', 'ArrowRight'),
            button: [' ', 'ArrowRight'].map((key) => on('button', key)),
            ctrl_r: on('plain', 'r', {ctrlKey: true}),
            handled: on('plain', ' ', {defaultPrevented: true}),
        };
    """,
    )
    assert result["plain"] == ["play", "step", "reset", "reset", None]
    assert result["text"] == [None, None, None] and result["slider"] is None
    assert result["button"] == [None, "step"]  # Space presses a focused button itself
    assert result["ctrl_r"] is None and result["handled"] is None  # Ctrl+R reloads; a key is pressed once


def test_the_spoken_summary_joins_the_counters_in_the_scenes_language(modules):
    result = run_js(
        modules,
        """
        const a = await import('/a11y.js');
        document.body.innerHTML = '<div id="counters"><div class="counter"><div class="label">轮次</div>'
            + '<div class="value">120</div></div><div class="counter"><div class="label">测试准确率</div>'
            + '<div class="value">97 %</div></div><div id="status">已暂停</div></div><div id="panels">'
            + '<div class="panel"><div class="panel-title">损失</div><canvas></canvas></div></div>'
            + '<div id="announce"></div>';
        const counters = document.getElementById('counters'), panels = document.getElementById('panels');
        a.sceneBuilt({strings: {lang: 'zh', title: '实时训练视图', chart: '{title}：{summary}', separator: '，'}},
                     panels, counters);
        const first = document.getElementById('announce').textContent;
        counters.querySelector('.value').textContent = '121';
        a.tickA11y(1e9, true, counters, panels);        // running: refreshed (5 s since the last one)
        const second = document.getElementById('announce').textContent;
        counters.querySelector('.value').textContent = '122';
        a.tickA11y(1e9 + 1000, true, counters, panels); // a second later: not yet
        const throttled = document.getElementById('announce').textContent;
        a.tickA11y(1e9 + 1100, false, counters, panels); // stopped: at once
        const panel = panels.querySelector('.panel');
        return {first, second, throttled, stopped: document.getElementById('announce').textContent,
                name: panel.getAttribute('aria-label'), role: panel.getAttribute('role'),
                lang: document.documentElement.lang, title: document.title};
    """,
    )
    assert result["first"] == "轮次 120，测试准确率 97 %，已暂停"
    assert result["second"] == "轮次 121，测试准确率 97 %，已暂停" == result["throttled"]
    assert result["stopped"] == "轮次 122，测试准确率 97 %，已暂停"
    assert result["name"] == "损失：轮次 122，测试准确率 97 %，已暂停" and result["role"] == "img"
    assert result["lang"] == "zh" and result["title"] == "实时训练视图"
