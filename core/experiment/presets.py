"""Named experiments: the lecture notes' worked examples and the classic playground demonstrations.

The lecture notes' own examples (XOR 2-2-1, the single neuron, the 1-3-1 sine fit, 2-3-3, the digits networks)
train with the plain mini-batch SGD those examples use, W ← W − η·∂L/∂W, not Adam.

Each preset is a complete :class:`ExperimentConfig`; the UI looks its title and explanation up by name in the
string table (``presets.<name>.title``). Seeds are fixed so that each preset shows what it claims every time.
A host that lowers the resource caps gets the presets scaled down to them (``within_limits``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.engine.validation import Options, check
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig, within_limits

_AS_WRITTEN: dict[str, ExperimentConfig] = {
    # The notes' 2-2-1 network: two sigmoid hidden units solve XOR (one neuron cannot, see below).
    "xor_2_2_1": ExperimentConfig(
        DataConfig("xor", n_samples=200, noise=0.15, test_fraction=0.3),
        ModelConfig(hidden=(LayerConfig(2, "sigmoid"),), init="xavier"),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=10, epochs=300),
        seed=1,
    ),
    # The notes' proof: z = w1·x1 + w2·x2 + b cannot put (0,0),(1,1) on one side and (0,1),(1,0) on the other.
    "single_neuron_xor": ExperimentConfig(
        DataConfig("xor", n_samples=200, noise=0.15, test_fraction=0.3),
        ModelConfig(hidden=()),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=10, epochs=200),
        seed=1,
    ),
    # The notes' 1-3-1 sine fit: three sigmoid "bends" added up by a linear output.
    "sine_1_3_1": ExperimentConfig(
        DataConfig("sine", n_samples=200, noise=0.05, test_fraction=0.3, features=("x1",)),
        ModelConfig(hidden=(LayerConfig(3, "sigmoid"),)),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=5, epochs=800),
        seed=0,
    ),
    # The notes' 2-3-3 network: three sigmoid hidden units, softmax over three classes.
    "multiclass_2_3_3": ExperimentConfig(
        DataConfig("multiclass", n_samples=300, noise=0.3, n_classes=3),
        ModelConfig(hidden=(LayerConfig(3, "sigmoid"),)),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=10, epochs=200),
        seed=0,
    ),
    # The notes' MNIST network scaled to 8×8 digits: 64 inputs, 16 tanh units, 10-way softmax.
    "digits_64_16_10": ExperimentConfig(
        DataConfig("digits", n_samples=1797, noise=0.0, test_fraction=0.25),
        ModelConfig(hidden=(LayerConfig(16, "tanh"),)),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=32, epochs=40),
        seed=0,
    ),
    # The notes' three-layer version: sigmoid then tanh then softmax, 64-64-16-10.
    "digits_64_64_16_10": ExperimentConfig(
        DataConfig("digits", n_samples=1797, noise=0.0, test_fraction=0.25),
        ModelConfig(hidden=(LayerConfig(64, "sigmoid"), LayerConfig(16, "tanh"))),
        TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=32, epochs=40),
        seed=0,
    ),
    # Two interleaved spirals need several layers (or sin features) to be separated.
    "spiral_needs_depth": ExperimentConfig(
        DataConfig("spirals", n_samples=400, noise=0.05),
        ModelConfig(hidden=(LayerConfig(8, "tanh"), LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))),
        TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=10, epochs=600),
        seed=0,
    ),
    # A big learning rate pushes ReLU units into z ≤ 0 for every input: they output 0 and stop learning.
    "relu_dies": ExperimentConfig(
        DataConfig("circles", n_samples=200, noise=0.1),
        ModelConfig(hidden=(LayerConfig(8, "relu"), LayerConfig(8, "relu")), init="he"),
        TrainConfig(optimizer="sgd", learning_rate=1.5, batch_size=10, epochs=200),
        seed=0,
    ),
    # Zero initialisation: every hidden unit gets the same gradient and stays a copy of the others.
    "zeros_symmetry": ExperimentConfig(
        DataConfig("circles", n_samples=200, noise=0.1),
        ModelConfig(hidden=(LayerConfig(4, "sigmoid"),), init="zeros"),
        TrainConfig(optimizer="sgd", learning_rate=0.5, batch_size=10, epochs=200),
        seed=0,
    ),
}
PRESETS: Mapping[str, ExperimentConfig] = MappingProxyType(
    {name: within_limits(config) for name, config in _AS_WRITTEN.items()}
)


def preset_config(name: str) -> ExperimentConfig:
    check("preset", name, Options(PRESETS))
    return PRESETS[name]
