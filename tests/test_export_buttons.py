"""The ONNX and PyTorch download buttons on the Playground, Compare and Digits pages (AppTest)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.engine.convnet import ConvNetwork
from core.labs.digits import CNN_MODEL
from playground.i18n import t
from tests.apptest_helpers import assert_no_exception, render_page

EXPORT_LABELS = [t("export.onnx"), t("export.pytorch")]


def download_labels(at, prefix: str) -> list[str]:
    return [b.proto.label for b in at.get("download_button") if b.proto.id.split("-", 2)[-1].startswith(prefix)]


def test_playground_offers_onnx_and_pytorch_next_to_the_model_download():
    at = render_page("app_pages/playground.py", query={"ds": "circles"})
    assert_no_exception(at)
    labels = [b.proto.label for b in at.get("download_button")]
    model = labels.index(t("playground.download_model"))
    assert labels[model + 1 : model + 3] == EXPORT_LABELS


def test_compare_offers_the_chosen_run_after_training():
    at = render_page("app_pages/compare.py", query={"vary": "learning_rate", "values": "0.01,0.1", "epochs": "20"})
    assert download_labels(at, "cmp.export") == []  # nothing trained yet: nothing to take away
    at.button(key="cmp.step").click().run()
    assert_no_exception(at)
    assert download_labels(at, "cmp.export.dl_") == EXPORT_LABELS
    picker = at.selectbox(key="cmp.export_run")
    assert len(picker.options) == 2
    picker.set_value(1).run()
    assert_no_exception(at)
    assert download_labels(at, "cmp.export.dl_") == EXPORT_LABELS


def test_digits_offers_the_trained_network():
    at = render_page("app_pages/digits.py", timeout=240)
    assert_no_exception(at)
    assert t("export.header") in [h.value for h in at.main.header]
    assert download_labels(at, "dig.export.dl_") == EXPORT_LABELS


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """file_id → the callable a download button registered for it (AppTest's media manager lives one run only)."""
    registered: dict = {}
    add_deferred = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        file_id = add_deferred(self, data_callable, *args, **kwargs)
        registered[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return registered


def test_digits_offers_the_cnn_and_its_onnx_predicts_as_the_page(downloads):
    at = render_page("app_pages/digits.py", timeout=240)
    at.slider(key="dig.epochs").set_value(5).run(timeout=240)
    at.radio(key="dig.preset").set_value(CNN_MODEL).run(timeout=240)
    assert_no_exception(at)
    assert not [note for note in at.info if note.value.startswith(t("export.refused", reason="").strip())]
    buttons = [b for b in at.get("download_button") if b.proto.id.split("-", 2)[-1].startswith("dig.export.dl_")]
    assert [b.proto.label for b in buttons] == EXPORT_LABELS
    job = at.session_state["dig.train"].job
    network, X = job.network, job.data.split.X_test
    assert isinstance(network, ConvNetwork) and job.trainer.epoch == 5

    model = downloads[buttons[0].proto.deferred_file_id]()
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    got = session.run(["output"], {"input": X})[0]
    np.testing.assert_allclose(got, network.predict(X), rtol=0, atol=1e-6)
    assert (got.argmax(axis=1) == job.data.split.y_test).mean() > 0.5  # the page's trained CNN, not a fresh one
    script = downloads[buttons[1].proto.deferred_file_id]().decode("utf-8")
    assert "nn.Conv2d(1, 8, kernel_size=3, stride=1)" in script and "nn.MaxPool2d(kernel_size=2, stride=2)" in script


def _page_with_a_future_layer():
    import numpy as np  # AppTest runs this function's source on its own: imports go inside

    from core import Network
    from playground.export_buttons import export_buttons
    from playground.state import PageState

    class FutureNetwork:
        input_dim, n_outputs, dtype, loss = 4, 10, np.dtype("float64"), "softmax_ce"

        def spec(self):
            return {"layers": [{"type": "lstm", "units": 4}, {"units": 10, "activation": "softmax"}]}

        def parameter_names(self):
            return ["W1", "b1", "W2", "b2"]

        def parameters(self):
            dense = Network.from_spec(input_dim=4, layers=[{"units": 10, "activation": "softmax"}], loss="softmax_ce")
            return [np.zeros((4, 4)), np.zeros((4, 1)), *dense.parameters()]

    export_buttons(FutureNetwork(), None, PageState("x"))


def test_a_network_the_formats_cannot_express_gets_a_note_naming_the_layer_and_no_button():
    at = AppTest.from_function(_page_with_a_future_layer).run(timeout=60)
    assert_no_exception(at)
    assert at.get("download_button") == []
    (note,) = at.info
    assert "layer 1 has type 'lstm'" in note.value
    assert note.value.startswith(t("export.refused", reason="").strip())


def _button(at, key_suffix: str):
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key_suffix)]
    return button


def test_a_playground_download_drawn_before_a_reset_hands_out_the_run_of_the_moment(downloads):
    """The Files buttons are drawn by the full run, the live fragment replaces the run (Reset, a drawn point): a
    click must get the network and history the page shows then, not those of the run the button was drawn with."""
    from core.experiment.io import load_model

    at = render_page("app_pages/playground.py", query={"ds": "xor", "seed": "3"})
    for _ in range(3):
        at.button(key="pg.step").click().run()
    trained = at.session_state["pg.run"]
    assert trained.trainer.epoch == 3
    model = downloads[_button(at, "pg.dl_model").proto.deferred_file_id]
    onnx = downloads[_button(at, "pg.dl_onnx").proto.deferred_file_id]
    history = downloads[_button(at, "pg.dl_history").proto.deferred_file_id]
    assert load_model(model())[0].parameters()[0].tolist() == trained.trainer.network.parameters()[0].tolist()

    at.button(key="pg.reset").click().run()
    assert_no_exception(at)
    fresh = at.session_state["pg.run"]
    assert fresh is not trained and fresh.trainer.epoch == 0
    got = load_model(model())[0].parameters()
    for mine, theirs in zip(got, fresh.trainer.network.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    X = np.random.default_rng(1).uniform(-6, 6, (50, 2))
    session = ort.InferenceSession(onnx(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["output"], {"input": X})[0], fresh.trainer.network.predict(X), atol=1e-6)
    assert history().strip().count("\n") == 0  # the header only: the fresh run has no epochs yet
