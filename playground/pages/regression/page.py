"""Wiring for the regression lab page: target controls (with the formula fallback), cached data and sweeps,
and the live fit: a live view (``playground.live_view``) that asks for frames, trained by ``regression_live``.

The page file reads top to bottom; the session-state bookkeeping lives here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from core.data.formula import FUNCTIONS, FormulaError
from core.experiment.config import LayerConfig, ModelConfig, TrainConfig
from core.experiment.metrics import MAPE_ALL_TARGETS_ZERO, MAPE_SOME_TARGETS_ZERO, regression_metrics
from core.experiment.presets import preset_config
from core.labs.regression import (
    DEFAULT_SWEEP_UNITS,
    MAX_POLYNOMIAL_DEGREE,
    REGRESSION_LOSSES,
    TARGETS,
    X_RANGE,
    RegressionData,
    Sweep,
    TargetConfig,
    compile_target_formula,
    curve_grid,
    decompose,
    experiment_config,
    fit,
    fit_polynomial,
    make_regression_data,
    sweep_l2,
    sweep_units,
    target_curve,
)
from playground import state, widgets
from playground.i18n import t
from playground.live import loop as live_loop
from playground.live import regression as regression_live
from playground.live.regression import LabRun, number
from playground.markdown_text import escape_markdown
from playground.pages.regression import figures as fig
from playground.training_messages import core_problem, formula_problem, training_message

PAGE = state.PageState("reg")
PRESET = preset_config("sine_1_3_1")
DEFAULT_TARGET = TargetConfig(
    "sine", n_samples=PRESET.data.n_samples, noise=PRESET.data.noise, test_fraction=PRESET.data.test_fraction
)
CURVE_POINTS = 200
METRICS = ("mae", "mape", "sse", "mse", "rmse", "r2")
# The sweeps' small noisy sample: few points are what lets a wide network memorise the noise.
# Seed 2 shows the textbook shapes on the sine; any seed shows the trend.
SWEEP_DATA = TargetConfig("sine", n_samples=20, noise=0.3, test_fraction=0.5)
SWEEP_SEED = 2
SWEEP_TRAIN = TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=4, epochs=1000)
SWEEP_WIDEST = max(DEFAULT_SWEEP_UNITS)


# ---- target --------------------------------------------------------------------------------------------
def _seed_widget(page: state.PageState, name: str, value) -> None:
    if name not in page:
        page[name] = value


def target_controls() -> tuple[TargetConfig, int]:
    """Target picker (with the formula box), points, noise, test share and seed. Returns the target and seed."""
    k = PAGE.key  # a short local alias keeps the widget calls readable
    for name, value in (
        ("target", DEFAULT_TARGET.name),
        ("formula", DEFAULT_TARGET.formula),
        ("n_samples", DEFAULT_TARGET.n_samples),
        ("noise", DEFAULT_TARGET.noise),
        ("test_fraction", DEFAULT_TARGET.test_fraction),
        ("seed", PRESET.seed),
    ):
        _seed_widget(PAGE, name, value)
    name = st.selectbox(
        t("regression.target"),
        TARGETS,
        key=k("target"),
        help=t("regression.target_help"),
        format_func=lambda n: t(f"regression.targets.{n}"),
    )
    st.caption(t(f"regression.target_notes.{name}"))
    formula = PAGE["formula"]
    if name == "formula":
        formula = st.text_input(
            t("regression.formula"),
            key=k("formula"),
            max_chars=200,
            help=t("regression.formula_help", functions=", ".join(FUNCTIONS)),
        )
    n_samples = st.slider(
        t("regression.n_samples"), 10, 1000, step=10, key=k("n_samples"), help=t("regression.n_samples_help")
    )
    noise = st.slider(t("regression.noise"), 0.0, 1.0, step=0.05, key=k("noise"), help=t("regression.noise_help"))
    test_fraction = st.slider(
        t("regression.test_fraction"), 0.1, 0.8, step=0.05, key=k("test_fraction"), help=t("widgets.test_fraction_help")
    )
    seed = st.number_input(t("widgets.seed"), 0, 2**31 - 1, step=1, key=k("seed"), help=t("widgets.seed_help"))
    target = TargetConfig(name, int(n_samples), float(noise), float(test_fraction), formula)
    return target, int(seed)


@st.cache_data(max_entries=32, show_spinner=False)
def _regression_data(target: TargetConfig, seed: int) -> RegressionData:
    return make_regression_data(target, seed)


def target_data(target: TargetConfig, seed: int) -> RegressionData:
    """The points of ``target``; a rejected formula shows a warning naming the problem and falls back to sine."""
    try:
        if target.name == "formula":
            compile_target_formula(target.formula)
        data = _regression_data(target, seed)
    except FormulaError as error:
        st.warning(t("regression.formula_rejected", problem=escape_markdown(formula_problem(error))))
        return _regression_data(replace(target, name="sine"), seed)
    if data.dropped:
        st.info(t("regression.formula_dropped", dropped=data.dropped, total=target.n_samples))
    return data


# ---- network and training ------------------------------------------------------------------------------
def network_and_training(target: TargetConfig, seed: int) -> tuple[ModelConfig, TrainConfig]:
    """The lead's network and training widgets in the sidebar; an unusable choice (a classification loss,
    say) shows why and falls back to the 1-3-1 preset."""
    with st.sidebar:
        st.header(t("regression.network_header"))
        model = widgets.network_controls(PRESET.model, PAGE, "regression")
        st.header(t("regression.training_header"))
        train = widgets.training_controls(PRESET.train, PAGE, task="regression")
    try:
        experiment_config(target, model, train, seed)
    except ValueError as error:
        st.warning(t("regression.invalid_setup", reason=escape_markdown(core_problem(error))))
        return PRESET.model, PRESET.train
    return model, train


# ---- the live run --------------------------------------------------------------------------------------
def current_run(data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int) -> LabRun:
    """The session's run; a fresh one (still playing if the old one was) when any setting changed."""
    run: LabRun | None = PAGE.get("run")
    if run is None or run.setup != (data.target, model, train, seed):
        version = run.version + 1 if run else 1
        run = regression_live.new_run(data, model, train, seed, version, playing=bool(run and run.playing))
        PAGE["run"] = run
    return run


def live_section() -> None:
    """Transport, the live view of the network being trained and, while it stands still, the metrics table."""
    _live_panel()


def _decomposition_note(run: LabRun) -> None:
    if not run.decomposable:
        st.info(t("regression.no_decomposition", reason=escape_markdown(t("regression.needs_linear_output"))))


@st.fragment
def _live_panel() -> None:
    """Reruns on its own: on a click, and whenever the live view asks for the next batch of frames."""
    run: LabRun = PAGE["run"]
    bar = live_loop.transport_bar(PAGE, "regression", "run")
    surface_3d = run.two_d and bar.extra.toggle(
        t("regression.surface_3d"), key=PAGE.key("surface_3d"), help=t("regression.surface_3d_help")
    )
    run = live_loop.serve(
        bar,
        run,
        height=regression_live.view_height(),
        scene_options={"surface_3d": surface_3d},
        before_view=_decomposition_note,
    )
    if run.trainer.history.diverged:
        st.error(escape_markdown(training_message(run.trainer.history)))
    if not run.playing:  # a table redrawn on every batch would slow the animation; the counters show progress
        train_scores, test_scores = regression_live.scores(run)
        st.subheader(t("regression.metrics_header"))
        st.dataframe(metrics_table(train_scores, test_scores), hide_index=True, key=PAGE.key("metrics_table"))
        mape_note(train_scores, test_scores)


def metrics_table(train_scores: dict, test_scores: dict) -> dict[str, list[str]]:
    """Columns for ``st.dataframe``: each metric's name, formula, and its value on train and test."""
    return {
        t("regression.table.metric"): [t(f"regression.metric_names.{m}") for m in METRICS],
        t("regression.table.formula"): [_formula(m, train_scores, test_scores) for m in METRICS],
        t("regression.table.train"): [_score(m, train_scores) for m in METRICS],
        t("regression.table.test"): [_score(m, test_scores) for m in METRICS],
    }


def _formula(metric: str, *scores: dict) -> str:
    """The metric's formula as computed: MAPE's m counts only the targets it kept when some were zero."""
    if metric == "mape" and any(s["mape_skipped"] for s in scores):
        return t("regression.metric_formulas.mape_nonzero")
    return t(f"regression.metric_formulas.{metric}")


def mape_note(train_scores: dict, test_scores: dict) -> None:
    """Say when MAPE had to leave targets out (|y| ≈ 0 makes |a − y| / |y| undefined)."""
    for part, scores in (("train", train_scores), ("test", test_scores)):
        if scores["mape_reason"] == MAPE_SOME_TARGETS_ZERO:
            st.caption(
                t("regression.mape_some_zero", part=t(f"regression.table.{part}"), skipped=scores["mape_skipped"])
            )
        elif scores["mape_reason"] == MAPE_ALL_TARGETS_ZERO:
            st.caption(t("regression.mape_all_zero", part=t(f"regression.table.{part}")))
    st.caption(t("regression.mape_guard"))


def _score(metric: str, scores: dict) -> str:
    value = scores[metric]
    if not np.isfinite(value):
        return "–"
    return f"{value:.2f} %" if metric == "mape" else f"{value:.4g}"


# ---- polynomial regression, the notes' comparison ------------------------------------------------------
POLYNOMIAL_PENALTIES = (0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)  # the notes' example: C = 1000
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_name(k: int) -> str:
    """x, x², x³, ..., x¹²."""
    return "x" if k == 1 else "x" + str(k).translate(SUPERSCRIPTS)


def polynomial_section(data: RegressionData) -> None:
    """A least-squares polynomial of the chosen degree, taken apart like the network, and both scored."""
    if data.target.input_dim != 1:
        st.caption(t("regression.polynomial_1d_only"))
        return
    degree_column, penalty_column, formula_column = st.columns([1, 1, 1.2], vertical_alignment="center")
    degree = degree_column.slider(
        t("regression.polynomial_degree"),
        1,
        MAX_POLYNOMIAL_DEGREE,
        3,
        key=PAGE.key("poly_degree"),
        help=t("regression.polynomial_degree_help"),
    )
    penalty = penalty_column.select_slider(
        t("regression.polynomial_penalty"),
        POLYNOMIAL_PENALTIES,
        value=0.0,
        key=PAGE.key("poly_penalty"),
        format_func=lambda c: f"{c:g}",
        help=t("regression.polynomial_penalty_help"),
    )
    formula_column.latex(r"\min_{c}\ \frac{1}{2m}\sum_{i=1}^{m}(y_i-\hat y_i)^2 + C\sum_{k\ge 3} c_k^2")
    polynomial = fit_polynomial(data, int(degree), float(penalty))
    xs = curve_grid(CURVE_POINTS)
    parts = polynomial.decompose(xs)
    powers = range(1, polynomial.degree + 1)
    names = [
        t("regression.polynomial_term", weight=c, power=power_name(k))
        for k, c in zip(powers, polynomial.coefficients, strict=True)
    ]
    labels = {
        "top": t("regression.polynomial_top"),
        "bottom": t("regression.polynomial_bottom"),
        "top_axis": "x^k / π^k",
        "bottom_axis": "c_k·x^k",
        "bias": t("regression.polynomial_bias", bias=polynomial.intercept),
        "sum": t("regression.polynomial_sum"),
    }
    split = data.split
    st.plotly_chart(
        fig.decomposition_figure(
            xs[:, 0],
            parts,
            (split.X_train, split.y_train),
            title=t("regression.polynomial_title"),
            term_names=names,
            feature_scale=np.pi ** np.arange(1, polynomial.degree + 1),
            labels=labels,
            height=560,
        ),
        key=PAGE.key("poly_chart"),
    )
    run: LabRun = PAGE["run"]
    network = run.trainer.network
    _, network_test = regression_live.scores(run)
    network_terms = np.abs(decompose(network, xs).contributions).max() if run.decomposable else float("nan")
    poly_column, net_column, terms_column = st.columns(3)
    poly_column.metric(
        t("regression.polynomial_r2"),
        number(polynomial.test_scores["r2"], 3),
        help=t("regression.polynomial_r2_help", train=number(polynomial.train_scores["r2"], 3)),
    )
    net_column.metric(
        t("regression.network_r2"),
        number(network_test["r2"], 3),
        help=t("regression.network_r2_help", epoch=run.trainer.epoch),
    )
    terms_column.metric(
        t("regression.largest_terms"),
        t(
            "regression.largest_terms_value",
            polynomial=number(np.abs(parts.contributions).max(), 3),
            network=number(network_terms, 3),
        ),
        help=t("regression.largest_terms_help"),
    )
    if st.toggle(t("regression.beyond"), key=PAGE.key("beyond"), help=t("regression.beyond_help")):
        beyond_the_data(data, polynomial, network)


def beyond_the_data(data: RegressionData, polynomial, network) -> None:
    """The polynomial and the network drawn over twice the x range the data came from."""
    xs = np.linspace(2 * X_RANGE[0], 2 * X_RANGE[1], 2 * CURVE_POINTS)
    try:
        true_curve = target_curve(data.target)(xs)
    except FormulaError:
        true_curve = None
    curves = {
        t("regression.network_curve"): network.predict(xs[:, None])[:, 0],
        t("regression.polynomial_curve", degree=polynomial.degree): polynomial.predict(xs[:, None]),
    }
    split = data.split
    st.plotly_chart(
        fig.beyond_the_data_figure(
            xs,
            curves,
            (split.X_train, split.y_train),
            X_RANGE,
            true_curve=true_curve,
            title=t("regression.beyond_title"),
        ),
        key=PAGE.key("beyond_chart"),
    )
    st.caption(t("regression.beyond_reading"))


# ---- comparing losses ----------------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _loss_fits(target: TargetConfig, model: ModelConfig, train: TrainConfig, seed: int) -> dict:
    data = make_regression_data(target, seed)
    xs = curve_grid(CURVE_POINTS)
    results = {}
    for loss in REGRESSION_LOSSES:
        network, _ = fit(data, replace(model, loss=loss, output_activation="linear"), train, seed)
        results[loss] = (
            network.predict(xs)[:, 0],
            regression_metrics(data.split.y_test, network.predict(data.split.X_test)),
        )
    return results


def loss_comparison(data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int) -> None:
    """MSE, MAE and Huber fitted to the same points, drawn over the data with their test scores."""
    if data.target.input_dim != 1:
        st.caption(t("regression.losses_1d_only"))
        return
    asked = (data.target, model, train, seed)
    if st.button(t("regression.losses_run"), key=PAGE.key("losses_run"), help=t("regression.losses_run_help")):
        PAGE["losses_asked"] = asked
    if PAGE.get("losses_asked") != asked:
        return
    with st.spinner(t("regression.training_three")):
        results = _loss_fits(data.target, model, train, seed)
    xs = curve_grid(CURVE_POINTS)[:, 0]
    split = data.split
    curves = {t(f"regression.losses.{loss}"): curve for loss, (curve, _) in results.items()}
    st.plotly_chart(
        fig.fit_figure(
            xs,
            curves,
            (split.X_train, split.y_train),
            (split.X_test, split.y_test),
            true_curve=target_curve(data.target)(xs),
            outliers=data.outliers,
            title=t("regression.losses_title"),
        ),
        key=PAGE.key("losses_chart"),
    )
    columns = st.columns(len(results))
    for column, (loss, (_, scores)) in zip(columns, results.items(), strict=True):
        column.metric(
            t(f"regression.losses.{loss}"),
            t("regression.test_r2_value", r2=number(scores["r2"], 3)),
            help=t("regression.test_rmse_value", rmse=number(scores["rmse"])),
        )


# ---- under- and over-fitting ---------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _sweeps(target: TargetConfig, activation: str, epochs: int, seed: int) -> tuple[Sweep, Sweep]:
    data = make_regression_data(target, seed)
    train = replace(SWEEP_TRAIN, epochs=epochs)
    model = ModelConfig(hidden=(LayerConfig(SWEEP_WIDEST, activation),))
    return sweep_units(data, model, train, seed), sweep_l2(data, model, train, seed)


def sweep_controls(target: TargetConfig) -> tuple[TargetConfig, int, int]:
    """Points, noise, epochs and seed of the sweeps' own small sample of ``target``."""
    sweep = PAGE.child("sweep")
    k = sweep.key
    for name, value in (
        ("n_samples", SWEEP_DATA.n_samples),
        ("noise", SWEEP_DATA.noise),
        ("epochs", SWEEP_TRAIN.epochs),
        ("seed", SWEEP_SEED),
    ):
        _seed_widget(sweep, name, value)
    columns = st.columns(4)
    n_samples = columns[0].slider(
        t("regression.n_samples"), 10, 200, step=2, key=k("n_samples"), help=t("regression.sweep_points_help")
    )
    noise = columns[1].slider(
        t("regression.noise"), 0.0, 1.0, step=0.05, key=k("noise"), help=t("regression.noise_help")
    )
    epochs = columns[2].select_slider(
        t("widgets.epochs"),
        options=(100, 200, 500, 1000, 2000),
        key=k("epochs"),
        help=t("regression.sweep_epochs_help"),
    )
    seed = columns[3].number_input(t("widgets.seed"), 0, 2**31 - 1, step=1, key=k("seed"), help=t("widgets.seed_help"))
    sample = replace(target, n_samples=int(n_samples), noise=float(noise), test_fraction=SWEEP_DATA.test_fraction)
    return sample, int(epochs), int(seed)


def fitting_section(target: TargetConfig, model: ModelConfig) -> None:
    """Train vs test error as hidden units grow, and as the L2 penalty grows on the widest network."""
    sample, epochs, seed = sweep_controls(target)
    activation = model.hidden[0].activation if model.hidden else "tanh"
    st.caption(
        t(
            "regression.sweep_setup",
            units=", ".join(map(str, DEFAULT_SWEEP_UNITS)),
            activation=activation,
            widest=SWEEP_WIDEST,
            epochs=epochs,
            learning_rate=SWEEP_TRAIN.learning_rate,
            batch_size=SWEEP_TRAIN.batch_size,
        )
    )
    asked = (sample, activation, epochs, seed)
    if st.button(t("regression.sweep_run"), key=PAGE.key("sweep_run"), help=t("regression.sweep_run_help")):
        PAGE["sweep_asked"] = asked
    if PAGE.get("sweep_asked") != asked:
        return
    try:
        data = _regression_data(sample, seed)
        with st.spinner(t("regression.sweep_running")):
            units, l2 = _sweeps(sample, activation, epochs, seed)
    except FormulaError as error:
        st.warning(t("regression.formula_rejected", problem=escape_markdown(formula_problem(error))))
        return
    split = data.split
    points = ((split.X_train, split.y_train), (split.X_test, split.y_test))
    true_curve = target_curve(sample)(units.grid[:, 0]) if units.grid is not None else None
    for sweep, name in ((units, "units"), (l2, "l2")):
        st.markdown(t(f"regression.sweep_{name}_header"))
        left, right = st.columns(2)
        left.plotly_chart(
            fig.sweep_figure(sweep, title=t(f"regression.sweep_{name}_title")), key=PAGE.key(f"sweep_{name}_chart")
        )
        if sweep.curves is not None:
            shown = (0, sweep.best_index, len(sweep.values) - 1)
            curves = fig.sweep_curves_figure(
                sweep,
                shown,
                *points,
                true_curve=true_curve,
                outliers=data.outliers,
                title=t("regression.sweep_curves_title"),
            )
            right.plotly_chart(curves, key=PAGE.key(f"sweep_{name}_curves"))
        st.caption(t(f"regression.sweep_{name}_reading"))
