"""String table: every user-visible string, looked up by key and language.

Strings live in ``playground/i18n/<lang>/<area>.toml``, one file per area of the app. A key is namespaced by
the file it lives in: ``title`` in ``en/compare.toml`` is ``t("compare.title")``, and nested TOML tables
flatten with dots (``[nav] playground = "..."`` in ``app.toml`` is ``t("app.nav.playground")``).

Lookup order: the requested (or active) language, then English; a key missing from English too renders as
``⟦key⟧`` so a gap is visible on the page and findable by tests, and a warning is logged.

Formatting: ``t(key, **fmt)`` applies ``str.format(**fmt)`` only when ``fmt`` is given, so strings holding
LaTeX braces (``$\\frac{1}{2}$``) need no escaping unless they also take placeholders (then write ``{{``).
"""

from __future__ import annotations

import functools
import logging
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

__all__ = ["DEFAULT_LANGUAGE", "available_languages", "keys", "missing_marker", "t"]

DEFAULT_LANGUAGE = "en"
_STRINGS_DIR = Path(__file__).parent
_LOGGER = logging.getLogger(__name__)


def missing_marker(key: str) -> str:
    """The text shown in place of a string that exists in no language: ``⟦key⟧``."""
    return f"⟦{key}⟧"


@functools.cache
def available_languages() -> tuple[str, ...]:
    """Language codes that have a string directory, e.g. ``("en", "zh")``, sorted."""
    return tuple(sorted(path.name for path in _STRINGS_DIR.iterdir() if path.is_dir() and any(path.glob("*.toml"))))


def _flatten(table: Mapping[str, object], prefix: str, source: Path) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key, source))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise ValueError(f"{source}: {key!r} is a {type(value).__name__}; string tables hold strings only")
    return flat


def _strings(lang: str) -> Mapping[str, str]:
    """All strings of ``lang`` as ``{"<area>.<key>": text}``; empty for a language we do not have."""
    # Checked before the cache so arbitrary codes (say from a URL) never become cache entries.
    if lang not in available_languages():
        return MappingProxyType({})
    return _load(lang)


@functools.cache
def _load(lang: str) -> Mapping[str, str]:
    """Read and merge every ``<lang>/*.toml`` file once."""
    merged: dict[str, str] = {}
    for path in sorted((_STRINGS_DIR / lang).glob("*.toml")):
        with path.open("rb") as file:
            merged.update(_flatten(tomllib.load(file), path.stem, path))
    return MappingProxyType(merged)


def keys(lang: str) -> frozenset[str]:
    """Every key defined for ``lang`` (without the English fallback).

    Raises ``ValueError`` for a language that has no string directory.
    """
    if lang not in available_languages():
        choices = ", ".join(available_languages())
        raise ValueError(f"lang={lang!r} is not valid; choose one of: {choices}")
    return frozenset(_strings(lang))


def _active_language() -> str:
    """The session's ``"lang"`` (:data:`playground.state.APP`) inside a running Streamlit script, English anywhere
    else."""
    # Only look at Streamlit if something already imported it: a script, notebook or the core tests
    # should not pay for importing Streamlit just to read a string.
    if "streamlit" not in sys.modules:
        return DEFAULT_LANGUAGE
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    # Imported late, with Streamlit: a notebook reading a string never needs them (and language imports this module).
    from playground.language import ACTIVE, KEY
    from playground.state import APP

    # The last full run's language, else the switch's own key (a page run on its own, as AppTest can).
    lang = APP.get(ACTIVE) or APP.get(KEY, DEFAULT_LANGUAGE)
    return lang if isinstance(lang, str) else DEFAULT_LANGUAGE


def t(key: str, /, lang: str | None = None, **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (default: the active language), formatted with ``fmt`` if given.

    An unknown language or a key the language lacks falls back to English; a key English lacks too
    returns ``⟦key⟧`` and logs a warning. ``t("train.epoch", n=3)`` formats ``"Epoch {n}"`` as ``"Epoch 3"``.
    """
    lang = _active_language() if lang is None else lang
    text = _strings(lang).get(key)
    if text is None:
        text = _strings(DEFAULT_LANGUAGE).get(key)
    if text is None:
        _LOGGER.warning("missing string %r (language %r)", key, lang)
        return missing_marker(key)
    return text.format(**fmt) if fmt else text
