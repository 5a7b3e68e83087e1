"""Saving and loading a trained model: a .zip with model.json + weights.npz that round-trips without pickle.

The corpus of bad model files (each rejected with its own message) is in tests/fuzz/.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from core import Network
from core.experiment.config import ExperimentConfig
from core.experiment.io import (
    MAX_BUNDLE_BYTES,
    MODEL_JSON,
    WEIGHTS_NPZ,
    load_model,
    model_from_parts,
    model_to_bytes,
    model_to_json,
    save_model,
    weights_to_npz,
)
from core.experiment.presets import preset_config
from core.experiment.run import run

X_PROBE = np.random.default_rng(3).uniform(-2.5, 2.5, (50, 2))


@pytest.fixture(scope="module")
def trained():
    """A short real run: network trained on xor with its configuration."""
    cfg = preset_config("xor_2_2_1")
    cfg = replace(cfg, train=replace(cfg.train, epochs=30))
    result = run(cfg, record_stats=False)
    return result.network, cfg


def _same_parameters(a: Network, b: Network) -> bool:
    return a.parameter_names() == b.parameter_names() and all(
        p.dtype == q.dtype and np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def test_trained_model_round_trips_with_identical_predictions_and_config(trained):
    network, cfg = trained
    loaded, loaded_cfg = load_model(model_to_bytes(network, cfg))
    assert loaded_cfg == cfg
    assert _same_parameters(loaded, network)
    np.testing.assert_array_equal(loaded.predict(X_PROBE), network.predict(X_PROBE))
    assert loaded.spec() == network.spec()


def test_bundle_holds_exactly_model_json_and_weights_npz_readable_by_plain_numpy(trained):
    network, cfg = trained
    with zipfile.ZipFile(io.BytesIO(model_to_bytes(network, cfg))) as bundle:
        assert sorted(bundle.namelist()) == [MODEL_JSON, WEIGHTS_NPZ]
        document = json.loads(bundle.read(MODEL_JSON))
        weights = np.load(io.BytesIO(bundle.read(WEIGHTS_NPZ)), allow_pickle=False)
        assert sorted(weights.files) == sorted(network.parameter_names())
        np.testing.assert_array_equal(weights["W1"], network.parameters()[0])
    assert document["format"] == "nn-playground-model"
    assert document["network"]["layers"] == [layer.to_dict() for layer in network.layers]
    assert ExperimentConfig.from_dict(document["config"]) == cfg


def test_same_model_gives_byte_identical_bundles_so_downloads_are_reproducible(trained):
    network, cfg = trained
    assert model_to_bytes(network, cfg) == model_to_bytes(network.copy(), cfg)


def test_model_without_config_loads_with_config_none():
    net = Network.from_spec(2, [{"units": 3, "activation": "relu"}, {"units": 1, "activation": "linear"}], seed=4)
    loaded, cfg = load_model(model_to_bytes(net))
    assert cfg is None
    assert _same_parameters(loaded, net)


def test_prelu_slope_float32_and_class_weights_survive_the_round_trip():
    net = Network.from_spec(
        2,
        [
            {"units": 5, "activation": "prelu", "slope": 0.2},
            {"units": 3, "activation": "leaky_relu", "slope": 0.05},
            {"units": 3, "activation": "softmax"},
        ],
        loss="softmax_ce",
        init="he",
        l2=0.01,
        seed=7,
        class_weight={0: 1.0, 1: 2.5, 2: 0.5},
        dtype="float32",
    )
    params = net.parameters()
    params[2] = np.array([0.31], dtype=np.float32)  # a learned prelu slope, not the starting one
    net.set_parameters(params)
    loaded, _ = load_model(model_to_bytes(net))
    assert loaded.parameter_names() == ["W1", "b1", "alpha1", "W2", "b2", "W3", "b3"]
    assert _same_parameters(loaded, net)
    assert loaded.dtype == np.float32
    assert loaded.class_weight == {0: 1.0, 1: 2.5, 2: 0.5}
    assert loaded.spec() == net.spec()
    np.testing.assert_array_equal(loaded.predict(X_PROBE), net.predict(X_PROBE))


def test_save_model_writes_to_a_path_and_to_a_binary_buffer(tmp_path, trained):
    network, cfg = trained
    path = tmp_path / "model.zip"
    save_model(network, cfg, path)
    buffer = io.BytesIO()
    save_model(network, None, buffer)
    assert path.read_bytes() == model_to_bytes(network, cfg)
    assert buffer.getvalue() == model_to_bytes(network, None)


def test_load_model_accepts_a_path_a_str_path_bytes_and_a_file_object_already_read(tmp_path, trained):
    network, cfg = trained
    path = tmp_path / "model.zip"
    save_model(network, cfg, path)
    upload = io.BytesIO(path.read_bytes())
    upload.read()  # Streamlit's UploadedFile may have been read before; load_model rewinds it
    for source in (path, str(path), path.read_bytes(), bytearray(path.read_bytes()), upload):
        loaded, loaded_cfg = load_model(source)
        assert loaded_cfg == cfg and _same_parameters(loaded, network)


def test_parts_can_be_loaded_separately(trained):
    network, cfg = trained
    loaded, loaded_cfg = model_from_parts(model_to_json(network, cfg), weights_to_npz(network))
    assert loaded_cfg == cfg and _same_parameters(loaded, network)


def test_big_endian_float_arrays_of_the_right_width_are_accepted():
    net = Network.from_spec(
        2, [{"units": 2, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}], loss="bce", seed=1
    )
    buffer = io.BytesIO()
    np.savez(buffer, **{name: p.astype(">f8") for name, p in zip(net.parameter_names(), net.parameters(), strict=True)})
    loaded, _ = model_from_parts(model_to_json(net), buffer.getvalue())
    assert _same_parameters(loaded, net)


def test_oversized_upload_is_refused_after_reading_only_past_the_cap():
    class Upload(io.BytesIO):
        largest_read = 0

        def read(self, size=-1):
            Upload.largest_read = max(Upload.largest_read, size)
            return super().read(size)

    upload = Upload(b"\0" * (MAX_BUNDLE_BYTES + 10_000))
    with pytest.raises(ValueError, match=r"the model file is over the limit; at most [\d,]+ bytes are allowed"):
        load_model(upload)
    assert 0 < Upload.largest_read <= MAX_BUNDLE_BYTES + 1


def test_a_path_over_the_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.zip"
    with path.open("wb") as handle:
        handle.truncate(MAX_BUNDLE_BYTES + 1)  # sparse: no real disk use
    with pytest.raises(ValueError, match=r"the model file is [\d,]+ bytes; at most [\d,]+ bytes are allowed"):
        load_model(path)


def test_missing_path_is_a_value_error_naming_the_problem(tmp_path):
    with pytest.raises(ValueError, match="could not be read"):
        load_model(tmp_path / "nope.zip")


def test_loaded_network_keeps_training_from_its_saved_weights(trained):
    """A loaded model is a full Network: gradients work and one step changes the loss."""
    network, cfg = trained
    loaded, _ = load_model(model_to_bytes(network, cfg))
    X = X_PROBE[:20]
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    loss, grads = loaded.loss_and_grads(X, y)
    assert np.isfinite(loss)
    assert [g.shape for g in grads] == [p.shape for p in loaded.parameters()]
    assert loss == pytest.approx(network.loss_and_grads(X, y)[0])
