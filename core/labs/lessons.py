"""Lessons as data: the notes' chapters as short guided walk-throughs, each step a run with a checkable claim.

A :class:`Lesson` is a list of :class:`Step`. A step holds the experiment the learner starts from (``config``),
optionally a second run to set it against (``compare``, e.g. ReLU next to leaky ReLU), the display formulas
(LaTeX, language-neutral), which settings the learner may change on the lesson page (``knobs``), a page of the
app that goes deeper (``link``), and the claims its text makes ("one neuron stays below 100 % on XOR").

A :class:`Claim` compares a measurement of the step's run with a number, or with the same measurement of the
compare run times a factor. :func:`check_step` trains what the step needs and says whether every claim holds,
so the tests (and the page) can show that a lesson teaches what actually happens. A few measurements
(``cv_*``) cross-validate the step's configuration on its training part (:func:`cross_validation`) and set the
fold scores against the run's test score. The words live in the
string tables (``lessons.<lesson>.<step>.*``); nothing here is user-visible prose.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from core.data.features import FEATURES
from core.engine.gradcheck import gradient_check
from core.engine.training import History
from core.engine.validation import Options, check
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.presets import preset_config
from core.experiment.run import RunResult, build_network, prepare_data, run
from core.labs.diagnostics import demo, unit_spread
from core.labs.search import CVScores, cross_validate_config

# ---- claims -----------------------------------------------------------------------------------------------
OPERATORS: Mapping[str, Callable[[float, float], bool]] = MappingProxyType(
    {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
)
# What the learner may change on a step (the page draws one widget per knob).
KNOBS = (
    "units",
    "activation",
    "init",
    "loss",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "l1",
    "l2",
    "dropout",
    "clip_norm",
    "n_samples",
    "noise",
    "sampler",
    "class_weight",
)


@dataclass(frozen=True)
class Claim:
    """``measure(run) <op> value`` or, with ``versus_compare``, ``measure(run) <op> factor · measure(compare)``."""

    measure: str
    op: str
    value: float = 0.0
    versus_compare: bool = False
    factor: float = 1.0

    def __post_init__(self) -> None:
        check("measure", self.measure, Options(MEASURES))
        check("op", self.op, Options(OPERATORS))


@dataclass(frozen=True)
class Step:
    id: str
    config: ExperimentConfig
    claims: tuple[Claim, ...] = ()
    compare: ExperimentConfig | None = None
    formulas: tuple[str, ...] = ()
    knobs: tuple[str, ...] = ()
    link: str | None = None  # url_path of a page that goes deeper, e.g. "under_the_hood"
    link_tab: str | None = None  # the tab of that page to open (its ``?tab=``), e.g. "step"

    def __post_init__(self) -> None:
        for knob in self.knobs:
            check("knobs", knob, Options(KNOBS))
        if any(claim.versus_compare for claim in self.claims) and self.compare is None:
            raise ValueError(f"step {self.id!r} has a claim versus the compare run but no compare run")


@dataclass(frozen=True)
class Lesson:
    id: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        steps = {step.id: step for step in self.steps}
        return steps[check("step", step_id, Options(steps))]


@dataclass(frozen=True)
class ClaimCheck:
    claim: Claim
    measured: float
    target: float  # the number measured is compared with (the threshold, or factor · the compare run's value)

    @property
    def holds(self) -> bool:
        return bool(
            np.isfinite(self.measured)
            and np.isfinite(self.target)
            and OPERATORS[self.claim.op](self.measured, self.target)
        )


# ---- measurements: each takes a finished run and returns one number ---------------------------------------
def _predicted_labels(result: RunResult, X: np.ndarray) -> np.ndarray:
    out = result.network.predict(X)
    return (out[:, 0] >= 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def train_accuracy(result: RunResult) -> float:
    split = result.split
    return float(np.mean(_predicted_labels(result, split.X_train) == split.y_train))


def test_accuracy(result: RunResult) -> float:
    split = result.split
    return float(np.mean(_predicted_labels(result, split.X_test) == split.y_test))


def accuracy_gap(result: RunResult) -> float:
    """Train minus test accuracy: how much the network memorised that does not carry over."""
    return train_accuracy(result) - test_accuracy(result)


def train_loss(result: RunResult) -> float:
    """The training objective for the weights the run ended with (the restored ones after early stopping)."""
    return result.history.current("train_loss")


def test_loss(result: RunResult) -> float:
    """The plain loss on the held-out data for the weights the run ended with."""
    return result.history.current("val_loss")


def loss_ratio(result: RunResult) -> float:
    """Final over first-epoch training loss: near 1 means it hardly learned."""
    losses = result.history.train_loss
    return float(losses[-1] / losses[0]) if losses and losses[0] > 0 else float("nan")


def test_loss_rise(result: RunResult) -> float:
    """Final over lowest test loss during training: above 1 when the test loss turned back up (overfitting)."""
    losses = [value for value in result.history.val_loss if np.isfinite(value)]
    return float(losses[-1] / min(losses)) if losses and min(losses) > 0 else float("nan")


def test_r2(result: RunResult) -> float:
    """R² = 1 − Σ(ŷ − y)² / Σ(ȳ − y)² on the test split."""
    split = result.split
    y = np.asarray(split.y_test, dtype=float).reshape(-1)
    residual = np.sum((result.network.predict(split.X_test).reshape(-1) - y) ** 2)
    total = np.sum((y - y.mean()) ** 2)
    return float(1.0 - residual / total) if total > 0 else float("nan")


def diverged(result: RunResult) -> float:
    return 1.0 if result.history.diverged else 0.0


def epochs_run(result: RunResult) -> float:
    return float(len(result.history.epoch))


def hidden_unit_spread(result: RunResult) -> float:
    """Largest difference between two first-layer units' incoming weights: 0 means they are all copies."""
    spreads = unit_spread(result.network)
    return spreads[0] if spreads else float("nan")


def dead_fraction(result: RunResult) -> float:
    """Share of hidden ReLU-type units that output 0 for every training input after training."""
    layers = result.network.hidden_activations(result.split.X_train)[:-1]
    if not layers:
        return float("nan")
    dead = sum(int(np.sum(np.all(a <= 0.0, axis=0))) for a in layers)
    return dead / sum(a.shape[1] for a in layers)


def first_layer_gradient_share(result: RunResult) -> float:
    """‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ at the first epoch: far below 1 when the gradient vanishes on its way back."""
    norms = result.history.grad_norms
    if not norms or norms[0][-1] == 0:
        return float("nan")
    return float(norms[0][0] / norms[0][-1])


def weight_norm(result: RunResult) -> float:
    """Σ w² over every weight matrix (biases excluded, as the L2 penalty does)."""
    return float(sum(np.sum(W**2) for W in result.network.weights))


ZERO_WEIGHT = 1e-3  # |w| below this counts as zero: an L1-pulled weight hops around 0 by about η·θ per step


def zero_weight_fraction(result: RunResult) -> float:
    """Share of first-layer weights with |w| < 10⁻³: L1 makes many of them (near) exactly zero, L2 hardly any."""
    return float(np.mean(np.abs(result.network.weights[0]) < ZERO_WEIGHT))


def signal_ratio(result: RunResult) -> float:
    """Before training: std of the last hidden layer's outputs ÷ std of the first's, over the training inputs.

    About 1 when the initialization keeps the signal's size from layer to layer; far below 1 when every layer
    shrinks it (weights too small for the layer width). Measured on the starting weights (same seed as the run).
    """
    start = build_network(result.config, result.split.y_train)
    hidden = start.hidden_activations(result.split.X_train)[:-1]
    if not hidden or hidden[0].std() == 0:
        return float("nan")
    return float(hidden[-1].std() / hidden[0].std())


def minority_recall(result: RunResult) -> float:
    """Share of the test split's class-1 points the network finds (class 1 is the minority)."""
    split = result.split
    positive = split.y_test == 1
    if not positive.any():
        return float("nan")
    return float(np.mean(_predicted_labels(result, split.X_test)[positive] == 1))


def majority_baseline(result: RunResult) -> float:
    """Test accuracy of always answering the most common training class: what accuracy gives for free."""
    split = result.split
    majority = np.bincount(np.asarray(split.y_train, dtype=int)).argmax()
    return float(np.mean(split.y_test == majority))


def gradient_check_error(result: RunResult) -> float:
    """Worst relative error between backprop and central differences, on the trained network."""
    split = result.split
    check = gradient_check(result.network, split.X_train[:20], split.y_train[:20], max_entries=None)
    return float(max(check.relative_errors().values()))


def softmax_delta_error(result: RunResult) -> float:
    """max |δ_out − (ŷ − y)/n|: softmax + cross-entropy hands back exactly prediction minus target."""
    net, split = result.network, result.split
    X, y = split.X_train[:30], np.asarray(split.y_train[:30], dtype=int)
    forward = net.forward(X)
    _, _, deltas = net.backward(forward, y)
    onehot = np.eye(net.n_outputs)[y]
    return float(np.max(np.abs(deltas[-1] - (forward.caches[-1].a - onehot) / len(y))))


CV_FOLDS = 5


@lru_cache(maxsize=8)
def cross_validation(config: ExperimentConfig) -> CVScores:
    """Shuffled K-fold (K = :data:`CV_FOLDS`) cross-validation of ``config`` on its training part.

    Scores are accuracy (classification) or R² (regression), one per fold; the test split is not touched.
    Cached so the ``cv_*`` measurements of one run (and the page's fold list) share a single cross-validation.
    """
    return cross_validate_config(config, "kfold", CV_FOLDS)


def _test_score(result: RunResult) -> float:
    """The run's test score in the units the cross-validation scores: accuracy, or R² for regression."""
    return test_r2(result) if result.config.task == "regression" else test_accuracy(result)


def cv_mean(result: RunResult) -> float:
    return cross_validation(result.config).mean


def cv_std(result: RunResult) -> float:
    """Spread of the fold scores: above 0 when the folds disagree, i.e. one split alone would be lucky or not."""
    return cross_validation(result.config).std


def cv_test_gap(result: RunResult) -> float:
    """|mean fold score − the run's test score|: how far the K-fold estimate lands from held-out data."""
    return abs(cv_mean(result) - _test_score(result))


def neighbour_weight_correlation(result: RunResult) -> float:
    """Mean correlation of first-layer weights on horizontally adjacent pixels of the 8×8 digit images.

    Random starting weights give about 0; a trained layer looks at strokes, so neighbours get similar weights.
    """
    W = result.network.weights[0].reshape(-1, 8, 8)
    left, right = W[:, :, :-1].reshape(len(W), -1), W[:, :, 1:].reshape(len(W), -1)
    left = left - left.mean(axis=1, keepdims=True)
    right = right - right.mean(axis=1, keepdims=True)
    denominator = np.sqrt(np.sum(left**2, axis=1) * np.sum(right**2, axis=1))
    return float(np.mean(np.sum(left * right, axis=1) / np.where(denominator > 0, denominator, 1.0)))


def _overlap_scores(result: RunResult) -> np.ndarray:
    """Each label's probability on the test points that truly carry two or more labels: (n_overlap, N).

    A multi-label run gives its N sigmoids; a run of the same points with one label per point
    (``data.single_label``) gives its softmax probabilities of the N label classes (class 0, "no label", left
    out). The truth comes from the multi-label set itself, whose split is the same in both runs."""
    d = result.config.data
    if result.data.task == "multilabel":
        truth, scores = result.data.raw.y_test, result.network.predict(result.split.X_test)
    elif d.single_label:
        truth = prepare_data(replace(result.config, data=replace(d, single_label=False))).raw.y_test
        scores = result.network.predict(result.split.X_test)[:, 1:]
    else:
        return np.empty((0, 0))
    return scores[truth.sum(axis=1) >= 2]


def both_yes_rate(result: RunResult) -> float:
    """On the test points with two or more labels: the share where the model says yes (> 0.5) to two or more."""
    scores = _overlap_scores(result)
    return float(np.mean((scores > 0.5).sum(axis=1) >= 2)) if len(scores) else float("nan")


def overlap_label_sum(result: RunResult) -> float:
    """On the test points with two or more labels: the mean over points of the sum of the label probabilities
    (softmax's sum to at most 1, whatever it learned; N sigmoids can reach N)."""
    scores = _overlap_scores(result)
    return float(np.mean(scores.sum(axis=1))) if len(scores) else float("nan")


MEASURES: Mapping[str, Callable[[RunResult], float]] = MappingProxyType(
    {
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "accuracy_gap": accuracy_gap,
        "train_loss": train_loss,
        "test_loss": test_loss,
        "test_loss_rise": test_loss_rise,
        "loss_ratio": loss_ratio,
        "test_r2": test_r2,
        "diverged": diverged,
        "epochs_run": epochs_run,
        "hidden_unit_spread": hidden_unit_spread,
        "dead_fraction": dead_fraction,
        "first_layer_gradient_share": first_layer_gradient_share,
        "weight_norm": weight_norm,
        "zero_weight_fraction": zero_weight_fraction,
        "signal_ratio": signal_ratio,
        "cv_mean": cv_mean,
        "cv_std": cv_std,
        "cv_test_gap": cv_test_gap,
        "minority_recall": minority_recall,
        "majority_baseline": majority_baseline,
        "gradient_check_error": gradient_check_error,
        "softmax_delta_error": softmax_delta_error,
        "neighbour_weight_correlation": neighbour_weight_correlation,
        "both_yes_rate": both_yes_rate,
        "overlap_label_sum": overlap_label_sum,
    }
)
# Measurements shown as percentages on the page (the rest as plain numbers).
PERCENT_MEASURES = frozenset(
    {
        "train_accuracy",
        "test_accuracy",
        "accuracy_gap",
        "dead_fraction",
        "minority_recall",
        "majority_baseline",
        "zero_weight_fraction",
        "cv_mean",
        "cv_std",
        "cv_test_gap",
        "both_yes_rate",
    }
)
# Measurements that cross-validate the configuration (K more trainings), so the page can show the fold scores.
CV_MEASURES = frozenset({"cv_mean", "cv_std", "cv_test_gap"})


def uses_cross_validation(names: Iterable[str]) -> bool:
    return any(name in CV_MEASURES for name in names)


def versus(measure: str, op: str, factor: float = 1.0) -> Claim:
    """A claim comparing the step's run with its compare run: ``measure(run) <op> factor · measure(compare)``."""
    return Claim(measure, op, versus_compare=True, factor=factor)


def measured_names(step: Step) -> tuple[str, ...]:
    """The measurements the claims of ``step`` need, in order, without repeats."""
    return tuple(dict.fromkeys(claim.measure for claim in step.claims))


def measure(result: RunResult, names: tuple[str, ...]) -> dict[str, float]:
    """``{name: MEASURES[name](result)}`` for the given measurement names."""
    return {name: MEASURES[name](result) for name in names}


def check_measured(
    step: Step, measured: Mapping[str, float], compare_measured: Mapping[str, float] | None = None
) -> tuple[ClaimCheck, ...]:
    """Evaluate the claims of ``step`` on measurements already taken (see :func:`measure`)."""
    checks = []
    for claim in step.claims:
        if claim.versus_compare:
            if compare_measured is None:
                raise ValueError(f"step {step.id!r}: the claim on {claim.measure!r} needs the compare run")
            target = claim.factor * compare_measured[claim.measure]
        else:
            target = claim.value
        checks.append(ClaimCheck(claim, measured[claim.measure], target))
    return tuple(checks)


def check_claims(step: Step, result: RunResult, compare: RunResult | None = None) -> tuple[ClaimCheck, ...]:
    """Evaluate every claim of ``step`` on finished runs (``compare`` is needed for claims versus it)."""
    names = measured_names(step)
    return check_measured(step, measure(result, names), None if compare is None else measure(compare, names))


def check_step(step: Step) -> tuple[ClaimCheck, ...]:
    """Train the step's run (and its compare run) and check every claim."""
    result = run(step.config)
    compare = run(step.compare) if step.compare is not None else None
    return check_claims(step, result, compare)


def untrained(config: ExperimentConfig) -> RunResult:
    """The run of ``config`` before any training (epoch 0), for showing the starting point."""
    data = prepare_data(config)
    return RunResult(config, data, build_network(config, data.split.y_train), History())


# ---- the lessons ------------------------------------------------------------------------------------------
def _train(config: ExperimentConfig, **changes) -> ExperimentConfig:
    return replace(config, train=replace(config.train, **changes))


def _model(config: ExperimentConfig, **changes) -> ExperimentConfig:
    return replace(config, model=replace(config.model, **changes))


def _data(config: ExperimentConfig, **changes) -> ExperimentConfig:
    return replace(config, data=replace(config.data, **changes))


XOR_ONE_NEURON = preset_config("single_neuron_xor")
XOR_2_2_1 = preset_config("xor_2_2_1")
XOR_LINEAR_HIDDEN = _model(XOR_2_2_1, hidden=(LayerConfig(8, "linear"),))
MULTICLASS_2_3_3 = preset_config("multiclass_2_3_3")
SINE_1_3_1 = preset_config("sine_1_3_1")
DIGITS = _train(preset_config("digits_64_16_10"), epochs=20)  # 96 % on the test images already

# ReLU that dies under a big learning rate, and leaky ReLU that keeps a slope below zero.
RELU_DIES = preset_config("relu_dies")
LEAKY_SURVIVES = _model(
    RELU_DIES, hidden=tuple(replace(layer, activation="leaky_relu") for layer in RELU_DIES.model.hidden)
)

# One sigmoid neuron whose large random start points the wrong way, so every z is big and wrong: the squared
# error's gradient carries σ'(z) ≈ 0 and hardly moves, cross-entropy's (ŷ − y)·x does not (seed 5 starts wrong).
SATURATED_MSE = ExperimentConfig(
    DataConfig("gaussians", n_samples=200, noise=0.3),
    ModelConfig(hidden=(), init="large_random", loss="mse"),
    TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=10, epochs=20),
    seed=5,
)
SATURATED_BCE = _model(SATURATED_MSE, loss="bce")

# Two yes/no labels that overlap ("inside the circle", "above the diagonal"): two sigmoids with bce, and softmax
# trained on the same points with one label each (none / inside / above; overlap points keep one of theirs).
MULTILABEL_SIGMOIDS = ExperimentConfig(
    DataConfig("circle_diagonal", n_samples=500, noise=0.05),
    ModelConfig(hidden=(LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))),
    TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=10, epochs=200),
)
MULTICLASS_SOFTMAX = _data(MULTILABEL_SIGMOIDS, single_label=True)

VANISHING = demo("vanishing").runs["sigmoid_8_layers"]
EXPLODING = demo("exploding").runs["normal_init"]
EXPLODING_HE = demo("exploding").runs["he_init"]
CLIPPED = demo("clipping").runs["clip_norm"]
ZEROS = preset_config("zeros_symmetry")
ZEROS_XAVIER = _model(ZEROS, init="xavier")

# The notes' randn · 0.01 in four 8-unit tanh layers: each layer multiplies the signal's spread by about
# 0.01·√8 ≈ 0.03, so the last layer's outputs are ~10⁻⁵ of the first's, the gradients are as tiny, and 50 epochs
# of SGD leave the loss where it started. Xavier's weights keep the spread and the same net learns the circles.
SMALL_RANDOM_DEEP = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1),
    ModelConfig(hidden=tuple(LayerConfig(8, "tanh") for _ in range(4)), init="small_random"),
    TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=10, epochs=50),
    seed=0,
)
XAVIER_DEEP = _model(SMALL_RANDOM_DEEP, init="xavier")
# Eight 32-unit ReLU layers: ReLU zeroes half of each layer's input, so Xavier's Var = 1/n halves the signal's
# power per layer (÷ ~11 in spread after seven layers) while He's 2/n keeps it. Over seeds 0–9 He's ratio stays
# ≥ 3× Xavier's and its loss falls further in 20 epochs.
RELU_DEEP_HE = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1),
    ModelConfig(hidden=tuple(LayerConfig(32, "relu") for _ in range(8)), init="he"),
    TrainConfig(optimizer="sgd", learning_rate=0.05, batch_size=10, epochs=20),
    seed=0,
)
RELU_DEEP_XAVIER = _model(RELU_DEEP_HE, init="xavier")

# Few noisy points (60 to train on) and a wide network trained long: it memorises the noise. The test split is
# large so that the gap between training and test is measured, not guessed; seed 1 shows every remedy clearly.
OVERFIT = ExperimentConfig(
    DataConfig("moons", n_samples=200, noise=0.35, test_fraction=0.7),
    ModelConfig(hidden=(LayerConfig(32, "relu"), LayerConfig(32, "relu")), init="he"),
    TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=20, epochs=300),
    seed=1,
)
OVERFIT_L2 = _train(OVERFIT, l2=0.01)
OVERFIT_DROPOUT = _model(OVERFIT, hidden=tuple(replace(layer, dropout=0.5) for layer in OVERFIT.model.hidden))
OVERFIT_EARLY_STOP = replace(
    _train(OVERFIT, early_stopping_patience=30), data=replace(OVERFIT.data, validation_fraction=0.2)
)
OVERFIT_MORE_DATA = _data(OVERFIT, n_samples=400, test_fraction=0.35)  # 260 points to train on instead of 60

# Circles seen through all seven input features, of which only x1² and x2² matter. Strong L1 with plain SGD sets
# the other five inputs' weights to 0 (they hop around it by η·θ = 10⁻³); the same strength of L2 only shrinks them.
SPARSE_L1 = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1, features=FEATURES),
    ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
    TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=10, epochs=100, l1=0.01),
    seed=0,
)
SPARSE_L2 = _train(SPARSE_L1, l1=0.0, l2=0.01)

# Five-fold cross-validation of a small net on 200 noisy training points (folds of 40): the folds' scores differ
# by several points, and their mean lands near the score on the 200 held-out test points (seeds 0–24: spread
# ≥ 1.9 points, gap ≤ 6.5 points). Five trainings of 50 short epochs keep it quick.
KFOLD = ExperimentConfig(
    DataConfig("moons", n_samples=400, noise=0.4, test_fraction=0.5),
    ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
    TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=20, epochs=50),
    seed=3,
)

SINE_1_3_1_SHORT = _train(SINE_1_3_1, epochs=400)  # the preset's fit, in half the epochs, for a quick page
SINE_ONE_UNIT = _model(SINE_1_3_1_SHORT, hidden=(LayerConfig(1, "sigmoid"),))

# 1 : 20 overlapping blobs: answering "majority" is already 95 % accurate, and the network nearly does that.
IMBALANCED = ExperimentConfig(
    DataConfig("imbalanced", n_samples=600, noise=1.0, minority_ratio=0.05, shape="blobs", test_fraction=0.4),
    ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
    TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=32, epochs=40),
    seed=1,
)
IMBALANCED_SMOTE = _data(IMBALANCED, sampler="smote")
IMBALANCED_WEIGHTS = _train(IMBALANCED, class_weight="balanced")

LR_BASE = ExperimentConfig(
    DataConfig("circles", n_samples=200, noise=0.1),
    ModelConfig(hidden=(LayerConfig(6, "tanh"),)),
    TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=10, epochs=100),
    seed=0,
)
LR_TOO_SMALL = _train(LR_BASE, learning_rate=0.001)
LR_TOO_LARGE = _train(LR_BASE, learning_rate=10.0)
FULL_BATCH = _train(LR_BASE, batch_size=140)

_NOTATION = (r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}", r"A^{[l]} = \alpha\big(Z^{[l]}\big)")

LESSONS: Mapping[str, Lesson] = MappingProxyType(
    {
        lesson.id: lesson
        for lesson in (
            Lesson(
                "nonlinearity",
                (
                    Step(
                        "one_neuron",
                        XOR_ONE_NEURON,
                        claims=(Claim("train_accuracy", "<", 1.0),),
                        formulas=(
                            r"z = w_1 x_1 + w_2 x_2 + b",
                            r"b < 0,\quad w_2 + b > 0",
                            r"w_1 + b > 0,\quad w_1 + w_2 + b < 0",
                            r"\underbrace{(w_1 + b)}_{>\,0} + \underbrace{(w_2 + b)}_{>\,0} < b < 0",
                        ),
                        knobs=("learning_rate", "epochs"),
                    ),
                    Step(
                        "two_hidden",
                        XOR_2_2_1,
                        claims=(Claim("train_accuracy", ">=", 1.0),),
                        formulas=(r"A_1 = \sigma(W_1 X + b_1)", r"\hat Y = \sigma(W_2 A_1 + b_2)"),
                        knobs=("units", "activation", "learning_rate", "epochs"),
                    ),
                    Step(
                        "linear_hidden",
                        XOR_LINEAR_HIDDEN,
                        claims=(Claim("train_accuracy", "<", 1.0), versus("train_accuracy", "<")),
                        compare=XOR_2_2_1,
                        # Three short lines: the lesson's text column is narrow, and a wider line was clipped at "b_2)".
                        formulas=(
                            r"\begin{aligned} W_2 (W_1 x + b_1) + b_2 &= (W_2 W_1)\, x \\ &\quad + (W_2 b_1 + b_2) \\"
                            r" &= W x + b \end{aligned}",
                        ),
                        knobs=("units", "activation"),
                    ),
                ),
            ),
            Lesson(
                "activations",
                (
                    Step(
                        "relu_dies",
                        RELU_DIES,
                        claims=(Claim("dead_fraction", ">=", 0.5), versus("dead_fraction", ">")),
                        compare=LEAKY_SURVIVES,
                        formulas=(
                            r"\sigma(z) = \frac{1}{1+e^{-z}}",
                            r"\sigma'(z) = \sigma(z)\,\big(1-\sigma(z)\big) \le \tfrac14",
                            r"\tanh'(z) = 1 - \tanh^2(z)",
                            r"\mathrm{ReLU}(z) = \max(0, z)",
                            r"\mathrm{LeakyReLU}(z) = \max(kz, z),\; k = 0.1",
                        ),
                        knobs=("activation", "learning_rate", "init"),
                        link="activations",
                    ),
                    Step(
                        "output_multiclass",
                        MULTICLASS_2_3_3,
                        claims=(Claim("test_accuracy", ">=", 0.9),),
                        formulas=(r"\hat y_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}", r"\sum_{i=1}^{K} \hat y_i = 1"),
                        knobs=("units", "activation", "epochs"),
                    ),
                    Step(
                        "output_multilabel",
                        MULTILABEL_SIGMOIDS,
                        claims=(
                            Claim("both_yes_rate", ">=", 0.8),
                            versus("both_yes_rate", ">"),
                            versus("overlap_label_sum", ">", 1.5),
                        ),
                        compare=MULTICLASS_SOFTMAX,
                        formulas=(
                            r"\text{softmax: } \sum_{i=1}^{K} \hat y_i = 1"
                            r" \;\Rightarrow\; \text{at most one } \hat y_i > \tfrac12",
                            r"\text{multi-label: } \hat y_j = \sigma(z_j),\; j = 1, \dots, N",
                            # Two lines: the lesson's text column is narrow (one line was clipped at "ln(1").
                            r"\begin{aligned} L = -\frac{1}{nN} \sum_{i=1}^{n} \sum_{j=1}^{N}"
                            r" \big(& y_{ij} \ln \hat y_{ij} \\"
                            r" &+ (1 - y_{ij}) \ln (1 - \hat y_{ij})\big) \end{aligned}",
                        ),
                        knobs=("units", "epochs", "noise"),
                    ),
                    Step(
                        "output_regression",
                        SINE_1_3_1_SHORT,
                        claims=(Claim("test_r2", ">=", 0.9),),
                        formulas=(r"\hat y = W_2 A_1 + b_2 \in \mathbb{R}",),
                        knobs=("units", "activation"),
                    ),
                ),
            ),
            Lesson(
                "forward_backward",
                (
                    Step(
                        "forward",
                        XOR_2_2_1,
                        claims=(Claim("train_accuracy", ">=", 1.0),),
                        formulas=(
                            *_NOTATION,
                            r"W_1 \in \mathbb{R}^{2\times 2},\; b_1 \in \mathbb{R}^{2\times 1}",
                            r"W_2 \in \mathbb{R}^{1\times 2},\; b_2 \in \mathbb{R}^{1\times 1}",
                        ),
                        knobs=("units", "epochs"),
                        link="under_the_hood",
                        link_tab="step",
                    ),
                    Step(
                        "backward",
                        XOR_2_2_1,
                        claims=(Claim("gradient_check_error", "<", 1e-4),),
                        formulas=(
                            r"dZ_2 = A_2 - Y",
                            r"dW_2 = dZ_2\, A_1^{\top},\qquad db_2 = dZ_2\,\mathbf{1}",
                            r"dZ_1 = \big(W_2^{\top} dZ_2\big) \odot A_1 \odot (1 - A_1)",
                            r"dW_1 = dZ_1\, X^{\top}",
                            r"\delta^{(l)} = \sigma'\big(z^{(l)}\big) \odot W^{(l+1)\top} \delta^{(l+1)}",
                        ),
                        knobs=("units", "activation"),
                        link="under_the_hood",
                        link_tab="step",
                    ),
                ),
            ),
            Lesson(
                "losses",
                (
                    Step(
                        "mse_vs_cross_entropy",
                        SATURATED_MSE,
                        claims=(Claim("loss_ratio", ">", 0.9), versus("train_accuracy", "<", 0.5)),
                        compare=SATURATED_BCE,
                        formulas=(
                            r"L_{\text{MSE}} = \tfrac12 (y-\hat y)^2",
                            r"\frac{\partial L_{\text{MSE}}}{\partial w} = (\hat y - y)\,\sigma'(z)\,x",
                            r"L_{\text{CE}} = -\big(y\ln\hat y + (1-y)\ln(1-\hat y)\big)",
                            r"\frac{\partial L_{\text{CE}}}{\partial w} = (\hat y - y)\,x",
                        ),
                        knobs=("loss", "init", "learning_rate", "epochs"),
                    ),
                    Step(
                        "softmax_cross_entropy",
                        MULTICLASS_2_3_3,
                        claims=(Claim("softmax_delta_error", "<", 1e-12),),
                        formulas=(
                            r"L = -\sum_{i=1}^{K} y_i \ln \hat y_i",
                            r"\frac{\partial L}{\partial z_i} = \hat y_i - y_i",
                        ),
                        knobs=("units", "epochs"),
                    ),
                ),
            ),
            Lesson(
                "initialization",
                (
                    Step(
                        "zeros",
                        ZEROS,
                        claims=(Claim("hidden_unit_spread", "<", 1e-9), versus("hidden_unit_spread", "<", 1e-6)),
                        compare=ZEROS_XAVIER,
                        formulas=(
                            r"W^{[l]} = 0",
                            r"\Rightarrow\; dW^{[l]}_{1,:} = dW^{[l]}_{2,:} = \dots = dW^{[l]}_{n,:}",
                        ),
                        knobs=("init", "units"),
                        link="under_the_hood",
                        link_tab="init",
                    ),
                    Step(
                        "small_random",
                        SMALL_RANDOM_DEEP,
                        claims=(
                            Claim("signal_ratio", "<", 1e-3),
                            Claim("loss_ratio", ">", 0.95),
                            versus("loss_ratio", ">", 2.0),
                        ),
                        compare=XAVIER_DEEP,
                        formulas=(
                            r"W^{[l]} = 0.01 \cdot \mathcal{N}(0, 1)",
                            r"\frac{\mathrm{std}(A^{[l]})}{\mathrm{std}(A^{[l-1]})}"
                            r" \approx \sqrt{n^{[l-1]}\,\mathrm{Var}(W^{[l]})}",
                            r"0.01\sqrt{8} \approx 0.03",
                            r"\text{Xavier: } \mathrm{Var}(W^{[l]}) = \frac{2}{n^{[l-1]} + n^{[l]}}",
                        ),
                        knobs=("init", "activation", "units", "learning_rate", "epochs"),
                        link="under_the_hood",
                        link_tab="init",
                    ),
                    Step(
                        "he_vs_xavier",
                        RELU_DEEP_HE,
                        claims=(
                            Claim("signal_ratio", ">", 0.25),
                            versus("signal_ratio", ">", 2.0),
                            versus("loss_ratio", "<"),
                        ),
                        compare=RELU_DEEP_XAVIER,
                        formulas=(
                            r"\mathbb{E}\big[\mathrm{ReLU}(z)^2\big] = \tfrac12\,\mathrm{Var}(z)",
                            r"\frac{\mathrm{std}(A^{[l]})}{\mathrm{std}(A^{[l-1]})}"
                            r" \approx \sqrt{\tfrac12\, n^{[l-1]}\, \mathrm{Var}(W^{[l]})}",
                            r"\text{He: } \mathrm{Var}(W^{[l]}) = \frac{2}{n^{[l-1]}} \;\Rightarrow\; 1",
                            r"\text{Xavier: } \mathrm{Var}(W^{[l]}) = \frac{1}{n^{[l-1]}}"
                            r" \;\Rightarrow\; \sqrt{\tfrac12}",
                        ),
                        knobs=("init", "units", "learning_rate", "epochs"),
                        link="under_the_hood",
                        link_tab="init",
                    ),
                    Step(
                        "vanishing",
                        VANISHING,
                        claims=(Claim("first_layer_gradient_share", "<", 0.01), Claim("loss_ratio", ">", 0.95)),
                        formulas=(
                            r"\delta^{(l)} = \sigma'\big(z^{(l)}\big) \odot W^{(l+1)\top}\delta^{(l+1)}",
                            r"\sigma'(z) \le \tfrac14",
                        ),
                        knobs=("activation", "init", "learning_rate"),
                        link="under_the_hood",
                        link_tab="flow",
                    ),
                    Step(
                        "exploding",
                        EXPLODING,
                        claims=(Claim("diverged", ">=", 1.0), versus("diverged", ">")),
                        compare=EXPLODING_HE,
                        formulas=(
                            r"\frac{\lVert A^{[l]} \rVert}{\lVert A^{[l-1]} \rVert}"
                            r" \approx \sqrt{\tfrac12\, n^{[l-1]}\, \mathrm{Var}(W^{[l]})}",
                        ),
                        knobs=("init", "learning_rate", "clip_norm"),
                        link="under_the_hood",
                        link_tab="flow",
                    ),
                    Step(
                        "clipping",
                        CLIPPED,
                        claims=(Claim("diverged", "<", 1.0), versus("diverged", "<")),
                        compare=EXPLODING,
                        formulas=(
                            r"g \leftarrow \mathrm{clip}(g, -N, N)",
                            r"g \leftarrow g \cdot \min\!\Big(1, \frac{\tau}{\lVert g \rVert}\Big)",
                        ),
                        knobs=("clip_norm", "learning_rate"),
                    ),
                ),
            ),
            Lesson(
                "overfitting",
                (
                    Step(
                        "overfit",
                        OVERFIT,
                        claims=(Claim("accuracy_gap", ">=", 0.1), Claim("test_loss_rise", ">=", 2.0)),
                        knobs=("units", "epochs", "noise"),
                    ),
                    Step(
                        "l2",
                        OVERFIT_L2,
                        claims=(versus("weight_norm", "<", 0.5), versus("test_loss", "<"), versus("accuracy_gap", "<")),
                        compare=OVERFIT,
                        formulas=(
                            r"\tilde L(w) = L(w) + \frac{\theta}{2}\lVert w \rVert_2^2",
                            r"\nabla_w \tilde L = \nabla_w L + \theta w",
                        ),
                        knobs=("l2", "epochs"),
                    ),
                    Step(
                        "l1",
                        SPARSE_L1,
                        claims=(
                            Claim("zero_weight_fraction", ">=", 0.4),
                            versus("zero_weight_fraction", ">", 4.0),
                            Claim("test_accuracy", ">=", 0.9),
                        ),
                        compare=SPARSE_L2,
                        formulas=(
                            r"\tilde L(w) = L(w) + \theta \sum_i \lvert w_i \rvert",
                            r"\nabla_w \tilde L = \nabla_w L + \theta\, \mathrm{sign}(w)",
                            r"\text{L2: } w \leftarrow w - \eta\,(\nabla_w L + \theta w)",
                            r"\text{L1: } w \leftarrow w - \eta\,\big(\nabla_w L + \theta\,\mathrm{sign}(w)\big)",
                        ),
                        knobs=("l1", "l2", "epochs"),
                    ),
                    Step(
                        "dropout",
                        OVERFIT_DROPOUT,
                        claims=(versus("test_loss", "<"), versus("accuracy_gap", "<")),
                        compare=OVERFIT,
                        knobs=("dropout", "epochs"),
                    ),
                    Step(
                        "early_stopping",
                        OVERFIT_EARLY_STOP,
                        claims=(versus("epochs_run", "<"),),
                        compare=OVERFIT,
                        knobs=("epochs",),
                        link="experiments",
                    ),
                    Step(
                        "cross_validation",
                        KFOLD,
                        claims=(Claim("cv_std", ">=", 0.01), Claim("cv_test_gap", "<=", 0.08)),
                        formulas=(
                            r"\mathrm{MSE} = \frac{1}{K}\sum_{i=1}^{K} \mathrm{MSE}_i",
                            r"\text{score}_{\mathrm{CV}} = \frac{1}{K}\sum_{i=1}^{K} \text{score}_i,\qquad K = 5",
                        ),
                        knobs=("units", "epochs", "n_samples", "noise"),
                        link="experiments",
                    ),
                    Step(
                        "more_data",
                        OVERFIT_MORE_DATA,
                        claims=(versus("accuracy_gap", "<"),),
                        compare=OVERFIT,
                        knobs=("n_samples", "noise"),
                        link="experiments",
                    ),
                ),
            ),
            Lesson(
                "sine",
                (
                    Step(
                        "one_three_one",
                        SINE_1_3_1_SHORT,
                        claims=(Claim("test_r2", ">=", 0.95),),
                        formulas=(
                            r"\hat y = \sum_{j=1}^{3} w^{(2)}_{j}\,"
                            r" \sigma\big(w^{(1)}_{j} x + b^{(1)}_{j}\big) + b^{(2)}",
                        ),
                        knobs=("units", "activation", "epochs"),
                        link="regression",
                    ),
                    Step(
                        "one_unit",
                        SINE_ONE_UNIT,
                        claims=(Claim("test_r2", "<", 0.9), versus("test_r2", "<")),
                        compare=SINE_1_3_1_SHORT,
                        knobs=("units",),
                        link="regression",
                    ),
                ),
            ),
            Lesson(
                "imbalanced",
                (
                    Step(
                        "accuracy_lies",
                        IMBALANCED,
                        claims=(
                            Claim("majority_baseline", ">=", 0.9),
                            Claim("test_accuracy", ">=", 0.9),
                            Claim("minority_recall", "<", 0.5),
                        ),
                        formulas=(
                            r"\mathrm{Accuracy} = \frac{TP + TN}{TP + TN + FP + FN}",
                            r"\mathrm{Recall} = \frac{TP}{TP + FN}",
                        ),
                        knobs=("epochs", "noise"),
                        link="imbalanced",
                    ),
                    Step(
                        "smote",
                        IMBALANCED_SMOTE,
                        claims=(versus("minority_recall", ">"),),
                        compare=IMBALANCED,
                        formulas=(r"x_{\mathrm{new}} = x_i + \lambda\,(x_{j} - x_i)", r"\lambda \sim U(0, 1)"),
                        knobs=("sampler",),
                        link="imbalanced",
                    ),
                    Step(
                        "class_weights",
                        IMBALANCED_WEIGHTS,
                        claims=(versus("minority_recall", ">"),),
                        compare=IMBALANCED,
                        formulas=(r"w_c = \frac{n}{K\, n_c}",),
                        knobs=("class_weight",),
                        link="imbalanced",
                    ),
                ),
            ),
            Lesson(
                "learning_rate",
                (
                    Step(
                        "too_small",
                        LR_TOO_SMALL,
                        claims=(Claim("loss_ratio", ">", 0.8), Claim("train_accuracy", "<", 0.8)),
                        formulas=(r"w_{t+1} = w_t - \frac{\eta}{m} \sum_{i=1}^{m} \nabla J(w, b)",),
                        knobs=("learning_rate",),
                    ),
                    Step(
                        "just_right",
                        LR_BASE,
                        claims=(Claim("train_accuracy", ">=", 0.95),),
                        knobs=("learning_rate",),
                    ),
                    Step(
                        "too_large",
                        LR_TOO_LARGE,
                        claims=(Claim("train_accuracy", "<", 0.8), versus("train_loss", ">", 2.0)),
                        compare=LR_BASE,
                        knobs=("learning_rate",),
                    ),
                    Step(
                        "batch_size",
                        FULL_BATCH,
                        claims=(versus("train_loss", ">"),),
                        compare=LR_BASE,
                        knobs=("batch_size", "learning_rate", "epochs"),
                        link="experiments",
                    ),
                ),
            ),
            Lesson(
                "digits",
                (
                    Step(
                        "network",
                        DIGITS,
                        claims=(Claim("test_accuracy", ">=", 0.9),),
                        formulas=(r"\hat Y = \mathrm{softmax}\big(W_2 \tanh(W_1 X + b_1) + b_2\big)",),
                        knobs=("units", "epochs"),
                        link="digits",
                    ),
                    Step(
                        "first_layer",
                        DIGITS,
                        claims=(Claim("neighbour_weight_correlation", ">=", 0.2),),
                        knobs=("units", "epochs"),
                        link="digits",
                    ),
                ),
            ),
        )
    }
)


def lesson(lesson_id: str) -> Lesson:
    return LESSONS[check("lesson", lesson_id, Options(LESSONS))]
