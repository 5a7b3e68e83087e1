"""The Regression lab's 1-D pictures computed in Chromium from the parameters a frame carries (panels/terms.js):
the fitted curve and every term w_j·a_j(x) equal core's prediction and decomposition."""

from __future__ import annotations

import numpy as np

from core.experiment.config import LayerConfig, ModelConfig, TrainConfig
from core.labs.regression import TargetConfig, decompose, make_regression_data
from playground import figures_regression, live, regression_live
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
