"""Numbers from files the user supplies: huge integers become a short, named ``ValueError``, never a traceback.

Python integers have no size limit, so a JSON file can hold ``"input_dim": 9999…`` with 400 digits, or 5,000
digits. Neither fits any setting, but both used to escape the loaders' promise of a ``ValueError`` with a short
message: ``math.isfinite(10**400)`` raises ``OverflowError`` and ``json.loads`` refuses more than 4,300 digits
with Python's own "Exceeds the limit (4300 digits)". The loaders read JSON integers with :func:`json_int`,
which turns a number longer than :data:`MAX_INTEGER_DIGITS` into a :class:`LongInteger` (an infinite float
that prints as ``999999…(400 digits)``), so the validator of the field it landed in refuses it by name
("network.input_dim=999999…(400 digits) is not valid; …"). :func:`is_finite` and :func:`shown` keep the
validators themselves safe for huge Python integers passed from code.
"""

from __future__ import annotations

import math

__all__ = ["MAX_INTEGER_DIGITS", "LongInteger", "is_finite", "json_int", "shown"]

MAX_INTEGER_DIGITS = 40  # far more than any setting takes (the largest limit is 2**32 for a seed)


class LongInteger(float):
    """An integer from a file too long to be any setting: infinite (so every range check refuses it), short in print.

    >>> value = json_int("9" * 400)
    >>> value, math.isfinite(value)
    (999999…(400 digits), False)
    """

    digits: str

    def __new__(cls, text: str) -> LongInteger:
        value = super().__new__(cls, "-inf" if text.startswith("-") else "inf")
        value.digits = text
        return value

    def __repr__(self) -> str:
        sign = "-" if self.digits.startswith("-") else ""
        body = self.digits.lstrip("+-")
        return f"{sign}{body[:6]}…({len(body)} digits)"

    __str__ = __repr__


def json_int(text: str) -> int | LongInteger:
    """``parse_int`` hook for ``json.loads``: an ``int``, or a :class:`LongInteger` past MAX_INTEGER_DIGITS."""
    if len(text.lstrip("+-")) > MAX_INTEGER_DIGITS:
        return LongInteger(text)
    return int(text)


def is_finite(value) -> bool:
    """``math.isfinite`` that also answers for integers too large to convert to a float (they are finite)."""
    if isinstance(value, int):
        return True
    return math.isfinite(value)


def shown(value, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, saying how long it was: safe to put in a message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"{'-' if value < 0 else ''}an integer of about {digits} digits"
    try:
        text = repr(value)
    except ValueError:  # holds an integer longer than Python will print
        return f"a {type(value).__name__} holding a very long integer"
    return text if len(text) <= limit else f"{text[: limit - 1]}…({len(text)} characters)"
