"""What happens inside a network: activations at initialization, gradient flow, symmetry, clipping.

- :func:`activations_at_init`: push a batch of random inputs through a fresh deep network and keep every
  layer's activations, the classic picture of why the initialization scale matters (too small: activations
  shrink to 0 layer by layer; too large: tanh/sigmoid saturate, ReLU blows up; Xavier/He: they keep their spread).
- :data:`DEMOS`: ready-made experiments for the training failures the lecture notes' chapter on vanishing and
  exploding gradients describes, each a few small ``ExperimentConfig`` runs
  to compare (vanishing gradients, exploding gradients, zero-init symmetry, He vs Xavier, clipping).
- :func:`layer_gradient_norms`, :func:`unit_spread`, :func:`trace_steps`: per-layer gradient norms, how alike the
  units of a layer are, and per-mini-batch gradient norms before and after clipping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from core.engine.activations import ACTIVATIONS, OUTPUT_ONLY
from core.engine.initializers import INITIALIZERS
from core.engine.network import Network
from core.engine.optimizers import clip_by_norm, clip_by_value, global_norm
from core.engine.training import History, Trainer
from core.engine.validation import Interval, Options, check, validate
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import build_trainer, prepare_data
from core.experiment.settings import LIMITS

HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name not in OUTPUT_ONLY)
EXPLORER_MAX_UNITS = LIMITS.max_units
EXPLORER_MAX_SAMPLES = 5000


# ---- initialization explorer ------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitActivations:
    """Hidden activations of a freshly initialized network: ``activations[l]`` is A_{l+1}, ``(n_samples, units)``."""

    init: str
    activation: str
    units: int
    activations: tuple[np.ndarray, ...]

    @property
    def depth(self) -> int:
        return len(self.activations)

    def means(self) -> list[float]:
        return [float(a.mean()) for a in self.activations]

    def stds(self) -> list[float]:
        return [float(a.std()) for a in self.activations]


def activations_at_init(
    init: str,
    depth: int,
    *,
    activation: str = "tanh",
    units: int = 32,
    n_samples: int = 1000,
    seed: int = 0,
) -> InitActivations:
    """Activations of every hidden layer of a ``depth`` × ``units`` network right after initialization.

    The input is ``n_samples`` standard-normal points with ``units`` features, so every layer has the same
    fan-in and only the scheme decides whether the spread of the activations grows, shrinks or stays.
    """
    init, activation, depth, units, n_samples = validate(
        {"init": init, "activation": activation, "depth": depth, "units": units, "n_samples": n_samples},
        {
            "init": Options(INITIALIZERS),
            "activation": Options(HIDDEN_ACTIVATIONS),
            "depth": Interval(1, LIMITS.max_hidden_layers, integer=True),
            "units": Interval(1, EXPLORER_MAX_UNITS, integer=True),
            "n_samples": Interval(1, EXPLORER_MAX_SAMPLES, integer=True),
        },
    ).values()
    layers = [{"units": units, "activation": activation}] * depth + [{"units": 1, "activation": "linear"}]
    network = Network.from_spec(input_dim=units, layers=layers, loss="mse", init=init, seed=seed)
    X = np.random.default_rng([seed, 3]).standard_normal((n_samples, units))
    hidden = network.hidden_activations(X)[:-1]
    return InitActivations(init, activation, units, tuple(hidden))


# ---- per-layer measurements -------------------------------------------------------------------------------
def layer_gradient_norms(network: Network, X, y) -> list[float]:
    """‖∂L/∂W_l‖ (Frobenius) for every layer l = 1..L at the network's current weights."""
    _, grads = network.loss_and_grads(X, y)
    names = network.parameter_names()
    return [float(np.linalg.norm(g)) for g, name in zip(grads, names, strict=True) if name.startswith("W")]


def unit_spread(network: Network) -> list[float]:
    """For each hidden layer, the largest difference between two units' incoming weights and biases.

    0 means every unit of the layer is a copy of the others: the symmetry zero initialization never breaks.
    """
    spreads = []
    for W, b in zip(network.weights[:-1], network.biases[:-1], strict=True):
        incoming = np.hstack([W, b])  # one row per unit
        spreads.append(float(np.max(np.ptp(incoming, axis=0))))
    return spreads


@dataclass
class StepTrace:
    """Per mini-batch step: loss, ‖∂L/∂W_l‖ per layer and the global gradient norm before clipping, the global
    norm after clipping, and the cosine between the clipped and the raw gradient (1 = same direction)."""

    loss: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)
    global_norm: list[float] = field(default_factory=list)
    clipped_norm: list[float] = field(default_factory=list)
    cosine: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # index of the first step whose loss or gradient was not finite

    def __len__(self) -> int:
        return len(self.loss)


def _cosine(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    dot = sum(float(np.vdot(x, y)) for x, y in zip(a, b, strict=True))
    denominator = global_norm(a) * global_norm(b)
    return dot / denominator if denominator > 0 else 1.0


def trace_steps(config: ExperimentConfig, max_steps: int = 60) -> StepTrace:
    """Train ``config`` for up to ``max_steps`` mini-batch steps, recording each step's gradients.

    Same data, network, batches and clipping as :func:`core.experiment.run`, so what is traced is the start of
    that run; see :func:`trace_trainer`.
    """
    config.validate()
    return trace_trainer(build_trainer(config, prepare_data(config), record_stats=False), max_steps)


def trace_trainer(trainer: Trainer, max_steps: int = 60) -> StepTrace:
    """Advance ``trainer`` by up to ``max_steps`` mini-batch steps, recording each step's gradients.

    The batches and updates are those ``trainer.train_epoch()`` would make, so after whole epochs the weights
    are the same; the recorded gradients are taken with dropout off. Stops at the first step whose loss or
    gradient is not finite. Per-epoch history is not recorded.
    """
    max_steps = check("max_steps", max_steps, Interval(1, 100_000, integer=True))
    network, trace = trainer.network, StepTrace()
    names = network.parameter_names()
    n, batch = trainer.X.shape[0], trainer.batch_size
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while len(trace) < max_steps:
            # Same order as Trainer.train_epoch: a fresh permutation per epoch when batches are smaller than n.
            order = trainer.rng.permutation(n) if batch < n else np.arange(n)
            learning_rate = trainer.learning_rate
            for start in range(0, n, batch):
                rows = order[start : start + batch]
                X, targets = trainer.X[rows], trainer.targets[rows]
                weights = None if trainer.weights is None else trainer.weights[rows]
                loss, grads, _ = network.backward_encoded(network.forward(X), targets, weights)
                raw = [g.copy() for g in grads]
                if trainer.clip_value:
                    clip_by_value(grads, trainer.clip_value)
                if trainer.clip_norm:
                    clip_by_norm(grads, trainer.clip_norm)
                trace.loss.append(float(loss))
                trace.grad_norms.append(
                    [float(np.linalg.norm(g)) for g, name in zip(raw, names, strict=True) if name.startswith("W")]
                )
                trace.global_norm.append(global_norm(raw))
                trace.clipped_norm.append(global_norm(grads))
                trace.cosine.append(_cosine(raw, grads))
                if not (math.isfinite(loss) and math.isfinite(trace.global_norm[-1])):
                    trace.diverged_at = len(trace) - 1
                    return trace
                trainer.train_step(X, targets, weights, learning_rate)
                if len(trace) >= max_steps:
                    return trace
            trainer.epoch += 1
    return trace


# ---- one run, everything the gradient-flow view shows -------------------------------------------------------
# The gradient-flow view trains at most this many epochs, so it answers within a second or two
# (fewer if a host caps epochs lower).
FLOW_MAX_EPOCHS = min(60, LIMITS.max_epochs)
FLOW_TRACE_STEPS = 60
FLOW_MAX_SAMPLES = 500  # activation histograms use at most this many training points


@dataclass
class FlowReport:
    """A run of ``config`` seen from inside.

    ``history`` has the per-epoch, per-layer statistics; ``trace`` the first mini-batch steps (available even
    when the run diverged in its first epoch). ``activations_init`` / ``activations_trained`` hold each hidden
    layer's activations on (up to FLOW_MAX_SAMPLES) training points, ``(n, units_l)``, before and after
    training; ``unit_spread_*`` is :func:`unit_spread` at the same two moments.
    """

    config: ExperimentConfig
    history: History
    trace: StepTrace
    activations_init: tuple[np.ndarray, ...]
    activations_trained: tuple[np.ndarray, ...]
    unit_spread_init: list[float]
    unit_spread_trained: list[float]
    hidden_activations: tuple[str, ...]


def flow_report(
    config: ExperimentConfig, max_epochs: int = FLOW_MAX_EPOCHS, trace_steps_count: int = FLOW_TRACE_STEPS
) -> FlowReport:
    """Train ``config`` for at most ``max_epochs`` epochs and collect what the gradient-flow view draws."""
    config.validate()
    epochs = min(config.train.epochs, check("max_epochs", max_epochs, Interval(1, LIMITS.max_epochs, integer=True)))
    config = replace(config, train=replace(config.train, epochs=epochs))
    data = prepare_data(config)
    sample = data.split.X_train[:FLOW_MAX_SAMPLES]
    trace = trace_trainer(build_trainer(config, data, record_stats=False), trace_steps_count)
    trainer = build_trainer(config, data)
    start = trainer.network.copy()
    for _ in trainer.run(epochs):
        pass
    return FlowReport(
        config=config,
        history=trainer.history,
        trace=trace,
        activations_init=tuple(start.hidden_activations(sample)[:-1]),
        activations_trained=tuple(trainer.network.hidden_activations(sample)[:-1]),
        unit_spread_init=unit_spread(start),
        unit_spread_trained=unit_spread(trainer.network),
        hidden_activations=tuple(layer.activation for layer in config.model.hidden),
    )


# ---- ready-made demonstrations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Demo:
    """Runs to compare, by label (the UI looks ``label`` up in its string table)."""

    runs: Mapping[str, ExperimentConfig]


def _deep(activation: str, depth: int, units: int) -> tuple[LayerConfig, ...]:
    return tuple(LayerConfig(units, activation) for _ in range(depth))


def _with_train(config: ExperimentConfig, **changes) -> ExperimentConfig:
    return replace(config, train=replace(config.train, **changes))


def _with_init(config: ExperimentConfig, init: str) -> ExperimentConfig:
    return replace(config, model=replace(config.model, init=init))


# Eight sigmoid layers: σ' ≤ 0.25, so the error signal shrinks by ≥ 4× per layer on its way back to W1.
_VANISHING = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1),
    ModelConfig(hidden=_deep("sigmoid", 8, 8), init="xavier"),
    TrainConfig(optimizer="sgd", learning_rate=0.5, batch_size=20, epochs=40),
    seed=0,
)
# Std-1 weights on 16-unit ReLU layers: each layer multiplies the signal by about √(16/2) ≈ 2.8, so both the
# activations and the gradients grow by ~2.8⁶ ≈ 500× through the stack, and SGD blows up in the first epoch.
_EXPLODING = ExperimentConfig(
    DataConfig("moons", n_samples=200, noise=0.1),
    ModelConfig(hidden=_deep("relu", 6, 16), init="normal"),
    TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=20, epochs=40),
    seed=0,
)
# Zero weights: all four sigmoid units compute the same thing and receive the same gradient, forever.
_ZEROS = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1),
    ModelConfig(hidden=(LayerConfig(4, "sigmoid"),), init="zeros"),
    TrainConfig(optimizer="sgd", learning_rate=1.0, batch_size=10, epochs=60),
    seed=0,
)
# Eight 16-unit ReLU layers: Xavier's variance 2/(fan_in + fan_out) = 1/16 halves the signal's variance per
# layer (ReLU zeroes half of it); He's 2/fan_in = 1/8 keeps it.
_DEEP_RELU = ExperimentConfig(
    DataConfig("moons", n_samples=200, noise=0.1),
    ModelConfig(hidden=_deep("relu", 8, 16), init="he"),
    TrainConfig(optimizer="sgd", learning_rate=0.05, batch_size=20, epochs=30),
    seed=0,
)


def _demo(**runs: ExperimentConfig) -> Demo:
    return Demo(MappingProxyType(runs))


DEMOS: Mapping[str, Demo] = MappingProxyType(
    {
        "vanishing": _demo(sigmoid_8_layers=_VANISHING),
        "exploding": _demo(normal_init=_EXPLODING, he_init=_with_init(_EXPLODING, "he")),
        "zeros": _demo(zeros_init=_ZEROS, xavier_init=_with_init(_ZEROS, "xavier")),
        "he_vs_xavier": _demo(he_init=_DEEP_RELU, xavier_init=_with_init(_DEEP_RELU, "xavier")),
        "clipping": _demo(
            no_clipping=_EXPLODING,
            clip_value=_with_train(_EXPLODING, clip_value=1.0),
            clip_norm=_with_train(_EXPLODING, clip_norm=1.0),
        ),
    }
)


def demo(name: str) -> Demo:
    check("demo", name, Options(DEMOS))
    return DEMOS[name]
