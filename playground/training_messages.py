"""How a training run ended, in the user's language.

``core.training.History`` keeps an English ``message`` for scripts and logs, and the facts behind it in its flags
(``diverged``, ``stopped_early``) and ``message_args``; pages show :func:`training_message` instead.
"""

from __future__ import annotations

from core.training import History
from playground.i18n import t


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
