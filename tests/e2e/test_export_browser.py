"""The Playground's ONNX and PyTorch downloads in real Chromium hold the network the page trained."""

from __future__ import annotations

import importlib.util
import runpy

import numpy as np
import onnxruntime as ort

from core.data.features import transform_features
from core.experiment.io import load_model
from core.export import features_of
from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state

QUERY = "?ds=circles&feat=x1,x2,x1_sq,sin_x2&hidden=5:gelu,3:prelu&epochs=500&seed=5"


def _download(page, label: str, target):
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    info.value.save_as(target)
    return target


def test_onnx_and_pytorch_downloads_predict_as_the_downloaded_model(page, app_url, tmp_path):
    page.goto(app_url.rstrip("/") + "/" + QUERY)
    wait_for_app(page, timeout=60)
    frame = live_frame(page)
    for _ in range(3):
        page.get_by_role("button", name=t("playground.step"), exact=True).click()
        wait_for_app(page, timeout=60)
    assert live_state(frame)["epoch"] >= 1
    page.get_by_text(t("playground.files_header")).click()
    model_zip = _download(page, t("playground.download_model"), tmp_path / "model.zip")
    onnx_file = _download(page, t("export.onnx"), tmp_path / "model.onnx")
    script = _download(page, t("export.pytorch"), tmp_path / "model.py")
    save_screenshot(page, "export-downloads")

    net, config = load_model(model_zip)
    features = features_of(config)
    assert features == ("x1", "x2", "x1_sq", "sin_x2")
    X = np.random.default_rng(0).uniform(-6, 6, (300, 2))
    expected = net.predict(transform_features(X, features))
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["output"], {"input": X})[0], expected, rtol=0, atol=1e-6)

    source = script.read_text(encoding="utf-8")
    assert "nn.GELU()" in source and "nn.PReLU(" in source
    if importlib.util.find_spec("torch") is not None:  # too large for CI; checked wherever it is installed
        got = runpy.run_path(str(script))["predict"](X).numpy()
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
