import numpy as np
import pytest

from core.data.features import FEATURE_LABELS, FEATURES, allowed_features, check_feature_names, transform_features

X = np.array([[0.5, -2.0], [1.5, 3.0], [0.0, 0.0]])


def test_every_feature_has_a_display_label():
    assert set(FEATURES) <= set(FEATURE_LABELS)
    assert FEATURE_LABELS["x1_sq"] == "x₁²" and FEATURE_LABELS["sin_x2"] == "sin x₂"


def test_all_features_are_computed_in_the_requested_order():
    out = transform_features(X, FEATURES)
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(out, expected)


def test_column_order_follows_the_names_given():
    out = transform_features(X, ("x1_x2", "x1"))
    np.testing.assert_allclose(out, np.column_stack([X[:, 0] * X[:, 1], X[:, 0]]))


def test_squares_make_circles_linearly_separable():
    # Points at radius 1 and 2: in (x1², x2²) space the classes are split by the line x1² + x2² = 2.5.
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    ring = np.column_stack([np.cos(angles), np.sin(angles)])
    feats = transform_features(np.vstack([ring, 2 * ring]), ("x1_sq", "x2_sq"))
    s = feats.sum(axis=1)
    assert np.all(s[:12] < 2.5) and np.all(s[12:] > 2.5)


def test_one_dimensional_data_accepts_only_x():
    x = np.array([[1.0], [2.0]])
    np.testing.assert_array_equal(transform_features(x, ("x",)), x)
    with pytest.raises(ValueError, match="feature='x1' is not valid; choose one of: x$"):
        transform_features(x, ("x1",))


def test_two_dimensional_data_rejects_x():
    with pytest.raises(ValueError, match="feature='x' is not valid; choose one of: x1, x2, x1_sq"):
        transform_features(X, ("x",))


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ((), "choose at least one of"),
        (("x1", "x3"), "feature='x3' is not valid; choose one of: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2"),
        ((["x1"],), r"feature=\['x1'\] is not valid; choose one of: x1,"),
        (("x1", "x2", "x1"), "features 'x1' are repeated"),
        ("x1", "pass a sequence of feature names"),
        (5, "names=5 is not valid; pass a sequence of feature names"),  # was a TypeError
        (None, "names=None is not valid; pass a sequence"),
    ],
)
def test_bad_feature_names_raise_value_error(names, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        check_feature_names(names, 2)


def test_inputs_with_other_widths_are_rejected():
    with pytest.raises(ValueError, match="input_dim=3"):
        transform_features(np.zeros((2, 3)), ("x1",))
    with pytest.raises(ValueError, match="shape"):
        transform_features(np.zeros(3), ("x1",))


def test_empty_input_gives_empty_output_with_one_column_per_feature():
    assert transform_features(np.zeros((0, 2)), ("x1", "sin_x2")).shape == (0, 2)


@pytest.mark.parametrize("input_dim", [True, 3, 0, 2.5, "2"])
def test_feature_transforms_exist_only_for_one_or_two_columns(input_dim):
    # True == 1 to Python: it used to pass as a 1-D input.
    with pytest.raises(ValueError, match=r"input_dim=.* is not valid; choose one of: 1, 2"):
        allowed_features(input_dim)
    assert allowed_features(2) == FEATURES and allowed_features(np.int64(1)) == ("x",)
