"""Wiring for the Digits page: the sidebar's architecture and training settings, the training job (watched and
stoppable), what the trained network shows (mistakes, first-layer weights or kernels, a digit you draw), and the
locality toy.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from core.engine.convnet import ConvNetwork
from core.experiment.config import ExperimentConfig
from core.experiment.presets import preset_config
from core.labs.digits import (
    CNN_MODEL,
    DIGITS_MODELS,
    as_image,
    as_pixels,
    bars_comparison,
    conv_kernels,
    digits_run,
    evaluate,
    feature_maps,
    first_layer_images,
    forward_trace,
    layer_label,
    make_bars,
)
from core.labs.search import TrainingRun
from playground import figures, search_runner, state, widgets
from playground.export_buttons import export_buttons
from playground.i18n import t
from playground.pages.digits import figures as fig
from playground.training_messages import training_message

PAGE = state.PageState("dig")
MAX_MISTAKES_SHOWN = 18
DENSE_BASE = "digits_64_16_10"  # the CNN trains with this preset's data split and training settings
BARS_EPOCHS = 15


def layer_names(network) -> list[str]:
    if isinstance(network, ConvNetwork):
        return [layer_label(spec) for spec in network.layers]
    names = [
        t("digits.layer", number=i + 1, units=s.units, activation=s.activation)
        for i, s in enumerate(network.layers[:-1])
    ]
    output = network.layers[-1]
    return [*names, t("digits.output_layer", units=output.units, activation=output.activation)]


def draw_training(job: TrainingRun, view: state.PageState) -> None:
    history = job.history
    epoch_col, loss_col, accuracy_col = st.columns(3)
    epoch_col.metric(t("digits.epoch"), f"{job.trainer.epoch} / {job.config.train.epochs}")
    if len(history):
        loss_col.metric(t("digits.train_loss"), f"{history.train_loss[-1]:.3f}")
        accuracy_col.metric(
            t("digits.test_accuracy"), f"{history.val_metric[-1]:.1%}", help=t("digits.test_accuracy_help")
        )
    left, right = st.columns(2)
    left.plotly_chart(figures.loss_curves_figure({"": history}), key=view.key("loss"))
    right.plotly_chart(figures.metric_curves_figure({"": history}), key=view.key("accuracy"))
    if history.message:
        st.warning(training_message(history))


def results(job: TrainingRun) -> None:
    """After training (or Stop): scores, mistakes, what the first layer learned, and one image step by step."""
    if not len(job.history):
        return
    split = job.data.split
    evaluation = evaluate(job.network, split.X_test, split.y_test)

    st.header(t("digits.results.header"))
    st.metric(
        t("digits.test_accuracy"),
        f"{evaluation.accuracy:.1%}",
        help=t("digits.results.accuracy_help", n=len(evaluation.y)),
    )
    left, right = st.columns([2, 3])
    left.plotly_chart(fig.confusion_figure(evaluation.confusion), key=PAGE.key("confusion"))
    with right:
        wrong = evaluation.misclassified[:MAX_MISTAKES_SHOWN]
        if len(wrong):
            st.plotly_chart(
                fig.misclassified_figure(
                    [as_image(split.X_test[i]) for i in wrong],
                    evaluation.y[wrong],
                    evaluation.predicted[wrong],
                    evaluation.probabilities[wrong, evaluation.predicted[wrong]],
                ),
                key=PAGE.key("mistakes"),
            )
            st.caption(t("digits.results.mistakes_note", shown=len(wrong), total=len(evaluation.misclassified)))
        else:
            st.success(t("digits.results.no_mistakes"))

    scores = PAGE.setdefault("scores", {})
    scores[job.model] = (job.network.n_parameters, evaluation.accuracy, job.trainer.epoch)
    comparison_table(scores)

    st.header(t("digits.weights.header"))
    if isinstance(job.network, ConvNetwork):
        st.markdown(t("digits.weights.cnn_intro"))
        st.plotly_chart(fig.kernels_figure(conv_kernels(job.network)), key=PAGE.key("weights"))
    else:
        st.markdown(t("digits.weights.intro"))
        st.plotly_chart(fig.weights_figure(first_layer_images(job.network)), key=PAGE.key("weights"))

    st.header(t("digits.try.header"))
    st.markdown(t("digits.try.intro"))
    source = st.radio(
        t("digits.try.source"),
        ("test", "draw"),
        key=PAGE.key("try.source"),
        horizontal=True,
        format_func=lambda name: t(f"digits.try.sources.{name}"),
        help=t("digits.try.source_help"),
    )
    true_digit = None
    if source == "draw":
        pixels = drawn_digit(split.X_test)
    else:
        mistakes_only = st.toggle(
            t("digits.try.mistakes_only"),
            key=PAGE.key("try.mistakes"),
            value=len(evaluation.misclassified) > 0,
            disabled=not len(evaluation.misclassified),
            help=t("digits.try.mistakes_only_help"),
        )
        options = list(evaluation.misclassified) if mistakes_only else list(range(len(evaluation.y)))
        index = st.selectbox(
            t("digits.try.pick"),
            options,
            key=PAGE.key(f"try.index.{mistakes_only}"),
            help=t("digits.try.pick_help"),
            format_func=lambda i: t(
                "digits.try.option", number=i + 1, digit=evaluation.y[i], predicted=evaluation.predicted[i]
            ),
        )
        pixels, true_digit = split.X_test[index], int(evaluation.y[index])
    forward_pass(job.network, pixels, true_digit)

    st.header(t("export.header"))
    export_buttons(job.network, job.config, PAGE.child("export"))


def comparison_table(scores: dict) -> None:
    """Every architecture trained in this session: its parameter count next to its test accuracy."""
    st.subheader(t("digits.compare.header"))
    rows = [
        {
            t("digits.compare.model"): t(f"digits.presets.{model}"),
            t("digits.compare.parameters"): n_parameters,
            t("digits.compare.accuracy"): f"{accuracy:.1%}",
            t("digits.compare.epochs"): epochs,
        }
        for model, (n_parameters, accuracy, epochs) in sorted(scores.items(), key=lambda kv: DIGITS_MODELS.index(kv[0]))
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=PAGE.key("compare"))
    missing = [t(f"digits.presets.{m}") for m in DIGITS_MODELS if m not in scores]
    st.caption(
        t("digits.compare.note") + (" " + t("digits.compare.missing", models=", ".join(missing)) if missing else "")
    )


def drawn_digit(test_images: np.ndarray) -> np.ndarray:
    """An 8×8 grid of numbers 0–16 the user edits (ink 16, paper 0), started from a test image or blank."""
    start = st.radio(
        t("digits.draw.start"),
        ("blank", "test"),
        key=PAGE.key("draw.start"),
        horizontal=True,
        format_func=lambda name: t(f"digits.draw.starts.{name}"),
        help=t("digits.draw.start_help"),
    )
    initial = np.zeros((8, 8), dtype=int) if start == "blank" else np.rint(as_image(test_images[0]) * 16).astype(int)
    if start == "blank":  # a simple "1" so the forward pass shows something before the first edit
        initial[1:7, 4] = 16
    columns = [str(c + 1) for c in range(8)]
    grid = st.data_editor(
        pd.DataFrame(initial, columns=columns),
        key=PAGE.key(f"draw.grid.{start}"),
        column_config={
            c: st.column_config.NumberColumn(c, min_value=0, max_value=16, step=1, width=40) for c in columns
        },
        num_rows="fixed",
        hide_index=True,
    )
    st.caption(t("digits.draw.note"))
    return as_pixels(grid.to_numpy(dtype=float, na_value=0.0))


def forward_pass(network, pixels: np.ndarray, true_digit: int | None) -> None:
    """One image through the network: feature maps layer by layer for a CNN, activation bars for a dense one."""
    trace = forward_trace(network, pixels)
    if isinstance(network, ConvNetwork):
        st.markdown(t("digits.try.maps_intro"))
        for k, (label, values) in enumerate(feature_maps(network, pixels)):
            if values.ndim == 3:
                st.plotly_chart(
                    fig.feature_maps_figure(values, t("digits.fig.maps_title", layer=label)), key=PAGE.key(f"maps.{k}")
                )
    else:
        st.plotly_chart(fig.forward_pass_figure(as_image(pixels), trace, layer_names(network)), key=PAGE.key("forward"))
    left, right = st.columns([3, 2])
    left.plotly_chart(fig.probabilities_figure(trace[-1], true=true_digit), key=PAGE.key("probabilities"))
    right.markdown(t("digits.try.explain_cnn" if isinstance(network, ConvNetwork) else "digits.try.explain"))


def locality_toy(seed: int) -> None:
    """Bars at random places: a dense network and a CNN on the same images, side by side."""
    st.header(t("digits.bars.header"))
    st.markdown(t("digits.bars.intro"))
    X, y = make_bars(16, seed)
    st.plotly_chart(fig.bars_examples_figure(X[:16].reshape(-1, 8, 8), y[:16]), key=PAGE.key("bars.examples"))
    if st.button(
        t("digits.bars.train"),
        key=PAGE.key("bars.train"),
        help=t("digits.bars.train_help"),
        icon=":material/play_arrow:",
    ):
        with st.spinner(t("digits.bars.training")):
            PAGE["bars"] = (seed, bars_comparison(epochs=BARS_EPOCHS, seed=seed))
    done = PAGE.get("bars")
    if done is None or done[0] != seed:
        return
    dense, cnn = done[1]
    left, right = st.columns(2)
    left.metric(
        t("digits.bars.dense"),
        f"{dense.test_accuracy[-1]:.1%}",
        help=t("digits.bars.parameters", count=dense.n_parameters),
    )
    right.metric(
        t("digits.bars.cnn"), f"{cnn.test_accuracy[-1]:.1%}", help=t("digits.bars.parameters", count=cnn.n_parameters)
    )
    st.plotly_chart(
        fig.bars_curves_figure(
            {
                t("digits.bars.dense_curve", count=dense.n_parameters): dense.test_accuracy,
                t("digits.bars.cnn_curve", count=cnn.n_parameters): cnn.test_accuracy,
            }
        ),
        key=PAGE.key("bars.curves"),
    )
    st.markdown(t("digits.bars.explain"))


@st.fragment
def training_section(model: str, config) -> None:
    search_runner.job_panel(
        PAGE,
        "train",
        (model, config),
        lambda: _job(model, config),
        draw_training,
        finish=results,
        autostart=True,
        start_label=t("digits.train"),
        start_help=t("digits.train_help"),
    )


def _job(model: str, config):
    job = digits_run(model, config)
    job.model = model  # the comparison table files the result under the architecture's name
    return job


# ---- the sidebar ---------------------------------------------------------------------------------------------
def chosen_run() -> tuple[str, ExperimentConfig]:
    """The sidebar's architecture (a dense preset or the CNN) and its experiment with the reader's training
    settings."""
    with st.sidebar:
        st.header(t("digits.sidebar.network"))
        model = st.radio(
            t("digits.sidebar.preset"),
            DIGITS_MODELS,
            key=PAGE.key("preset"),
            format_func=lambda name: t(f"digits.presets.{name}"),
            help=t("digits.sidebar.preset_help"),
        )
        base = preset_config(DENSE_BASE if model == CNN_MODEL else model)
        st.header(t("digits.sidebar.training"))
        epochs = st.slider(
            t("digits.sidebar.epochs"),
            5,
            200,
            base.train.epochs,
            step=5,
            key=PAGE.key("epochs"),
            help=t("digits.sidebar.epochs_help"),
        )
        learning_rate = st.select_slider(
            t("digits.sidebar.learning_rate"),
            widgets.LEARNING_RATES,
            base.train.learning_rate,
            key=PAGE.key("learning_rate"),
            help=t("digits.sidebar.learning_rate_help"),
        )
        batch_size = st.select_slider(
            t("digits.sidebar.batch_size"),
            widgets.BATCH_SIZES,
            base.train.batch_size,
            key=PAGE.key("batch_size"),
            help=t("digits.sidebar.batch_size_help"),
        )
        seed = st.number_input(
            t("digits.sidebar.seed"), 0, 2**31 - 1, base.seed, key=PAGE.key("seed"), help=t("digits.sidebar.seed_help")
        )
    config = replace(
        base,
        train=replace(base.train, epochs=int(epochs), learning_rate=float(learning_rate), batch_size=int(batch_size)),
        seed=int(seed),
    )
    return model, config
