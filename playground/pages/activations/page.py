"""Wiring for the Activation gallery: which activations and ranges to draw, every curve and slope, their
properties, one up close, the output layer each task uses, and the softmax explorer."""

import numpy as np
import streamlit as st

from core.engine.activations import DEFAULT_LEAKY_SLOPE, ELU_ALPHA, sigmoid, softmax, softmax_jacobian
from core.experiment.config import DataConfig, ExperimentConfig
from core.labs.compare import GALLERY_ACTIVATIONS, ActivationProfile, activation_curves, activation_profile
from playground import state
from playground.i18n import t
from playground.pages.compare import figures as figures_compare

PAGE = state.PageState("act")


def controls() -> tuple[list[str], float, float, float]:
    """The activations to draw, the half-width of the z range, the leaky slope and ELU's alpha; with none picked
    the page says so and stops."""
    names = st.multiselect(
        t("activations.pick"),
        GALLERY_ACTIVATIONS,
        default=list(GALLERY_ACTIVATIONS),
        key=PAGE.key("names"),
        help=t("activations.pick_help"),
    )
    left, right, third = st.columns(3)
    z_max = left.slider(
        t("activations.z_range"), 2.0, 10.0, 5.0, step=0.5, key=PAGE.key("z"), help=t("activations.z_range_help")
    )
    slope = right.slider(
        t("activations.slope"),
        0.0,
        0.9,
        DEFAULT_LEAKY_SLOPE,
        step=0.05,
        key=PAGE.key("slope"),
        help=t("activations.slope_help"),
    )
    elu_alpha = third.slider(
        t("activations.elu_alpha"),
        0.1,
        3.0,
        ELU_ALPHA,
        step=0.1,
        key=PAGE.key("elu_alpha"),
        help=t("activations.elu_alpha_help"),
    )
    if not names:
        st.info(t("activations.pick_empty"))
        st.stop()
    return names, z_max, slope, elu_alpha


def gallery(names: list[str], z_max: float, slope: float, elu_alpha: float) -> list[ActivationProfile]:
    """Every chosen activation and its slope, side by side or on one chart; returns their profiles."""
    z = np.linspace(-z_max, z_max, 401)
    curves = {name: activation_curves(name, z, slope, elu_alpha) for name in names}
    profiles = [activation_profile(name, slope, elu_alpha) for name in names]

    side_by_side, one_chart = st.tabs([t("activations.small_multiples"), t("activations.overlay")])
    with side_by_side:
        st.plotly_chart(
            figures_compare.activation_gallery_figure(
                z,
                curves,
                max_derivatives={p.name: p.max_derivative for p in profiles},
                dead_zones=[p.name for p in profiles if p.dead_zone],
            ),
            key=PAGE.key("gallery"),
        )
    with one_chart:
        values_col, slopes_col = st.columns(2)
        values_col.plotly_chart(
            figures_compare.activation_overlay_figure(z, curves, title=t("activations.overlay_values")),
            key=PAGE.key("overlay_values"),
        )
        slopes_col.plotly_chart(
            figures_compare.activation_overlay_figure(
                z, curves, derivative=True, title=t("activations.overlay_slopes")
            ),
            key=PAGE.key("overlay_slopes"),
        )
    return profiles


def properties_table(profiles: list[ActivationProfile]) -> None:
    st.dataframe(figures_compare.activation_table(profiles), hide_index=True, key=PAGE.key("table"))


def up_close(names: list[str], profiles: list[ActivationProfile]) -> None:
    """One activation's formula, its derivative and what to know about it."""
    chosen = st.selectbox(
        t("activations.detail_pick"),
        names,
        index=names.index("sigmoid") if "sigmoid" in names else 0,
        key=PAGE.key("detail"),
        help=t("activations.detail_pick_help"),
    )
    profile = profiles[names.index(chosen)]
    formula_col, slope_col = st.columns(2)
    with formula_col:
        st.caption(t("activations.formula_label"))
        st.latex(profile.formula)
    with slope_col:
        st.caption(t("activations.derivative_label"))
        st.latex(t(f"activations.derivatives.{chosen}"))
    st.write(t(f"activations.notes.{chosen}"))


def output_table() -> None:
    """The output activation and loss each task trains with."""
    # The "auto" choice of core.experiment.config for one dataset of each task, so this table and training never
    # disagree.
    natural_outputs = {
        task: ExperimentConfig(DataConfig(dataset)).resolved_output()
        for task, dataset in (("binary", "moons"), ("multiclass", "multiclass"), ("regression", "sine"))
    }
    st.table(
        [
            {
                t("activations.output_col_task"): t(f"activations.output_{task}"),
                t("activations.output_col_activation"): activation,
                t("activations.output_col_loss"): loss,
                t("activations.output_col_why"): t(f"activations.output_{task}_why"),
            }
            for task, (activation, loss) in natural_outputs.items()
        ]
    )


def softmax_explorer() -> None:
    """Three scores, their softmax probabilities and Jacobian, and softmax of two scores as a sigmoid."""
    score_columns = st.columns(3)
    scores = np.array(
        [
            column.slider(
                f"z{i + 1}",
                -5.0,
                5.0,
                value,
                step=0.1,
                key=PAGE.key(f"softmax.z{i + 1}"),
                help=t("activations.softmax.score_help"),
            )
            for i, (column, value) in enumerate(zip(score_columns, (2.0, 1.0, -1.0), strict=True))
        ]
    )
    probabilities = softmax(scores)
    st.plotly_chart(
        figures_compare.softmax_figure(scores, probabilities, softmax_jacobian(scores)), key=PAGE.key("softmax.chart")
    )
    st.latex(
        r"\hat y_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}, \qquad "
        r"\frac{\partial \hat y_i}{\partial z_j} = \begin{cases} \hat y_i(1-\hat y_i) & i = j \\ "
        r"-\hat y_i \hat y_j & i \ne j \end{cases}"
    )
    two_class = float(softmax(scores[:2])[0])
    st.markdown(
        t(
            "activations.softmax.two_classes",
            z1=scores[0],
            z2=scores[1],
            softmax=two_class,
            sigmoid=float(sigmoid(scores[0] - scores[1])),
        )
    )
