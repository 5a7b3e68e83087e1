"""Resource caps a host may tune: environment variables, then Streamlit's config files, then built-in defaults.

The caps are the host's, not the engine's: ``core.engine.network`` builds a network of any size from a script or a
notebook. They are enforced where the app takes input from outside (``ExperimentConfig.validate`` for links,
saved runs and page controls; :func:`check_network_caps` for uploaded models and every network the app builds),
so a crafted URL or file cannot exceed them, and the UI's controls mirror them.
A host sets a cap in a ``[playground]`` section of the config files Streamlit itself reads::

    [playground]
    max_units = 128
    max_concurrent_runs = 2

or in the environment (``PLAYGROUND_MAX_UNITS=128``). For each cap the first of these that sets it wins:

1. the environment variable (``PLAYGROUND_MAX_...``);
2. ``.streamlit/config.toml`` next to ``streamlit_app.py`` (Streamlit's script-level file);
3. ``$CWD/.streamlit/config.toml`` (the project file);
4. ``~/.streamlit/config.toml`` (the user file);
5. the default in :class:`Limits`.

``CAPS`` maps every config key to its field and environment variable. A value that is not a positive whole
number, an unknown key or a file that is not valid TOML never stops the app: it is ignored with one
:class:`LimitsWarning` naming the file (or variable), the key, the value and the form expected, and the next
source in the list applies. The caps are read once, at import, into ``LIMITS``; :func:`read_limits` computes
them from any environment and files (tests call it with their own).
"""

from __future__ import annotations

import contextlib
import difflib
import math
import os
import tomllib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

SECTION = "playground"
ENV_PREFIX = "PLAYGROUND_MAX_"
APP_ROOT = Path(__file__).resolve().parents[2]  # core/experiment/settings.py -> where streamlit_app.py lives


class LimitsWarning(UserWarning):
    """A cap in the environment or a config file could not be used and was ignored."""


@dataclass(frozen=True)
class Limits:
    max_hidden_layers: int = 8
    max_units: int = 64  # per hidden layer
    max_input_dim: int = 1024  # features into the first layer (digits: 64)
    max_outputs: int = 64  # output units (classes)
    max_samples: int = 5000  # points generated, drawn or uploaded
    max_epochs: int = 5000
    max_grid_resolution: int = 200  # cells per side of a decision-boundary heatmap
    max_parameters: int = 200_000  # weights and biases of one network
    max_concurrent_runs: int = 4  # networks one session trains at once (a Compare page comparison)
    max_sessions: int = 16  # browser sessions the server serves at once; later ones are told it is busy


@dataclass(frozen=True)
class Cap:
    """How a host names one :class:`Limits` field: ``key`` in ``[playground]``, ``env`` in the environment."""

    field: str
    key: str
    env: str


CAPS: tuple[Cap, ...] = (
    Cap("max_hidden_layers", "max_hidden_layers", "PLAYGROUND_MAX_LAYERS"),
    Cap("max_units", "max_units", "PLAYGROUND_MAX_UNITS"),
    Cap("max_samples", "max_points", "PLAYGROUND_MAX_POINTS"),
    Cap("max_epochs", "max_epochs", "PLAYGROUND_MAX_EPOCHS"),
    Cap("max_grid_resolution", "max_grid_resolution", "PLAYGROUND_MAX_GRID"),
    Cap("max_parameters", "max_parameters", "PLAYGROUND_MAX_PARAMETERS"),
    Cap("max_input_dim", "max_input_dim", "PLAYGROUND_MAX_INPUT_DIM"),
    Cap("max_outputs", "max_outputs", "PLAYGROUND_MAX_OUTPUTS"),
    Cap("max_concurrent_runs", "max_concurrent_runs", "PLAYGROUND_MAX_RUNS"),
    Cap("max_sessions", "max_sessions", "PLAYGROUND_MAX_SESSIONS"),
)
_DEFAULTS = Limits()


def default_config_paths() -> list[Path]:
    """Streamlit's config files, lowest precedence first: user, project ($CWD), then the app's own."""
    paths = []
    with contextlib.suppress(RuntimeError):  # no home directory (some service accounts): no user file to read
        paths.append(Path.home() / ".streamlit" / "config.toml")
    paths += [Path.cwd() / ".streamlit" / "config.toml", APP_ROOT / ".streamlit" / "config.toml"]
    unique: list[Path] = []
    for path in paths:
        if path.resolve() not in (p.resolve() for p in unique):
            unique.append(path)
    return unique


def read_limits(environ: Mapping[str, str] | None = None, config_paths: Iterable[Path | str] | None = None) -> Limits:
    """The caps set by ``environ`` and the ``[playground]`` sections of ``config_paths`` (lowest precedence first).

    Defaults to ``os.environ`` and :func:`default_config_paths`. Missing files are skipped; anything that cannot
    be used issues a :class:`LimitsWarning` and is ignored, so the next source (or the default) applies.
    """
    environ = os.environ if environ is None else environ
    config_paths = default_config_paths() if config_paths is None else config_paths
    values = {f.name: getattr(_DEFAULTS, f.name) for f in fields(Limits)}
    origins = dict.fromkeys(values, "the default")
    for path in config_paths:
        for cap, value in _caps_in_file(Path(path), values, origins):
            values[cap.field], origins[cap.field] = value, f"from {path}"
    for cap in CAPS:
        raw = environ.get(cap.env)
        if raw is None:
            continue
        value = _positive_int(raw.strip())
        if value is None:
            _warn(
                f"environment: {cap.env}={raw!r} is not valid; expected a positive whole number such as "
                f"{cap.env}={getattr(_DEFAULTS, cap.field)}",
                values[cap.field],
                origins[cap.field],
            )
            continue
        values[cap.field], origins[cap.field] = value, f"from {cap.env}"
    known_env = {cap.env for cap in CAPS}
    for name in sorted(n for n in environ if n.startswith(ENV_PREFIX) and n not in known_env):
        warnings.warn(
            f"environment: {name} is not a Playground cap and is ignored{_did_you_mean(name, sorted(known_env))}; "
            f"the caps are {', '.join(sorted(known_env))}",
            LimitsWarning,
            stacklevel=2,
        )
    return replace(_DEFAULTS, **values)


def _caps_in_file(path: Path, values: Mapping[str, int], origins: Mapping[str, str]):
    """``(cap, value)`` for every usable cap in ``path``'s ``[playground]`` section; warns about the rest."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as exc:
        _warn_file(path, f"cannot be read ({exc})")
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _warn_file(path, f"is not valid TOML ({exc})")
        return
    section = document.get(SECTION)
    if section is None:
        return
    if not isinstance(section, dict):
        _warn_file(path, f"has {SECTION} = {section!r}; expected a [{SECTION}] table of caps such as max_units = 64")
        return
    by_key = {cap.key: cap for cap in CAPS}
    for key, raw in section.items():
        cap = by_key.get(key)
        if cap is None:
            warnings.warn(
                f"{path}: [{SECTION}] {key} is not a known cap and is ignored{_did_you_mean(key, list(by_key))}; "
                f"the keys are {', '.join(by_key)}",
                LimitsWarning,
                stacklevel=2,
            )
            continue
        # TOML booleans are Python ints; a quoted "64" or 64.0 is a typo worth pointing out, not guessing at.
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            _warn(
                f"{path}: [{SECTION}] {key} = {_toml_repr(raw)} is not valid; expected a positive whole number "
                f"without quotes, such as {key} = {getattr(_DEFAULTS, cap.field)}",
                values[cap.field],
                origins[cap.field],
            )
            continue
        yield cap, raw


def check_network_caps(spec: Mapping, limits: Limits | None = None) -> None:
    """Refuse a network description larger than the host allows (``limits``, default :data:`LIMITS`).

    ``spec`` holds ``Network.from_spec``'s keywords (``input_dim``, ``layers``, optionally ``input_shape``). Only
    sizes are checked here: the hidden layers, units (or conv filters) per layer, output units, inputs, feature-map
    values and parameters. Everything else is left to ``from_spec``, which names any other problem. It runs
    before the network is built, so an oversized description never allocates its arrays.
    """
    from core.engine.convnet import check_input_shape, count_parameters, parse_image_layers
    from core.engine.network import LayerSpec, _has_typed_layers, parse_layers
    from core.engine.validation import Interval, check

    limits = LIMITS if limits is None else limits
    input_dim = check("input_dim", spec.get("input_dim"), Interval(1, limits.max_input_dim, integer=True))
    layers = spec.get("layers")
    hidden = len(layers) - 1 if isinstance(layers, Sequence) and not isinstance(layers, (str, bytes)) else 0
    if hidden > limits.max_hidden_layers:
        raise ValueError(f"layers has {hidden} hidden layers; at most {limits.max_hidden_layers} are allowed")
    input_shape = spec.get("input_shape")
    if input_shape is not None or _has_typed_layers(layers):
        shape = None if input_shape is None else check_input_shape(input_shape, input_dim)
        specs, shapes = parse_image_layers(layers, shape, input_dim)
        in_shapes = [shape or (input_dim,)] + shapes[:-1]
    else:
        specs = parse_layers(layers)
        shapes = [(s.units,) for s in specs]
        in_shapes = [(input_dim,)] + shapes[:-1]
    # The largest feature map one sample may produce (values per layer): a 64-filter layer on a 32×32 image.
    max_feature_values = limits.max_units * limits.max_input_dim
    for i, (layer, out) in enumerate(zip(specs, shapes, strict=True)):
        where, is_output = f"layers[{i}]", i == len(specs) - 1
        if isinstance(layer, LayerSpec):
            cap = limits.max_outputs if is_output else limits.max_units
            check(f"{where}.units", layer.units, Interval(1, cap, integer=True))
        elif hasattr(layer, "filters"):
            check(f"{where}.filters", layer.filters, Interval(1, limits.max_units, integer=True))
            if math.prod(out) > max_feature_values:
                raise ValueError(
                    f"{where} makes feature maps of {'×'.join(map(str, out))} = {math.prod(out)} values per image; "
                    f"at most {max_feature_values} are allowed (use fewer filters or stride 2)"
                )
    n_params = count_parameters(specs, in_shapes)
    if n_params > limits.max_parameters:
        raise ValueError(f"the network has {n_params} parameters; at most {limits.max_parameters} are allowed")


def _positive_int(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value > 0 else None


def _toml_repr(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _warn(problem: str, fallback: int, origin: str) -> None:
    warnings.warn(f"{problem}; using {fallback} ({origin}) instead", LimitsWarning, stacklevel=2)


def _warn_file(path: Path, problem: str) -> None:
    warnings.warn(f"{path} {problem}; its [{SECTION}] caps are ignored", LimitsWarning, stacklevel=2)


LIMITS = read_limits()
