"""Every file of the fuzz corpus is refused with its own message; random damage never escapes as another error.

The corpus (tests/fuzz/corpus.py) is written to disk and loaded from there, as an upload would arrive.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.data.csvdata import load_csv
from core.experiment.io import WEIGHTS_NPZ, load_model, model_from_parts, model_to_bytes, model_to_json, weights_to_npz
from tests.fuzz.corpus import (
    UNPICKLED_MARKER,
    Case,
    bad_csv_cases,
    bad_model_cases,
    pickle_bundle,
    small_config,
    small_network,
    write_corpus,
)

CSV_CASES = [case.name for case in bad_csv_cases()]
MODEL_CASES = [case.name for case in bad_model_cases("")]


@pytest.fixture(scope="module")
def csv_corpus(tmp_path_factory) -> dict[str, tuple[Case, Path]]:
    written = write_corpus(tmp_path_factory.mktemp("bad_csv"), bad_csv_cases(), ".csv")
    return {case.name: (case, path) for case, path in written}


@pytest.fixture(scope="module")
def payload_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("payload")


@pytest.fixture(scope="module")
def model_corpus(tmp_path_factory, payload_folder) -> dict[str, tuple[Case, Path]]:
    written = write_corpus(tmp_path_factory.mktemp("bad_models"), bad_model_cases(str(payload_folder)), ".zip")
    return {case.name: (case, path) for case, path in written}


def test_corpus_case_names_are_unique():
    assert len(set(CSV_CASES)) == len(CSV_CASES) and len(set(MODEL_CASES)) == len(MODEL_CASES)


@pytest.mark.parametrize("name", CSV_CASES)
def test_bad_csv_is_refused_with_its_specific_message(csv_corpus, name):
    case, path = csv_corpus[name]
    with pytest.raises(ValueError, match=case.message):
        load_csv(path, task=case.task)


@pytest.mark.parametrize("name", MODEL_CASES)
def test_bad_model_file_is_refused_with_its_specific_message(model_corpus, payload_folder, name):
    case, path = model_corpus[name]
    with pytest.raises(ValueError, match=case.message):
        load_model(path)
    assert not (payload_folder / UNPICKLED_MARKER).exists()


def test_pickle_payload_would_run_if_loaded_with_pickle_allowed(tmp_path):
    """The crafted file is a real attack: NumPy with allow_pickle=True executes it, load_model never does."""
    bundle = pickle_bundle(str(tmp_path), right_shape=True)
    with pytest.raises(ValueError, match="pickle"):
        load_model(bundle)
    assert not (tmp_path / UNPICKLED_MARKER).exists()
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        weights = np.load(io.BytesIO(archive.read(WEIGHTS_NPZ)), allow_pickle=True)
        weights["W1"]
    assert (tmp_path / UNPICKLED_MARKER).exists()


GOOD_BUNDLE = model_to_bytes(small_network())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD_BUNDLE) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, len(GOOD_BUNDLE)),
)
def test_damaged_bundle_loads_or_raises_value_error_only(flips, cut):
    data = bytearray(GOOD_BUNDLE)
    for at, value in flips:
        data[at] = value
    try:
        network, _ = load_model(bytes(data[:cut] if cut else data))
    except ValueError as exc:
        assert str(exc)
    else:
        assert all(np.all(np.isfinite(p)) for p in network.parameters())


CSV_ALPHABET = st.sampled_from(list("0123456789") * 3 + list(".,;\t\n\r -+eE\"'#xnaifNAIF") + ["\ufeff", "é", "\x00"])


@settings(max_examples=200, deadline=None)
@given(st.text(CSV_ALPHABET, max_size=300), st.sampled_from(["auto", "classification", "regression"]))
def test_random_csv_text_parses_or_raises_value_error_only(text, task):
    try:
        upload = load_csv(text.encode("utf-8"), task=task)
    except ValueError as exc:
        assert str(exc)
    else:
        assert np.all(np.isfinite(upload.dataset.X)) and np.all(np.isfinite(upload.dataset.y))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_as_csv_or_model_raise_value_error_only(data):
    for load in (load_csv, load_model):
        try:
            load(data)
        except ValueError as exc:
            assert str(exc)


GOOD_DOCUMENT = json.loads(model_to_json(small_network(), small_config()))
GOOD_NPZ = weights_to_npz(small_network())


def _paths(node, prefix=()):
    """Every place in a JSON document where a value can be swapped: ("network", "layers", 0, "units"), ..."""
    if prefix:
        yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["tanh", "prelu", "softmax", "bce", "x1", "auto", "float32"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=6) | st.sampled_from(["units", "activation", "slope", "0"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(_paths(GOOD_DOCUMENT))), JSON_VALUES)
def test_any_value_anywhere_in_model_json_loads_or_raises_value_error_only(path, value):
    document = json.loads(json.dumps(GOOD_DOCUMENT))
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        model_from_parts(json.dumps(document), GOOD_NPZ)
    except ValueError as exc:
        assert str(exc)
