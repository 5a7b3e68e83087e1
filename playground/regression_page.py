"""Wiring for the regression lab page: target controls (with the formula fallback), cached data and sweeps,
and the live run trained a chunk of epochs per fragment rerun.

The page file reads top to bottom; the session-state bookkeeping lives here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from core.boundary import BoundaryGrid, capped_resolution, grid_input
from core.config import LayerConfig, ModelConfig, TrainConfig
from core.formula import FUNCTIONS, FormulaError
from core.metrics import MAPE_ALL_TARGETS_ZERO, MAPE_SOME_TARGETS_ZERO, regression_metrics
from core.presets import preset_config
from core.regression import (
    DEFAULT_SWEEP_UNITS,
    REGRESSION_LOSSES,
    TARGETS,
    RegressionData,
    Sweep,
    TargetConfig,
    compile_target_formula,
    curve_grid,
    decompose,
    experiment_config,
    fit,
    make_regression_data,
    regression_trainer,
    sweep_l2,
    sweep_units,
    target_curve,
)
from core.training import Trainer
from playground import figures, widgets
from playground import figures_regression as fig
from playground.i18n import t
from playground.training_messages import training_message

KEY = "reg"
PRESET = preset_config("sine_1_3_1")
DEFAULT_TARGET = TargetConfig(
    "sine", n_samples=PRESET.data.n_samples, noise=PRESET.data.noise, test_fraction=PRESET.data.test_fraction
)
SPEEDS = (1, 5, 10, 25, 50)  # epochs per redraw
TICK_SECONDS = 0.5  # the live fragment reruns this often while playing
TRAIN_BUDGET_SECONDS = 0.3  # and trains at most this long per rerun, so the page stays responsive
CURVE_POINTS = 200
GRID_RESOLUTION = capped_resolution(40)
METRICS = ("mae", "mape", "sse", "mse", "rmse", "r2")
# The sweeps' small noisy sample: few points are what lets a wide network memorise the noise.
# Seed 2 shows the textbook shapes on the sine; any seed shows the trend.
SWEEP_DATA = TargetConfig("sine", n_samples=20, noise=0.3, test_fraction=0.5)
SWEEP_SEED = 2
SWEEP_TRAIN = TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=4, epochs=1000)
SWEEP_WIDEST = max(DEFAULT_SWEEP_UNITS)


# ---- target --------------------------------------------------------------------------------------------
def _seed_widget(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def target_controls() -> tuple[TargetConfig, int]:
    """Target picker (with the formula box), points, noise, test share and seed. Returns the target and seed."""
    k = lambda name: f"{KEY}.{name}"  # noqa: E731 - a short local alias keeps the widget calls readable
    for name, value in (("target", DEFAULT_TARGET.name), ("formula", DEFAULT_TARGET.formula),
                        ("n_samples", DEFAULT_TARGET.n_samples), ("noise", DEFAULT_TARGET.noise),
                        ("test_fraction", DEFAULT_TARGET.test_fraction), ("seed", PRESET.seed)):
        _seed_widget(k(name), value)
    name = st.selectbox(t("regression.target"), TARGETS, key=k("target"), help=t("regression.target_help"),
                        format_func=lambda n: t(f"regression.targets.{n}"))
    st.caption(t(f"regression.target_notes.{name}"))
    formula = st.session_state[k("formula")]
    if name == "formula":
        formula = st.text_input(t("regression.formula"), key=k("formula"), max_chars=200,
                                help=t("regression.formula_help", functions=", ".join(FUNCTIONS)))
    n_samples = st.slider(t("regression.n_samples"), 10, 1000, step=10, key=k("n_samples"),
                          help=t("regression.n_samples_help"))
    noise = st.slider(t("regression.noise"), 0.0, 1.0, step=0.05, key=k("noise"), help=t("regression.noise_help"))
    test_fraction = st.slider(t("regression.test_fraction"), 0.1, 0.8, step=0.05, key=k("test_fraction"),
                              help=t("widgets.test_fraction_help"))
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
        st.warning(t("regression.formula_rejected", problem=_plain(str(error))))
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
        model = widgets.network_controls(PRESET.model, KEY, "regression")
        st.header(t("regression.training_header"))
        train = widgets.training_controls(PRESET.train, KEY, task="regression")
    try:
        experiment_config(target, model, train, seed)
    except ValueError as error:
        st.warning(t("regression.invalid_setup", reason=_plain(str(error))))
        return PRESET.model, PRESET.train
    return model, train


# ---- the live run --------------------------------------------------------------------------------------
@dataclass
class LabRun:
    """The run this session is watching, and what it was built from (a change starts a new run)."""

    setup: tuple
    data: RegressionData
    trainer: Trainer
    epochs: int
    playing: bool = False

    @property
    def finished(self) -> bool:
        return self.trainer.done or self.trainer.epoch >= self.epochs


def _new_run(data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int, playing: bool) -> LabRun:
    trainer = regression_trainer(data, model, train, seed)
    return LabRun((data.target, model, train, seed), data, trainer, train.epochs, playing)


def current_run(data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int) -> LabRun:
    """The session's run; a fresh one (still playing if the old one was) when any setting changed."""
    run: LabRun | None = st.session_state.get(f"{KEY}.run")
    if run is None or run.setup != (data.target, model, train, seed):
        run = _new_run(data, model, train, seed, playing=bool(run and run.playing))
        st.session_state[f"{KEY}.run"] = run
    return run


def _advance(run: LabRun, epochs: int, budget_s: float = float("inf")) -> None:
    """Train up to ``epochs`` epochs, stopping early at the end of the run or after ``budget_s`` seconds."""
    start = time.perf_counter()
    for _ in range(epochs):
        if run.finished or not run.trainer.train_epoch() or time.perf_counter() - start > budget_s:
            break


def live_section(run: LabRun) -> None:
    """Transport buttons and every view of the network being trained, rerun on their own while playing."""
    st.fragment(_live_body, run_every=TICK_SECONDS if run.playing else None)()


def _live_body() -> None:
    run: LabRun = st.session_state[f"{KEY}.run"]
    play_col, step_col, reset_col, speed_col = st.columns([1, 1, 1, 2.5], vertical_alignment="bottom")
    _seed_widget(f"{KEY}.speed", 25)
    speed = speed_col.select_slider(t("regression.speed"), options=SPEEDS, key=f"{KEY}.speed",
                                    help=t("regression.speed_help"),
                                    format_func=lambda s: t("regression.speed_value", epochs=s))
    if play_col.button(t("regression.pause") if run.playing else t("regression.play"), key=f"{KEY}.play",
                       type="primary", use_container_width=True, help=t("regression.play_help"),
                       icon=":material/pause:" if run.playing else ":material/play_arrow:"):
        if run.finished and not run.playing:
            run = _restart(run)
        run.playing = not run.playing
        st.rerun()  # the whole page, so the fragment is declared again with (or without) its timer
    if step_col.button(t("regression.step"), key=f"{KEY}.step", use_container_width=True,
                       icon=":material/skip_next:", help=t("regression.step_help", epochs=speed)):
        _advance(run, speed)
    if reset_col.button(t("regression.reset"), key=f"{KEY}.reset", use_container_width=True,
                        icon=":material/restart_alt:", help=t("regression.reset_help")):
        was_playing = run.playing
        run = _restart(run)
        if was_playing:
            st.rerun()
    if run.playing:
        _advance(run, speed, TRAIN_BUDGET_SECONDS)
        if run.finished:
            run.playing = False
            st.rerun()
    live_views(run)


def _restart(run: LabRun) -> LabRun:
    target, model, train, seed = run.setup
    fresh = _new_run(run.data, model, train, seed, playing=False)
    st.session_state[f"{KEY}.run"] = fresh
    return fresh


def live_views(run: LabRun) -> None:
    """Counters, the fit, the decomposition, the loss and R² curves and the metrics table of the run now."""
    data, net, history = run.data, run.trainer.network, run.trainer.history
    split = data.split
    train_scores = regression_metrics(split.y_train, net.predict(split.X_train))
    test_scores = regression_metrics(split.y_test, net.predict(split.X_test))
    counters(run, train_scores, test_scores)
    if history.diverged:
        st.error(_plain(training_message(history)))
    left, right = st.columns(2)
    if data.target.input_dim == 1:
        xs = curve_grid(CURVE_POINTS)
        with left:
            st.plotly_chart(fig.fit_figure(
                xs[:, 0], {t("figures.prediction"): net.predict(xs)[:, 0]}, (split.X_train, split.y_train),
                (split.X_test, split.y_test), true_curve=target_curve(data.target)(xs[:, 0]),
                outliers=data.outliers, title=t("regression.fit_title")), key=f"{KEY}.fit_chart")
        with right:
            try:
                parts = decompose(net, xs)
            except ValueError as error:
                st.info(t("regression.no_decomposition", reason=_plain(str(error))))
            else:
                st.plotly_chart(fig.decomposition_figure(xs[:, 0], parts, (split.X_train, split.y_train),
                                                         title=t("regression.decomposition_title")),
                                key=f"{KEY}.decomposition_chart")
    else:
        surface_views(run, left, right)
    loss_col, metric_col = st.columns(2)
    loss_col.plotly_chart(figures.loss_curves_figure({"run": history}), key=f"{KEY}.loss_chart")
    metric_col.plotly_chart(figures.metric_curves_figure({"run": history}), key=f"{KEY}.r2_chart")
    st.subheader(t("regression.metrics_header"))
    st.dataframe(metrics_table(train_scores, test_scores), hide_index=True, key=f"{KEY}.metrics_table")
    mape_note(train_scores, test_scores)


def counters(run: LabRun, train_scores: dict, test_scores: dict) -> None:
    history = run.trainer.history
    loss = history.train_loss[-1] if history.train_loss else float("nan")
    columns = st.columns(5)
    columns[0].metric(t("regression.counter.epoch"), f"{run.trainer.epoch:,} / {run.epochs:,}")
    columns[1].metric(t("regression.counter.train_loss"), _number(loss))
    columns[2].metric(t("regression.counter.test_rmse"), _number(test_scores["rmse"]))
    columns[3].metric(t("regression.counter.train_r2"), _number(train_scores["r2"], 3))
    columns[4].metric(t("regression.counter.test_r2"), _number(test_scores["r2"], 3))


def surface_views(run: LabRun, left, right) -> None:
    """2-D targets: the prediction as a heatmap (or a 3-D surface) and each hidden neuron's term."""
    data, net = run.data, run.trainer.network
    split = data.split
    grid = grid_input(("x1", "x2"), GRID_RESOLUTION)
    prediction = BoundaryGrid(grid.xs, grid.ys, net.predict(grid.inputs)[:, 0].reshape(grid.shape))
    with left:
        if st.toggle(t("regression.surface_3d"), key=f"{KEY}.surface_3d", help=t("regression.surface_3d_help")):
            st.plotly_chart(fig.surface_3d_figure(prediction, (split.X_train, split.y_train),
                                                  title=t("regression.surface_title")), key=f"{KEY}.surface_chart")
        else:
            st.plotly_chart(fig.surface_figure(prediction, (split.X_train, split.y_train),
                                               (split.X_test, split.y_test), title=t("regression.surface_title")),
                            key=f"{KEY}.surface_chart")
    with right:
        try:
            parts = decompose(net, grid.inputs)
        except ValueError as error:
            st.info(t("regression.no_decomposition", reason=_plain(str(error))))
            return
        st.plotly_chart(fig.decomposition_grid_figure(grid.xs, grid.ys, parts,
                                                      title=t("regression.decomposition_title")),
                        key=f"{KEY}.decomposition_chart")


def metrics_table(train_scores: dict, test_scores: dict) -> dict[str, list[str]]:
    """Columns for ``st.dataframe``: each metric's name, formula, and its value on train and test."""
    return {
        t("regression.table.metric"): [t(f"regression.metric_names.{m}") for m in METRICS],
        t("regression.table.formula"): [t(f"regression.metric_formulas.{m}") for m in METRICS],
        t("regression.table.train"): [_score(m, train_scores) for m in METRICS],
        t("regression.table.test"): [_score(m, test_scores) for m in METRICS],
    }


def mape_note(train_scores: dict, test_scores: dict) -> None:
    """Say when MAPE had to leave targets out (|y| ≈ 0 makes |a − y| / |y| undefined)."""
    for part, scores in (("train", train_scores), ("test", test_scores)):
        if scores["mape_reason"] == MAPE_SOME_TARGETS_ZERO:
            st.caption(t("regression.mape_some_zero", part=t(f"regression.table.{part}"),
                         skipped=scores["mape_skipped"]))
        elif scores["mape_reason"] == MAPE_ALL_TARGETS_ZERO:
            st.caption(t("regression.mape_all_zero", part=t(f"regression.table.{part}")))
    st.caption(t("regression.mape_guard"))


_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$"})


def _plain(text: str) -> str:
    """``text`` with Markdown syntax escaped, so a user's ``__import__`` shows as typed, not in bold."""
    return text.translate(_MARKDOWN_SPECIALS)


def _number(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if np.isfinite(value) else "–"


def _score(metric: str, scores: dict) -> str:
    value = scores[metric]
    if not np.isfinite(value):
        return "–"
    return f"{value:.2f} %" if metric == "mape" else f"{value:.4g}"


# ---- comparing losses ----------------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _loss_fits(target: TargetConfig, model: ModelConfig, train: TrainConfig, seed: int) -> dict:
    data = make_regression_data(target, seed)
    xs = curve_grid(CURVE_POINTS)
    results = {}
    for loss in REGRESSION_LOSSES:
        network, _ = fit(data, replace(model, loss=loss, output_activation="linear"), train, seed)
        results[loss] = (network.predict(xs)[:, 0], regression_metrics(data.split.y_test, network.predict(
            data.split.X_test)))
    return results


def loss_comparison(data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int) -> None:
    """MSE, MAE and Huber fitted to the same points, drawn over the data with their test scores."""
    if data.target.input_dim != 1:
        st.caption(t("regression.losses_1d_only"))
        return
    asked = (data.target, model, train, seed)
    if st.button(t("regression.losses_run"), key=f"{KEY}.losses_run", help=t("regression.losses_run_help")):
        st.session_state[f"{KEY}.losses_asked"] = asked
    if st.session_state.get(f"{KEY}.losses_asked") != asked:
        return
    with st.spinner(t("regression.training_three")):
        results = _loss_fits(data.target, model, train, seed)
    xs = curve_grid(CURVE_POINTS)[:, 0]
    split = data.split
    curves = {t(f"regression.losses.{loss}"): curve for loss, (curve, _) in results.items()}
    st.plotly_chart(fig.fit_figure(xs, curves, (split.X_train, split.y_train), (split.X_test, split.y_test),
                                   true_curve=target_curve(data.target)(xs), outliers=data.outliers,
                                   title=t("regression.losses_title")), key=f"{KEY}.losses_chart")
    columns = st.columns(len(results))
    for column, (loss, (_, scores)) in zip(columns, results.items(), strict=True):
        column.metric(t(f"regression.losses.{loss}"), t("regression.test_r2_value", r2=_number(scores["r2"], 3)),
                      help=t("regression.test_rmse_value", rmse=_number(scores["rmse"])))


# ---- under- and over-fitting ---------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _sweeps(target: TargetConfig, activation: str, epochs: int, seed: int) -> tuple[Sweep, Sweep]:
    data = make_regression_data(target, seed)
    train = replace(SWEEP_TRAIN, epochs=epochs)
    model = ModelConfig(hidden=(LayerConfig(SWEEP_WIDEST, activation),))
    return sweep_units(data, model, train, seed), sweep_l2(data, model, train, seed)


def sweep_controls(target: TargetConfig) -> tuple[TargetConfig, int, int]:
    """Points, noise, epochs and seed of the sweeps' own small sample of ``target``."""
    k = lambda name: f"{KEY}.sweep.{name}"  # noqa: E731
    for name, value in (("n_samples", SWEEP_DATA.n_samples), ("noise", SWEEP_DATA.noise),
                        ("epochs", SWEEP_TRAIN.epochs), ("seed", SWEEP_SEED)):
        _seed_widget(k(name), value)
    columns = st.columns(4)
    n_samples = columns[0].slider(t("regression.n_samples"), 10, 200, step=2, key=k("n_samples"),
                                  help=t("regression.sweep_points_help"))
    noise = columns[1].slider(t("regression.noise"), 0.0, 1.0, step=0.05, key=k("noise"),
                              help=t("regression.noise_help"))
    epochs = columns[2].select_slider(t("widgets.epochs"), options=(100, 200, 500, 1000, 2000), key=k("epochs"),
                                      help=t("regression.sweep_epochs_help"))
    seed = columns[3].number_input(t("widgets.seed"), 0, 2**31 - 1, step=1, key=k("seed"),
                                   help=t("widgets.seed_help"))
    sample = replace(target, n_samples=int(n_samples), noise=float(noise), test_fraction=SWEEP_DATA.test_fraction)
    return sample, int(epochs), int(seed)


def fitting_section(target: TargetConfig, model: ModelConfig) -> None:
    """Train vs test error as hidden units grow, and as the L2 penalty grows on the widest network."""
    sample, epochs, seed = sweep_controls(target)
    activation = model.hidden[0].activation if model.hidden else "tanh"
    st.caption(t("regression.sweep_setup", units=", ".join(map(str, DEFAULT_SWEEP_UNITS)), activation=activation,
                 widest=SWEEP_WIDEST, epochs=epochs, learning_rate=SWEEP_TRAIN.learning_rate,
                 batch_size=SWEEP_TRAIN.batch_size))
    asked = (sample, activation, epochs, seed)
    if st.button(t("regression.sweep_run"), key=f"{KEY}.sweep_run", help=t("regression.sweep_run_help")):
        st.session_state[f"{KEY}.sweep_asked"] = asked
    if st.session_state.get(f"{KEY}.sweep_asked") != asked:
        return
    try:
        data = _regression_data(sample, seed)
        with st.spinner(t("regression.sweep_running")):
            units, l2 = _sweeps(sample, activation, epochs, seed)
    except FormulaError as error:
        st.warning(t("regression.formula_rejected", problem=_plain(str(error))))
        return
    split = data.split
    points = ((split.X_train, split.y_train), (split.X_test, split.y_test))
    true_curve = target_curve(sample)(units.grid[:, 0]) if units.grid is not None else None
    for sweep, name in ((units, "units"), (l2, "l2")):
        st.markdown(t(f"regression.sweep_{name}_header"))
        left, right = st.columns(2)
        left.plotly_chart(fig.sweep_figure(sweep, title=t(f"regression.sweep_{name}_title")),
                          key=f"{KEY}.sweep_{name}_chart")
        if sweep.curves is not None:
            shown = (0, sweep.best_index, len(sweep.values) - 1)
            curves = fig.sweep_curves_figure(sweep, shown, *points, true_curve=true_curve, outliers=data.outliers,
                                             title=t("regression.sweep_curves_title"))
            right.plotly_chart(curves, key=f"{KEY}.sweep_{name}_curves")
        st.caption(t(f"regression.sweep_{name}_reading"))

