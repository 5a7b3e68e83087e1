import math

import numpy as np
import pytest

from core.experiment.metrics import (
    MAPE_ALL_TARGETS_ZERO,
    MAPE_SOME_TARGETS_ZERO,
    classification_metrics,
    majority_baseline_accuracy,
    regression_metrics,
    roc_pr_curves,
)

# Regression example: errors a - y are -0.5, 0.5, 0, 1.
Y_TRUE = np.array([3.0, -0.5, 2.0, 7.0])
Y_PRED = np.array([2.5, 0.0, 2.0, 8.0])


def test_regression_metrics_match_hand_computed_values():
    m = regression_metrics(Y_TRUE, Y_PRED)
    assert m["mae"] == pytest.approx(2.0 / 4)
    assert m["sse"] == pytest.approx(0.25 + 0.25 + 0.0 + 1.0)
    assert m["mse"] == pytest.approx(1.5 / 4)
    assert m["rmse"] == pytest.approx(math.sqrt(1.5 / 4))
    # Σ(ȳ - y)² with ȳ = 2.875 is 29.1875.
    assert m["r2"] == pytest.approx(1 - 1.5 / 29.1875)
    # MAPE is a percentage: 100/4 · (0.5/3 + 0.5/0.5 + 0/2 + 1/7).
    assert m["mape"] == pytest.approx(25 * (0.5 / 3 + 1.0 + 0.0 + 1 / 7))
    assert m["mape_skipped"] == 0 and m["mape_reason"] is None and m["nonfinite_predictions"] is False


def test_r2_of_a_perfect_fit_is_one_and_of_the_mean_is_zero():
    assert regression_metrics(Y_TRUE, Y_TRUE)["r2"] == 1.0
    assert regression_metrics(Y_TRUE, np.full(4, Y_TRUE.mean()))["r2"] == pytest.approx(0.0)


def test_r2_is_negative_when_worse_than_predicting_the_mean():
    assert regression_metrics(Y_TRUE, -Y_TRUE)["r2"] < 0


def test_mape_skips_zero_targets_and_says_so():
    m = regression_metrics(np.array([0.0, 2.0, 4.0]), np.array([1.0, 3.0, 4.0]))
    assert m["mape"] == pytest.approx(100 * (0.5 + 0.0) / 2)
    assert m["mape_skipped"] == 1 and m["mape_reason"] == MAPE_SOME_TARGETS_ZERO
    assert m["mae"] == pytest.approx(2 / 3)  # the other metrics still use every sample


def test_mape_is_nan_with_a_reason_when_all_targets_are_zero():
    m = regression_metrics(np.array([0.0, 1e-15, -1e-14]), np.array([1.0, 2.0, 3.0]))
    assert math.isnan(m["mape"])
    assert m["mape_skipped"] == 3 and m["mape_reason"] == MAPE_ALL_TARGETS_ZERO
    assert m["mse"] == pytest.approx(14 / 3, rel=1e-9)


def test_column_vectors_are_accepted_for_regression():
    m = regression_metrics(Y_TRUE[:, None], Y_PRED[:, None])
    assert m["sse"] == pytest.approx(1.5)


def test_diverged_predictions_give_nan_scores_instead_of_an_error():
    m = regression_metrics(Y_TRUE, np.array([1.0, np.nan, np.inf, 0.0]))
    assert m["nonfinite_predictions"] is True
    assert all(math.isnan(m[key]) for key in ("mae", "mape", "sse", "mse", "rmse", "r2"))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        (np.array([1.0, 2.0]), np.array([1.0]), "different numbers of samples"),
        (np.array([]), np.array([]), "empty"),
        (np.ones((2, 2)), np.ones((2, 2)), "shape"),
        (np.array([np.nan, 1.0]), np.array([1.0, 1.0]), "y_true contains NaN"),
    ],
)
def test_bad_regression_inputs_raise_value_error(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        regression_metrics(y_true, y_pred)


# Binary example: threshold 0.5 predicts [0, 1, 0, 1, 1] -> TN=1, FP=1, FN=1, TP=2.
Y_BIN = np.array([0, 0, 1, 1, 1])
P_BIN = np.array([0.1, 0.6, 0.4, 0.8, 0.9])


def test_binary_metrics_match_hand_computed_values():
    m = classification_metrics(Y_BIN, P_BIN)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["balanced_accuracy"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    np.testing.assert_array_equal(m["confusion"], [[1, 1], [1, 2]])
    # 5 of the 6 (positive, negative) pairs are ranked correctly; only 0.4 < 0.6 is not.
    assert m["roc_auc"] == pytest.approx(5 / 6)
    # Precision at each positive in score order: 1/1, 2/2, 3/4.
    assert m["average_precision"] == pytest.approx((1 + 1 + 0.75) / 3)
    assert m["n_classes"] == 2 and m["nonfinite_scores"] is False


def test_two_column_probabilities_give_the_same_binary_metrics():
    proba = np.column_stack([1 - P_BIN, P_BIN])
    a, b = classification_metrics(Y_BIN, P_BIN), classification_metrics(Y_BIN, proba)
    for key in ("accuracy", "f1", "roc_auc", "average_precision"):
        assert a[key] == pytest.approx(b[key])


def test_threshold_moves_the_binary_decision():
    m = classification_metrics(Y_BIN, P_BIN, threshold=0.35)
    assert m["recall"] == 1.0 and m["precision"] == pytest.approx(3 / 4)


def test_predicting_only_the_majority_scores_high_accuracy_but_half_balanced_accuracy():
    y = np.array([0] * 95 + [1] * 5)
    m = classification_metrics(y, np.zeros(100))
    assert m["accuracy"] == pytest.approx(0.95) == majority_baseline_accuracy(y)
    assert m["balanced_accuracy"] == pytest.approx(0.5)
    assert m["recall"] == 0.0 and m["precision"] == 0.0 and m["f1"] == 0.0


def test_ranking_scores_are_nan_when_only_one_class_is_present():
    m = classification_metrics(np.array([1, 1, 1]), np.array([0.2, 0.7, 0.9]))
    assert math.isnan(m["roc_auc"]) and math.isnan(m["average_precision"])
    assert m["accuracy"] == pytest.approx(2 / 3)


def test_multiclass_metrics_match_hand_computed_values():
    y = np.array([0, 1, 2, 2])
    proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    m = classification_metrics(y, proba)
    assert m["accuracy"] == 0.5
    np.testing.assert_array_equal(m["confusion"], [[1, 0, 0], [0, 0, 1], [0, 1, 1]])
    assert m["balanced_accuracy"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert m["f1_macro"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert m["n_classes"] == 3 and "roc_auc" not in m


def test_nonfinite_scores_give_nan_metrics():
    m = classification_metrics(Y_BIN, np.array([0.1, np.nan, 0.4, 0.8, 0.9]))
    assert m["nonfinite_scores"] is True
    assert math.isnan(m["accuracy"]) and math.isnan(m["roc_auc"])
    assert m["confusion"].shape == (2, 2)


@pytest.mark.parametrize(
    ("y", "scores", "message"),
    [
        (np.array([0, 1, 2]), np.array([0.1, 0.2, 0.3]), r"labels must lie in 0\.\.1"),
        (np.array([0, 1]), np.array([0.1, 0.2, 0.3]), "different numbers of samples"),
        (np.array([0.5, 1.0]), np.array([0.1, 0.2]), "integer class labels"),
        (np.array([0, 1]), np.ones((2, 2, 2)), "shape"),
        (np.array([], dtype=int), np.array([]), "empty"),
    ],
)
def test_bad_classification_inputs_raise_value_error(y, scores, message):
    with pytest.raises(ValueError, match=message):
        classification_metrics(y, scores)


def test_roc_and_pr_curves_have_the_expected_ends_and_areas():
    curves = roc_pr_curves(Y_BIN, P_BIN)
    assert curves["defined"] is True
    assert (curves["fpr"][0], curves["tpr"][0]) == (0.0, 0.0)
    assert (curves["fpr"][-1], curves["tpr"][-1]) == (1.0, 1.0)
    assert np.all(np.diff(curves["fpr"]) >= 0)
    assert np.trapezoid(curves["tpr"], curves["fpr"]) == pytest.approx(5 / 6)
    assert curves["roc_auc"] == pytest.approx(5 / 6)
    assert curves["recall"][0] == 1.0 and curves["recall"][-1] == 0.0
    assert curves["precision"].shape == curves["recall"].shape


def test_curves_are_marked_undefined_for_a_single_class():
    curves = roc_pr_curves(np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]))
    assert curves["defined"] is False and curves["fpr"].size == 0 and math.isnan(curves["roc_auc"])


def test_majority_baseline_is_the_share_of_the_largest_class():
    assert majority_baseline_accuracy(np.array([0, 0, 0, 1])) == 0.75
    assert majority_baseline_accuracy(np.array([2, 1, 2, 0, 2, 1])) == 0.5
    with pytest.raises(ValueError, match="empty"):
        majority_baseline_accuracy(np.array([], dtype=int))
