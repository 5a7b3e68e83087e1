"""Wiring for the imbalanced-data lab: the sidebar's experiment, the sampler and its training points, the
scores at a threshold (a fragment) with the strategies side by side, and cross-validation done right.
"""

from dataclasses import replace

import streamlit as st

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig, within_limits
from core.experiment.metrics import majority_baseline_accuracy
from core.labs.imbalanced import (
    CLASS_WEIGHT,
    ENSEMBLE,
    ENSEMBLE_MEMBERS,
    MAX_FOLDS,
    MIN_FOLDS,
    STRATEGIES,
    CVComparison,
    StrategyRun,
    cross_validate_strategy,
    operating_point,
    scores_at,
    threshold_sweep,
    train_strategy,
)
from playground import figures, state, widgets
from playground.i18n import t
from playground.markdown_text import escape_markdown
from playground.pages.imbalanced import figures as fig
from playground.training_messages import core_problem

PAGE = state.PageState("imb")
# Opens on 1:20 moons, where "none" visibly misses minority points and the remedies find them.
DEFAULT = within_limits(
    ExperimentConfig(
        data=DataConfig(
            name="imbalanced", n_samples=500, noise=0.3, test_fraction=0.4, minority_ratio=0.05, shape="moons"
        ),
        model=ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
        train=TrainConfig(epochs=60, batch_size=32, learning_rate=0.03),
    )
)
# Class ratios a sampler can aim for, minority : majority (1 : 10 up to 1 : 1).
RATIOS = (0.1, 0.2, 0.25, 0.5, 1.0)
SCORE_TILES = ("recall", "precision", "f1", "balanced_accuracy", "roc_auc", "average_precision")
# The ensemble resamples inside each member already, so there is no leaky way to cross-validate it.
CV_SAMPLERS = tuple(s for s in STRATEGIES if s not in ("none", CLASS_WEIGHT, ENSEMBLE))


@st.cache_data(max_entries=64, show_spinner=False)
def trained(config: ExperimentConfig, strategy: str) -> StrategyRun:
    """One strategy's run, cached by the whole configuration and the strategy."""
    return train_strategy(config, strategy)


@st.cache_data(max_entries=16, show_spinner=False)
def cross_validated(config: ExperimentConfig, strategy: str, n_splits: int) -> CVComparison:
    return cross_validate_strategy(config, strategy, n_splits)


@st.cache_resource(max_entries=32, show_spinner=False)
def boundary_figure(config: ExperimentConfig, strategy: str, title: str, height: int | None = None):
    """A strategy's decision boundary with its points (and ensemble members): the same at every threshold, so
    built once; rebuilding four of them made each step of the threshold slider take about half a second."""
    run = trained(config, strategy)
    size = {} if height is None else {"height": height}
    return fig.with_member_boundaries(
        figures.decision_boundary_figure(
            run.grid,
            "binary",
            train=(run.X_train, run.y_train),
            test=(run.X_test, run.y_test),
            synthetic=run.synthetic,
            title=title,
            **size,
        ),
        run.member_grids,
    )


def run_or_explain(config: ExperimentConfig, strategy: str) -> StrategyRun | None:
    try:
        return trained(config, strategy)
    except ValueError as error:
        st.warning(t("imbalanced.failed", error=escape_markdown(core_problem(error))))
        return None


def strategy_name(strategy: str) -> str:
    return t(f"imbalanced.strategies.{strategy}")


def score_tiles(metrics: dict) -> None:
    """The six imbalance-aware scores as tiles with tooltips, three to a row."""
    for row in (SCORE_TILES[:3], SCORE_TILES[3:]):
        for column, name in zip(st.columns(3), row, strict=True):
            column.metric(
                t(f"imbalanced.scores.{name}"), f"{metrics[name]:.2f}", help=t(f"imbalanced.scores_help.{name}")
            )


def describe_training_points(run: StrategyRun) -> None:
    """What the strategy did to the training points: the class counts before and after, and the added points."""
    (before_major, before_minor), (after_major, after_minor) = run.counts_before, run.counts_after
    if run.strategy == ENSEMBLE:
        st.markdown(
            t(
                "imbalanced.sampler.ensemble_counts",
                major=before_major,
                minor=before_minor,
                members=ENSEMBLE_MEMBERS,
                seen=run.majority_seen,
            )
        )
    else:
        st.markdown(
            t(
                "imbalanced.sampler.counts",
                before_major=before_major,
                before_minor=before_minor,
                after_major=after_major,
                after_minor=after_minor,
            )
        )
    if run.strategy == "cluster_centroids":
        st.markdown(t("imbalanced.sampler.centroids", n=run.n_synthetic))
    elif run.n_synthetic:
        st.markdown(t("imbalanced.sampler.synthetic", n=run.n_synthetic))
    else:
        st.markdown(t("imbalanced.sampler.no_synthetic"))


# ---- the page's sections, in order -------------------------------------------------------------------------
def lab_config() -> ExperimentConfig:
    """The sidebar's data, network and training; a configuration core refuses stops the page with its message."""
    with st.sidebar:
        st.header(t("imbalanced.sidebar.data"))
        data, seed = widgets.dataset_controls(DEFAULT.data, PAGE, names=("imbalanced",), seed=DEFAULT.seed)
        with st.expander(t("imbalanced.sidebar.network")):
            model = widgets.network_controls(DEFAULT.model, PAGE, "binary")
            epochs = st.slider(
                t("imbalanced.sidebar.epochs"),
                10,
                500,
                DEFAULT.train.epochs,
                step=10,
                key=PAGE.key("epochs"),
                help=t("imbalanced.sidebar.epochs_help"),
            )
            learning_rate = st.select_slider(
                t("imbalanced.sidebar.learning_rate"),
                widgets.LEARNING_RATES,
                DEFAULT.train.learning_rate,
                key=PAGE.key("learning_rate"),
                help=t("imbalanced.sidebar.learning_rate_help"),
            )
    config = replace(
        DEFAULT,
        data=data,
        model=model,
        seed=seed,
        train=replace(DEFAULT.train, epochs=int(epochs), learning_rate=float(learning_rate)),
    )
    try:
        config.validate()
    except ValueError as error:
        st.error(t("imbalanced.invalid_config", error=escape_markdown(core_problem(error))))
        st.stop()
    return config


def sampler_section(config: ExperimentConfig) -> tuple[ExperimentConfig, str, StrategyRun]:
    """1 · Pick a sampler and a ratio, see the training points it makes; returns the configuration with that ratio,
    the strategy and its run (a strategy that cannot train is explained and stops the page)."""
    left, right = st.columns([2, 3])
    with left:
        strategy = st.selectbox(
            t("imbalanced.sampler.label"),
            STRATEGIES,
            index=STRATEGIES.index("smote"),
            key=PAGE.key("strategy"),
            format_func=strategy_name,
            help=t("imbalanced.sampler.help"),
        )
        st.markdown(t(f"imbalanced.notes.{strategy}"))
        ratio = st.select_slider(
            t("imbalanced.sampler.ratio"),
            RATIOS,
            value=1.0,
            key=PAGE.key("ratio"),
            format_func=lambda r: t("imbalanced.sampler.ratio_value", inverse=round(1 / r, 3)),
            help=t("imbalanced.sampler.ratio_help"),
        )
        config = replace(config, data=replace(config.data, sampling_ratio=float(ratio)))
        if ratio != 1.0 and strategy in ("none", CLASS_WEIGHT, ENSEMBLE):
            st.caption(t("imbalanced.sampler.ratio_ignored"))
        run = run_or_explain(config, strategy)
        if run is None:
            st.stop()
        describe_training_points(run)
    right.plotly_chart(
        fig.resampled_points_figure(
            run.X_train, run.y_train, run.synthetic, title=t("imbalanced.sampler.points_title")
        ),
        key=PAGE.key("points"),
    )
    return config, strategy, run


@st.fragment
def at_a_threshold(config: ExperimentConfig, strategy: str, run: StrategyRun) -> None:
    """Everything that moves with the threshold (sections 2 and 3). A fragment, so a slider step reruns only this:
    the runs and the decision boundaries come from the caches above, so a step trains, resamples and draws no
    boundary; it recounts the confusion matrix and redraws the small threshold-dependent figures."""
    threshold = st.slider(
        t("imbalanced.test.threshold"),
        0.0,
        1.0,
        0.5,
        step=0.01,
        key=PAGE.key("threshold"),
        help=t("imbalanced.test.threshold_help"),
    )
    metrics = scores_at(run, threshold)
    baseline = majority_baseline_accuracy(run.y_test)
    accuracy_tile, baseline_tile, note = st.columns([1, 1, 3])
    accuracy_tile.metric(
        t("imbalanced.test.accuracy"),
        f"{metrics['accuracy']:.1%}",
        help=t("imbalanced.test.accuracy_help"),
        delta=t("imbalanced.test.baseline_delta", delta=metrics["accuracy"] - baseline),
    )
    baseline_tile.metric(t("imbalanced.test.baseline"), f"{baseline:.1%}", help=t("imbalanced.test.baseline_help"))
    note.info(t("imbalanced.test.accuracy_note", baseline=baseline))
    score_tiles(metrics)

    point = operating_point(run.y_test, run.test_scores, threshold)
    boundary_column, confusion_column = st.columns(2)
    boundary_column.plotly_chart(
        boundary_figure(config, strategy, t("imbalanced.test.boundary_title", strategy=strategy_name(strategy))),
        key=PAGE.key("boundary"),
    )
    if run.member_grids:
        boundary_column.caption(t("imbalanced.sampler.ensemble_members"))
    confusion_column.plotly_chart(
        fig.confusion_matrix_figure(point.confusion, title=t("imbalanced.test.confusion_title", threshold=threshold)),
        key=PAGE.key("confusion"),
    )
    label = t(f"imbalanced.short.{strategy}")
    roc_column, pr_column, sweep_column = st.columns(3)
    roc_column.plotly_chart(fig.roc_figure({label: run.curves}, {label: point}), key=PAGE.key("roc"))
    pr_column.plotly_chart(
        fig.pr_figure({label: run.curves}, {label: point}, prevalence=run.prevalence), key=PAGE.key("pr")
    )
    sweep_column.plotly_chart(
        fig.threshold_sweep_figure(threshold_sweep(run.y_test, run.test_scores), threshold), key=PAGE.key("sweep")
    )

    # ---- 3 · side by side --------------------------------------------------------------------------------------
    st.header(t("imbalanced.compare.header"))
    st.caption(t("imbalanced.compare.explain"))
    chosen = st.multiselect(
        t("imbalanced.compare.label"),
        STRATEGIES,
        default=["none", "smote", CLASS_WEIGHT],
        max_selections=4,
        key=PAGE.key("compare"),
        format_func=strategy_name,
        help=t("imbalanced.compare.help"),
    )
    with st.spinner(t("imbalanced.compare.training")):
        runs = {name: result for name in chosen if (result := run_or_explain(config, name)) is not None}
    if len(runs) < 2:
        st.info(t("imbalanced.compare.too_few"))
    else:
        # Scored once per strategy and step, for both the lines under the boundaries and the bar chart.
        scores = {name: scores_at(r, threshold) for name, r in runs.items()}
        for column, name in zip(st.columns(len(runs)), runs, strict=True):
            column.plotly_chart(boundary_figure(config, name, strategy_name(name), 320), key=PAGE.key(f"side.{name}"))
            column.markdown(t("imbalanced.compare.scores_line", **scores[name]))
        labels = {name: t(f"imbalanced.short.{name}") for name in runs}
        curves = {labels[name]: result.curves for name, result in runs.items()}
        points = {labels[name]: operating_point(r.y_test, r.test_scores, threshold) for name, r in runs.items()}
        roc_column, pr_column = st.columns(2)
        roc_column.plotly_chart(fig.roc_figure(curves, points), key=PAGE.key("side.roc"))
        pr_column.plotly_chart(fig.pr_figure(curves, points, prevalence=run.prevalence), key=PAGE.key("side.pr"))
        st.plotly_chart(
            fig.strategy_scores_figure(
                {labels[name]: scores[name] for name in runs},
                title=t("imbalanced.compare.scores_title", threshold=threshold),
            ),
            key=PAGE.key("side.scores"),
        )


def cv_section(config: ExperimentConfig) -> None:
    """4 · Cross-validation with the sampler inside each fold against the leaky way, and the held-out truth."""
    sampler_column, folds_column = st.columns(2)
    cv_strategy = sampler_column.selectbox(
        t("imbalanced.cv.label"),
        CV_SAMPLERS,
        index=CV_SAMPLERS.index("random_over"),
        key=PAGE.key("cv_strategy"),
        format_func=strategy_name,
        help=t("imbalanced.cv.help"),
    )
    n_splits = folds_column.slider(
        t("imbalanced.cv.folds"), MIN_FOLDS, MAX_FOLDS, 3, key=PAGE.key("cv_folds"), help=t("imbalanced.cv.folds_help")
    )
    if st.toggle(t("imbalanced.cv.run"), key=PAGE.key("cv_on"), help=t("imbalanced.cv.run_help")):
        try:
            with st.spinner(t("imbalanced.cv.running")):
                comparison = cross_validated(config, cv_strategy, n_splits)
        except ValueError as error:
            st.warning(t("imbalanced.failed", error=escape_markdown(core_problem(error))))
        else:
            st.markdown(
                t(
                    "imbalanced.cv.result",
                    leaky=comparison.mean("leaky")["f1"],
                    right=comparison.mean("right")["f1"],
                    truth=comparison.holdout["f1"],
                )
            )
            st.plotly_chart(
                fig.cv_comparison_figure(comparison, title=t("imbalanced.cv.chart_title")), key=PAGE.key("cv")
            )
