"""Messages that come from ``core`` (in English, for scripts and logs), worded in the user's language.

``core.engine.training.History`` keeps the facts behind its ``message`` in its flags (``diverged``, ``stopped_early``)
and ``message_args``; ``core.data.formula.FormulaError`` in its ``code`` and ``details``. Pages show
:func:`training_message` and :func:`formula_problem` instead of the English text. Setting validation errors
(``ValueError`` from ``ExperimentConfig.validate`` and friends) follow a few fixed shapes, "name=value is not
valid; allowed range is [a, b]" and the like; :func:`core_problem` words those shapes in the user's language
and leaves any other message as it is.
"""

from __future__ import annotations

import re

from core.data.formula import FormulaError
from core.engine.training import History
from playground.i18n import DEFAULT_LANGUAGE, keys, t


def training_message(history: History, lang: str | None = None) -> str:
    """Why the run stopped before its last epoch ("" when it did not): divergence or early stopping.

    ``lang``: the language to word it in (default: the session's).
    """
    args = history.message_args
    if history.diverged:
        loss = args.get("loss")
        shown = t("training.not_finite", lang=lang) if loss is None else f"{loss:.3g}"
        return t("training.diverged", lang=lang, epoch=args.get("epoch", "?"), loss=shown)
    if history.stopped_early:
        return t(
            "training.stopped_early",
            lang=lang,
            epoch=args.get("epoch", "?"),
            patience=args.get("patience", "?"),
            best_epoch=args.get("best_epoch", history.best_epoch),
        )
    return ""


def formula_problem(error: FormulaError, lang: str | None = None) -> str:
    """Why a typed formula was refused; the English message when its code has no wording."""
    key = f"formula.{getattr(error, 'code', '')}"
    if key not in keys(DEFAULT_LANGUAGE):
        return str(error)
    try:
        return t(key, lang=lang, **error.details)
    except (KeyError, IndexError, ValueError):  # a wording that asks for a detail this error lacks
        return str(error)


# The shapes of core's validation messages (core.engine.validation): "<name>=<value> is not valid; <reason>",
# by reason. An interval is closed or open at either end: [0, 1], (0.0, 10.0], [0, ∞).
_INTERVAL = r"(?P<range>[\[(][^\])]*[\])])"
_VALIDATION_SHAPES = (
    ("range", re.compile(rf"allowed range is {_INTERVAL}")),
    ("choices", re.compile(r"choose one of: (?P<options>.+)")),
    ("number_in", re.compile(rf"expected a number in {_INTERVAL}")),
    ("integer_in", re.compile(rf"expected (?:a whole number|an integer) in {_INTERVAL}")),
)
_NOT_VALID = re.compile(r"^(?P<name>[\w.\[\]]+)=(?P<value>.*?) is not valid; (?P<reason>.+)$", re.DOTALL)


def core_problem(error: Exception | str, lang: str | None = None) -> str:
    """A validation message from ``core`` worded in ``lang`` (default: the session's); other messages unchanged."""
    message = str(error)
    match = _NOT_VALID.match(message)
    if match is None:
        return message
    for shape, pattern in _VALIDATION_SHAPES:
        reason = pattern.fullmatch(match["reason"])
        if reason is None:
            continue
        key = f"training.validation.{shape}"
        if t(key, lang=lang) == t(key, lang=DEFAULT_LANGUAGE):
            return message  # English, or no wording in this language: core's own words are the best
        return t(key, lang=lang, name=match["name"], value=match["value"], **reason.groupdict())
    return message
