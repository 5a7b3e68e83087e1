"""The activation gallery: measured properties match the notes, figures show them, the page renders."""

import numpy as np
import pytest

from core.engine.activations import get_activation, sigmoid, softmax, softmax_jacobian
from core.labs.compare import GALLERY_ACTIVATIONS, activation_curves, activation_profile
from playground.i18n import keys, t
from playground.pages.compare import figures as figures_compare
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/activations.py"


def test_sigmoid_slope_peaks_at_a_quarter_and_sigmoid_is_not_zero_centred():
    profile = activation_profile("sigmoid")
    assert profile.max_derivative == pytest.approx(0.25, abs=1e-9)
    assert profile.zero_centred == "no"
    assert profile.saturates_left and profile.saturates_right
    assert profile.value_range == (0.0, 1.0)


def test_tanh_is_zero_centred_saturates_on_both_sides_and_has_slope_one_at_zero():
    profile = activation_profile("tanh")
    assert profile.zero_centred == "yes"
    assert profile.saturates_left and profile.saturates_right
    assert profile.max_derivative == pytest.approx(1.0)


def test_relu_has_a_dead_zone_but_leaky_relu_keeps_slope_k_there():
    assert activation_profile("relu").dead_zone
    assert not activation_profile("relu").saturates_left  # exactly flat is a dead zone, not saturation
    leaky = activation_profile("leaky_relu", slope=0.1)
    assert not leaky.dead_zone
    _, slopes = activation_curves("leaky_relu", np.array([-3.0, -0.5, 2.0]), slope=0.1)
    np.testing.assert_allclose(slopes, [0.1, 0.1, 1.0])


def test_only_prelu_has_a_learned_slope():
    learned = [name for name in GALLERY_ACTIVATIONS if activation_profile(name).learned_slope]
    assert learned == ["prelu"]


def test_elu_flattens_only_for_negative_inputs_and_is_roughly_zero_centred():
    profile = activation_profile("elu")
    assert profile.saturates_left and not profile.saturates_right
    assert profile.zero_centred == "roughly"
    assert not profile.dead_zone


def test_profile_formula_is_the_one_the_network_uses():
    for name in GALLERY_ACTIVATIONS:
        assert activation_profile(name).formula == get_activation(name).formula


def test_unknown_or_output_only_activation_is_rejected_naming_it():
    with pytest.raises(ValueError, match="relux"):
        activation_profile("relux")
    with pytest.raises(ValueError, match="softmax"):
        activation_profile("softmax")


def test_every_gallery_activation_has_a_slope_formula_and_notes():
    english = keys("en")
    for name in GALLERY_ACTIVATIONS:
        assert f"activations.derivatives.{name}" in english
        assert f"activations.notes.{name}" in english


def test_gallery_figure_draws_value_and_slope_for_each_activation():
    z = np.linspace(-4, 4, 81)
    names = ["sigmoid", "relu", "tanh"]
    curves = {name: activation_curves(name, z) for name in names}
    profiles = {name: activation_profile(name) for name in names}
    fig = figures_compare.activation_gallery_figure(
        z,
        curves,
        max_derivatives={n: p.max_derivative for n, p in profiles.items()},
        dead_zones=[n for n, p in profiles.items() if p.dead_zone],
    )
    assert len(fig.data) == 2 * len(names)
    assert [trace.line.dash for trace in fig.data[:2]] == [None, "dash"]
    np.testing.assert_allclose(fig.data[1].y, curves["sigmoid"][1])
    texts = [a.text for a in fig.layout.annotations]
    assert t("activations.max_slope_label", value="0.25") in texts  # sigmoid's peak is labelled
    assert t("activations.max_slope_label", value="1.00") not in texts  # a slope of 1 is not remarkable
    shaded = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert len(shaded) == 1 and shaded[0].x1 == 0  # ReLU's dead zone, z < 0


def test_overlay_figure_has_one_curve_per_activation():
    z = np.linspace(-3, 3, 31)
    curves = {name: activation_curves(name, z) for name in ("elu", "swish")}
    fig = figures_compare.activation_overlay_figure(z, curves, derivative=True)
    assert [trace.name for trace in fig.data] == ["elu", "swish"]
    np.testing.assert_allclose(fig.data[0].y, curves["elu"][1])


def test_properties_table_states_sigmoid_quarter_and_relu_dead_zone():
    rows = figures_compare.activation_table([activation_profile("sigmoid"), activation_profile("relu")])
    sigmoid, relu = rows
    assert sigmoid[t("activations.col_max_slope")] == "0.25"
    assert sigmoid[t("activations.col_zero_centred")] == t("activations.zero_centred_no")
    assert relu[t("activations.col_dead_zone")] == t("activations.yes")
    assert relu[t("activations.col_range")] == f"(0, {t('activations.infinity')})"


def test_gallery_page_renders_every_activation_with_formulas():
    at = render_page(PAGE)
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert at.title[0].value == t("activations.title")
    assert _latex(at)[:2] == [get_activation("sigmoid").formula, t("activations.derivatives.sigmoid")]
    at.selectbox(key="act.detail").set_value("relu").run()
    assert_no_exception(at)
    assert _latex(at)[:2] == [get_activation("relu").formula, t("activations.derivatives.relu")]


def _latex(at) -> list[str]:
    """The LaTeX shown by st.latex, without the $$ fences Streamlit wraps it in."""
    return [element.value.strip().removeprefix("$$").removesuffix("$$").strip() for element in at.latex]


def test_gallery_page_asks_for_a_choice_when_nothing_is_selected():
    at = render_page(PAGE)
    at.multiselect(key="act.names").set_value([]).run()
    assert_no_exception(at)
    assert at.info[0].value == t("activations.pick_empty")


def test_softmax_jacobian_is_the_notes_two_cases_and_matches_finite_differences():
    z = np.array([2.0, 1.0, -1.0, 0.5])
    p = softmax(z)
    jacobian = softmax_jacobian(z)
    for i in range(4):
        for j in range(4):
            expected = p[i] * (1 - p[i]) if i == j else -p[i] * p[j]
            assert jacobian[i, j] == pytest.approx(expected, abs=1e-15)
    step = 1e-6
    numeric = np.column_stack([(softmax(z + step * e) - softmax(z - step * e)) / (2 * step) for e in np.eye(4)])
    np.testing.assert_allclose(jacobian, numeric, atol=1e-9)
    np.testing.assert_allclose(jacobian.sum(axis=0), 0.0, atol=1e-15)  # probabilities always add up to 1
    with pytest.raises(ValueError, match="shape"):
        softmax_jacobian(np.array([1.0]))


def test_softmax_section_moves_with_the_scores_and_shows_the_sigmoid_identity():
    at = render_page(PAGE)
    at.slider(key="act.softmax.z1").set_value(3.0).run()
    at.slider(key="act.softmax.z2").set_value(-0.5).run()
    assert_no_exception(at)
    identity = t(
        "activations.softmax.two_classes",
        z1=3.0,
        z2=-0.5,
        softmax=float(softmax(np.array([3.0, -0.5]))[0]),
        sigmoid=float(sigmoid(3.5)),
    )
    assert identity in [markdown.value for markdown in at.markdown]
    assert "**0.9707**" in identity  # σ(3.5), the same from both sides


def test_numpy_expit_is_scipys_within_two_ulp_without_warnings_and_keeps_dtype():
    import warnings

    from scipy.special import expit as scipy_expit

    from core.engine.activations import expit

    z = np.concatenate([np.linspace(-1000, 1000, 20001), [0.0, -745.2, 709.8, np.inf, -np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail here
        ours = expit(z)
        into = np.empty_like(z)
        assert expit(z, out=into) is into
    np.testing.assert_array_max_ulp(ours, scipy_expit(z), maxulp=2)  # two roundings: exp, then 1/x
    np.testing.assert_array_equal(into, ours)
    assert expit(z.astype(np.float32)).dtype == np.float32
