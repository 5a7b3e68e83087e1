"""The whole experiment in the URL query string, so a copied link restores the same run.

Short aliases keep links readable; the table below is the one place they are defined. Reading is defensive:
every bad value (unknown key, wrong type, out of range) becomes a warning naming it, and that field keeps its
default — the page always renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from core.experiment.config import (
    DataConfig,
    ExperimentConfig,
    LayerConfig,
    ModelConfig,
    TrainConfig,
    within_limits,
)
from playground.i18n import t
from playground.markdown_text import escape_markdown
from playground.training_messages import core_problem

MAX_VALUE_LENGTH = 200
MAX_POINTS_LENGTH = 8000  # ~400 drawn points or uploaded rows; larger sets travel as CSV files
POINT_KEYS = ("pts", "rows")  # data tables in the link, allowed MAX_POINTS_LENGTH characters


@dataclass(frozen=True)
class Field:
    section: str  # "data", "model", "train" or "" for the seed
    name: str
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str


def _number(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(float(text)) if kind is int and "." not in text and "e" not in text.lower() else kind(text)
        return value

    return parse


def _float_text(value: float) -> str:
    return f"{value:g}"


def _features(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _exact_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (``0.777``, ``-1``, ``1e-05``): links lose nothing."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _points(text: str) -> tuple[tuple[float, float, int], ...]:
    """``0.5:-1.2:1;1:1:0`` → drawn or uploaded points (x1:x2:label), each number as the session holds it."""
    if text in ("", "-"):
        return ()
    points = []
    for part in text.split(";"):
        x1, x2, label = part.split(":")
        points.append((float(x1), float(x2), int(label)))
    return tuple(points)


def _points_text(points: tuple[tuple[float, float, int], ...]) -> str:
    return ";".join(f"{_exact_text(x1)}:{_exact_text(x2)}:{label}" for x1, x2, label in points)


def _rows(text: str) -> tuple[tuple[float, ...], ...]:
    """``-1:0.2;0:1.1`` → uploaded regression rows, x:y or x1:x2:y each."""
    if text in ("", "-"):
        return ()
    return tuple(tuple(float(value) for value in part.split(":")) for part in text.split(";"))


def _rows_text(rows: tuple[tuple[float, ...], ...]) -> str:
    return ";".join(":".join(_exact_text(value) for value in row) for row in rows)


def _yes_no(text: str) -> bool:
    """``1``/``true``/``yes`` or ``0``/``false``/``no``."""
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise ValueError(text)


def _hidden(text: str) -> tuple[LayerConfig, ...]:
    """``8:tanh,8:relu:0.2`` → two layers (units:activation[:dropout]); ``-`` → no hidden layer."""
    if text in ("", "-", "none"):
        return ()
    layers = []
    for part in text.split(","):
        bits = part.split(":")
        if not 1 <= len(bits) <= 3:
            raise ValueError(part)
        units = int(bits[0])
        activation = bits[1] if len(bits) > 1 else "tanh"
        dropout = float(bits[2]) if len(bits) > 2 else 0.0
        layers.append(LayerConfig(units, activation, dropout))
    return tuple(layers)


def _hidden_text(layers: tuple[LayerConfig, ...]) -> str:
    if not layers:
        return "-"
    return ",".join(
        f"{layer.units}:{layer.activation}" + (f":{layer.dropout:g}" if layer.dropout else "") for layer in layers
    )


FIELDS: Mapping[str, Field] = {
    "ds": Field("data", "name", str),
    "n": Field("data", "n_samples", _number(int)),
    "noise": Field("data", "noise", float, _float_text),
    "test": Field("data", "test_fraction", float, _float_text),
    "val": Field("data", "validation_fraction", float, _float_text),
    "feat": Field("data", "features", _features, ",".join),
    "ratio": Field("data", "minority_ratio", float, _float_text),
    "shape": Field("data", "shape", str),
    "arms": Field("data", "arms", _number(int)),
    "k": Field("data", "n_classes", _number(int)),
    "sampler": Field("data", "sampler", str),
    "pts": Field("data", "points", _points, _points_text),
    "rows": Field("data", "rows", _rows, _rows_text),
    "labels": Field("data", "label_names", lambda text: tuple(text.split(",")) if text else (), ",".join),
    "single": Field("data", "single_label", lambda text: _yes_no(text), lambda on: "1" if on else "0"),
    "hidden": Field("model", "hidden", _hidden, _hidden_text),
    "out": Field("model", "output_activation", str),
    "loss": Field("model", "loss", str),
    "init": Field("model", "init", str),
    "slope": Field("model", "leaky_slope", float, _float_text),
    "opt": Field("train", "optimizer", str),
    "lr": Field("train", "learning_rate", float, _float_text),
    "bs": Field("train", "batch_size", _number(int)),
    "epochs": Field("train", "epochs", _number(int)),
    "sched": Field("train", "schedule", str),
    "l1": Field("train", "l1", float, _float_text),
    "l2": Field("train", "l2", float, _float_text),
    "clipv": Field("train", "clip_value", float, _float_text),
    "clipn": Field("train", "clip_norm", float, _float_text),
    "cw": Field("train", "class_weight", str),
    "patience": Field("train", "early_stopping_patience", _number(int)),
    "seed": Field("", "seed", _number(int)),
}
# Keys other parts of the app own; they are not experiment fields but are not "unknown" either.
RESERVED = ("lang", "palette", "presenter", "preset", "speed", "show", "embed", "embed_options")

# Control groups a classroom link can leave visible (everything else is hidden and fixed by the link).
CONTROL_GROUPS = (
    "dataset",
    "noise",
    "n_samples",
    "test_fraction",
    "validation",
    "features",
    "seed",
    "layers",
    "activation",
    "dropout",
    "output",
    "init",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "schedule",
    "regularization",
    "clipping",
    "class_weight",
    "early_stopping",
    "draw",
    "weights",
    "files",
)


def visible_controls(query: Mapping[str, str | list[str]]) -> tuple[frozenset[str] | None, list[str]]:
    """The ``show=`` allow-list of a classroom link (None: everything visible) and warnings for unknown names."""
    raw = query.get("show")
    if raw is None:
        return None, []
    text = str(raw[-1] if isinstance(raw, list) else raw)[:MAX_VALUE_LENGTH]
    names = [name for name in text.split(",") if name]
    unknown = [name for name in names if name not in CONTROL_GROUPS]
    warnings = [t("urlstate.unknown_control", name=escape_markdown(name[:40])) for name in unknown]
    return frozenset(name for name in names if name in CONTROL_GROUPS), warnings


def classroom_query(config: ExperimentConfig, show: set[str] | frozenset[str], presenter: bool) -> dict[str, str]:
    """Query of a classroom link: the experiment, which controls stay visible, and presenter mode."""
    query = query_from_config(config)
    query["show"] = ",".join(name for name in CONTROL_GROUPS if name in show) or "-"
    if presenter:
        query["presenter"] = "1"
    return query


def _set(config: ExperimentConfig, field: Field, value: Any) -> ExperimentConfig:
    if not field.section:
        return replace(config, seed=value)
    section = getattr(config, field.section)
    return replace(config, **{field.section: replace(section, **{field.name: value})})


def _get(config: ExperimentConfig, field: Field) -> Any:
    return config.seed if not field.section else getattr(getattr(config, field.section), field.name)


def config_from_query(
    query: Mapping[str, str | list[str]], base: ExperimentConfig
) -> tuple[ExperimentConfig, list[str]]:
    """Apply the query's fields to ``base``; return the config and a warning per rejected value.

    Fields depend on each other (``ds=drawn`` needs ``pts``; point labels depend on the class count), so all
    parsed fields are tried together first; if that is invalid, fields are accepted one by one in repeated
    passes until no more fit, and each one left over is reported with the reason.
    """
    warnings: list[str] = []
    parsed: dict[str, Any] = {}
    for key, raw in query.items():
        if key in RESERVED:
            continue
        if key not in FIELDS:
            warnings.append(t("urlstate.unknown_key", key=escape_markdown(key[:40])))
            continue
        text = str(raw[-1] if isinstance(raw, list) and raw else ("" if isinstance(raw, list) else raw))
        if len(text) > (MAX_POINTS_LENGTH if key in POINT_KEYS else MAX_VALUE_LENGTH):
            warnings.append(t("urlstate.too_long", key=escape_markdown(key)))
            continue
        try:
            parsed[key] = FIELDS[key].parse(text)
        except (ValueError, TypeError, OverflowError):
            warnings.append(
                t("urlstate.bad_value", key=escape_markdown(key), value=escape_markdown(text[:60]), detail="")
            )
    config = base
    for key, value in parsed.items():
        config = _set(config, FIELDS[key], value)
    try:
        config.validate()
        return config, warnings
    except (ValueError, TypeError, OverflowError):
        config = base
    reasons: dict[str, str] = {}
    pending = dict(parsed)
    progress = True
    while pending and progress:
        progress = False
        for key in list(pending):
            candidate = _set(config, FIELDS[key], pending[key])
            try:
                candidate.validate()
            except (ValueError, TypeError, OverflowError) as exc:
                reasons[key] = escape_markdown(core_problem(exc)) if isinstance(exc, ValueError) else ""
                continue
            config, progress = candidate, True
            del pending[key]
    for key in pending:
        raw = query[key]
        text = str(raw[-1] if isinstance(raw, list) and raw else raw)
        warnings.append(
            t(
                "urlstate.bad_value",
                key=escape_markdown(key),
                value=escape_markdown(text[:60]),
                detail=reasons.get(key, ""),
            )
        )
    return config, warnings


MAX_LINK_POINTS = 300  # larger drawn or uploaded sets travel as CSV files, not in the link


def travels_in_link(key: str, value: tuple) -> bool:
    """Whether the points or rows ``value`` of field ``key`` fit in a link, exactly (else they travel as a file)."""
    return len(value) <= MAX_LINK_POINTS and len(FIELDS[key].show(value)) <= MAX_POINTS_LENGTH


def query_from_config(config: ExperimentConfig, base: ExperimentConfig | None = None) -> dict[str, str]:
    """The query parameters that differ from ``base`` (defaults when None): short, bookmarkable links."""
    base = base or ExperimentConfig()
    query = {}
    for key, field in FIELDS.items():
        value = _get(config, field)
        if value != _get(base, field):
            if key in POINT_KEYS and not travels_in_link(key, value):
                continue
            query[key] = field.show(value)
    return query


def playground_url(config: ExperimentConfig, **extra: str) -> str:
    """A relative link that opens ``config`` in the Playground (for "open in the Playground" buttons).

    The Playground is the app's default page, served at the app's root: Streamlit answers its url_path
    (/playground) with "Page not found". "./" resolves to that root from any page, also behind a base path.
    """
    query = query_from_config(config) | extra
    return "./" + (f"?{urlencode(query)}" if query else "")


def default_config() -> ExperimentConfig:
    return within_limits(ExperimentConfig(DataConfig(), ModelConfig(), TrainConfig()))
