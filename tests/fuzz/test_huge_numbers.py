"""Huge and odd JSON numbers in a model file, a configuration or a CSV give a short ValueError (issue 19, item 2).

A 400-digit integer used to escape as ``OverflowError`` (``math.isfinite`` cannot convert it to a float), a
5,000-digit one as Python's raw "Exceeds the limit (4300 digits)", and a 400-digit seed was echoed in full.
Every loader promises a ``ValueError`` with a short message naming the field: these tests hold it to that.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cli import UsageError, load_config
from core.data.csvdata import load_csv
from core.experiment.config import ExperimentConfig
from core.experiment.io import MODEL_JSON, WEIGHTS_NPZ, load_model, model_to_json, weights_to_npz
from tests.fuzz.corpus import small_config, small_network

PLACEHOLDER = 7777777  # a number found nowhere else in the documents below, replaced by the hostile text
MAX_MESSAGE = 300
LONG_DIGITS = re.compile(r"\d{61,}")

# (path in the document, the name the message must use for it)
MODEL_FIELDS = [
    (("network", "input_dim"), "input_dim"),
    (("network", "l1"), "l1"),
    (("network", "l2"), "l2"),
    (("network", "seed"), "seed"),
    (("network", "layers", 0, "units"), "units"),
    (("network", "layers", 0, "dropout"), "dropout"),
    (("network", "class_weight"), "class_weight"),
    (("config", "seed"), "seed"),
    (("config", "data", "n_samples"), "n_samples"),
    (("config", "data", "noise"), "noise"),
    (("config", "train", "l2"), "l2"),
    (("config", "train", "epochs"), "epochs"),
    (("config", "train", "learning_rate"), "learning_rate"),
    (("config", "model", "hidden", 0, "units"), "units"),
    (("format_version",), "format_version"),
]
CONFIG_FIELDS = [(path[1:], name) for path, name in MODEL_FIELDS if path[0] == "config"]

huge_integers = st.builds(
    lambda sign, first, rest: f"{sign}{first}{rest}",
    st.sampled_from(["", "-"]),
    st.sampled_from("123456789"),
    st.integers(40, 6000).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
)
odd_numbers = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "1E-400",
        "-0",
        "0e0",
        "9" * 400 + ".5",
        "0." + "0" * 400 + "1",
        "1" + "0" * 400 + "e-400",
        "123456789012345678901234567890123456789",
        "4294967296",
        "-1",
        "1.0000000000000002",
        "9" * 4300,
        "9" * 4301,
    ]
) | st.floats(allow_nan=False, allow_infinity=False).map(repr)


def _set(document: dict, path: tuple, value) -> None:
    *parents, last = path
    for step in parents:
        document = document[step]
    if last == "class_weight":
        document[last] = {"0": value}
    else:
        document[last] = value


def _model_json(path: tuple, number_text: str) -> bytes:
    document = json.loads(model_to_json(small_network(), small_config()))
    _set(document, path, PLACEHOLDER)
    return json.dumps(document).replace(str(PLACEHOLDER), number_text).encode()


def _bundle(json_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MODEL_JSON, json_bytes)
        archive.writestr(WEIGHTS_NPZ, weights_to_npz(small_network()))
    return buffer.getvalue()


def assert_short_message(exc: BaseException, name: str | None) -> None:
    message = str(exc)
    assert len(message) <= MAX_MESSAGE, message[:500]
    assert not LONG_DIGITS.search(message), message[:500]
    assert "Exceeds the limit" not in message and "max_str_digits" not in message, message
    if name is not None:
        assert name in message, message


@pytest.mark.parametrize(("path", "name"), MODEL_FIELDS, ids=[".".join(map(str, p)) for p, _ in MODEL_FIELDS])
@pytest.mark.parametrize("digits", [400, 5000])
def test_a_huge_integer_in_model_json_is_refused_by_name(path, name, digits):
    with pytest.raises(ValueError) as caught:  # not OverflowError, not a bare int-string-limit message
        load_model(_bundle(_model_json(path, "9" * digits)))
    assert_short_message(caught.value, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(MODEL_FIELDS), text=huge_integers)
def test_any_huge_integer_anywhere_in_model_json_gives_a_short_named_value_error(field, text):
    path, name = field
    with pytest.raises(ValueError) as caught:
        load_model(_bundle(_model_json(path, text)))
    assert_short_message(caught.value, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(MODEL_FIELDS), text=odd_numbers)
def test_odd_numbers_in_model_json_load_or_give_a_short_value_error(field, text):
    try:
        load_model(_bundle(_model_json(field[0], text)))
    except ValueError as exc:
        assert_short_message(exc, None)


def _config_json(path: tuple, number_text: str) -> str:
    document = small_config().to_dict()
    _set(document, path, PLACEHOLDER)
    return json.dumps(document).replace(str(PLACEHOLDER), number_text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(CONFIG_FIELDS), text=huge_integers)
def test_a_huge_integer_in_a_configuration_gives_a_short_named_value_error(field, text):
    path, name = field
    with pytest.raises(ValueError) as caught:
        ExperimentConfig.from_json(_config_json(path, text))
    assert_short_message(caught.value, name)


@pytest.mark.parametrize(("path", "name"), CONFIG_FIELDS[:3])
def test_the_cli_names_the_field_of_a_huge_integer(tmp_path, path, name):
    config_file = tmp_path / "config.json"
    config_file.write_text(_config_json(path, "9" * 5000), encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_config(str(config_file))
    assert_short_message(caught.value, name)


def test_python_level_huge_integers_are_refused_by_name_too():
    from core.engine.network import Network

    with pytest.raises(ValueError) as caught:
        Network.from_spec(input_dim=10**400, layers=[{"units": 1, "activation": "sigmoid"}], loss="bce")
    assert_short_message(caught.value, "input_dim")
    with pytest.raises(ValueError) as caught:
        ExperimentConfig.from_dict({"seed": 10**5000})
    assert_short_message(caught.value, "seed")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=huge_integers | odd_numbers, column=st.integers(0, 2))
def test_huge_numbers_in_a_csv_load_or_give_a_short_value_error(text, column):
    row = ["0.5", "0.5", "1"]
    row[column] = text
    data = "\n".join(["x1,x2,label", "0,0,0", "1,1,1", "0,1,1", ",".join(row)]).encode()
    try:
        load_csv(data)
    except ValueError as exc:
        assert_short_message(exc, None)


@pytest.mark.parametrize("param", ["hidden_layer_sizes={n}x4", "train.l2=0.1,{n}", "train.epochs={n},2"])
@pytest.mark.parametrize("digits", [400, 5000])
def test_the_cli_search_refuses_a_huge_value_with_a_short_message(capsys, param, digits):
    from core.cli import EXIT_USAGE, main

    assert main(["search", "xor_2_2_1", "--param", param.format(n="9" * digits)]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert_short_message(error, param.split("=")[0])
