"""Digits: the notes' handwritten-digit network on scikit-learn's 8×8 digits, trained live and taken apart."""

from dataclasses import replace

import streamlit as st

from core.digits import DIGITS_PRESETS, as_image, evaluate, first_layer_images, forward_trace
from core.presets import preset_config
from core.search import TrainingRun
from playground import figures, search_runner, widgets
from playground import figures_digits as fig
from playground.export_buttons import export_buttons
from playground.i18n import t
from playground.training_messages import training_message

KEY = "dig"
MAX_MISTAKES_SHOWN = 18


def layer_names(network) -> list[str]:
    names = [
        t("digits.layer", number=i + 1, units=s.units, activation=s.activation)
        for i, s in enumerate(network.layers[:-1])
    ]
    output = network.layers[-1]
    return [*names, t("digits.output_layer", units=output.units, activation=output.activation)]


def draw_training(job: TrainingRun, tag: str) -> None:
    history = job.history
    epoch_col, loss_col, accuracy_col = st.columns(3)
    epoch_col.metric(t("digits.epoch"), f"{job.trainer.epoch} / {job.config.train.epochs}")
    if len(history):
        loss_col.metric(t("digits.train_loss"), f"{history.train_loss[-1]:.3f}")
        accuracy_col.metric(
            t("digits.test_accuracy"), f"{history.val_metric[-1]:.1%}", help=t("digits.test_accuracy_help")
        )
    left, right = st.columns(2)
    left.plotly_chart(figures.loss_curves_figure({"": history}), key=f"{tag}.loss")
    right.plotly_chart(figures.metric_curves_figure({"": history}), key=f"{tag}.accuracy")
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
    left.plotly_chart(fig.confusion_figure(evaluation.confusion), key=f"{KEY}.confusion")
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
                key=f"{KEY}.mistakes",
            )
            st.caption(t("digits.results.mistakes_note", shown=len(wrong), total=len(evaluation.misclassified)))
        else:
            st.success(t("digits.results.no_mistakes"))

    st.header(t("digits.weights.header"))
    st.markdown(t("digits.weights.intro"))
    st.plotly_chart(fig.weights_figure(first_layer_images(job.network)), key=f"{KEY}.weights")

    st.header(t("digits.try.header"))
    st.markdown(t("digits.try.intro"))
    mistakes_only = st.toggle(
        t("digits.try.mistakes_only"),
        key=f"{KEY}.try.mistakes",
        value=len(evaluation.misclassified) > 0,
        disabled=not len(evaluation.misclassified),
        help=t("digits.try.mistakes_only_help"),
    )
    options = list(evaluation.misclassified) if mistakes_only else list(range(len(evaluation.y)))
    index = st.selectbox(
        t("digits.try.pick"),
        options,
        key=f"{KEY}.try.index.{mistakes_only}",
        help=t("digits.try.pick_help"),
        format_func=lambda i: t(
            "digits.try.option", number=i + 1, digit=evaluation.y[i], predicted=evaluation.predicted[i]
        ),
    )
    trace = forward_trace(job.network, split.X_test[index])
    st.plotly_chart(
        fig.forward_pass_figure(as_image(split.X_test[index]), trace, layer_names(job.network)), key=f"{KEY}.forward"
    )
    left, right = st.columns([3, 2])
    left.plotly_chart(fig.probabilities_figure(trace[-1], true=int(evaluation.y[index])), key=f"{KEY}.probabilities")
    right.markdown(t("digits.try.explain"))

    st.header(t("export.header"))
    export_buttons(job.network, job.config, f"{KEY}.export")


@st.fragment
def training_section(config) -> None:
    search_runner.job_panel(
        f"{KEY}.train",
        config,
        lambda: TrainingRun(config),
        draw_training,
        finish=results,
        autostart=True,
        start_label=t("digits.train"),
        start_help=t("digits.train_help"),
    )


st.title(t("digits.title"))
st.caption(t("digits.intro"))

with st.sidebar:
    st.header(t("digits.sidebar.network"))
    preset = st.radio(
        t("digits.sidebar.preset"),
        DIGITS_PRESETS,
        key=f"{KEY}.preset",
        format_func=lambda name: t(f"digits.presets.{name}"),
        help=t("digits.sidebar.preset_help"),
    )
    base = preset_config(preset)
    st.header(t("digits.sidebar.training"))
    epochs = st.slider(
        t("digits.sidebar.epochs"),
        5,
        200,
        base.train.epochs,
        step=5,
        key=f"{KEY}.epochs",
        help=t("digits.sidebar.epochs_help"),
    )
    learning_rate = st.select_slider(
        t("digits.sidebar.learning_rate"),
        widgets.LEARNING_RATES,
        base.train.learning_rate,
        key=f"{KEY}.learning_rate",
        help=t("digits.sidebar.learning_rate_help"),
    )
    batch_size = st.select_slider(
        t("digits.sidebar.batch_size"),
        widgets.BATCH_SIZES,
        base.train.batch_size,
        key=f"{KEY}.batch_size",
        help=t("digits.sidebar.batch_size_help"),
    )
    seed = st.number_input(
        t("digits.sidebar.seed"), 0, 2**31 - 1, base.seed, key=f"{KEY}.seed", help=t("digits.sidebar.seed_help")
    )
config = replace(
    base,
    train=replace(base.train, epochs=int(epochs), learning_rate=float(learning_rate), batch_size=int(batch_size)),
    seed=int(seed),
)

st.markdown(t(f"digits.architecture.{preset}"))
training_section(config)
