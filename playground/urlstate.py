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

from core.config import (
    DataConfig,
    ExperimentConfig,
    LayerConfig,
    ModelConfig,
    TrainConfig,
)
from playground.i18n import t

MAX_VALUE_LENGTH = 200


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
    "feat": Field("data", "features", _features, ",".join),
    "ratio": Field("data", "minority_ratio", float, _float_text),
    "shape": Field("data", "shape", str),
    "arms": Field("data", "arms", _number(int)),
    "k": Field("data", "n_classes", _number(int)),
    "sampler": Field("data", "sampler", str),
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
    "seed": Field("", "seed", _number(int)),
}
# Keys other parts of the app own; they are not experiment fields but are not "unknown" either.
RESERVED = ("lang", "presenter", "preset", "speed", "embed", "embed_options")


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
    """Apply the query's fields to ``base`` one by one; return the config and a warning per rejected value."""
    warnings: list[str] = []
    config = base
    for key, raw in query.items():
        if key in RESERVED:
            continue
        if key not in FIELDS:
            warnings.append(t("urlstate.unknown_key", key=key[:40]))
            continue
        text = raw[-1] if isinstance(raw, list) else raw
        text = str(text)
        if len(text) > MAX_VALUE_LENGTH:
            warnings.append(t("urlstate.too_long", key=key))
            continue
        field = FIELDS[key]
        try:
            candidate = _set(config, field, field.parse(text))
            candidate.validate()
        except (ValueError, TypeError, OverflowError) as exc:
            detail = str(exc) if isinstance(exc, ValueError) and "=" in str(exc) else ""
            warnings.append(t("urlstate.bad_value", key=key, value=text[:60], detail=detail))
            continue
        config = candidate
    return config, warnings


def query_from_config(config: ExperimentConfig, base: ExperimentConfig | None = None) -> dict[str, str]:
    """The query parameters that differ from ``base`` (defaults when None): short, bookmarkable links."""
    base = base or ExperimentConfig()
    query = {}
    for key, field in FIELDS.items():
        value = _get(config, field)
        if value != _get(base, field):
            query[key] = field.show(value)
    return query


def playground_url(config: ExperimentConfig, **extra: str) -> str:
    """A relative link that opens ``config`` in the Playground (for "open in the Playground" buttons)."""
    query = query_from_config(config) | extra
    return "/playground" + (f"?{urlencode(query)}" if query else "")


def default_config() -> ExperimentConfig:
    return ExperimentConfig(DataConfig(), ModelConfig(), TrainConfig())
