"""Declarative parameter constraints, checked in one place (in the spirit of scikit-learn's ``_param_validation``).

A function states what each argument may be and hands the arguments to :func:`validate`::

    CONSTRAINTS = {"units": Interval(1, None, integer=True), "activation": Options(ACTIVATIONS)}
    units, activation = validate({"units": units, "activation": activation}, CONSTRAINTS).values()

Every refusal is a ``ValueError`` naming the bad value and the allowed ones, in one of the few shapes that
``playground.training_messages.core_problem`` words in the user's language:

    name=value is not valid; allowed range is [a, b]           (a number outside the interval)
    name=value is not valid; expected a number in [a, b]       (not a number at all: text, None, NaN, ∞, True)
    name=value is not valid; expected a whole number in [a, b] (2.5 where a count is wanted)
    name=value is not valid; expected an integer in [a, b]     (3.0 where ``strict`` wants an int)
    name=value is not valid; choose one of: a, b, c

Brackets follow the usual notation: ``[`` closed, ``(`` open, and a missing bound is ``∞``. Values are shown
with :func:`core.engine.numbers.shown`, so a 400-digit integer from a file still makes a short message.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.engine.numbers import is_finite, shown

__all__ = ["Constraint", "Interval", "Nullable", "Options", "check", "validate"]


@dataclass(frozen=True)
class Interval:
    """A real (or, with ``integer=True``, whole) number between ``low`` and ``high``; None means unbounded.

    ``closed`` says which ends belong to the interval: "both", "left", "right" or "neither". ``high_text``
    prints the upper bound when its value would be unreadable (``2**32`` rather than 4294967296).
    A whole-number interval accepts ``3.0`` (JSON and URLs carry numbers as floats) and returns ``3``;
    ``strict=True`` refuses it, for arguments passed from code (``make_dataset(n_samples=200.0)`` is a slip,
    as in scikit-learn, whose counts are ``Integral``). ``strict`` implies ``integer``.
    """

    low: float | None
    high: float | None
    closed: str = "both"
    integer: bool = False
    high_text: str | None = None
    strict: bool = False

    def __post_init__(self):
        if self.closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed={self.closed!r} is not valid; choose one of: both, left, right, neither")
        if self.strict:
            object.__setattr__(self, "integer", True)

    def text(self) -> str:
        """The interval as a reader writes it: ``[1, 64]``, ``(0.0, 10.0]``, ``[0, ∞)``."""
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        low = "-∞" if self.low is None else self.low
        high = self.high_text or ("∞" if self.high is None else self.high)
        return f"{left}{low}, {high}{right}"

    def contains(self, value) -> bool:
        above_low = self.low is None or value > self.low or (value == self.low and self.closed in ("both", "left"))
        below_high = self.high is None or value < self.high or (value == self.high and self.closed in ("both", "right"))
        return above_low and below_high

    def check(self, name: str, value) -> int | float:
        """``value`` as an ``int`` (whole intervals) or ``float``; a ``ValueError`` when it is not in the interval."""
        kind = "an integer" if self.strict else "a whole number" if self.integer else "a number"
        # numbers.Real covers Python and NumPy scalars; bool is an int to Python but never a setting's number.
        # is_finite, not math.isfinite: a 400-digit integer is finite but too large for a float.
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not is_finite(value):
            raise ValueError(f"{name}={shown(value)} is not valid; expected {kind} in {self.text()}")
        if self.integer and not (isinstance(value, numbers.Integral) or (not self.strict and int(value) == value)):
            raise ValueError(f"{name}={shown(value)} is not valid; expected {kind} in {self.text()}")
        if not self.contains(value):
            raise ValueError(f"{name}={shown(value)} is not valid; allowed range is {self.text()}")
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (names, mostly); ``shown`` lists them in the message when it differs."""

    choices: tuple
    shown_choices: tuple | None = None

    def __init__(self, choices: Iterable, shown_choices: Iterable | None = None):
        object.__setattr__(self, "choices", tuple(choices))
        object.__setattr__(self, "shown_choices", None if shown_choices is None else tuple(shown_choices))

    def check(self, name: str, value):
        try:
            known = value in self.choices
        except (TypeError, ValueError):  # unhashable (a set or dict asked), or an array (no single truth value)
            known = False
        # True == 1: a stride of True is not a stride of 1.
        if not known or (isinstance(value, bool) and not any(c is value for c in self.choices)):
            allowed = ", ".join(str(c) for c in (self.shown_choices or self.choices))
            raise ValueError(f"{name}={shown(value)} is not valid; choose one of: {allowed}")
        return value


@dataclass(frozen=True)
class Nullable:
    """``None``, or a value the wrapped constraint accepts."""

    constraint: Interval | Options

    def check(self, name: str, value):
        return None if value is None else self.constraint.check(name, value)


Constraint = Interval | Options | Nullable


def check(name: str, value, constraint: Constraint):
    """``value`` checked (and normalised) against ``constraint``; a ``ValueError`` naming ``name`` otherwise."""
    return constraint.check(name, value)


def validate(params: Mapping[str, object], constraints: Mapping[str, Constraint], prefix: str = "") -> dict:
    """Every parameter checked against its constraint, in ``params`` order; returns the normalised values.

    ``prefix`` is put before each name in messages (``"model."`` gives ``model.init='x' is not valid; …``).
    A parameter without a constraint is a programming error and raises ``KeyError``.
    """
    return {name: constraints[name].check(f"{prefix}{name}", value) for name, value in params.items()}
