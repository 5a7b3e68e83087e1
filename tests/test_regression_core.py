"""Regression lab core: targets, the neuron-by-neuron decomposition, the sine preset and the sweeps."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.formula import FormulaError
from core.engine.network import Network
from core.experiment.config import LayerConfig, ModelConfig, TrainConfig
from core.experiment.metrics import MAPE_SOME_TARGETS_ZERO, regression_metrics
from core.experiment.presets import preset_config
from core.experiment.run import prepare_data
from core.labs.regression import (
    MAX_TARGET_MAGNITUDE,
    TARGETS,
    TARGETS_1D,
    X_RANGE,
    TargetConfig,
    compile_target_formula,
    curve_grid,
    decompose,
    fit,
    fit_polynomial,
    make_regression_data,
    sweep_l2,
    sweep_units,
    target_curve,
)

SINE_PRESET = preset_config("sine_1_3_1")


def _lab_target(cfg):
    """The regression lab's target for an experiment configuration on the "sine" dataset."""
    d = cfg.data
    return TargetConfig("sine", n_samples=d.n_samples, noise=d.noise, test_fraction=d.test_fraction)


# ---- decomposition ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_dim", "hidden"),
    [
        (1, [{"units": 3, "activation": "sigmoid"}]),
        (1, [{"units": 5, "activation": "tanh"}, {"units": 4, "activation": "relu"}]),
        (2, [{"units": 6, "activation": "gelu"}]),
        (1, []),
    ],
)
def test_decomposition_terms_plus_bias_equal_the_prediction(input_dim, hidden):
    net = Network.from_spec(input_dim, [*hidden, {"units": 1, "activation": "linear"}], loss="mse", seed=3)
    # Non-zero output bias, so a forgotten bias would show.
    params = net.parameters()
    params[-1] = np.array([[0.7]])
    net.set_parameters(params)
    X = np.random.default_rng(0).uniform(-3, 3, (50, input_dim))
    parts = decompose(net, X)
    prediction = net.predict(X)[:, 0]
    np.testing.assert_allclose(parts.total, prediction, rtol=0, atol=1e-10)
    np.testing.assert_allclose(parts.contributions.sum(axis=1) + parts.bias, prediction, rtol=0, atol=1e-10)
    units = hidden[-1]["units"] if hidden else input_dim
    assert parts.contributions.shape == parts.activations.shape == (50, units)
    assert parts.bias == pytest.approx(0.7)


@settings(max_examples=25, deadline=None)
@given(
    units=st.lists(st.integers(1, 8), min_size=1, max_size=3),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "swish"]),
    seed=st.integers(0, 1000),
)
def test_decomposition_matches_prediction_for_any_trained_shape(units, activation, seed):
    layers = [{"units": u, "activation": activation} for u in units] + [{"units": 1, "activation": "linear"}]
    net = Network.from_spec(1, layers, loss="mse", init="he", seed=seed)
    X = curve_grid(64)
    parts = decompose(net, X)
    np.testing.assert_allclose(parts.total, net.predict(X)[:, 0], rtol=0, atol=1e-10)


def test_decomposition_column_is_output_weight_times_hidden_activation():
    net = Network.from_spec(1, [{"units": 3, "activation": "sigmoid"}, {"units": 1}], loss="mse", seed=1)
    X = curve_grid(10)
    parts = decompose(net, X)
    hidden = 1.0 / (1.0 + np.exp(-(X @ net.weights[0].T + net.biases[0].T)))
    np.testing.assert_allclose(parts.activations, hidden, atol=1e-12)
    np.testing.assert_allclose(parts.contributions[:, 1], net.weights[1][0, 1] * hidden[:, 1], atol=1e-12)


def test_decompose_refuses_a_nonlinear_output_it_could_not_sum():
    net = Network.from_spec(1, [{"units": 3}, {"units": 1, "activation": "sigmoid"}], loss="mse")
    with pytest.raises(ValueError, match="linear output"):
        decompose(net, curve_grid(5))


# ---- targets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_gives_a_deterministic_split_of_the_right_shape(name):
    target = TargetConfig(name, n_samples=60, noise=0.1, test_fraction=0.25)
    first, again = make_regression_data(target, seed=4), make_regression_data(target, seed=4)
    split = first.split
    assert split.X_train.shape == (45, target.input_dim) and split.X_test.shape == (15, target.input_dim)
    assert len(split.y_val) == 0
    np.testing.assert_array_equal(first.split.y_train, again.split.y_train)
    assert not np.array_equal(make_regression_data(target, seed=5).split.y_train, split.y_train)
    assert np.all(np.isfinite(split.y_train)) and np.all(np.isfinite(split.y_test))


@pytest.mark.parametrize("name", [n for n in TARGETS_1D if n != "outliers"])
def test_noise_free_points_lie_on_the_target_curve(name):
    target = TargetConfig(name, n_samples=50, noise=0.0)
    data = make_regression_data(target, seed=1)
    curve = target_curve(target)
    np.testing.assert_allclose(data.dataset.y, curve(data.dataset.X[:, 0]), atol=1e-12)
    lowest, highest = X_RANGE
    assert lowest <= data.dataset.X.min() and data.dataset.X.max() <= highest


def test_lab_sine_is_the_same_data_as_the_sine_preset():
    lab = make_regression_data(_lab_target(SINE_PRESET), seed=SINE_PRESET.seed).split
    preset = prepare_data(SINE_PRESET).split
    for part in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(lab, part), getattr(preset, part))


def test_outliers_are_only_in_the_training_part_and_only_push_up():
    target = TargetConfig("outliers", n_samples=200, noise=0.0)
    data = make_regression_data(target, seed=0)
    split = data.split
    residual_train = split.y_train - np.sin(split.X_train[:, 0])
    assert data.outliers.sum() == round(0.1 * len(split.y_train))
    assert np.all(residual_train[data.outliers] >= 1.5)
    np.testing.assert_allclose(residual_train[~data.outliers], 0.0, atol=1e-12)
    np.testing.assert_allclose(split.y_test, np.sin(split.X_test[:, 0]), atol=1e-12)


def test_step_target_has_exact_zero_targets_that_mape_must_skip():
    data = make_regression_data(TargetConfig("step", n_samples=40, noise=0.0), seed=0)
    scores = regression_metrics(data.split.y_test, np.full(len(data.split.y_test), 0.5))
    assert scores["mape_reason"] == MAPE_SOME_TARGETS_ZERO
    assert scores["mape_skipped"] == int(np.sum(data.split.y_test == 0)) > 0
    assert np.isfinite(scores["mape"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "cosine"), ("n_samples", 2), ("n_samples", 10.5), ("noise", -0.1), ("noise", float("nan")),
     ("test_fraction", 0.0), ("test_fraction", 0.95)],
)  # fmt: skip
def test_bad_target_settings_raise_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=f"{'target' if field == 'name' else field}="):
        make_regression_data(replace(TargetConfig(), **{field: value}))


# ---- the formula box -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('ls')",
        "().__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd')",
        "exec('print(1)')",
        "eval('1+1')",
        "x.__class__",
        "globals()",
        "lambda: 1",
        "[x for x in ()]",
        "sin(x); import os",
        "np.sin(x)",
        "",
    ],
)
def test_formula_target_rejects_hostile_or_invalid_text_with_formula_error(text):
    with pytest.raises(FormulaError) as error:
        make_regression_data(TargetConfig("formula", formula=text))
    assert str(error.value)  # a message the page can show


def test_formula_too_large_on_the_interval_is_rejected_with_its_size():
    with pytest.raises(FormulaError, match=f"±{MAX_TARGET_MAGNITUDE:g}"):
        compile_target_formula("exp(5*x)")


def test_formula_undefined_everywhere_is_rejected():
    with pytest.raises(FormulaError, match="undefined"):
        compile_target_formula("log(-abs(x) - 1)")


def test_formula_undefined_on_part_of_the_interval_keeps_only_defined_points():
    data = make_regression_data(TargetConfig("formula", n_samples=200, noise=0.0, formula="sqrt(x)"), seed=0)
    assert data.dropped > 0 and data.dataset.n_samples == 200 - data.dropped
    assert np.all(data.dataset.X >= 0)
    np.testing.assert_allclose(data.dataset.y, np.sqrt(data.dataset.X[:, 0]))


# ---- training --------------------------------------------------------------------------------------------


def test_sine_preset_1_3_1_reaches_test_r2_above_0_95():
    data = make_regression_data(_lab_target(SINE_PRESET), seed=SINE_PRESET.seed)
    network, history = fit(data, SINE_PRESET.model, SINE_PRESET.train, seed=SINE_PRESET.seed)
    assert [layer.units for layer in network.layers] == [3, 1]
    scores = regression_metrics(data.split.y_test, network.predict(data.split.X_test))
    assert scores["r2"] > 0.95
    assert history.val_metric[-1] == pytest.approx(scores["r2"])
    # The three sigmoid terms plus bias rebuild the fitted sine.
    parts = decompose(network, curve_grid())
    np.testing.assert_allclose(parts.total, network.predict(curve_grid())[:, 0], atol=1e-10)


SMALL_TRAIN = TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=8, epochs=150)


def test_units_sweep_more_units_fit_the_training_points_closer():
    data = make_regression_data(TargetConfig("polynomial", n_samples=40, noise=0.05), seed=0)
    model = ModelConfig(hidden=(LayerConfig(4, "tanh"),))
    sweep = sweep_units(data, model, SMALL_TRAIN, units=(1, 16))
    assert sweep.parameter == "units" and sweep.values == (1.0, 16.0)
    assert sweep.train_rmse[1] < 0.5 * sweep.train_rmse[0]
    assert sweep.curves.shape == (2, sweep.grid.shape[0])
    assert sweep.test_rmse.shape == sweep.train_r2.shape == sweep.test_r2.shape == (2,)


def test_l2_sweep_strong_penalty_flattens_the_fitted_curve():
    data = make_regression_data(TargetConfig("sine", n_samples=40, noise=0.1), seed=0)
    model = ModelConfig(hidden=(LayerConfig(16, "tanh"),))
    sweep = sweep_l2(data, model, SMALL_TRAIN, strengths=(0.0, 3.0))
    assert np.ptp(sweep.curves[1]) < 0.5 * np.ptp(sweep.curves[0])
    assert sweep.train_rmse[1] > sweep.train_rmse[0]
    assert sweep.best_index == 0


def test_sweep_on_a_2d_target_scores_without_curves():
    data = make_regression_data(TargetConfig("plane", n_samples=40, noise=0.05), seed=0)
    sweep = sweep_units(data, ModelConfig(), replace(SMALL_TRAIN, epochs=20), units=(2,))
    assert sweep.grid is None and sweep.curves is None and np.isfinite(sweep.test_rmse[0])


# ---- polynomial regression, the notes' comparison -------------------------------------------------------
def test_a_cubic_polynomial_recovers_the_noise_free_cubic_target_exactly():
    data = make_regression_data(TargetConfig("polynomial", n_samples=40, noise=0.0), seed=0)
    cubic = fit_polynomial(data, 3)
    np.testing.assert_allclose(cubic.coefficients, [-0.6, 0.0, 0.1], atol=1e-10)  # the target: 0.1x³ − 0.6x
    assert abs(cubic.intercept) < 1e-10
    assert cubic.test_scores["r2"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("degree", [1, 3, 9])
def test_polynomial_terms_add_up_to_scikit_learns_least_squares_prediction(degree):
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    data = make_regression_data(TargetConfig("sine", n_samples=50, noise=0.2), seed=1)
    polynomial = fit_polynomial(data, degree)
    xs = curve_grid(40)
    parts = polynomial.decompose(xs)
    np.testing.assert_allclose(parts.activations, xs ** np.arange(1, degree + 1))
    np.testing.assert_allclose(parts.contributions, parts.activations * polynomial.coefficients)
    np.testing.assert_allclose(parts.total, parts.contributions.sum(axis=1) + polynomial.intercept)
    reference = make_pipeline(PolynomialFeatures(degree), LinearRegression())
    reference.fit(data.split.X_train, data.split.y_train)
    np.testing.assert_allclose(polynomial.predict(xs), reference.predict(xs), atol=1e-8)
    expected = regression_metrics(data.split.y_test, reference.predict(data.split.X_test))
    assert polynomial.test_scores["r2"] == pytest.approx(expected["r2"], abs=1e-8)


def test_a_high_degree_polynomial_over_fits_a_small_noisy_sample():
    data = make_regression_data(TargetConfig("sine", n_samples=20, noise=0.3, test_fraction=0.5), seed=2)
    cubic, ninth = fit_polynomial(data, 3), fit_polynomial(data, 9)
    assert ninth.train_scores["r2"] > cubic.train_scores["r2"]
    assert ninth.test_scores["r2"] < cubic.test_scores["r2"]
    xs = curve_grid(200)
    # Its terms dwarf the targets and cancel each other.
    assert np.abs(ninth.decompose(xs).contributions).max() > 10 * np.abs(cubic.decompose(xs).contributions).max()


@pytest.mark.parametrize("degree", [0, 13, 2.5, True])
def test_polynomial_degree_is_validated_with_the_allowed_range(degree):
    data = make_regression_data(TargetConfig("sine", n_samples=20), seed=0)
    allowed = r"(allowed range is|expected a whole number in) \[1, 12\]"  # out of range | not a whole number
    with pytest.raises(ValueError, match=rf"degree=.* is not valid; {allowed}"):
        fit_polynomial(data, degree)


def test_polynomial_regression_refuses_a_2d_target():
    data = make_regression_data(TargetConfig("plane", n_samples=30), seed=0)
    with pytest.raises(ValueError, match="2 inputs"):
        fit_polynomial(data, 3)


@pytest.mark.parametrize(("degree", "penalty"), [(4, 1000.0), (9, 0.01), (3, 1.0)])
def test_the_penalised_polynomial_minimises_the_notes_objective(degree, penalty):
    """(1/2m)·Σ(y − ŷ)² + C·Σ_{k≥3} c_k²: its gradient vanishes at the fit, for the intercept too."""
    data = make_regression_data(TargetConfig("sine", n_samples=30, noise=0.2), seed=3)
    fit_ = fit_polynomial(data, degree, penalty)
    X, y = data.split.X_train, data.split.y_train
    powers = X[:, :1] ** np.arange(1, degree + 1)
    residual = y - fit_.predict(X)
    penalised = np.arange(1, degree + 1) >= 3
    gradient = -(powers.T @ residual) / len(y) + 2 * penalty * penalised * fit_.coefficients
    scale = np.abs(powers.T @ y).max() / len(y)
    assert np.abs(gradient).max() < 1e-9 * scale
    assert abs(residual.mean()) < 1e-12


def test_a_large_penalty_leaves_the_notes_quadratic_and_tames_over_fitting():
    data = make_regression_data(TargetConfig("sine", n_samples=60, noise=0.1), seed=0)
    quartic = fit_polynomial(data, 4, 1000.0)
    quadratic = fit_polynomial(data, 2)
    assert np.abs(quartic.coefficients[2:]).max() < 2e-3  # w₃, w₄ pressed towards 0
    np.testing.assert_allclose(quartic.coefficients[:2], quadratic.coefficients, atol=0.02)
    small = make_regression_data(TargetConfig("sine", n_samples=20, noise=0.3, test_fraction=0.5), seed=2)
    free, penalised = fit_polynomial(small, 9), fit_polynomial(small, 9, 1000.0)
    assert penalised.train_scores["r2"] < free.train_scores["r2"]
    assert penalised.test_scores["r2"] > free.test_scores["r2"]


def test_polynomial_penalty_is_validated_with_the_allowed_range():
    data = make_regression_data(TargetConfig("sine", n_samples=20), seed=0)
    with pytest.raises(ValueError, match=r"penalty=-1.0 is not valid; allowed range is \[0.0, 10000.0\]"):
        fit_polynomial(data, 3, -1.0)
