"""Widgets that edit an experiment configuration. Each control has a plain-words tooltip.

Pattern: a widget's value lives in its page's :class:`~playground.state.PageState` under ``<field>`` (session-state
key ``<prefix>.<field>``); :func:`load_config` writes a whole configuration into those keys (for presets, URLs and
uploads), and the ``*_controls`` functions render the widgets and return the configuration section they describe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import streamlit as st

from core.data.features import FEATURE_LABELS
from core.engine.activations import ACTIVATIONS
from core.engine.initializers import INITIALIZERS
from core.engine.losses import LATEX as LOSS_LATEX
from core.engine.optimizers import OPTIMIZERS, SCHEDULES
from core.experiment.config import (
    DATASET_NAMES,
    FEATURE_NAMES,
    HIDDEN_ACTIVATIONS,
    IMBALANCED_SHAPES,
    LOSS_CHOICES,
    MULTILABEL_NAMES,
    DataConfig,
    ExperimentConfig,
    LayerConfig,
    ModelConfig,
    TrainConfig,
    dataset_task,
)
from core.experiment.settings import LIMITS
from playground.i18n import t
from playground.state import PageState
from playground.urlstate import MAX_LINK_POINTS, travels_in_link

# "uploaded" joins the list only where a page has uploaded rows to offer (see dataset_controls' ``rows``).
PLAYGROUND_DATASETS = tuple(name for name in DATASET_NAMES if name not in ("digits", "uploaded"))
# Pages other than the Playground draw one label per point (Compare, Experiments, Under the hood): no multi-label.
SINGLE_LABEL_DATASETS = tuple(name for name in PLAYGROUND_DATASETS if name not in MULTILABEL_NAMES)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (1, 2, 5, 10, 16, 32, 64, 128, 256, 512)
LEAKY_SLOPES = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5)  # 0.1 is the lecture notes' value
PENALTIES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def shown(page: PageState, group: str) -> bool:
    """Whether a control group is visible: a classroom link (``show=``) may leave only some of them."""
    allowed = page.get("show")
    return allowed is None or group in allowed


def _seed_widget(page: PageState, name: str, value: Any) -> None:
    """Give a widget its starting value once; afterwards the widget owns it."""
    if name not in page:
        page[name] = value


def _with_value(options: Sequence[float], value: float) -> tuple[float, ...]:
    """Options for a select slider, including ``value`` itself (e.g. from a URL) in sorted place."""
    return tuple(sorted(set(options) | {value}))


def capped_slider(container, label: str, low: int, high: int, value: int, *, step: int = 1, **kwargs) -> int:
    """An integer slider whose upper end is a host's cap: the value snaps into [low, high] on the step grid,
    and a cap at or below ``low`` leaves nothing to choose, so no slider is drawn and ``max(high, 1)`` is used."""
    if high <= low:
        return max(high, 1)
    value = low + (min(max(value, low), high) - low) // step * step
    return int(container.slider(label, low, high, value, step=step, **kwargs))


def load_config(page: PageState, config: ExperimentConfig) -> None:
    """Write ``config`` into the widgets' session-state keys (before they are drawn in this run)."""
    d, m, tr = config.data, config.model, config.train
    values = {
        "data.name": d.name,
        "data.n_samples": d.n_samples,
        "data.noise": d.noise,
        "data.test_fraction": d.test_fraction,
        "data.validation_fraction": d.validation_fraction,
        "data.features": list(d.features),
        "data.minority_ratio": d.minority_ratio,
        "data.shape": d.shape,
        "data.arms": d.arms,
        "data.n_classes": d.n_classes,
        "data.sampler": d.sampler,
        "seed": config.seed,
        "model.n_hidden": len(m.hidden),
        "model.output_activation": m.output_activation,
        "model.loss": m.loss,
        "model.init": m.init,
        "model.leaky_slope": m.leaky_slope,
        "train.optimizer": tr.optimizer,
        "train.learning_rate": tr.learning_rate,
        "train.batch_size": tr.batch_size,
        "train.epochs": tr.epochs,
        "train.schedule": tr.schedule,
        "train.l1": tr.l1,
        "train.l2": tr.l2,
        "train.clip_value": tr.clip_value,
        "train.clip_norm": tr.clip_norm,
        "train.class_weight": tr.class_weight,
        "train.early_stopping_patience": tr.early_stopping_patience,
    }
    for i, layer in enumerate(m.hidden):
        values[f"model.hidden.{i}.units"] = layer.units
        values[f"model.hidden.{i}.activation"] = layer.activation
        values[f"model.hidden.{i}.dropout"] = layer.dropout
    for name, value in values.items():
        page[name] = value


# ---- data ----------------------------------------------------------------------------------------------
def _uploaded_label_names(
    data: DataConfig, rows: tuple[tuple[float, ...], ...], kept: tuple[str, ...]
) -> tuple[str, ...]:
    """The names of the uploaded rows' label columns: the configuration's while it holds those rows, else the ones
    kept with the upload (switching to another dataset and back must not rename "cat, dog" to "label1, label2")."""
    names = data.label_names if rows == data.rows and data.label_names else kept
    return names if rows and len(names) == len(rows[0]) - 2 >= 2 else ()


def dataset_controls(
    data: DataConfig,
    page: PageState,
    names: Sequence[str] = SINGLE_LABEL_DATASETS,
    seed: int = 0,
    rows: tuple[tuple[float, ...], ...] = (),
    label_names: tuple[str, ...] = (),
    validation: bool = False,
) -> tuple[DataConfig, int]:
    """Dataset, noise, size, split, features, seed. Returns the new DataConfig and seed.

    ``rows``: an uploaded regression table, (x, y) or (x1, x2, y) rows, or multi-label rows (x1, x2, label1, …)
    whose label columns ``label_names`` names; when given, "Uploaded data" is offered.
    ``validation``: also offer a validation share (held out and watched during training, e.g. by early stopping).
    """
    k = page.key  # a short local alias keeps the widget calls readable
    if rows:
        names = (*names, "uploaded")
    for name, value in (
        ("data.name", data.name),
        ("data.n_samples", data.n_samples),
        ("data.noise", data.noise),
        ("data.test_fraction", data.test_fraction),
        ("data.features", list(data.features)),
        ("data.minority_ratio", data.minority_ratio),
        ("data.shape", data.shape),
        ("data.arms", data.arms),
        ("data.n_classes", data.n_classes),
        ("seed", seed),
        ("data.validation_fraction", data.validation_fraction),
    ):
        _seed_widget(page, name, value)
    if page["data.name"] not in names:
        page["data.name"] = names[0]
    name, noise, n_samples, test_fraction = data.name, data.noise, data.n_samples, data.test_fraction
    if shown(page, "dataset"):
        name = st.selectbox(
            t("widgets.dataset"),
            names,
            key=k("data.name"),
            help=t("widgets.dataset_help"),
            format_func=lambda n: (
                t("widgets.datasets.uploaded_multilabel")
                if n == "uploaded" and len(rows[0]) >= 4
                else t(f"widgets.datasets.{n}")
            ),
        )
    if shown(page, "noise") and name not in ("drawn", "uploaded"):
        noise = st.slider(t("widgets.noise"), 0.0, 2.0, step=0.05, key=k("data.noise"), help=t("widgets.noise_help"))
    if shown(page, "n_samples") and name not in ("drawn", "uploaded"):
        n_samples = st.slider(
            t("widgets.n_samples"),
            4,  # the same range the configuration (and so a link) allows
            LIMITS.max_samples,
            step=1,
            key=k("data.n_samples"),
            help=t("widgets.n_samples_help"),
        )
    if shown(page, "test_fraction"):
        test_fraction = st.slider(
            t("widgets.test_fraction"),
            0.0,
            0.9,
            step=0.05,
            key=k("data.test_fraction"),
            help=t("widgets.test_fraction_help"),
        )
    validation_fraction = data.validation_fraction
    if validation and shown(page, "validation"):
        validation_fraction = st.slider(
            t("widgets.validation_fraction"),
            0.0,
            0.5,
            step=0.05,
            key=k("data.validation_fraction"),
            help=t("widgets.validation_fraction_help"),
        )
    changes: dict[str, Any] = {
        "name": name,
        "noise": float(noise),
        "n_samples": int(n_samples),
        "test_fraction": float(test_fraction),
        "validation_fraction": float(validation_fraction),
        "rows": rows if name == "uploaded" else (),
        "label_names": _uploaded_label_names(data, rows, label_names) if name == "uploaded" else (),
        # one label per point (a lesson's softmax run) belongs to the multi-label sets
        "single_label": data.single_label and name in MULTILABEL_NAMES,
    }
    if name == "uploaded" and shown(page, "dataset"):
        layout = {2: "x, y", 3: "x1, x2, y"}.get(len(rows[0]), f"x1, x2, label1 … label{len(rows[0]) - 2}")
        too_many = not travels_in_link("rows", rows)
        st.caption(
            t("widgets.uploaded_rows", count=len(rows), layout=layout)
            + (" " + t("widgets.rows_not_in_link", limit=MAX_LINK_POINTS) if too_many else "")
        )
    if not shown(page, "dataset"):
        return replace(data, **changes), int(page.get("seed", seed))
    if name == "imbalanced":
        changes["minority_ratio"] = st.select_slider(
            t("widgets.minority_ratio"),
            options=(0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
            key=k("data.minority_ratio"),
            format_func=lambda r: f"1 : {round(1 / r)}",
            help=t("widgets.minority_ratio_help"),
        )
        changes["shape"] = st.selectbox(
            t("widgets.shape"),
            IMBALANCED_SHAPES,
            key=k("data.shape"),
            help=t("widgets.shape_help"),
            format_func=lambda s: t(f"widgets.shapes.{s}"),
        )
    if name == "spirals":
        changes["arms"] = st.slider(t("widgets.arms"), 2, 5, key=k("data.arms"), help=t("widgets.arms_help"))
    if name == "multiclass":
        changes["n_classes"] = st.slider(
            t("widgets.n_classes"), 2, 6, key=k("data.n_classes"), help=t("widgets.n_classes_help")
        )
    one_input = name == "sine" or (name == "uploaded" and len(rows[0]) == 2)
    if not one_input and shown(page, "features"):
        features = st.multiselect(
            t("widgets.features"),
            FEATURE_NAMES,
            key=k("data.features"),
            help=t("widgets.features_help"),
            format_func=lambda f: FEATURE_LABELS.get(f, f),
        )
        if not features:
            st.caption(t("widgets.features_empty"))
            features = ["x1", "x2"]
        changes["features"] = tuple(f for f in FEATURE_NAMES if f in features)
    if shown(page, "seed"):
        # One under the other: side by side in the sidebar the button's label was cut to "Ne…".
        seed = st.number_input(t("widgets.seed"), 0, 2**31 - 1, step=1, key=k("seed"), help=t("widgets.seed_help"))
        if name not in ("drawn", "uploaded"):
            st.button(
                t("widgets.regenerate"),
                key=k("regenerate"),
                on_click=_next_seed,
                args=(page,),
                icon=":material/casino:",
                width="stretch",
                help=t("widgets.regenerate_help"),
            )
    return replace(data, **changes), int(seed)


# ---- network -------------------------------------------------------------------------------------------
def network_controls(model: ModelConfig, page: PageState, task: str) -> ModelConfig:
    """Hidden layers (0..8, units 1..64, activation, dropout), output activation and loss, initialisation."""
    k = page.key  # a short local alias keeps the widget calls readable
    _seed_widget(page, "model.n_hidden", len(model.hidden))
    n_hidden = len(model.hidden)
    if shown(page, "layers"):
        n_hidden = st.number_input(
            t("widgets.n_hidden"),
            0,
            LIMITS.max_hidden_layers,
            step=1,
            key=k("model.n_hidden"),
            help=t("widgets.n_hidden_help"),
        )
    layers = []
    for i in range(int(n_hidden)):
        previous = model.hidden[i] if i < len(model.hidden) else (model.hidden[-1] if model.hidden else LayerConfig())
        _seed_widget(page, f"model.hidden.{i}.units", previous.units)
        _seed_widget(page, f"model.hidden.{i}.activation", previous.activation)
        _seed_widget(page, f"model.hidden.{i}.dropout", previous.dropout)
        units, activation, dropout = previous.units, previous.activation, previous.dropout
        if any(shown(page, group) for group in ("layers", "activation", "dropout")):
            with st.container(border=True):
                # Stacked, not side by side: two columns in the sidebar cut the labels and the activation names.
                left = right = st.container()
                if shown(page, "layers"):
                    units = left.number_input(
                        t("widgets.layer_units", number=i + 1),
                        1,
                        LIMITS.max_units,
                        step=1,
                        key=k(f"model.hidden.{i}.units"),
                        help=t("widgets.units_help"),
                    )
                if shown(page, "activation"):
                    activation = right.selectbox(
                        t("widgets.layer_activation", number=i + 1),
                        HIDDEN_ACTIVATIONS,
                        key=k(f"model.hidden.{i}.activation"),
                        help=t("widgets.activation_help"),
                    )
                if shown(page, "dropout"):
                    dropout = st.select_slider(
                        t("widgets.dropout"),
                        options=(0.0, 0.1, 0.2, 0.3, 0.5),
                        key=k(f"model.hidden.{i}.dropout"),
                        help=t("widgets.dropout_help"),
                    )
        layers.append(LayerConfig(int(units), activation, float(dropout)))
    for name, value in (
        ("model.output_activation", model.output_activation),
        ("model.loss", model.loss),
        ("model.init", model.init),
        ("model.leaky_slope", model.leaky_slope),
    ):
        _seed_widget(page, name, value)
    output_activation, loss, init = model.output_activation, model.loss, model.init
    leaky_slope = float(page["model.leaky_slope"])
    if shown(page, "activation") and any(layer.activation in ("leaky_relu", "prelu") for layer in layers):
        leaky_slope = st.select_slider(
            t("widgets.leaky_slope"),
            options=_with_value(LEAKY_SLOPES, leaky_slope),
            key=k("model.leaky_slope"),
            help=t("widgets.leaky_slope_help"),
        )
    if shown(page, "output"):
        output_activation = st.selectbox(
            t("widgets.output_activation"),
            ("auto", *ACTIVATIONS),
            key=k("model.output_activation"),
            help=t("widgets.output_activation_help"),
            format_func=lambda a: t("widgets.auto_for_task", choice=_natural_output(task)) if a == "auto" else a,
        )
        loss = st.selectbox(
            t("widgets.loss"),
            LOSS_CHOICES,
            key=k("model.loss"),
            help=t("widgets.loss_help"),
            format_func=lambda v: t("widgets.auto") if v == "auto" else t(f"widgets.losses.{v}"),
        )
        st.caption(f"${LOSS_LATEX[_natural_loss(task) if loss == 'auto' else loss]}$")
    if shown(page, "init"):
        init = st.selectbox(t("widgets.init"), INITIALIZERS, key=k("model.init"), help=t("widgets.init_help"))
    return replace(
        model,
        hidden=tuple(layers),
        output_activation=output_activation,
        loss=loss,
        init=init,
        leaky_slope=float(leaky_slope),
    )


def _natural_output(task: str) -> str:
    return {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear", "multilabel": "sigmoid"}[task]


def _natural_loss(task: str) -> str:
    return {"binary": "bce", "multiclass": "softmax_ce", "regression": "mse", "multilabel": "bce"}[task]


# ---- training ------------------------------------------------------------------------------------------
def training_controls(
    train: TrainConfig, page: PageState, task: str = "binary", validation_fraction: float | None = None
) -> TrainConfig:
    """Optimizer, learning rate, batch size, epochs, penalties, clipping, class weights.

    ``validation_fraction``: the data's validation share; given, early stopping (patience) is offered too.
    """
    k = page.key  # a short local alias keeps the widget calls readable
    for name, value in (
        ("train.optimizer", train.optimizer),
        ("train.learning_rate", train.learning_rate),
        ("train.batch_size", train.batch_size),
        ("train.epochs", train.epochs),
        ("train.schedule", train.schedule),
        ("train.l1", train.l1),
        ("train.l2", train.l2),
        ("train.clip_value", train.clip_value),
        ("train.clip_norm", train.clip_norm),
        ("train.class_weight", train.class_weight),
        ("train.early_stopping_patience", train.early_stopping_patience),
    ):
        _seed_widget(page, name, value)
    tr = train
    optimizer, learning_rate, batch_size, epochs = tr.optimizer, tr.learning_rate, tr.batch_size, tr.epochs
    schedule, l1, l2, clip_value, clip_norm = tr.schedule, tr.l1, tr.l2, tr.clip_value, tr.clip_norm
    if shown(page, "optimizer"):
        optimizer = st.selectbox(
            t("widgets.optimizer"),
            OPTIMIZERS,
            key=k("train.optimizer"),
            help=t("widgets.optimizer_help"),
            format_func=lambda o: t(f"widgets.optimizers.{o}"),
        )
    if shown(page, "learning_rate"):
        learning_rate = _ladder(page, "learning_rate", LEARNING_RATES)
    if shown(page, "batch_size"):
        batch_size = _ladder(page, "batch_size", BATCH_SIZES)
    if shown(page, "epochs"):
        epochs = st.number_input(
            t("widgets.epochs"), 1, LIMITS.max_epochs, step=50, key=k("train.epochs"), help=t("widgets.epochs_help")
        )
    if shown(page, "schedule"):
        schedule = st.selectbox(
            t("widgets.schedule"),
            SCHEDULES,
            key=k("train.schedule"),
            help=t("widgets.schedule_help"),
            format_func=lambda s: t(f"widgets.schedules.{s}"),
        )
    if shown(page, "regularization"):
        l1 = _ladder(page, "l1", PENALTIES)
        l2 = _ladder(page, "l2", PENALTIES)
    if shown(page, "clipping"):
        clip_value = st.number_input(
            t("widgets.clip_value"), 0.0, 1e6, step=0.5, key=k("train.clip_value"), help=t("widgets.clip_value_help")
        )
        clip_norm = st.number_input(
            t("widgets.clip_norm"), 0.0, 1e6, step=0.5, key=k("train.clip_norm"), help=t("widgets.clip_norm_help")
        )
    changes: dict[str, Any] = {}
    if validation_fraction is not None and shown(page, "early_stopping"):
        changes["early_stopping_patience"] = int(
            st.number_input(
                t("widgets.patience"),
                0,
                LIMITS.max_epochs,
                step=10,
                key=k("train.early_stopping_patience"),
                help=t("widgets.patience_help"),
            )
        )
        if changes["early_stopping_patience"] and not validation_fraction:
            st.caption(t("widgets.patience_needs_validation"))
    if task in ("binary", "multiclass") and shown(page, "class_weight"):
        changes["class_weight"] = st.selectbox(
            t("widgets.class_weight"),
            ("none", "balanced"),
            key=k("train.class_weight"),
            help=t("widgets.class_weight_help"),
            format_func=lambda v: t(f"widgets.class_weights.{v}"),
        )
    elif task == "multilabel":  # no one label per point to weigh by
        changes["class_weight"] = "none"
    return replace(
        train,
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
        epochs=int(epochs),
        schedule=schedule,
        l1=float(l1),
        l2=float(l2),
        clip_value=float(clip_value),
        clip_norm=float(clip_norm),
        **changes,
    )


def _next_seed(page: PageState) -> None:
    """Regenerate: the next seed (wrapping at the top of the range)."""
    page["seed"] = (int(page.get("seed", 0)) + 1) % 2**31


def _ladder(page: PageState, field: str, options: Sequence[float]) -> float:
    """A select slider over a ladder of values for ``train.<field>`` (plus its current value, e.g. from a link)."""
    return st.select_slider(
        t(f"widgets.{field}"),
        options=_with_value(options, page[f"train.{field}"]),
        key=page.key(f"train.{field}"),
        help=t(f"widgets.{field}_help"),
    )


def task_of(data: DataConfig) -> str:
    return dataset_task(data)
