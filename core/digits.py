"""The notes' digits network on scikit-learn's 8×8 digits: how it scores, where it errs, what it looks at.

The notes train 784-64-16-10 on 28×28 MNIST; here the same idea runs on 8×8 images (64 inputs), presets
``digits_64_16_10`` and ``digits_64_64_16_10``. Inputs are pixel intensities scaled to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.metrics import confusion_counts
from core.network import Network

IMAGE_SIDE = 8
N_CLASSES = 10
DIGITS_PRESETS = ("digits_64_16_10", "digits_64_64_16_10")


@dataclass(frozen=True, eq=False)
class DigitsEvaluation:
    """A trained network on the test images.

    probabilities : (n, 10) softmax outputs;  predicted : (n,) argmax;  y : (n,) true digits
    confusion : (10, 10), [i, j] = true i predicted as j
    misclassified : indices of wrong predictions, most confident mistakes first
    """

    probabilities: np.ndarray
    predicted: np.ndarray
    y: np.ndarray
    confusion: np.ndarray
    misclassified: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predicted == self.y)) if len(self.y) else float("nan")


def evaluate(network: Network, X: np.ndarray, y: np.ndarray) -> DigitsEvaluation:
    """Score ``network`` on images X (n, 64) with labels y (n,)."""
    if network.n_outputs != N_CLASSES:
        raise ValueError(f"the network has {network.n_outputs} outputs; a digits network has {N_CLASSES}")
    probabilities = network.predict(X)
    predicted = probabilities.argmax(axis=1)
    labels = np.asarray(y, dtype=np.int64)
    wrong = np.flatnonzero(predicted != labels)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")]
    return DigitsEvaluation(
        probabilities, predicted, labels, confusion_counts(labels, predicted, N_CLASSES), wrong
    )


def as_image(pixels: np.ndarray) -> np.ndarray:
    """A row of 64 values as the (8, 8) image it came from (row-major, as in scikit-learn's digits)."""
    pixels = np.asarray(pixels)
    if pixels.shape != (IMAGE_SIDE * IMAGE_SIDE,):
        raise ValueError(f"expected {IMAGE_SIDE * IMAGE_SIDE} pixels; got shape {pixels.shape}")
    return pixels.reshape(IMAGE_SIDE, IMAGE_SIDE)


def first_layer_images(network: Network) -> np.ndarray:
    """W1 as images: (units_1, 8, 8); unit k's image shows which pixels push its z up (+) or down (−)."""
    W1 = network.weights[0]
    if W1.shape[1] != IMAGE_SIDE * IMAGE_SIDE:
        raise ValueError(f"the first layer takes {W1.shape[1]} inputs; a digits network takes 64")
    return W1.reshape(-1, IMAGE_SIDE, IMAGE_SIDE).copy()


def forward_trace(network: Network, pixels: np.ndarray) -> list[np.ndarray]:
    """One image through the network: ``[A_1, ..., A_L]``, each (units_l,); the last is the softmax output."""
    return [a[0] for a in network.hidden_activations(np.asarray(pixels).reshape(1, -1))]
