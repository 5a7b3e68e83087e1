"""Scores for regression and classification, defined as in the lecture notes' chapter on evaluating regression
models (MAE, MSE, RMSE, R², ...) and the usual classification scores.

Regression (a = prediction, y = target, m samples):
    MAE  = (1/m) Σ |a - y|                  MAPE = (100/m′) Σ_{y≠0} |(a - y) / y|   (a percentage;
                                            m′ = targets not zero, = m when none is)
    SSE  = Σ (a - y)²                       MSE  = SSE / m          RMSE = √MSE
    R²   = 1 - Σ (a - y)² / Σ (ȳ - y)²      (1 for a perfect fit, 0 for predicting the mean, < 0 worse)

A network that diverged predicts NaN or ±inf; the functions here then return NaN scores (and flag it)
rather than raising, so the app can keep drawing and say what happened.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    hamming_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_curve,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

# |y| at or below this counts as a zero target, where the MAPE term |a - y| / |y| is undefined.
MAPE_ZERO_TOLERANCE = 1e-12

# Codes, not sentences, so that the interface can translate them.
MAPE_ALL_TARGETS_ZERO = "all_targets_zero"
MAPE_SOME_TARGETS_ZERO = "some_targets_zero"


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """MAE, MAPE, SSE, MSE, RMSE and R² of predictions.

    y_true, y_pred : ndarray of shape (n_samples,) or (n_samples, 1)

    Returns a dict with float values "mae", "mape" (percent), "sse", "mse", "rmse", "r2", and:
    "mape_skipped": how many targets were (near) zero and left out of MAPE, so its m counts the others;
    "mape_reason": None, MAPE_SOME_TARGETS_ZERO (MAPE is over the other targets) or
    MAPE_ALL_TARGETS_ZERO (MAPE is NaN);
    "nonfinite_predictions": True when some prediction is NaN/inf; every score is then NaN.
    R² of a single sample is NaN (the spread of one target is undefined).
    """
    y_true = _as_vector("y_true", y_true)
    y_pred = _as_vector("y_pred", y_pred)
    _check_same_length(y_true, y_pred)
    if not np.all(np.isfinite(y_true)):
        raise ValueError("y_true contains NaN or infinite values")
    zero = np.abs(y_true) <= MAPE_ZERO_TOLERANCE
    skipped = int(zero.sum())
    reason = MAPE_ALL_TARGETS_ZERO if skipped == y_true.size else MAPE_SOME_TARGETS_ZERO if skipped else None
    if not np.all(np.isfinite(y_pred)):
        scores = dict.fromkeys(("mae", "mape", "sse", "mse", "rmse", "r2"), float("nan"))
        return scores | {"mape_skipped": skipped, "mape_reason": reason, "nonfinite_predictions": True}
    mse = float(mean_squared_error(y_true, y_pred))
    kept = ~zero
    mape = float("nan")
    if kept.any():
        mape = float(100.0 * np.mean(np.abs((y_pred[kept] - y_true[kept]) / y_true[kept])))
    return {"mape_skipped": skipped, "mape_reason": reason, "nonfinite_predictions": False} | {
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "mape": mape,
        "sse": float(np.sum((y_pred - y_true) ** 2)),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "r2": float(r2_score(y_true, y_pred)) if y_true.size >= 2 else float("nan"),
    }


def classification_metrics(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict:
    """Scores of predicted class probabilities.

    y_true : ndarray of shape (n_samples,), integer labels
    y_score : binary: probability of class 1, shape (n_samples,) or (n_samples, 1), or both class
        probabilities, shape (n_samples, 2); multiclass: probabilities, shape (n_samples, n_classes)
    threshold : binary only; a sample is predicted 1 when its class-1 probability is >= threshold

    Binary keys: "accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc",
    "average_precision" (the last two NaN when y_true holds one class only), "confusion" (2x2).
    Multiclass keys: "accuracy", "balanced_accuracy", "f1_macro", "confusion" (k x k).
    "confusion"[i, j] counts samples of true class i predicted as j. Every dict has "n_classes" and
    "nonfinite_scores"; when a score is NaN/inf every number is NaN (the confusion matrix too, as floats).
    """
    y_true = _as_labels(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score[:, 0]
    if y_score.ndim not in (1, 2):
        raise ValueError(f"y_score must have shape (n_samples,) or (n_samples, n_classes); got {y_score.shape}")
    _check_same_length(y_true, y_score)
    if y_true.size == 0:
        raise ValueError("y_true is empty; scores need at least one sample")
    n_classes = 2 if y_score.ndim == 1 else y_score.shape[1]
    if n_classes < 2:
        raise ValueError(f"y_score has {n_classes} columns; need one probability per class (at least 2)")
    if y_true.min() < 0 or y_true.max() >= n_classes:
        raise ValueError(
            f"y_true labels must lie in 0..{n_classes - 1} to match y_score; got {np.unique(y_true).tolist()}"
        )
    binary = n_classes == 2
    keys = (
        ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision")
        if binary
        else ("accuracy", "balanced_accuracy", "f1_macro")
    )
    if not np.all(np.isfinite(y_score)):
        return {key: float("nan") for key in keys} | {
            "confusion": np.full((n_classes, n_classes), np.nan),
            "n_classes": n_classes,
            "nonfinite_scores": True,
        }
    if binary:
        positive = y_score if y_score.ndim == 1 else y_score[:, 1]
        y_pred = (positive >= threshold).astype(np.int64)
    else:
        y_pred = np.argmax(y_score, axis=1)
    confusion = confusion_counts(y_true, y_pred, n_classes)
    result = {
        "accuracy": float(np.mean(y_pred == y_true)),
        "balanced_accuracy": _balanced_accuracy(confusion),
        "confusion": confusion,
        "n_classes": n_classes,
        "nonfinite_scores": False,
    }
    if not binary:
        return result | {
            "f1_macro": float(f1_score(y_true, y_pred, labels=np.arange(n_classes), average="macro", zero_division=0))
        }
    # Ranking scores compare positives with negatives, so they need both classes in y_true.
    roc_auc = average_precision = float("nan")
    if np.unique(y_true).size == 2:
        roc_auc = float(roc_auc_score(y_true, positive))
        average_precision = float(average_precision_score(y_true, positive))
    return result | {
        "precision": float(precision_score(y_true, y_pred, labels=[0, 1], zero_division=0)),
        "recall": float(recall_score(y_true, y_pred, labels=[0, 1], zero_division=0)),
        "f1": float(f1_score(y_true, y_pred, labels=[0, 1], zero_division=0)),
        "roc_auc": roc_auc,
        "average_precision": average_precision,
    }


def roc_pr_curves(y_true: np.ndarray, scores: np.ndarray) -> dict:
    """ROC and precision-recall curves of a binary classifier, for plotting.

    y_true : ndarray of shape (n_samples,), labels 0/1
    scores : probability (or any score) of class 1, shape (n_samples,), or (n_samples, 2) probabilities

    Returns "fpr", "tpr", "roc_thresholds", "precision", "recall", "pr_thresholds" (1-D arrays),
    "roc_auc", "average_precision", and "defined": False (with empty arrays and NaN areas) when
    y_true holds only one class or a score is not finite, since the curves do not exist then.
    """
    y_true = _as_labels(y_true)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    scores = _as_vector("scores", scores)
    _check_same_length(y_true, scores)
    if y_true.min() < 0 or y_true.max() > 1:
        raise ValueError(f"y_true must hold binary labels 0/1; got {np.unique(y_true).tolist()}")
    if np.unique(y_true).size < 2 or not np.all(np.isfinite(scores)):
        empty = np.empty(0)
        return {
            "fpr": empty, "tpr": empty, "roc_thresholds": empty,
            "precision": empty, "recall": empty, "pr_thresholds": empty,
            "roc_auc": float("nan"), "average_precision": float("nan"), "defined": False,
        }  # fmt: skip
    fpr, tpr, roc_thresholds = roc_curve(y_true, scores)
    precision, recall, pr_thresholds = precision_recall_curve(y_true, scores)
    return {
        "fpr": fpr,
        "tpr": tpr,
        "roc_thresholds": roc_thresholds,
        "precision": precision,
        "recall": recall,
        "pr_thresholds": pr_thresholds,
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "average_precision": float(average_precision_score(y_true, scores)),
        "defined": True,
    }


def multilabel_metrics(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict:
    """Scores of N yes/no labels at once (scikit-learn on indicator matrices).

    y_true : (n, N) of 0/1;  y_score : (n, N) sigmoid outputs, a label is predicted "yes" at ≥ ``threshold``.
    Returns ``hamming_loss`` (the fraction of wrong label decisions), ``subset_accuracy`` (the fraction of samples
    with every label right), and per label (lists of N): ``label_accuracy``, ``label_f1``, ``label_positive_rate``
    (how often the label is yes in y_true). A diverged network (NaN scores) gets NaN scores, not an exception.
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_true.ndim != 2 or y_score.shape != y_true.shape:
        raise ValueError(
            f"y_true and y_score must both have shape (n_samples, n_labels); got {y_true.shape} and {y_score.shape}"
        )
    if y_true.shape[0] == 0:
        raise ValueError("y_true is empty; scores need at least one sample")
    if not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError(f"y_true must hold 0/1 labels; got values {np.unique(y_true)[:5].tolist()}")
    truth = y_true.astype(np.int64)
    n_labels = truth.shape[1]
    if not np.all(np.isfinite(y_score)):
        nan = float("nan")
        return {
            "hamming_loss": nan,
            "subset_accuracy": nan,
            "label_accuracy": [nan] * n_labels,
            "label_f1": [nan] * n_labels,
            "label_positive_rate": truth.mean(axis=0).tolist(),
            "diverged": True,
        }
    predicted = (y_score >= threshold).astype(np.int64)
    return {
        "hamming_loss": float(hamming_loss(truth, predicted)),
        "subset_accuracy": float(accuracy_score(truth, predicted)),
        "label_accuracy": (predicted == truth).mean(axis=0).tolist(),
        "label_f1": f1_score(truth, predicted, average=None, zero_division=0.0).tolist(),
        "label_positive_rate": truth.mean(axis=0).tolist(),
        "diverged": False,
    }


def multilabel_counts(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict:
    """The numbers of :func:`multilabel_metrics` in plain NumPy, for a live view that shows them every frame.

    scikit-learn validates its inputs on every call (~2 ms for ``hamming_loss``, ~10 ms for ``f1_score`` on a
    loaded machine), more than an epoch of training; here the arrays are trusted (y_true (n, N) of 0/1, y_score
    (n, N)) and the same definitions are computed directly. Equal to scikit-learn's, checked in the tests:
    Hamming loss = mean over samples and labels of [ŷ ≠ y]; subset accuracy = mean over samples of [ŷ = y for
    every label]; per label, accuracy and F1 = 2·TP / (2·TP + FP + FN), 0 when the label is never predicted nor
    present (scikit-learn's ``zero_division=0``).
    """
    truth = np.asarray(y_true) == 1
    score = np.asarray(y_score, dtype=np.float64)
    n_labels = truth.shape[1]
    if not np.all(np.isfinite(score)):
        nan = float("nan")
        return {
            "hamming_loss": nan,
            "subset_accuracy": nan,
            "label_accuracy": [nan] * n_labels,
            "label_f1": [nan] * n_labels,
            "diverged": True,
        }
    predicted = score >= threshold
    right = predicted == truth
    tp = np.sum(predicted & truth, axis=0)
    wrong = np.sum(~right, axis=0)  # false positives + false negatives
    denominator = 2 * tp + wrong
    f1 = np.divide(2 * tp, denominator, out=np.zeros(n_labels), where=denominator > 0)
    return {
        "hamming_loss": float(np.mean(~right)),
        "subset_accuracy": float(np.mean(np.all(right, axis=1))),
        "label_accuracy": np.mean(right, axis=0).tolist(),
        "label_f1": f1.tolist(),
        "diverged": False,
    }


def majority_baseline_accuracy(y: np.ndarray) -> float:
    """Accuracy of always predicting the most frequent class: what 'accuracy' means on imbalanced data."""
    y = _as_labels(y)
    if y.size == 0:
        raise ValueError("y is empty; the baseline needs at least one sample")
    _, counts = np.unique(y, return_counts=True)
    return float(counts.max() / y.size)


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 matrix; entry [i, j] counts true class i predicted as class j."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def _balanced_accuracy(confusion: np.ndarray) -> float:
    """Mean recall over the classes present in y_true (classes absent from y_true have no recall)."""
    support = confusion.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(confusion)[present] / support[present]))


def _as_vector(name: str, values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,); got shape {values.shape}")
    if values.size == 0:
        raise ValueError(f"{name} is empty; scores need at least one sample")
    return values


def _as_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n_samples,); got shape {y.shape}")
    if y.dtype == bool:
        return y.astype(np.int64)
    if np.issubdtype(y.dtype, np.integer):
        return y.astype(np.int64, copy=False)
    if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    raise ValueError(f"y must hold integer class labels; got dtype {y.dtype}")


def _check_same_length(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"inputs have different numbers of samples: {a.shape[0]} and {b.shape[0]}")
