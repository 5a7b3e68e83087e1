"""Wiring for the Experiments page: the sidebar's experiment and the four tabs (sweeps, the LR range test,
cross-validation, grid and random search), each run as a job the page can watch and stop.
"""

from dataclasses import replace

import streamlit as st
from scipy.stats import loguniform

from core.engine.optimizers import OPTIMIZERS
from core.experiment.config import (
    HIDDEN_ACTIVATIONS,
    DataConfig,
    ExperimentConfig,
    LayerConfig,
    ModelConfig,
    TrainConfig,
    within_limits,
)
from core.experiment.settings import LIMITS
from core.labs.search import (
    CV_METHODS,
    CVScores,
    Sweep,
    config_search_run,
    config_with_params,
    lr_range_test,
    score_matrix,
    search_candidates,
    sweep_verdicts,
)
from playground import search_runner, state, widgets
from playground.i18n import t
from playground.language import with_language
from playground.markdown_text import escape_markdown
from playground.pages.experiments import figures as fig
from playground.training_messages import core_problem
from playground.urlstate import playground_url

PAGE = state.PageState("exp")
# Circles with plain SGD: a learning rate of 0.003 crawls, 0.3 learns, 3 thrashes — the classic
# "too small, just right, too large" learning-rate curves.
DEFAULT = within_limits(
    ExperimentConfig(
        data=DataConfig(name="circles", n_samples=200, noise=0.15),
        model=ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
        train=TrainConfig(optimizer="sgd", learning_rate=0.3, batch_size=16, epochs=100),
    )
)
SWEEP_DEFAULTS = {"learning_rate": [0.003, 0.3, 3.0], "batch_size": [1, 16, 128]}
SWEEP_OPTIONS = {"learning_rate": widgets.LEARNING_RATES, "batch_size": widgets.BATCH_SIZES}
RANGE_RATES = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
CLASSIFIER_SCORES = ("accuracy", "balanced_accuracy", "f1_macro")
REGRESSOR_SCORES = ("r2", "neg_mean_squared_error")
SEARCH_OPTIONS = {
    "learning_rate": widgets.LEARNING_RATES,
    "hidden_layer_sizes": ((2,), (4,), (8,), (16,), (32,), (8, 8), (16, 8), (16, 16), (8, 8, 8)),
    "activation": HIDDEN_ACTIVATIONS,
    "batch_size": widgets.BATCH_SIZES,
    "l2": widgets.PENALTIES,
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.5),
    "optimizer": OPTIMIZERS,
    "epochs": (25, 50, 100, 200, 400),
}
SEARCH_DEFAULTS = {
    "learning_rate": [0.003, 0.3],
    "hidden_layer_sizes": [(2,), (8,)],
    "activation": ["tanh", "relu"],
    "batch_size": [8, 32],
    "l2": [0.0, 0.01],
    "dropout": [0.0, 0.2],
    "optimizer": ["sgd", "adam"],
    "epochs": [50, 100],
}
LOG_UNIFORM = ("learning_rate", "l2")  # random search draws these between the smallest and largest value chosen
MAX_CANDIDATES = 60


@st.cache_data(max_entries=32, show_spinner=False)
def range_test(config: ExperimentConfig, lr_min: float, lr_max: float, steps: int):
    return lr_range_test(config, lr_min=lr_min, lr_max=lr_max, steps=steps)


def scoring_options(task: str) -> tuple[str, ...]:
    return REGRESSOR_SCORES if task == "regression" else CLASSIFIER_SCORES


# ---- 1 · sweeps --------------------------------------------------------------------------------------------
def draw_sweep(job: Sweep, view: state.PageState) -> None:
    verdicts = sweep_verdicts(job.histories) if job.finished and job.parameter == "learning_rate" else None
    st.plotly_chart(fig.sweep_figure(job.histories, job.parameter, verdicts), key=view.key("fig"))
    if verdicts:
        st.caption(t("experiments.sweep.verdict_note"))


@st.fragment
def sweep_section(config: ExperimentConfig) -> None:
    st.markdown(t("experiments.sweep.intro"))
    parameter = st.radio(
        t("experiments.sweep.parameter"),
        tuple(SWEEP_OPTIONS),
        key=PAGE.key("sweep.parameter"),
        format_func=fig.parameter_label,
        horizontal=True,
        help=t("experiments.sweep.parameter_help"),
    )
    values = st.multiselect(
        t("experiments.sweep.values"),
        SWEEP_OPTIONS[parameter],
        SWEEP_DEFAULTS[parameter][: LIMITS.max_concurrent_runs],
        key=PAGE.key(f"sweep.values.{parameter}"),
        format_func=fig.format_value,
        max_selections=LIMITS.max_concurrent_runs,  # one network per value, all trained together
        help=t("experiments.sweep.values_help", max=LIMITS.max_concurrent_runs),
    )
    chosen = tuple(sorted(values))
    search_runner.job_panel(
        PAGE,
        "sweep.job",
        (config, parameter, chosen),
        lambda: Sweep(config, parameter, chosen),
        draw_sweep,
        start_label=t("experiments.sweep.start"),
        start_help=t("experiments.sweep.start_help"),
    )


# ---- 2 · LR range test -------------------------------------------------------------------------------------
def range_section(config: ExperimentConfig) -> None:
    st.markdown(t("experiments.range.intro"))
    low_col, high_col, steps_col = st.columns(3)
    lr_min = low_col.select_slider(
        t("experiments.range.lr_min"),
        RANGE_RATES[:-2],
        1e-5,
        key=PAGE.key("range.min"),
        format_func=fig.format_value,
        help=t("experiments.range.lr_min_help"),
    )
    lr_max = high_col.select_slider(
        t("experiments.range.lr_max"),
        RANGE_RATES[3:],
        10.0,
        key=PAGE.key("range.max"),
        format_func=fig.format_value,
        help=t("experiments.range.lr_max_help"),
    )
    steps = steps_col.slider(
        t("experiments.range.steps"),
        20,
        400,
        200,
        step=10,
        key=PAGE.key("range.steps"),
        help=t("experiments.range.steps_help"),
    )
    result = range_test(config, float(lr_min), float(lr_max), int(steps))
    st.plotly_chart(fig.range_test_figure(result), key=PAGE.key("range.fig"))
    note = "experiments.range.stopped" if result.stopped_early else "experiments.range.not_stopped"
    st.caption(t(note, rate=f"{result.suggested:.2g}", steps=len(result.losses)))


# ---- 3 · cross-validation ----------------------------------------------------------------------------------
def draw_cv(job, view: state.PageState) -> None:
    result = job.result()
    scores = result.candidates[0] if result.candidates else None
    if scores is None:  # the folds finished so far, shown while the rest run
        scores = CVScores({}, job.partial_scores, result.scoring)
    if len(scores.fold_scores):
        left, right = st.columns([1, 3])
        left.metric(fig.score_label(scores.scoring), f"{scores.mean:.3f}", help=t("experiments.cv.mean_help"))
        left.metric(t("experiments.cv.std"), f"± {scores.std:.3f}", help=t("experiments.cv.std_help"))
        right.plotly_chart(fig.cv_figure(scores), key=view.key("fig"))


@st.fragment
def cv_section(config: ExperimentConfig) -> None:
    st.markdown(t("experiments.cv.intro"))
    method_col, folds_col, score_col = st.columns(3)
    methods = CV_METHODS if config.task != "regression" else tuple(m for m in CV_METHODS if m != "stratified")
    method = method_col.radio(
        t("experiments.cv.method"),
        methods,
        key=PAGE.key("cv.method"),
        format_func=lambda m: t(f"experiments.cv.methods.{m}"),
        help=t("experiments.cv.method_help"),
    )
    n_splits = folds_col.slider(
        t("experiments.cv.folds"),
        2,
        10,
        5,
        key=PAGE.key("cv.folds"),
        disabled=method == "loo",
        help=t("experiments.cv.folds_help"),
    )
    scoring = score_col.selectbox(
        t("experiments.cv.scoring"),
        scoring_options(config.task),
        key=PAGE.key("cv.scoring"),
        format_func=fig.score_label,
        help=t("experiments.cv.scoring_help"),
    )
    if method == "loo" and config.task == "regression":
        scoring = None  # R² is undefined on one sample; core scores the squared error instead
        st.caption(t("experiments.cv.loo_regression"))
    search_runner.job_panel(
        PAGE,
        "cv.job",
        (config, method, n_splits, scoring),
        lambda: config_search_run(config, [{}], method, int(n_splits), scoring),
        draw_cv,
        start_label=t("experiments.cv.start"),
        start_help=t("experiments.cv.start_help"),
    )


# ---- 4 · grid and random search ----------------------------------------------------------------------------
def draw_search(job, view: state.PageState) -> None:
    result = job.result()
    if not result.candidates:
        st.caption(t("experiments.search.waiting"))
        return
    st.dataframe(fig.search_table(result), hide_index=True, key=view.key("table"))
    st.plotly_chart(fig.search_progress_figure(result), key=view.key("progress"))


def finish_search(job) -> None:
    result = job.result()
    best = result.best
    if best is None:
        return
    searched = list(best.params)
    if len(searched) >= 2:
        x_col, y_col = st.columns(2)
        x_param = x_col.selectbox(
            t("experiments.search.heatmap_x"), searched, 0, key=PAGE.key("search.hx"), format_func=fig.parameter_label
        )
        y_param = y_col.selectbox(
            t("experiments.search.heatmap_y"), searched, 1, key=PAGE.key("search.hy"), format_func=fig.parameter_label
        )
        if x_param != y_param:
            xs, ys, Z = score_matrix(result, x_param, y_param)
            st.plotly_chart(
                fig.score_heatmap_figure(xs, ys, Z, x_param, y_param, result.scoring), key=PAGE.key("search.heatmap")
            )
    params = ", ".join(f"{fig.parameter_label(k)} = {fig.format_value(v)}" for k, v in best.params.items())
    st.success(
        t(
            "experiments.search.best",
            params=params,
            score=fig.score_label(result.scoring),
            mean=f"{best.mean:.3f}",
            std=f"{best.std:.3f}",
        )
    )
    st.link_button(
        t("experiments.search.open_best"),
        with_language(playground_url(config_with_params(job.config, best.params))),
        icon=":material/open_in_new:",
        help=t("experiments.search.open_best_help"),
    )


def search_values(chosen: list[str]) -> dict[str, tuple]:
    """The values picked for each searched setting (settings with none picked are left out)."""
    picked = {}
    for name in chosen:
        values = st.multiselect(
            fig.parameter_label(name),
            SEARCH_OPTIONS[name],
            SEARCH_DEFAULTS[name],
            key=PAGE.key(f"search.values.{name}"),
            format_func=fig.format_value,
            help=t(f"experiments.params_help.{name}"),
        )
        if values:
            picked[name] = tuple(values)
    return picked


def search_space(kind: str, picked: dict[str, tuple]) -> dict:
    """Lists to try; a random search draws the learning rate and L2 log-uniformly between the extremes."""
    space = {}
    for name, values in picked.items():
        if kind == "random" and name in LOG_UNIFORM and len(values) >= 2 and min(values) > 0:
            space[name] = loguniform(min(values), max(values))
        else:
            space[name] = list(values)
    return space


def make_search(
    config: ExperimentConfig, kind: str, picked: dict[str, tuple], n_iter: int, method: str, n_splits: int, scoring: str
):
    space = search_space(kind, picked)
    if not space:
        raise ValueError(t("experiments.search.no_values"))
    candidates = search_candidates(space, kind, n_iter, config.seed)
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(t("experiments.search.too_many", count=len(candidates), limit=MAX_CANDIDATES))
    return config_search_run(config, candidates, method, n_splits, scoring)


@st.fragment
def search_section(config: ExperimentConfig) -> None:
    st.markdown(t("experiments.search.intro"))
    kind_col, params_col = st.columns([1, 3])
    kind = kind_col.radio(
        t("experiments.search.kind"),
        ("grid", "random"),
        key=PAGE.key("search.kind"),
        format_func=lambda k: t(f"experiments.search.kinds.{k}"),
        help=t("experiments.search.kind_help"),
    )
    chosen = params_col.multiselect(
        t("experiments.search.params"),
        tuple(SEARCH_OPTIONS),
        ["learning_rate", "hidden_layer_sizes"],
        key=PAGE.key("search.params"),
        format_func=fig.parameter_label,
        max_selections=4,
        help=t("experiments.search.params_help"),
    )
    picked = search_values(chosen)
    iter_col, method_col, folds_col, score_col = st.columns(4)
    n_iter = iter_col.slider(
        t("experiments.search.n_iter"),
        2,
        40,
        8,
        key=PAGE.key("search.n_iter"),
        disabled=kind != "random",
        help=t("experiments.search.n_iter_help"),
    )
    methods = ("kfold",) if config.task == "regression" else ("stratified", "kfold")
    method = method_col.selectbox(
        t("experiments.cv.method"),
        methods,
        key=PAGE.key("search.method"),
        format_func=lambda m: t(f"experiments.cv.methods.{m}"),
    )
    n_splits = folds_col.slider(
        t("experiments.cv.folds"), 2, 10, 3, key=PAGE.key("search.folds"), help=t("experiments.cv.folds_help")
    )
    scoring = score_col.selectbox(
        t("experiments.cv.scoring"),
        scoring_options(config.task),
        key=PAGE.key("search.scoring"),
        format_func=fig.score_label,
    )
    if kind == "random" and any(name in LOG_UNIFORM for name in picked):
        st.caption(t("experiments.search.log_uniform"))
    signature = (config, kind, tuple(picked.items()), int(n_iter), method, int(n_splits), scoring)
    search_runner.job_panel(
        PAGE,
        "search.job",
        signature,
        lambda: make_search(config, kind, picked, int(n_iter), method, int(n_splits), scoring),
        draw_search,
        finish=finish_search,
        start_label=t("experiments.search.start"),
        start_help=t("experiments.search.start_help"),
    )


# ---- the experiment every tab uses -------------------------------------------------------------------------
def experiment_config() -> ExperimentConfig:
    """The sidebar's data, network and training; a configuration core refuses stops the page with its message."""
    with st.sidebar:
        st.header(t("experiments.sidebar.data"))
        data, seed = widgets.dataset_controls(DEFAULT.data, PAGE, seed=DEFAULT.seed)
        task = widgets.task_of(data)
        with st.expander(t("experiments.sidebar.network")):
            model = widgets.network_controls(DEFAULT.model, PAGE, task)
        with st.expander(t("experiments.sidebar.training")):
            train = widgets.training_controls(DEFAULT.train, PAGE, task)
    config = replace(DEFAULT, data=data, model=model, train=train, seed=seed)
    try:
        config.validate()
        state.prepared_data(config)
    except ValueError as error:
        st.error(t("experiments.invalid_config", error=escape_markdown(core_problem(error))))
        st.stop()
    return config
