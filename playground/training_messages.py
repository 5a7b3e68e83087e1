"""Messages that come from ``core`` (in English, for scripts and logs), worded in the user's language.

``core.training.History`` keeps the facts behind its ``message`` in its flags (``diverged``, ``stopped_early``)
and ``message_args``; ``core.formula.FormulaError`` in its ``code`` and ``details``. Pages show
:func:`training_message` and :func:`formula_problem` instead of the English text.
"""

from __future__ import annotations

from core.formula import FormulaError
from core.training import History
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
        return t("training.stopped_early", lang=lang, epoch=args.get("epoch", "?"),
                 patience=args.get("patience", "?"), best_epoch=args.get("best_epoch", history.best_epoch))
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
