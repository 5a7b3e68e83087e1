"""Regression lab: curves to fit, a fitted network taken apart neuron by neuron, and capacity sweeps.

The notes fit a sine with a 1-3-1 network and read the hidden layer like the terms of a polynomial: each
hidden neuron turns x into one bent feature a_j(x), and the linear output adds them up,

    ŷ(x) = Σ_j w_j·a_j(x) + b

``decompose`` returns exactly those terms for any network with a linear output (for deeper networks, the
terms of the last hidden layer). The 1-D targets live on x ∈ [-π, π], the interval of ``core.data.datasets``'
"sine"; the 2-D targets ("plane", "multi_gaussian") and "sine" itself come from ``core.data.datasets`` unchanged, so
the lab's sine is the same data as the ``sine_1_3_1`` preset.

``fit_polynomial`` is the lecture notes' point of comparison for the 1-3-1 sine fit (their table 9-14):
single-feature polynomial regression,
where the features x, x², x³, ... are chosen by hand and only their weights are learned (by least squares),
against the hidden layer, which learns its features.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.preprocessing import PolynomialFeatures

from core.data.datasets import MIN_SAMPLES, Dataset, Split, make_dataset, split_dataset
from core.data.formula import Formula, FormulaError, compile_formula
from core.engine.network import Network
from core.engine.training import History, Trainer
from core.engine.validation import Interval, Options, validate
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.metrics import regression_metrics
from core.experiment.run import PreparedData, build_network, build_trainer
from core.experiment.settings import LIMITS

X_RANGE = (-math.pi, math.pi)
TARGETS_1D = ("sine", "abs", "step", "polynomial", "outliers", "formula")
TARGETS_2D = ("plane", "multi_gaussian")
TARGETS = TARGETS_1D + TARGETS_2D
REGRESSION_LOSSES = ("mse", "mae", "huber")
MAX_NOISE = 2.0
DEFAULT_FORMULA = "sin(2*x) * exp(-x**2/4)"
# Targets beyond this size make the default learning rates explode; say so instead of training into NaN.
MAX_TARGET_MAGNITUDE = 1e3
# "outliers": this share of the training points is pushed up by OUTLIER_SHIFT (a uniform range).
OUTLIER_FRACTION = 0.1
OUTLIER_SHIFT = (1.5, 3.0)
MAX_POLYNOMIAL_DEGREE = 12
MAX_POLYNOMIAL_PENALTY = 1e4
POLYNOMIAL_CONSTRAINTS = {
    "degree": Interval(1, MAX_POLYNOMIAL_DEGREE, integer=True),
    "penalty": Interval(0.0, MAX_POLYNOMIAL_PENALTY),
}
PENALISED_FROM = 3  # the lecture notes' fit penalises w₃ and w₄ and leaves the quadratic's terms free
DEFAULT_SWEEP_UNITS = (1, 2, 4, 8, 16, 32)
DEFAULT_SWEEP_L2 = (0.0, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)


def _polynomial(x: np.ndarray) -> np.ndarray:
    # A cubic with one bump up and one down inside [-π, π]: three "bends" for three hidden units to share.
    return 0.1 * x**3 - 0.6 * x


_CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": np.sin,
    "abs": lambda x: np.abs(x) - math.pi / 2,  # centred, so a net starting near 0 is not far off
    # 0 left of the origin: exact zero targets, where MAPE's |a − y| / |y| is undefined.
    "step": lambda x: (x >= 0).astype(np.float64),
    "polynomial": _polynomial,
    "outliers": np.sin,  # the clean curve; the outliers are added to the training points only
}


@dataclass(frozen=True)
class TargetConfig:
    """What to fit: a target name, how many points, how noisy, how many kept for testing.

    ``noise`` is the standard deviation of Gaussian noise added to the targets. ``formula`` is only read
    when ``name == "formula"`` (a function of x, see :mod:`core.data.formula`).
    """

    name: str = "sine"
    n_samples: int = 200
    noise: float = 0.05
    test_fraction: float = 0.3
    formula: str = DEFAULT_FORMULA

    @property
    def input_dim(self) -> int:
        return 1 if self.name in TARGETS_1D else 2

    def validate(self) -> None:
        """Raise ValueError naming the bad field and the allowed values."""
        validate(
            {
                "target": self.name,
                "n_samples": self.n_samples,
                "noise": self.noise,
                "test_fraction": self.test_fraction,
            },
            {
                "target": Options(TARGETS),
                "n_samples": Interval(MIN_SAMPLES, LIMITS.max_samples, integer=True),  # the host's cap on points
                "noise": Interval(0.0, MAX_NOISE),
                "test_fraction": Interval(0.05, 0.9),
            },
        )


@dataclass(frozen=True, eq=False)
class RegressionData:
    """The points of one target, split.

    dataset : every point (after dropping x where a formula is undefined), X (n, 1) or (n, 2), y (n,)
    split : train/test parts (no validation part); on "outliers" the training targets include the outliers
    outliers : (n_train,) bool, the training points that were pushed away from the curve
    dropped : how many sampled x were left out because the formula is undefined there (NaN/inf)
    """

    target: TargetConfig
    dataset: Dataset
    split: Split
    outliers: np.ndarray
    dropped: int = 0

    def prepared(self) -> PreparedData:
        """The same data in the shape ``core.experiment.run`` trains on."""
        return PreparedData(
            self.dataset, self.split, self.split, np.zeros(len(self.split.y_train), dtype=bool),
            self.dataset.feature_names,
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Decomposition:
    """A network's output as a sum of the terms its last hidden layer feeds into a linear output unit.

    contributions : (n_samples, n_units), column j is w_j·a_j(x)
    activations : (n_samples, n_units), a_j(x) itself
    weights : (n_units,), w_j
    bias : b of the output unit
    total : (n_samples,), Σ_j w_j·a_j(x) + b, which equals ``network.predict(X)[:, 0]``
    """

    contributions: np.ndarray
    activations: np.ndarray
    weights: np.ndarray
    bias: float
    total: np.ndarray


@dataclass(frozen=True, eq=False)
class Sweep:
    """Train and test error of one network per value of a hyperparameter (everything else fixed).

    parameter : "units" or "l2"; values : the values tried, in order
    train_rmse, test_rmse, train_r2, test_r2 : (n_values,)
    grid : (n_grid, 1) x where ``curves`` are evaluated, or None for 2-D targets
    curves : (n_values, n_grid) predictions of each network on ``grid``, or None for 2-D targets
    """

    parameter: str
    values: tuple[float, ...]
    train_rmse: np.ndarray
    test_rmse: np.ndarray
    train_r2: np.ndarray
    test_r2: np.ndarray
    grid: np.ndarray | None
    curves: np.ndarray | None

    @property
    def best_index(self) -> int:
        """Index of the value with the lowest test error (NaN errors, from diverged runs, never win)."""
        errors = np.where(np.isfinite(self.test_rmse), self.test_rmse, np.inf)
        return int(np.argmin(errors))


# ---------------------------------------------------------------------------------------------------------
# Targets


def compile_target_formula(text: str) -> Formula:
    """Check a user's formula of x and that it is usable as a target on [-π, π].

    Raises FormulaError (a ValueError) naming the problem: anything :func:`core.data.formula.compile_formula`
    rejects, a formula undefined almost everywhere on [-π, π], or one whose values exceed
    ±MAX_TARGET_MAGNITUDE there.
    """
    formula = compile_formula(text, ("x",))
    values = formula(x=curve_grid(401)[:, 0])
    defined = np.isfinite(values)
    if defined.sum() < MIN_SAMPLES:
        raise FormulaError(
            f"formula {formula.text!r} is undefined (NaN or infinite) almost everywhere on [-π, π]",
            formula.text,
            code="undefined",
        )
    peak = float(np.abs(values[defined]).max())
    if peak > MAX_TARGET_MAGNITUDE:
        raise FormulaError(
            f"formula {formula.text!r} reaches {peak:.3g} on [-π, π]; keep its values within "
            f"±{MAX_TARGET_MAGNITUDE:g} so the network can fit them",
            formula.text,
            code="too_large",
            peak=f"{peak:.3g}",
            limit=f"{MAX_TARGET_MAGNITUDE:g}",
        )
    return formula


def target_curve(target: TargetConfig) -> Callable[[np.ndarray], np.ndarray]:
    """The noise-free function of a 1-D target: x (n,) -> y (n,); NaN where a formula is undefined.

    Raises ValueError for a 2-D target and FormulaError for a formula that is not allowed.
    """
    if target.name == "formula":
        formula = compile_target_formula(target.formula)
        return lambda x: formula(x=x)
    if target.name not in _CURVES:
        raise ValueError(f"target={target.name!r} has no 1-D curve; choose one of: {', '.join(TARGETS_1D)}")
    curve = _CURVES[target.name]
    return lambda x: curve(np.asarray(x, dtype=np.float64))


def curve_grid(n_points: int = 300) -> np.ndarray:
    """Evenly spaced x over [-π, π], shape (n_points, 1), for drawing fitted curves."""
    return np.linspace(X_RANGE[0], X_RANGE[1], n_points).reshape(-1, 1)


def make_regression_data(target: TargetConfig, seed: int = 0) -> RegressionData:
    """Sample, split and (for "outliers") corrupt the points of ``target``; deterministic given ``seed``.

    Raises ValueError for a bad field and FormulaError for a formula that is not allowed or is undefined
    at too many of the sampled points.
    """
    target.validate()
    rng = np.random.default_rng(seed)
    dropped = 0
    if target.name in ("sine", *TARGETS_2D):
        dataset = make_dataset(target.name, n_samples=target.n_samples, noise=target.noise, seed=seed)
    else:
        curve = target_curve(target)
        # Same recipe as core.data.datasets' sine: x first, then the noise, from one generator.
        x = rng.uniform(X_RANGE[0], X_RANGE[1], target.n_samples)
        y = curve(x) + target.noise * rng.standard_normal(target.n_samples)
        defined = np.isfinite(y)
        dropped = int((~defined).sum())
        if defined.sum() < MIN_SAMPLES:
            raise FormulaError(f"formula {target.formula!r} is undefined at too many of the sampled points")
        dataset = Dataset(target.name, _read_only(x[defined, None]), _read_only(y[defined]), "regression", 0, ("x",))
    split = split_dataset(dataset, test_fraction=target.test_fraction, seed=seed)
    outliers = np.zeros(len(split.y_train), dtype=bool)
    if target.name == "outliers":
        split, outliers = _add_outliers(split, np.random.default_rng([seed, 3]))
    return RegressionData(target, dataset, split, outliers, dropped)


def _add_outliers(split: Split, rng: np.random.Generator) -> tuple[Split, np.ndarray]:
    """Push a share of the training targets upwards; the test part stays clean, so test scores say how
    close each loss got to the true curve."""
    n_train = len(split.y_train)
    chosen = rng.choice(n_train, size=max(1, round(OUTLIER_FRACTION * n_train)), replace=False)
    mask = np.zeros(n_train, dtype=bool)
    mask[chosen] = True
    y_train = split.y_train.copy()
    y_train[mask] += rng.uniform(*OUTLIER_SHIFT, size=mask.sum())
    corrupted = replace(split, y_train=_read_only(y_train))
    return corrupted, mask


# ---------------------------------------------------------------------------------------------------------
# Networks and training


def experiment_config(target: TargetConfig, model: ModelConfig, train: TrainConfig, seed: int = 0) -> ExperimentConfig:
    """An experiment configuration for a network on ``target``, validated.

    Its ``data`` section stands in for the target: "sine" for 1-D inputs, "plane" for 2-D, so that
    ``core.experiment.run`` builds a network with the right input size and a regression output.
    The lab's own targets are not datasets of ``core.data.datasets``, so the real data comes from
    :func:`make_regression_data`.
    """
    name, features = ("sine", ("x1",)) if target.input_dim == 1 else ("plane", ("x1", "x2"))
    data = DataConfig(name, n_samples=target.n_samples, features=features)
    cfg = ExperimentConfig(data, model, train, seed)
    cfg.validate()
    return cfg


def regression_trainer(
    data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int = 0, record_stats: bool = False
) -> Trainer:
    """A trainer for a fresh network of ``model`` on ``data``; validation curves use the test part."""
    cfg = experiment_config(data.target, model, train, seed)
    prepared = data.prepared()
    return build_trainer(cfg, prepared, build_network(cfg), record_stats=record_stats)


def fit(
    data: RegressionData,
    model: ModelConfig,
    train: TrainConfig,
    seed: int = 0,
    epochs: int | None = None,
) -> tuple[Network, History]:
    """Train a fresh network for ``epochs`` (default ``train.epochs``) and return it with its history."""
    trainer = regression_trainer(data, model, train, seed)
    for _ in trainer.run(train.epochs if epochs is None else epochs):
        pass
    return trainer.network, trainer.history


def decompose(network: Network, X: np.ndarray) -> Decomposition:
    """Split the prediction into the terms w_j·a_j(x) of the last hidden layer plus the output bias.

    X : ndarray of shape (n_samples, input_dim). A network without hidden layers is decomposed over its
    inputs (w_j·x_j). Raises ValueError unless the output is a single unit with a linear activation,
    the only case where the terms add up to the prediction.
    """
    output = network.layers[-1]
    if output.units != 1 or output.activation != "linear":
        raise ValueError(
            "decompose needs a single linear output unit; this network's output layer has "
            f"{output.units} unit(s) with activation {output.activation!r}"
        )
    activations = network.forward(X).caches[-1].a_prev  # a_j(x): what the output unit adds up
    weights = network.weights[-1][0]
    bias = float(network.biases[-1][0, 0])
    contributions = activations * weights  # column j is w_j·a_j(x)
    total = contributions.sum(axis=1) + bias
    return Decomposition(contributions, activations, weights.copy(), bias, total)


# ---------------------------------------------------------------------------------------------------------
# Polynomial regression, the comparison the lecture notes make with the 1-3-1 network's curve fit


@dataclass(frozen=True, eq=False)
class PolynomialFit:
    """ŷ(x) = Σ_k c_k·x^k + c_0 for k = 1..degree, fitted by least squares to the training points.

    coefficients : (degree,), c_k of x^k;  intercept : c_0
    penalty : C in  (1/2m)·Σ(y − ŷ)² + C·Σ_{k ≥ PENALISED_FROM} c_k²  (0: plain least squares)
    train_scores, test_scores : ``core.experiment.metrics.regression_metrics`` on the training and test points
    """

    degree: int
    coefficients: np.ndarray
    intercept: float
    train_scores: dict
    test_scores: dict
    penalty: float = 0.0

    def decompose(self, X: np.ndarray) -> Decomposition:
        """The fit as the same kind of sum as a network's: feature j is x^j, its weight c_j, the bias c_0.

        X : (n_samples, 1). ``total`` equals :meth:`predict`.
        """
        x = _single_input(X)
        powers = x[:, None] ** np.arange(1, self.degree + 1)
        contributions = powers * self.coefficients
        return Decomposition(
            contributions, powers, self.coefficients.copy(), self.intercept, contributions.sum(axis=1) + self.intercept
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(n_samples,) predictions for X of shape (n_samples, 1)."""
        return self.decompose(X).total


def fit_polynomial(data: RegressionData, degree: int, penalty: float = 0.0) -> PolynomialFit:
    """Polynomial of ``degree`` (1..MAX_POLYNOMIAL_DEGREE) fitted to the training points of a 1-D target, scored
    on its training and test points.

    Minimises the objective  (1/2m)·Σ_i (y_i − ŷ_i)² + C·Σ_{k ≥ 3} c_k²  with C = ``penalty`` (0 to
    MAX_POLYNOMIAL_PENALTY): as in the lecture notes' comparison, a quadratic's terms stay free and the higher ones
    (their w₃, w₄, with C = 1000) are made expensive. The minimum is exact: ordinary least squares on centred powers
    of x (the intercept is never penalised), with √(2mC) rows appended for the penalised coefficients, which is that
    objective's normal equations. Raises ValueError for a 2-D target, a degree or a penalty out of range.
    """
    validate({"degree": degree, "penalty": penalty}, POLYNOMIAL_CONSTRAINTS)
    if data.target.input_dim != 1:
        raise ValueError(f"target={data.target.name!r} has 2 inputs; polynomial regression here fits curves of x")
    split = data.split
    powers = PolynomialFeatures(degree=int(degree), include_bias=False).fit_transform(split.X_train)
    mean_powers, mean_y = powers.mean(axis=0), float(split.y_train.mean())
    design, target = powers - mean_powers, split.y_train - mean_y
    penalised = np.arange(1, int(degree) + 1) >= PENALISED_FROM
    if penalty > 0 and penalised.any():
        rows = np.sqrt(2.0 * len(target) * float(penalty)) * np.eye(int(degree))[penalised]
        design, target = np.vstack([design, rows]), np.concatenate([target, np.zeros(len(rows))])
    coefficients = np.linalg.lstsq(design, target, rcond=None)[0]
    fitted = PolynomialFit(
        int(degree), coefficients, mean_y - float(mean_powers @ coefficients), {}, {}, float(penalty)
    )
    train_scores = regression_metrics(split.y_train, fitted.predict(split.X_train))
    test_scores = regression_metrics(split.y_test, fitted.predict(split.X_test)) if len(split.y_test) else {}
    return replace(fitted, train_scores=train_scores, test_scores=test_scores)


def _single_input(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 1:
        raise ValueError(f"X must have shape (n_samples, 1); got {X.shape}")
    return X[:, 0]


# ---------------------------------------------------------------------------------------------------------
# Under- and over-fitting


def sweep_units(
    data: RegressionData,
    model: ModelConfig,
    train: TrainConfig,
    seed: int = 0,
    units: Sequence[int] = DEFAULT_SWEEP_UNITS,
    epochs: int | None = None,
) -> Sweep:
    """Train one single-hidden-layer network per width in ``units`` (activation of ``model``'s first hidden
    layer, or tanh) and report train vs test error: too few units underfit both, many units on few noisy
    points fit the training noise and the test error rises again."""
    activation = model.hidden[0].activation if model.hidden else "tanh"
    models = [replace(model, hidden=(LayerConfig(int(u), activation),)) for u in units]
    return _sweep("units", tuple(float(u) for u in units), data, models, [train] * len(models), seed, epochs)


def sweep_l2(
    data: RegressionData,
    model: ModelConfig,
    train: TrainConfig,
    seed: int = 0,
    strengths: Sequence[float] = DEFAULT_SWEEP_L2,
    epochs: int | None = None,
) -> Sweep:
    """Train ``model`` once per L2 strength λ (penalty (λ/2)ΣW²) and report train vs test error: a small λ
    smooths an over-wiggly fit, a large one flattens the curve towards a constant."""
    trains = [replace(train, l2=float(s)) for s in strengths]
    return _sweep("l2", tuple(float(s) for s in strengths), data, [model] * len(trains), trains, seed, epochs)


def _sweep(
    parameter: str,
    values: tuple[float, ...],
    data: RegressionData,
    models: list[ModelConfig],
    trains: list[TrainConfig],
    seed: int,
    epochs: int | None,
) -> Sweep:
    split = data.split
    grid = curve_grid() if data.target.input_dim == 1 else None
    scores: dict[str, list[float]] = {"train_rmse": [], "test_rmse": [], "train_r2": [], "test_r2": []}
    curves = []
    for model, train in zip(models, trains, strict=True):
        trainer = regression_trainer(data, model, train, seed)
        _train_unrecorded(trainer, train.epochs if epochs is None else epochs)
        network = trainer.network
        for part, X, y in (("train", split.X_train, split.y_train), ("test", split.X_test, split.y_test)):
            metrics = regression_metrics(y, network.predict(X))
            scores[f"{part}_rmse"].append(metrics["rmse"])
            scores[f"{part}_r2"].append(metrics["r2"])
        if grid is not None:
            curves.append(network.predict(grid)[:, 0])
    return Sweep(
        parameter,
        values,
        *(np.array(scores[key]) for key in ("train_rmse", "test_rmse", "train_r2", "test_r2")),
        grid=grid,
        curves=np.array(curves) if grid is not None else None,
    )


def _train_unrecorded(trainer: Trainer, epochs: int) -> None:
    """``trainer.run(epochs)`` without the per-epoch scoring, which costs twice the training itself.

    A sweep only looks at its final networks; a diverged one predicts NaN and scores NaN, which
    ``Sweep.best_index`` skips.
    """
    n, batch_size = trainer.X.shape[0], trainer.batch_size
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(epochs):
            learning_rate = trainer.learning_rate
            order = trainer.rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                trainer.train_step(trainer.X[rows], trainer.targets[rows], None, learning_rate)
            trainer.epoch += 1


# ---------------------------------------------------------------------------------------------------------
# Helpers


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array
