"""Save a trained network as JSON + ``.npz`` and load it back, safely: never pickle.

One file, a ``.zip`` *model bundle*, travels between the app and its users (one download button, one uploader):

    model.json     {"format": "nn-playground-model", "format_version": 1,
                    "network": Network.spec() (input_dim, layers, loss, init, l1, l2, seed, class_weight, dtype),
                    "config": ExperimentConfig.to_dict() or null}
    weights.npz    one ``.npy`` array per parameter, named as ``Network.parameter_names()``: W1, b1, [alpha1,] W2, ...

    data = model_to_bytes(network, config)          # bytes of the .zip; deterministic for the same model
    save_model(network, config, "model.zip")        # or a writable binary file object
    network, config = load_model(uploaded_file)     # bytes, a path, or a readable binary file object

Everything read is untrusted: sizes are checked before anything is decompressed or allocated (caps derived
from ``core.experiment.settings.LIMITS``), array headers are read before the arrays (names, shapes, dtypes), arrays are
loaded with ``np.load(..., allow_pickle=False)`` and must be finite, the network description goes through
``Network.from_spec`` and the configuration through ``ExperimentConfig.from_dict``. Every problem raises
``ValueError`` with a message that names the file part and the bad value.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.lib import format as npy_format

from core.engine.network import Network
from core.engine.numbers import json_int, shown
from core.experiment.config import ExperimentConfig, input_dim
from core.experiment.settings import LIMITS, check_network_caps

FORMAT = "nn-playground-model"
FORMAT_VERSION = 1
MODEL_JSON = "model.json"
WEIGHTS_NPZ = "weights.npz"
BUNDLE_FILE_NAME = "model.zip"  # a suggested download name
BUNDLE_MIME = "application/zip"

_NETWORK_KEYS = ("input_dim", "layers", "loss", "init", "l1", "l2", "seed", "class_weight", "dtype", "input_shape")
_TOP_KEYS = ("format", "format_version", "network", "config")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry no wall-clock time, so the same model gives the same bytes

# Caps, derived from the network caps: the biggest network allowed, in float64, plus generous overhead.
MAX_ARRAYS = 3 * (LIMITS.max_hidden_layers + 1)  # W, b and a prelu slope per layer
_NPY_OVERHEAD = 4096  # an .npy header is 128 bytes or a little more; slack for zip entry headers
MAX_JSON_BYTES = 256 * 1024
MAX_WEIGHTS_BYTES = 8 * (LIMITS.max_parameters + MAX_ARRAYS) + MAX_ARRAYS * _NPY_OVERHEAD
MAX_BUNDLE_BYTES = MAX_JSON_BYTES + MAX_WEIGHTS_BYTES + 64 * 1024


# ---- writing ----------------------------------------------------------------------------------------------
def model_to_json(network: Network, config: ExperimentConfig | None = None) -> str:
    """The ``model.json`` text: the network's description and (optionally) the experiment it came from."""
    spec = network.spec()
    if spec["class_weight"] is not None:
        spec["class_weight"] = {str(label): float(w) for label, w in spec["class_weight"].items()}
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "network": spec,
        "config": None if config is None else config.to_dict(),
    }
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False)


def weights_to_npz(network: Network) -> bytes:
    """The ``weights.npz`` bytes: one uncompressed ``.npy`` per parameter, in ``parameter_names()`` order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, array in zip(network.parameter_names(), network.parameters(), strict=True):
            with archive.open(zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_TIME), "w") as member:
                npy_format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def model_to_bytes(network: Network, config: ExperimentConfig | None = None) -> bytes:
    """The model bundle (a ``.zip`` holding ``model.json`` and ``weights.npz``) as bytes, ready to download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(
            zipfile.ZipInfo(MODEL_JSON, date_time=_FIXED_TIME),
            model_to_json(network, config),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        bundle.writestr(
            zipfile.ZipInfo(WEIGHTS_NPZ, date_time=_FIXED_TIME),
            weights_to_npz(network),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def save_model(network: Network, config: ExperimentConfig | None, destination: str | os.PathLike | IO[bytes]) -> None:
    """Write the model bundle to a path (conventionally ``*.zip``) or a writable binary file object."""
    data = model_to_bytes(network, config)
    if hasattr(destination, "write"):
        destination.write(data)
    else:
        Path(destination).write_bytes(data)


# ---- reading ----------------------------------------------------------------------------------------------
def load_model(source: bytes | bytearray | str | os.PathLike | IO[bytes]) -> tuple[Network, ExperimentConfig | None]:
    """Read a model bundle; returns the network with its trained parameters and the configuration (or None).

    source : the bundle's bytes, a path to it, or a readable binary file object (e.g. Streamlit's upload).
    Raises ValueError naming what is wrong (size, archive layout, JSON field, array name/shape/dtype/values).
    """
    data = read_upload(source, MAX_BUNDLE_BYTES, "the model file")
    if data[:1] in (b"{", b"["):
        raise ValueError(
            "this looks like model.json on its own; upload the .zip bundle that holds model.json and weights.npz"
        )
    members = _zip_members(data, "the model file", limits={MODEL_JSON: MAX_JSON_BYTES, WEIGHTS_NPZ: MAX_WEIGHTS_BYTES})
    if set(members) and all(name.endswith(".npy") for name in members):
        raise ValueError(
            "this looks like weights.npz on its own; upload the .zip bundle that holds model.json and weights.npz"
        )
    for name in (MODEL_JSON, WEIGHTS_NPZ):
        if name not in members:
            raise ValueError(f"the model bundle has no {name}; it must hold {MODEL_JSON} and {WEIGHTS_NPZ}")
    unexpected = sorted(set(members) - {MODEL_JSON, WEIGHTS_NPZ})
    if unexpected:
        raise ValueError(
            f"the model bundle holds unexpected file(s) {', '.join(map(repr, unexpected[:5]))}; "
            f"it must hold only {MODEL_JSON} and {WEIGHTS_NPZ}"
        )
    json_bytes, npz_bytes = (_read_member(data, members[name], name) for name in (MODEL_JSON, WEIGHTS_NPZ))
    return model_from_parts(json_bytes, npz_bytes)


def model_from_parts(json_bytes: bytes | str, npz_bytes: bytes) -> tuple[Network, ExperimentConfig | None]:
    """:func:`load_model` for the two parts given separately (``model.json`` text, ``weights.npz`` bytes)."""
    if isinstance(json_bytes, str):
        json_bytes = json_bytes.encode("utf-8")
    if len(json_bytes) > MAX_JSON_BYTES:
        raise ValueError(f"{MODEL_JSON} is {len(json_bytes):,} bytes; at most {MAX_JSON_BYTES:,} are allowed")
    if len(npz_bytes) > MAX_WEIGHTS_BYTES:
        raise ValueError(f"{WEIGHTS_NPZ} is {len(npz_bytes):,} bytes; at most {MAX_WEIGHTS_BYTES:,} are allowed")
    document = _parse_json(json_bytes)
    network = _network_from_document(document)
    config = _config_from_document(document)
    if config is not None:
        _check_network_matches_config(network, config)
    network.set_parameters(_load_weights(npz_bytes, network))
    return network, config


def read_upload(source: bytes | bytearray | str | os.PathLike | IO[bytes], limit: int, what: str) -> bytes:
    """The bytes of an upload (bytes, a path or a binary file object), read no further than ``limit`` + 1.

    A longer source is an error, not a cut; so is an empty one. ``what`` names the file in messages.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > limit:
                raise ValueError(f"{what} is {size:,} bytes; at most {limit:,} bytes are allowed")
            data = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"{what} could not be read: {exc.strerror or exc}") from exc
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)  # a Streamlit upload may have been read before
        data = source.read(limit + 1)
        if not isinstance(data, bytes):
            raise ValueError(f"{what} must be opened in binary mode; got {type(data).__name__}")
    else:
        raise ValueError(f"{what} must be bytes, a path or a binary file object; got {type(source).__name__}")
    if len(data) > limit:
        size = f"{len(data):,} bytes" if isinstance(source, (bytes, bytearray, memoryview)) else "over the limit"
        raise ValueError(f"{what} is {size}; at most {limit:,} bytes are allowed")
    if not data:
        raise ValueError(f"{what} is empty")
    return data


def _zip_members(data: bytes, what: str, *, limits: Mapping[str, int], default_limit: int = 0) -> dict:
    """``{name: ZipInfo}`` after checking the archive's layout and declared sizes (nothing decompressed yet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ValueError(
            f"{what} is not a valid .zip archive ({exc}); expected a model bundle holding "
            f"{MODEL_JSON} and {WEIGHTS_NPZ}"
        ) from exc
    if len(infos) > MAX_ARRAYS + 2:
        raise ValueError(f"{what} holds {len(infos)} files; at most {MAX_ARRAYS + 2} are expected")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.filename in members:
            raise ValueError(f"{what} holds {info.filename!r} twice")
        if info.flag_bits & 0x1:
            raise ValueError(f"{what}: {info.filename!r} is encrypted; save the model again without a password")
        limit = limits.get(info.filename, default_limit)
        if limit and info.file_size > limit:
            raise ValueError(
                f"{what}: {info.filename!r} unpacks to {info.file_size:,} bytes; at most {limit:,} are allowed"
            )
        members[info.filename] = info
    return members


def _read_member(data: bytes, info: zipfile.ZipInfo, what: str) -> bytes:
    """One archive member, decompressed no further than its (already checked) declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(info) as member:
            content = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise ValueError(f"{what} could not be unpacked: {exc}") from exc
    if len(content) > info.file_size:
        raise ValueError(f"{what} is larger than its archive entry declares")
    return content


def _reject_constant(name: str) -> None:
    raise ValueError(f"{MODEL_JSON} contains {name}, which is not a number; every value must be finite")


def _parse_json(json_bytes: bytes) -> dict:
    try:
        text = json_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{MODEL_JSON} is not UTF-8 text (byte {exc.start})") from exc
    try:
        # json_int: a 5,000-digit integer is refused by the field it is in, not by Python's int-string limit.
        document = json.loads(text, parse_constant=_reject_constant, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{MODEL_JSON} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise ValueError(f"{MODEL_JSON} is nested too deeply to be a model description") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{MODEL_JSON} must hold a JSON object; got {type(document).__name__}")
    _reject_unknown(document, _TOP_KEYS, f"{MODEL_JSON} has unknown field(s)")
    if document.get("format") != FORMAT:
        raise ValueError(f"{MODEL_JSON}: format={_short(document.get('format'))} is not valid; expected {FORMAT!r}")
    version = document.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ValueError(
            f"{MODEL_JSON}: format_version={_short(version)} is not supported; this app reads version {FORMAT_VERSION}"
        )
    return document


def _reject_unknown(fields: dict, allowed: tuple[str, ...], problem: str) -> None:
    """A ValueError naming up to five fields of ``fields`` that are not ``allowed``, and the allowed ones."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"{problem} {', '.join(map(repr, unknown[:5]))}; allowed: {', '.join(allowed)}")


def _short(value: Any, limit: int = 60) -> str:
    return shown(value, limit)


def _network_from_document(document: dict) -> Network:
    spec = document.get("network")
    if not isinstance(spec, dict):
        raise ValueError(f"{MODEL_JSON}: network={_short(spec)} is not valid; expected an object")
    _reject_unknown(spec, _NETWORK_KEYS, f"{MODEL_JSON}: unknown network field(s)")
    for required in ("input_dim", "layers", "loss"):
        if required not in spec:
            raise ValueError(f"{MODEL_JSON}: network.{required} is missing")
    arguments = dict(spec)
    arguments["class_weight"] = _class_weight(spec.get("class_weight"))
    if arguments.get("init") is None:
        arguments.pop("init", None)
    try:
        check_network_caps(arguments)  # the host's caps first, so an oversized file never allocates its arrays
        return Network.from_spec(**arguments)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{MODEL_JSON}: network {exc}") from exc


def _class_weight(raw) -> dict[int, float] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) > LIMITS.max_outputs:
        raise ValueError(
            f"{MODEL_JSON}: network.class_weight={_short(raw)} is not valid; "
            f'expected null or an object of at most {LIMITS.max_outputs} labels, e.g. {{"0": 1.0, "1": 4.5}}'
        )
    weights = {}
    for label, weight in raw.items():
        if not (label.isascii() and label.isdigit() and len(label) <= 3):
            raise ValueError(f"{MODEL_JSON}: network.class_weight label {_short(label)} is not a class number")
        weights[int(label)] = weight  # the number itself is checked by Network.from_spec
    return weights


def _config_from_document(document: dict) -> ExperimentConfig | None:
    raw = document.get("config")
    if raw is None:
        return None
    try:
        return ExperimentConfig.from_dict(raw)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{MODEL_JSON}: config {exc}") from exc


def _check_network_matches_config(network: Network, config: ExperimentConfig) -> None:
    """The saved configuration must describe the saved network, or the Playground would rebuild another one."""
    problems = []
    expected_inputs = input_dim(config.data)
    if network.input_dim != expected_inputs:
        problems.append(f"the network takes {network.input_dim} inputs but the configuration gives {expected_inputs}")
    expected = config.layer_dicts()
    if len(expected) != len(network.layers):
        problems.append(f"the network has {len(network.layers)} layers but the configuration describes {len(expected)}")
    else:
        for i, (layer, want) in enumerate(zip(network.layers, expected, strict=True), start=1):
            if (layer.units, layer.activation) != (want["units"], want["activation"]):
                problems.append(
                    f"layer {i} is {layer.units} {layer.activation} unit(s) in the network but "
                    f"{want['units']} {want['activation']} unit(s) in the configuration"
                )
    loss = config.resolved_output()[1]
    if network.loss != loss:
        problems.append(f"the network's loss is {network.loss!r} but the configuration's is {loss!r}")
    if network.dtype.name != config.train.dtype:
        problems.append(f"the network computes in {network.dtype.name} but the configuration says {config.train.dtype}")
    if problems:
        raise ValueError(f"{MODEL_JSON}: the network does not match its configuration: " + "; ".join(problems[:3]))


def _load_weights(npz_bytes: bytes, network: Network) -> list[np.ndarray]:
    """The arrays of ``weights.npz`` in ``parameter_names()`` order, each checked before it is loaded."""
    names = network.parameter_names()
    shapes = {name: p.shape for name, p in zip(names, network.parameters(), strict=True)}
    limits = {
        f"{name}.npy": network.dtype.itemsize * int(np.prod(shape)) + _NPY_OVERHEAD for name, shape in shapes.items()
    }
    if not npz_bytes:
        raise ValueError(f"{WEIGHTS_NPZ} is empty")
    members = _zip_members(npz_bytes, WEIGHTS_NPZ, limits=limits, default_limit=_NPY_OVERHEAD)
    found = {name[: -len(".npy")] if name.endswith(".npy") else name for name in members}
    missing = [name for name in names if name not in found]
    extra = sorted(found - set(names))
    if extra:
        raise ValueError(
            f"{WEIGHTS_NPZ} holds unexpected array(s) {', '.join(map(repr, extra[:5]))}; "
            f"this network has {', '.join(names)}"
        )
    if missing:
        raise ValueError(f"{WEIGHTS_NPZ} lacks {', '.join(missing)}; this network has {', '.join(names)}")
    for name in names:
        _check_npy_header(
            _read_member(npz_bytes, members[f"{name}.npy"], f"{WEIGHTS_NPZ}: {name}"), name, shapes[name], network.dtype
        )
    # Headers are known good, so np.load allocates only the expected shapes; it never unpickles.
    try:
        with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as archive:
            arrays = [np.asarray(archive[name]) for name in names]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{WEIGHTS_NPZ} could not be loaded: {exc}") from exc
    for name, array in zip(names, arrays, strict=True):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{WEIGHTS_NPZ}: {name} contains NaN or infinite values; every weight must be finite")
    return arrays


def _check_npy_header(content: bytes, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    where = f"{WEIGHTS_NPZ}: {name}"
    stream = io.BytesIO(content)
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            found_shape, _, found_dtype = npy_format.read_array_header_1_0(stream)
        elif version == (2, 0):
            found_shape, _, found_dtype = npy_format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"version {version} of the .npy format is not supported")
    except (ValueError, EOFError, SyntaxError, TypeError) as exc:
        raise ValueError(f"{where} is not a valid .npy array: {exc}") from exc
    if found_dtype.hasobject:
        raise ValueError(
            f"{where} holds Python objects (dtype {found_dtype}); loading it would need pickle, which is refused"
        )
    if found_dtype.kind != "f" or found_dtype.itemsize != dtype.itemsize:
        raise ValueError(f"{where} has dtype {found_dtype}; this network stores {dtype.name}")
    if tuple(found_shape) != tuple(shape):
        raise ValueError(f"{where} has shape {tuple(found_shape)}; this network needs {tuple(shape)}")
