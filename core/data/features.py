"""Hand-made input features, as in TensorFlow Playground: x₁², x₁x₂, sin x₁, ... computed from 2-D points.

A network that is fed x₁² and x₂² can separate the circles dataset with a single neuron, because the
boundary becomes linear in those features; the playground lets a user switch them on and see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from core.engine.numbers import shown
from core.engine.validation import Options, check

FEATURES = ("x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2")
ONE_D_FEATURES = ("x",)

# Mathematical symbols shown next to each input; notation, not prose, so it is not translated.
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1_sq": "x₁²",
    "x2_sq": "x₂²",
    "x1_x2": "x₁x₂",
    "sin_x1": "sin x₁",
    "sin_x2": "sin x₂",
    "x": "x",
}

_COLUMNS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_sq": lambda x1, x2: x1 * x1,
    "x2_sq": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}


def allowed_features(input_dim: int) -> tuple[str, ...]:
    """Feature names valid for inputs with ``input_dim`` columns (1 or 2)."""
    return FEATURES if check("input_dim", input_dim, Options((1, 2))) == 2 else ONE_D_FEATURES


def check_feature_names(names: Sequence[str], input_dim: int = 2) -> tuple[str, ...]:
    """Validate ``names`` for inputs with ``input_dim`` columns; returns them as a tuple."""
    allowed = Options(allowed_features(input_dim))
    # Not a choice but the container's shape: a string would be read letter by letter, a number not at all.
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise ValueError(f"names={shown(names)} is not valid; pass a sequence of feature names, e.g. ('x1', 'x2')")
    names = tuple(names)
    if not names:
        raise ValueError(f"names=() is not valid; choose at least one of: {', '.join(allowed.choices)}")
    for name in names:
        check("feature", name, allowed)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"features {', '.join(map(repr, duplicates))} are repeated; list each feature once")
    return names


def transform_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Compute the chosen features of 2-D (or 1-D) points.

    X : ndarray of shape (n_samples, 2), or (n_samples, 1) where the only feature is "x"
    names : feature names from ``FEATURES`` (or ``("x",)`` for 1-D data), in the output column order
    Returns ndarray of shape (n_samples, len(names)), float64.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}")
    names = check_feature_names(names, X.shape[1])
    if X.shape[1] == 1:
        return X.copy()
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([_COLUMNS[name](x1, x2) for name in names])
