"""The Regression lab's 1-D pictures computed in Chromium from the parameters a frame carries (panels/terms.js):
the fitted curve and every term w_j·a_j(x) equal core's prediction and decomposition."""

from __future__ import annotations

import numpy as np
import pytest

from core.experiment.config import LayerConfig, ModelConfig, TrainConfig
from core.labs.regression import TargetConfig, decompose, make_regression_data
from playground.live import playground as live
from playground.live import regression as regression_live
from playground.pages.regression import figures as figures_regression
from tests.e2e.test_live_view_js import modules  # noqa: F401 - the fixture serving the component's modules


def test_the_browsers_fit_and_terms_equal_cores(modules):  # noqa: F811
    data = make_regression_data(TargetConfig("sine", n_samples=60), 0)
    run = regression_live.new_run(data, ModelConfig(hidden=(LayerConfig(4, "tanh"),)), TrainConfig(epochs=20), 0)
    run.advance(5, 1)
    spec, params = regression_live.net_spec(run), live.network_params(run.trainer.network)
    xs = run.xs[:, 0]
    np.testing.assert_allclose(np.linspace(*spec["x_range"], spec["points"]), xs, atol=1e-15)  # the figures' x
    traces = figures_regression.decomposition_traces(4)
    fit, terms = modules.evaluate(
        """async ([spec, params, xs, traces]) => {
             const f = await import('/forward.js'), t = await import('/panels/terms.js');
             const net = f.makeNet(spec, params);
             const layers = f.forwardLayers(net, f.featureMatrix(spec.features, xs, null), xs.length);
             return [t.computedRestyle("fit", layers, net, xs.length),
                     t.computedRestyle('decomposition', layers, net, xs.length, traces)]; }""",
        [spec, params, xs.tolist(), traces],
    )
    expected = figures_regression.decomposition_update(decompose(run.trainer.network, run.xs))
    assert fit["traces"] == [0] and terms["traces"] == expected["traces"] == traces
    np.testing.assert_allclose(fit["restyle"]["y"][0], run.trainer.network.predict(run.xs)[:, 0], atol=1e-9)
    assert len(terms["restyle"]["y"]) == len(expected["restyle"]["y"])
    for got, want in zip(terms["restyle"]["y"], expected["restyle"]["y"], strict=True):
        np.testing.assert_allclose(got, want, atol=1e-9)


def test_the_browsers_2d_terms_and_their_titles_equal_cores(modules):  # noqa: F811
    from playground.i18n import t

    data = make_regression_data(TargetConfig("multi_gaussian", n_samples=80), 0)
    hidden = (LayerConfig(10, "tanh"),)  # more neurons than pictures: the sum still adds up every term
    run = regression_live.new_run(data, ModelConfig(hidden=hidden), TrainConfig(epochs=20), 0)
    run.advance(5, 1)
    scene = regression_live.scene(run)
    panel = next(p for p in scene["panels"] if p["name"] == "decomposition")
    spec, params = panel["net"], live.network_params(run.trainer.network)
    n = spec["resolution"]
    d0, d1 = spec["domain"]
    centres = d0 + (d1 - d0) * (np.arange(n) + 0.5) / n  # the browser's grid: cell centres, row-major
    gx, gy = np.meshgrid(centres, centres)
    got = modules.evaluate(
        """async ([spec, params, xs, ys, shown, titles]) => {
             const f = await import('/forward.js'), g = await import('/panels/termgrid.js');
             const net = f.makeNet(spec, params);
             const layers = f.forwardLayers(net, f.featureMatrix(spec.features, xs, ys), xs.length);
             const out = g.termGrids(layers, net, xs.length, shown);
             return {pictures: out.pictures.map((p) => Array.from(p)), limit: out.limit,
                     titles: g.termTitles(titles, out.weights, out.bias)}; }""",
        [spec, params, gx.ravel().tolist(), gy.ravel().tolist(), panel["shown"], panel["titles"]],
    )
    parts = decompose(run.trainer.network, np.column_stack([gx.ravel(), gy.ravel()]))
    want, titles, limit = figures_regression.decomposition_grid_panels(parts, n, n)
    assert panel["shown"] == figures_regression.MAX_NEURON_PANELS and len(got["pictures"]) == len(want)
    for picture, expected in zip(got["pictures"], want, strict=True):
        np.testing.assert_allclose(picture, expected.ravel(), atol=1e-9)
    np.testing.assert_allclose(
        got["pictures"][-1], run.trainer.network.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0], atol=1e-9
    )  # the last picture is ŷ itself
    assert got["limit"] == pytest.approx(limit, abs=1e-9)
    assert got["titles"] == titles  # the weights written as core's format writes them
    assert got["titles"][0] == t("regression.fig.neuron_short", number=1, weight=parts.weights[0])
