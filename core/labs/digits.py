"""The notes' digits network on scikit-learn's 8×8 digits: how it scores, where it errs, what it looks at.

The notes train 784-64-16-10 on 28×28 MNIST; here the same idea runs on 8×8 images (64 inputs), presets
``digits_64_16_10`` and ``digits_64_64_16_10``. Inputs are pixel intensities scaled to [0, 1].

Next to them, a small convolutional network (``digits_cnn``: 8 filters of 3×3 → 2×2 max-pool → dense 10): each
conv neuron looks only at a 3×3 patch and all positions share the same 9 weights, so it needs fewer parameters
than the dense networks for the same or better accuracy. Any model trains with the preset's settings through
:func:`digits_run`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.convnet import ConvNetwork, ConvSpec, PoolSpec
from core.engine.network import LayerSpec, Network
from core.engine.training import Trainer
from core.engine.validation import Interval, Options, check
from core.experiment.config import ExperimentConfig
from core.experiment.metrics import confusion_counts
from core.labs.search import TrainingRun

IMAGE_SIDE = 8
N_CLASSES = 10
DIGITS_PRESETS = ("digits_64_16_10", "digits_64_64_16_10")
CNN_MODEL = "digits_cnn"
DIGITS_MODELS = (*DIGITS_PRESETS, CNN_MODEL)
IMAGE_SHAPE = (1, IMAGE_SIDE, IMAGE_SIDE)
# conv 8@3×3 (ReLU) → 2×2 max-pool → flatten → dense 10 (softmax): 8·9 + 8 + 72·10 + 10 = 810 parameters.
CNN_LAYERS = (
    {"type": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": "valid", "activation": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"units": N_CLASSES, "activation": "softmax"},
)


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
    return DigitsEvaluation(probabilities, predicted, labels, confusion_counts(labels, predicted, N_CLASSES), wrong)


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


def cnn_network(config: ExperimentConfig, layers=CNN_LAYERS) -> Network:
    """The small CNN for 8×8 digits, with ``config``'s initialisation, penalties and seed."""
    return Network.from_spec(
        input_dim=IMAGE_SIDE * IMAGE_SIDE,
        input_shape=IMAGE_SHAPE,
        layers=list(layers),
        loss="softmax_ce",
        init=config.model.init,
        l1=config.train.l1,
        l2=config.train.l2,
        seed=config.seed,
    )


def digits_run(model: str, config: ExperimentConfig) -> TrainingRun:
    """A training run of ``model`` (one of :data:`DIGITS_MODELS`) with ``config``'s data and training settings;
    the dense presets take their layers from ``config``, the CNN uses :data:`CNN_LAYERS`."""
    check("model", model, Options(DIGITS_MODELS))
    return TrainingRun(config, network=cnn_network(config) if model == CNN_MODEL else None)


def conv_kernels(network: Network) -> np.ndarray:
    """The first conv layer's kernels as images (filters, k, k), summed over input channels (one for digits)."""
    if not isinstance(network, ConvNetwork) or not isinstance(network.layers[0], ConvSpec):
        raise ValueError("the network's first layer is not a conv2d layer")
    return network.weights[0].sum(axis=1)


def layer_label(spec) -> str:
    """A short, language-neutral description of one layer, e.g. "conv 8@3×3 relu", "maxpool 2×2", "dense 10"."""
    if isinstance(spec, ConvSpec):
        return f"conv {spec.filters}@{spec.kernel}×{spec.kernel} {spec.activation}"
    if isinstance(spec, PoolSpec):
        return f"{spec.type} {spec.size}×{spec.size}"
    if isinstance(spec, LayerSpec):
        return f"dense {spec.units} {spec.activation}"
    return "flatten"


def feature_maps(network: Network, pixels: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """One image through the network, layer by layer: ``(label, activation)`` where image layers give
    (channels, rows, columns) maps and flatten/dense layers a vector."""
    trace = forward_trace(network, pixels)
    return [(layer_label(spec), a) for spec, a in zip(network.layers, trace, strict=True)]


def as_pixels(image) -> np.ndarray:
    """A drawn 8×8 grid (any numbers, e.g. 0..16 as in scikit-learn's digits) as the 64 inputs in [0, 1]; values
    outside [0, 16] are clipped and a non-finite cell counts as 0."""
    grid = np.asarray(image, dtype=np.float64)
    if grid.shape != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"a drawn digit must be {IMAGE_SIDE}×{IMAGE_SIDE} cells; got shape {grid.shape}")
    grid = np.where(np.isfinite(grid), grid, 0.0)
    return np.clip(grid, 0.0, 16.0).reshape(-1) / 16.0


# ---- a toy where locality matters -----------------------------------------------------------------------------
BARS_LENGTH = 3
BARS_NOISE = 0.15
# A dense network and a CNN for 8×8 bar images; the CNN ends in a global max-pool ("is there a bar anywhere?").
BARS_DENSE_LAYERS = ({"units": 16, "activation": "relu"}, {"units": 2, "activation": "softmax"})
BARS_CNN_LAYERS = (
    {"type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool", "size": IMAGE_SIDE},
    {"type": "flatten"},
    {"units": 2, "activation": "softmax"},
)


def make_bars(n_samples: int, seed: int = 0, noise: float = BARS_NOISE) -> tuple[np.ndarray, np.ndarray]:
    """8×8 images with one short bar (3 pixels) at a random place: label 0 horizontal, 1 vertical.

    Returns X (n, 64) and y (n,). No single pixel says which class an image is, and no weighted sum of pixels
    does either (the rows' weights would have to add up to more than the columns', which are the same
    weights), so a dense network must learn every position separately, while one 3×3 kernel slid over the
    image finds a bar wherever it is.
    """
    n_samples = check("n_samples", n_samples, Interval(2, 5000, strict=True))
    rng = np.random.default_rng(seed)
    X = np.zeros((n_samples, IMAGE_SIDE, IMAGE_SIDE))
    y = rng.integers(0, 2, n_samples)
    across = rng.integers(0, IMAGE_SIDE, n_samples)
    along = rng.integers(0, IMAGE_SIDE - BARS_LENGTH + 1, n_samples)
    for m in range(n_samples):
        if y[m]:
            X[m, along[m] : along[m] + BARS_LENGTH, across[m]] = 1.0
        else:
            X[m, across[m], along[m] : along[m] + BARS_LENGTH] = 1.0
    X += noise * rng.standard_normal(X.shape)
    return X.reshape(n_samples, -1), y


@dataclass(frozen=True)
class BarsResult:
    """One network trained on bars: its name, parameter count, test accuracy after each epoch."""

    name: str
    n_parameters: int
    test_accuracy: list[float]


def bars_comparison(
    n_train: int = 300, n_test: int = 1000, epochs: int = 30, seed: int = 0
) -> tuple[BarsResult, BarsResult]:
    """Train the dense network and the CNN on the same bar images (Adam, lr 0.01, batch 16); (dense, cnn)."""
    X_train, y_train = make_bars(n_train, seed)
    X_test, y_test = make_bars(n_test, seed + 1)
    results = []
    for name, layers, shape in (("dense", BARS_DENSE_LAYERS, None), ("cnn", BARS_CNN_LAYERS, IMAGE_SHAPE)):
        network = Network.from_spec(
            input_dim=IMAGE_SIDE * IMAGE_SIDE,
            input_shape=shape,
            layers=list(layers),
            loss="softmax_ce",
            init="he",
            seed=seed,
        )
        trainer = Trainer(
            network,
            X_train,
            y_train,
            X_val=X_test,
            y_val=y_test,
            learning_rate=0.01,
            batch_size=16,
            record_stats=False,
            seed=seed,
        )
        for _ in trainer.run(epochs):
            pass
        results.append(BarsResult(name, network.n_parameters, list(trainer.history.val_metric)))
    return results[0], results[1]
