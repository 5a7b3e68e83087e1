"""The fuzz corpus, generated in code: bad CSV files and bad model bundles, each with the message it must get.

Each case is ``Case(name, data, message)`` where ``message`` is a regular expression the ValueError must match;
``test_corpus.py`` feeds every case to ``core.data.csvdata.load_csv`` or ``core.experiment.io.load_model`` (from a file
on disk, as an upload would arrive) and checks the message. ``write_corpus(folder)`` writes them out for a look by hand.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import Network
from core.data.csvdata import MAX_CLASSES, MAX_CSV_BYTES
from core.experiment.config import ExperimentConfig, LayerConfig, ModelConfig
from core.experiment.io import MAX_BUNDLE_BYTES, MAX_JSON_BYTES, MODEL_JSON, WEIGHTS_NPZ, model_to_json, weights_to_npz
from core.experiment.settings import LIMITS

UNPICKLED_MARKER = "unpickled.marker"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    message: str  # regex the ValueError's message must match
    task: str = "auto"  # CSV cases only


# ---- CSV ------------------------------------------------------------------------------------------------------
def _rows(rows: list[str], header: str | None = "x1,x2,label") -> bytes:
    return ("\n".join(([header] if header else []) + rows) + "\n").encode()


GOOD_ROWS = ["0,0,0", "1,1,1", "0,1,1", "1,0,0"]


def bad_csv_cases() -> list[Case]:
    too_many_rows = [f"{i % 7 / 7},{i % 5 / 5},{i % 2}" for i in range(LIMITS.max_samples + 1)]
    return [
        Case("empty", b"", r"the CSV file is empty"),
        Case("blank_lines_only", b"\n  \n\t\n", r"no data: it is empty or holds only blank lines"),
        Case("header_only", b"x1,x2,label\n", r"a header but no data rows"),
        Case("too_few_rows", _rows(GOOD_ROWS[:3]), r"3 data row\(s\); at least 4 are needed"),
        Case("one_column", _rows(["1", "2", "3", "4"], header=None), r"line 1 has 1 column\(s\); expected 3"),
        Case("five_columns", _rows(["1,2,3,4,5"] * 4, header="a,b,c,d,e"), r"line 1 has 5 column\(s\)"),
        Case(
            "ragged_row",
            _rows(["0,0,0", "1,1,1", "0,1", "1,0,0"]),
            r"line 4 has 2 column\(s\) but the file starts with 3 \(x1, x2, label\)",
        ),
        Case("text_in_data", _rows(["0,0,0", "1,abc,1", "0,1,1", "1,0,0"]), r"line 3, column 2: 'abc' is not a number"),
        Case(
            "text_in_first_row", _rows(["1,abc,0", *GOOD_ROWS], header=None), r"line 1, column 2: 'abc' is not a number"
        ),
        Case("second_header", _rows(["0,0,0", "x1,x2,label", *GOOD_ROWS]), r"line 3, column 1: 'x1' is not a number"),
        Case("nan", _rows(["0,0,0", "1,nan,1", *GOOD_ROWS]), r"line 3, column 2: 'nan' is not a finite number"),
        Case("inf", _rows(["0,0,0", "inf,1,1", *GOOD_ROWS]), r"line 3, column 1: 'inf' is not a finite number"),
        Case("minus_infinity", _rows([*GOOD_ROWS, "-Infinity,1,1"]), r"line 6, column 1: '-Infinity' is not a finite"),
        Case("overflowing_number", _rows([*GOOD_ROWS, "1e999,1,1"]), r"line 6, column 1: '1e999' is too large"),
        Case("empty_field", _rows(["0,,0", *GOOD_ROWS]), r"line 2, column 2 is empty"),
        Case("decimal_comma", b"x;y\n0,5;1\n1;2\n2;3\n3;4\n", r"'0,5' is not a number \(use a point"),
        Case("hex_number", _rows([*GOOD_ROWS, "0x1F,1,1"]), r"'0x1F' is not a number"),
        Case("too_many_rows", _rows(too_many_rows), rf"more than {LIMITS.max_samples:,} data rows"),
        Case(
            "over_size_limit",
            b"0,0,0\n" * (MAX_CSV_BYTES // 6 + 1),
            r"the CSV file is [\d,]+ bytes; at most [\d,]+ bytes are allowed",
        ),
        Case("utf16", "x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n".encode("utf-16"), r"UTF-16"),
        Case("nul_bytes", b"0,0,0\n1,1\x00,1\n0,1,1\n1,0,0\n", r"NUL bytes"),
        Case("spreadsheet", b"PK\x03\x04" + b"\x00" * 60, r"spreadsheet \(\.xlsx\)"),
        Case("single_class", _rows(["0,0,1", "1,1,1", "0,1,1", "1,0,1"]), r"every row has the label 1"),
        Case(
            "forced_classification_fractional",
            _rows([*GOOD_ROWS, "1,1,0.5"]),
            r"line 6, column 3 holds 0\.5, not a whole-number class label",
            task="classification",
        ),
        Case(
            "forced_classification_too_many_classes",
            _rows([f"{i / 20},{i / 30},{i}" for i in range(MAX_CLASSES + 2)]),
            rf"{MAX_CLASSES + 2} different labels; at most {MAX_CLASSES} classes",
            task="classification",
        ),
        Case(
            "forced_classification_two_columns",
            _rows(["0,1", "1,2", "2,3", "3,4"], header="x,y"),
            r"classification needs 3 columns",
            task="classification",
        ),
        Case("unknown_task", _rows(GOOD_ROWS), r"task='cluster' is not valid", task="cluster"),
        Case("unterminated_quote", b'x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n"1,0,0\n', r"line \d+ is not valid CSV"),
        Case(
            "huge_field",
            b"x1,x2,label\n" + b"1" * 200_000 + b",0,0\n" + b"0,0,1\n" * 4,
            r"line 2 is not valid CSV: field larger than field limit",
        ),
    ]


# ---- model bundles --------------------------------------------------------------------------------------------
def small_network(**changes) -> Network:
    spec = {
        "input_dim": 2,
        "layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        "loss": "bce",
        "seed": 0,
    }
    return Network.from_spec(**(spec | changes))


def small_config() -> ExperimentConfig:
    return ExperimentConfig(model=ModelConfig(hidden=(LayerConfig(4, "tanh"),)))


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as archive:
        warnings.simplefilter("ignore", UserWarning)  # a duplicate member name is the point of one case
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def _bundle(json_text: str | bytes | None = None, npz: bytes | None = None) -> bytes:
    net = small_network()
    json_text = model_to_json(net, small_config()) if json_text is None else json_text
    npz = weights_to_npz(net) if npz is None else npz
    return _zip([(MODEL_JSON, json_text.encode() if isinstance(json_text, str) else json_text), (WEIGHTS_NPZ, npz)])


def _document(**changes) -> str:
    document = json.loads(model_to_json(small_network(), small_config()))
    document.update(changes)
    return json.dumps(document)


def _network_changed(**changes) -> str:
    document = json.loads(model_to_json(small_network(), None))
    document["network"].update(changes)
    return json.dumps(document)


def _npz(arrays: dict[str, np.ndarray], allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _good_arrays(**changes) -> dict[str, np.ndarray]:
    net = small_network()
    arrays = dict(zip(net.parameter_names(), net.parameters(), strict=True))
    arrays.update(changes)
    return {name: array for name, array in arrays.items() if array is not None}


def _record_unpickling(folder: str) -> str:
    """What the crafted pickle would call: leaves a marker file, proving the payload ran."""
    (Path(folder) / UNPICKLED_MARKER).write_text("the model file's pickle payload was executed")
    return "pwned"


class _Payload:
    """Pickles into a call of ``_record_unpickling(folder)``, as a malicious file would call ``os.system``."""

    def __init__(self, folder: str):
        self.folder = folder

    def __reduce__(self):
        return (_record_unpickling, (self.folder,))


def pickle_bundle(folder: str, *, right_shape: bool) -> bytes:
    shape = (4, 2) if right_shape else (1,)
    payload = np.empty(shape, dtype=object)
    payload.flat[0] = _Payload(folder)
    return _bundle(npz=_npz(_good_arrays(W1=payload), allow_pickle=True))


def _encrypted_flag(bundle: bytes) -> bytes:
    """Set the 'encrypted' bit of the first central-directory entry (what a password-protected zip has)."""
    data = bytearray(bundle)
    at = data.index(b"PK\x01\x02")
    flags = struct.unpack_from("<H", data, at + 8)[0]
    struct.pack_into("<H", data, at + 8, flags | 0x1)
    return bytes(data)


def _truncated_npy() -> bytes:
    member = io.BytesIO()
    np.lib.format.write_array(member, np.zeros((4, 2)))
    arrays = _good_arrays()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w") as handle:
                if name == "W1":
                    handle.write(member.getvalue()[:-16])  # header says (4, 2), data is 2 numbers short
                else:
                    np.lib.format.write_array(handle, array)
    return buffer.getvalue()


def bad_model_cases(folder: str) -> list[Case]:
    """``folder`` is where a pickle payload would leave its marker file if it were ever executed."""
    deep = "[" * 100_000 + "]" * 100_000
    return [
        Case("empty", b"", r"the model file is empty"),
        Case("not_a_zip", b"this is not a model\n" * 10, r"not a valid \.zip archive"),
        Case("json_alone", model_to_json(small_network()).encode(), r"model\.json on its own"),
        Case("npz_alone", weights_to_npz(small_network()), r"weights\.npz on its own"),
        Case("no_weights", _zip([(MODEL_JSON, model_to_json(small_network()).encode())]), r"has no weights\.npz"),
        Case(
            "extra_file",
            _zip(
                [
                    (MODEL_JSON, model_to_json(small_network()).encode()),
                    (WEIGHTS_NPZ, weights_to_npz(small_network())),
                    ("run.sh", b"rm -rf /"),
                ]
            ),
            r"unexpected file\(s\) 'run\.sh'",
        ),
        Case(
            "member_twice", _zip([(MODEL_JSON, b"{}"), (MODEL_JSON, b"{}"), (WEIGHTS_NPZ, b"")]), r"'model\.json' twice"
        ),
        Case("encrypted", _encrypted_flag(_bundle()), r"encrypted"),
        Case(
            "over_size_limit",
            b"PK" + b"\0" * MAX_BUNDLE_BYTES,
            r"the model file is [\d,]+ bytes; at most [\d,]+ bytes are allowed",
        ),
        Case(
            "json_zip_bomb",
            _bundle(json_text=" " * (MAX_JSON_BYTES + 1)),
            r"'model\.json' unpacks to [\d,]+ bytes; at most",
        ),
        Case("json_not_json", _bundle(json_text="{'format': nope"), r"model\.json is not valid JSON"),
        Case("json_not_utf8", _bundle(json_text=b'{"format": "\xff\xfe"}'), r"model\.json is not UTF-8"),
        Case(
            "json_nan",
            _bundle(json_text=model_to_json(small_network()).replace('"l1": 0.0', '"l1": NaN')),
            r"model\.json contains NaN",
        ),
        Case("json_nested_deeply", _bundle(json_text=deep), r"nested too deeply"),
        Case("json_array", _bundle(json_text="[1, 2]"), r"must hold a JSON object; got list"),
        Case("json_unknown_field", _bundle(json_text=_document(exec="import os")), r"unknown field\(s\) 'exec'"),
        Case("wrong_format", _bundle(json_text=_document(format="keras")), r"format='keras' is not valid"),
        Case(
            "newer_version",
            _bundle(json_text=_document(format_version=2)),
            r"format_version=2 is not supported; this app reads version 1",
        ),
        Case("network_not_object", _bundle(json_text=_document(network=[4, 1])), r"network=\[4, 1\] is not valid"),
        Case(
            "network_unknown_field",
            _bundle(json_text=_network_changed(optimizer="adam")),
            r"unknown network field\(s\) 'optimizer'",
        ),
        Case(
            "network_no_layers",
            _bundle(
                json_text=json.dumps(
                    {"format": "nn-playground-model", "format_version": 1, "network": {"input_dim": 2, "loss": "bce"}}
                )
            ),
            r"network\.layers is missing",
        ),
        Case(
            "unknown_activation",
            _bundle(
                json_text=_network_changed(
                    layers=[{"units": 4, "activation": "relux"}, {"units": 1, "activation": "sigmoid"}]
                )
            ),
            r"layers\[0\]\.activation='relux' is not valid; choose one of: linear, sigmoid",
        ),
        Case(
            "too_many_units",
            _bundle(
                json_text=_network_changed(
                    layers=[{"units": 10**6, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
                )
            ),
            r"layers\[0\]\.units=1000000 is not valid",
        ),
        Case(
            "too_many_layers",
            _bundle(
                json_text=_network_changed(
                    layers=[{"units": 2, "activation": "tanh"}] * (LIMITS.max_hidden_layers + 1)
                    + [{"units": 1, "activation": "sigmoid"}]
                )
            ),
            rf"{LIMITS.max_hidden_layers + 1} hidden layers; at most {LIMITS.max_hidden_layers}",
        ),
        Case("huge_input_dim", _bundle(json_text=_network_changed(input_dim=10**9)), r"input_dim=1000000000 is not"),
        Case("loss_mismatch", _bundle(json_text=_network_changed(loss="softmax_ce")), r"loss='softmax_ce' needs"),
        Case(
            "bad_class_weight_label",
            _bundle(json_text=_network_changed(class_weight={"cat": 2.0})),
            r"class_weight label 'cat' is not a class number",
        ),
        Case(
            "bad_class_weight_value",
            _bundle(json_text=_network_changed(class_weight={"0": -1})),
            r"class_weight\[0\]=-1 is not valid",
        ),
        Case(
            "bad_config",
            _bundle(json_text=_document(config={"train": {"learning_rate": -5}})),
            r"config train\.learning_rate=-5 is not valid",
        ),
        Case(
            "config_not_matching",
            _bundle(
                json_text=_document(
                    config=ExperimentConfig(model=ModelConfig(hidden=(LayerConfig(8, "relu"),))).to_dict()
                )
            ),
            r"does not match its configuration: layer 1 is 4 tanh unit\(s\) in the network but 8 relu",
        ),
        Case("npz_not_a_zip", _bundle(npz=b"\x93NUMPY not an archive"), r"weights\.npz is not a valid \.zip"),
        Case(
            "npz_missing_array",
            _bundle(npz=_npz(_good_arrays(b2=None))),
            r"weights\.npz lacks b2; this network has W1, b1, W2, b2",
        ),
        Case("npz_extra_array", _bundle(npz=_npz(_good_arrays(W3=np.zeros((1, 1))))), r"unexpected array\(s\) 'W3'"),
        Case(
            "npz_wrong_shape",
            _bundle(npz=_npz(_good_arrays(W1=np.zeros((3, 2))))),
            r"W1 has shape \(3, 2\); this network needs \(4, 2\)",
        ),
        Case(
            "npz_int_dtype",
            _bundle(npz=_npz(_good_arrays(W1=np.zeros((4, 2), dtype=np.int64)))),
            r"W1 has dtype int64; this network stores float64",
        ),
        Case(
            "npz_float16",
            _bundle(npz=_npz(_good_arrays(b1=np.zeros((4, 1), dtype=np.float16)))),
            r"b1 has dtype float16",
        ),
        Case(
            "npz_nan",
            _bundle(npz=_npz(_good_arrays(W2=np.full((1, 4), np.nan)))),
            r"W2 contains NaN or infinite values",
        ),
        Case("npz_inf", _bundle(npz=_npz(_good_arrays(b2=np.full((1, 1), -np.inf)))), r"b2 contains NaN or infinite"),
        Case(
            "npz_huge_array",
            _bundle(npz=_npz(_good_arrays(W1=np.zeros((4, 2_000))))),
            r"'W1\.npy' unpacks to [\d,]+ bytes; at most",
        ),
        Case(
            "npz_bad_magic",
            _bundle(npz=_zip([(f"{n}.npy", b"not an npy file" * 3) for n in ("W1", "b1", "W2", "b2")])),
            r"W1 is not a valid \.npy array",
        ),
        Case("npz_truncated_data", _bundle(npz=_truncated_npy()), r"weights\.npz could not be loaded"),
        Case(
            "pickle_payload",
            pickle_bundle(folder, right_shape=True),
            r"W1 holds Python objects \(dtype object\); loading it would need pickle, which is refused",
        ),
        Case(
            "pickle_payload_other_shape",
            pickle_bundle(folder, right_shape=False),
            r"W1 holds Python objects .* would need pickle, which is refused",
        ),
    ]


def write_corpus(folder: Path, cases: list[Case], suffix: str) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases:
        path = folder / f"{case.name}{suffix}"
        path.write_bytes(case.data)
        written.append((case, path))
    return written
