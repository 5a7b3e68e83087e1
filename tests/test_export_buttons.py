"""The ONNX and PyTorch download buttons on the Playground, Compare and Digits pages (AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

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


def _page_with_a_conv_network():
    import numpy as np  # AppTest runs this function's source on its own: imports go inside

    from core import Network
    from playground.export_buttons import export_buttons

    class ConvNetwork:
        input_dim, n_outputs, dtype, loss = 64, 10, np.dtype("float64"), "softmax_ce"

        def spec(self):
            return {"layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"units": 10, "activation": "softmax"}]}

        def parameter_names(self):
            return ["W1", "b1", "W2", "b2"]

        def parameters(self):
            dense = Network.from_spec(input_dim=4, layers=[{"units": 10, "activation": "softmax"}], loss="softmax_ce")
            return [np.zeros((4, 1, 3, 3)), np.zeros((4, 1)), *dense.parameters()]

    export_buttons(ConvNetwork(), None, "x")


def test_a_network_the_formats_cannot_express_gets_a_note_naming_the_layer_and_no_button():
    at = AppTest.from_function(_page_with_a_conv_network).run(timeout=60)
    assert_no_exception(at)
    assert at.get("download_button") == []
    (note,) = at.info
    assert "layer 1 has type 'conv2d'" in note.value
    assert note.value.startswith(t("export.refused", reason="").strip())
