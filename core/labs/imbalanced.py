"""The imbalanced-data lab: one network, several remedies, honest scores.

The notes' remedies for a skewed class ratio are compared on equal terms: the same data, the same split, the
same network and seed, trained once per *strategy*, where a strategy is one of the samplers in
``core.data.sampling.SAMPLERS`` (applied to the training split only), ``"class_weight"`` (no resampling; the loss
weighs every class by n / (k · n_class) instead) or ``"balanced_bagging"`` (an ensemble, as the
imbalanced-data chapter suggests: several copies
of the network, each trained on all minority points and an equal random share of the majority, their
P(minority) averaged). Every score is measured on the untouched test split, with class 1 (the minority) as the
positive class.

Threshold helpers say what happens when a sample counts as minority once P(class 1) ≥ t rather than ≥ 0.5:
:func:`operating_point` for one t, :func:`threshold_sweep` for many.

:func:`cross_validate_strategy` shows why a sampler belongs *inside* cross-validation: resampling the
whole training set before it is cut into folds puts copies of (or interpolations between) a fold's own test
points into its training part, and the estimate comes out too good.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from imblearn import FunctionSampler
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from core.data.datasets import DOMAIN
from core.data.features import transform_features
from core.data.sampling import SAMPLERS, resample
from core.engine.training import History
from core.engine.validation import Interval, Options, check
from core.experiment.boundary import DEFAULT_RESOLUTION, BoundaryGrid, boundary_grid, grid_input
from core.experiment.config import ExperimentConfig
from core.experiment.estimator import estimator_from_config
from core.experiment.metrics import classification_metrics, confusion_counts, roc_pr_curves
from core.experiment.run import prepare_data, run

CLASS_WEIGHT = "class_weight"
ENSEMBLE = "balanced_bagging"
STRATEGIES = (*SAMPLERS, CLASS_WEIGHT, ENSEMBLE)
ENSEMBLE_MEMBERS = 5  # networks in the balanced-bagging ensemble

# Scores that rank the minority (class 1) correctly, by scikit-learn scorer name; accuracy is left out on
# purpose: it rewards ignoring the minority.
CV_SCORES = ("recall", "precision", "f1", "balanced_accuracy", "roc_auc", "average_precision")
MIN_FOLDS, MAX_FOLDS = 2, 10


def check_strategy(strategy: str) -> str:
    check("strategy", strategy, Options(STRATEGIES))
    return strategy


def strategy_config(cfg: ExperimentConfig, strategy: str) -> ExperimentConfig:
    """``cfg`` set up for ``strategy``: a sampler without class weights, or class weights without a sampler.

    The ensemble resamples inside each member, so its configuration has neither. A strategy that does not
    resample keeps no sampling ratio either (1.0), so runs that differ only in it are the same run.
    """
    check_strategy(strategy)
    weighted = strategy == CLASS_WEIGHT
    sampler = "none" if strategy in (CLASS_WEIGHT, ENSEMBLE) else strategy
    ratio = cfg.data.sampling_ratio if sampler != "none" else 1.0
    data = replace(cfg.data, sampler=sampler, sampling_ratio=ratio)
    train = replace(cfg.train, class_weight="balanced" if weighted else "none")
    return replace(cfg, data=data, train=train)


@dataclass(frozen=True, eq=False)
class StrategyRun:
    """One network trained with one strategy, scored on the untouched test split.

    counts_before : (2,) class counts of the training split before resampling
    X_train : (n_train, 2) raw training points after resampling;  y_train : (n_train,)
    synthetic : (n_train,) bool, True for points the sampler added
    X_test : (n_test, 2) raw test points;  y_test : (n_test,)
    test_scores : (n_test,) P(class 1) predicted for the test points
    metrics : ``core.experiment.metrics.classification_metrics`` at threshold 0.5
    curves : ``core.experiment.metrics.roc_pr_curves`` of the test scores
    grid : the network's P(class 1) over the plot square, for a boundary figure
    member_grids : for the ensemble, each member's P(class 1) over the same square (its mean is ``grid``);
        empty for every other strategy
    member_counts : for the ensemble, (2,) class counts each member trains on; None otherwise
    majority_seen : for the ensemble, how many distinct majority training points some member trained on
    history : the training history (for the ensemble, its first member's)
    Plain arrays only (no Network object), so a run can be pickled into a cache.
    """

    strategy: str
    config: ExperimentConfig
    counts_before: np.ndarray
    X_train: np.ndarray
    y_train: np.ndarray
    synthetic: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    test_scores: np.ndarray
    metrics: dict
    curves: dict
    grid: BoundaryGrid
    history: History
    features: tuple[str, ...]
    member_grids: tuple[BoundaryGrid, ...] = ()
    member_counts: np.ndarray | None = None
    majority_seen: int = 0

    @property
    def n_synthetic(self) -> int:
        return int(self.synthetic.sum())

    @property
    def counts_after(self) -> np.ndarray:
        """(2,) class counts of the training points the network saw."""
        return np.bincount(self.y_train, minlength=2)

    @property
    def counts_test(self) -> np.ndarray:
        """(2,) class counts of the test split."""
        return np.bincount(self.y_test, minlength=2)

    @property
    def prevalence(self) -> float:
        """Share of the minority in the test split: the precision of a random guess."""
        return float(np.mean(self.y_test == 1))


def train_strategy(cfg: ExperimentConfig, strategy: str, grid_resolution: int = DEFAULT_RESOLUTION) -> StrategyRun:
    """Train the network of ``cfg`` on its binary data with ``strategy``; score it on the test split."""
    strategy_cfg = strategy_config(cfg, strategy)
    if strategy_cfg.task != "binary":
        raise ValueError(f"data.name={cfg.data.name!r} is not a binary dataset; the lab compares two classes")
    if strategy == ENSEMBLE:
        return _train_ensemble(strategy_cfg, grid_resolution)
    result = run(strategy_cfg, record_stats=False)
    data = result.data
    if len(data.split.y_test) == 0:
        raise ValueError("data.test_fraction=0 leaves no test split to score the strategies on")
    scores = result.network.predict(data.split.X_test)[:, 0]
    # Under-sampling drops rows, so the counts before resampling come from the split without a sampler.
    original = prepare_data(strategy_config(cfg, "none")).raw.y_train
    return StrategyRun(
        strategy=strategy,
        config=strategy_cfg,
        counts_before=np.bincount(original, minlength=2),
        X_train=data.raw.X_train,
        y_train=data.raw.y_train,
        synthetic=data.synthetic,
        X_test=data.raw.X_test,
        y_test=data.raw.y_test,
        test_scores=scores,
        metrics=classification_metrics(data.raw.y_test, scores),
        curves=roc_pr_curves(data.raw.y_test, scores),
        grid=boundary_grid(result.network, data.features, resolution=grid_resolution),
        history=result.history,
        features=data.features,
    )


def balanced_bagging(cfg: ExperimentConfig, n_members: int = ENSEMBLE_MEMBERS) -> BalancedBaggingClassifier:
    """The notes' ensemble for imbalanced data, unfitted: imbalanced-learn's ``BalancedBaggingClassifier``.

    Each of ``n_members`` copies of the network of ``cfg`` (input features → network, each with its own
    initialisation seed) trains on all minority points and as many majority points drawn at random without
    replacement, a different draw per member (no bootstrap on top, so no minority point is left out: the
    notes' "train L classifiers, each on a share of the majority and all of the minority, and combine
    them"). ``predict_proba`` averages the members'. Fit it on raw 2-D points (n_samples, 2) with labels 0/1.
    """
    n_members = check("n_members", n_members, Interval(2, 50, strict=True))
    member = make_pipeline(
        FunctionTransformer(transform_features, kw_args={"names": tuple(cfg.data.features)}),
        estimator_from_config(strategy_config(cfg, "none")),
    )
    return BalancedBaggingClassifier(
        estimator=member,
        n_estimators=n_members,
        sampler=RandomUnderSampler(),
        bootstrap=False,
        random_state=cfg.seed,
    )


def _train_ensemble(cfg: ExperimentConfig, grid_resolution: int) -> StrategyRun:
    data = prepare_data(cfg)  # sampler "none": the ensemble resamples inside each member
    if len(data.split.y_test) == 0:
        raise ValueError("data.test_fraction=0 leaves no test split to score the strategies on")
    X, y = data.raw.X_train, data.raw.y_train
    counts = np.bincount(y, minlength=2)
    if counts.min() < 2:
        raise ValueError(f"the training split has {int(counts.min())} minority point(s); the ensemble needs at least 2")
    ensemble = balanced_bagging(cfg).fit(X, y)
    scores = ensemble.predict_proba(data.raw.X_test)[:, 1]
    plane = grid_input(("x1", "x2"), grid_resolution, DOMAIN)  # raw points: each member featurises them
    ny, nx = plane.shape
    members = tuple(
        BoundaryGrid(plane.xs, plane.ys, member.predict_proba(plane.inputs)[:, 1].reshape(ny, nx))
        for member in ensemble.estimators_
    )
    first_network = ensemble.estimators_[0].steps[-1][1].steps[-1][1]
    drawn = np.unique(np.concatenate([member.steps[0][1].sample_indices_ for member in ensemble.estimators_]))
    return StrategyRun(
        strategy=ENSEMBLE,
        config=cfg,
        counts_before=counts,
        X_train=X,
        y_train=y,
        synthetic=np.zeros(len(y), dtype=bool),
        X_test=data.raw.X_test,
        y_test=data.raw.y_test,
        test_scores=scores,
        metrics=classification_metrics(data.raw.y_test, scores),
        curves=roc_pr_curves(data.raw.y_test, scores),
        grid=BoundaryGrid(plane.xs, plane.ys, np.mean([m.values for m in members], axis=0)),
        history=first_network.history_,
        features=data.features,
        member_grids=members,
        member_counts=np.array([counts.min(), counts.min()]),
        majority_seen=int(np.sum(y[drawn] == 0)),
    )


def compare_strategies(cfg: ExperimentConfig, strategies: tuple[str, ...]) -> dict[str, StrategyRun]:
    """:func:`train_strategy` for each of ``strategies`` (in order, duplicates dropped) on the same split."""
    for strategy in strategies:
        check_strategy(strategy)
    return {strategy: train_strategy(cfg, strategy) for strategy in dict.fromkeys(strategies)}


# ---- thresholds -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OperatingPoint:
    """Where a classifier sits when class 1 is predicted for scores ≥ ``threshold``.

    ``confusion[i, j]`` counts true class i predicted as j. ``precision`` is NaN when nothing is predicted
    as class 1 (there is no precision of an empty prediction; the PR curve has no point there either).
    """

    threshold: float
    confusion: np.ndarray
    tpr: float  # recall of class 1 = TP / (TP + FN)
    fpr: float  # FP / (FP + TN)
    precision: float
    accuracy: float
    balanced_accuracy: float
    f1: float

    @property
    def recall(self) -> float:
        return self.tpr


def operating_point(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> OperatingPoint:
    """The confusion matrix and rates at ``threshold``.

    y_true : (n_samples,) labels 0/1;  scores : (n_samples,) P(class 1)
    """
    threshold = _check_threshold(threshold)
    y_true, scores = _check_binary(y_true, scores)
    confusion = confusion_counts(y_true, (scores >= threshold).astype(np.int64), 2)
    (tn, fp), (fn, tp) = confusion.tolist()
    tpr = _ratio(tp, tp + fn)
    fpr = _ratio(fp, fp + tn)
    precision = _ratio(tp, tp + fp)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    recalls = [r for r in (tpr, _ratio(tn, tn + fp)) if not np.isnan(r)]
    return OperatingPoint(
        threshold=threshold,
        confusion=confusion,
        tpr=tpr,
        fpr=fpr,
        precision=precision,
        accuracy=float((tp + tn) / y_true.size),
        balanced_accuracy=float(np.mean(recalls)),
        f1=0.0 if np.isnan(f1) else f1,
    )


def scores_at(run: StrategyRun, threshold: float) -> dict:
    """``core.experiment.metrics.classification_metrics`` of a run's test scores at ``threshold``, for a slider step.

    The same numbers (undefined ratios are 0, as with sklearn's ``zero_division=0``), counted from the
    confusion matrix, with ROC AUC and average precision (which do not depend on the threshold) taken from
    ``run.curves``: a step costs a few array operations instead of seven sklearn calls. Scores that are not
    finite fall back to ``classification_metrics``, which reports every number as NaN.
    """
    if not np.all(np.isfinite(run.test_scores)):
        return classification_metrics(run.y_test, run.test_scores, threshold)
    point = operating_point(run.y_test, run.test_scores, threshold)
    (tn, fp), (fn, tp) = point.confusion.tolist()
    return {
        "accuracy": point.accuracy,
        "balanced_accuracy": point.balanced_accuracy,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": point.f1,
        "roc_auc": run.curves["roc_auc"],
        "average_precision": run.curves["average_precision"],
        "confusion": point.confusion,
        "n_classes": 2,
        "nonfinite_scores": False,
    }


@dataclass(frozen=True)
class ThresholdSweep:
    """Scores at each threshold: every field but ``thresholds`` is (n_thresholds,), NaN where undefined."""

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    fpr: np.ndarray
    balanced_accuracy: np.ndarray
    accuracy: np.ndarray

    def best_threshold(self, score: str = "f1") -> float:
        """The threshold with the highest ``score`` (the lowest such threshold on ties)."""
        check("score", score, Options(("precision", "recall", "f1", "balanced_accuracy", "accuracy")))
        values = getattr(self, score)
        return float(self.thresholds[int(np.nanargmax(values))])


def threshold_sweep(y_true: np.ndarray, scores: np.ndarray, thresholds: np.ndarray | None = None) -> ThresholdSweep:
    """Precision, recall, F1, FPR, balanced accuracy and accuracy as the threshold moves.

    y_true : (n_samples,) labels 0/1;  scores : (n_samples,) P(class 1)
    thresholds : (n_thresholds,) values in [0, 1]; default 101 evenly spaced ones
    """
    grid = np.linspace(0.0, 1.0, 101) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"thresholds must be a non-empty 1-D array; got shape {grid.shape}")
    for value in grid:
        _check_threshold(float(value))
    points = [operating_point(y_true, scores, float(t)) for t in grid]
    return ThresholdSweep(
        thresholds=grid,
        precision=np.array([p.precision for p in points]),
        recall=np.array([p.recall for p in points]),
        f1=np.array([p.f1 for p in points]),
        fpr=np.array([p.fpr for p in points]),
        balanced_accuracy=np.array([p.balanced_accuracy for p in points]),
        accuracy=np.array([p.accuracy for p in points]),
    )


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def _check_threshold(threshold: float) -> float:
    return check("threshold", threshold, Interval(0.0, 1.0))


def _check_binary(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.ndim != 1 or scores.shape != y_true.shape:
        raise ValueError(f"y_true and scores must both have shape (n_samples,); got {y_true.shape} and {scores.shape}")
    if y_true.size == 0:
        raise ValueError("y_true is empty; an operating point needs at least one sample")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError(f"y_true must hold binary labels 0/1; got {np.unique(y_true).tolist()}")
    return y_true.astype(np.int64), scores


# ---- cross-validation, done right and done wrong ----------------------------------------------------------
@dataclass(frozen=True)
class CVComparison:
    """Fold scores of two ways to cross-validate one strategy on the training split, and the test-split truth.

    right : {score name: (n_splits,) array}  the sampler runs inside each fold, on its training part only
    leaky : {score name: (n_splits,) array}  the whole training split is resampled first, then cut into folds
    holdout : {score name: float}  trained on the whole (resampled) training split, scored on the test split
    Score names are ``CV_SCORES``; class 1 (the minority) is the positive class.
    """

    strategy: str
    n_splits: int
    right: dict[str, np.ndarray]
    leaky: dict[str, np.ndarray]
    holdout: dict[str, float]

    def mean(self, which: str) -> dict[str, float]:
        """Mean over the folds of ``which`` ("right" or "leaky")."""
        check("which", which, Options(("right", "leaky")))
        return {name: float(np.mean(values)) for name, values in getattr(self, which).items()}


def cross_validate_strategy(cfg: ExperimentConfig, strategy: str, n_splits: int = 5) -> CVComparison:
    """Cross-validate the network of ``cfg`` with ``strategy`` on the training split, right and leaky.

    Right: an imbalanced-learn ``Pipeline`` (sampler → input features → network), so each fold resamples
    its own training part and scores its untouched validation part. Leaky: resample the training split once,
    then cross-validate (input features → network) on the result, so validation folds hold copies of, or
    points interpolated from, the rows the network trained on. Both use the same stratified folds seed.
    Raises ValueError when a fold would hold no minority point (more folds than minority training points).
    """
    check_strategy(strategy)
    n_splits = check("n_splits", n_splits, Interval(MIN_FOLDS, MAX_FOLDS, strict=True))
    base = strategy_config(cfg, "none")
    if base.task != "binary":
        raise ValueError(f"data.name={cfg.data.name!r} is not a binary dataset; the lab compares two classes")
    data = prepare_data(base)
    X, y = data.raw.X_train, data.raw.y_train
    n_minority = int(np.bincount(y, minlength=2).min())
    if n_minority < n_splits:
        raise ValueError(
            f"n_splits={n_splits} is too many: the training split has only {n_minority} minority points, "
            "so some folds would have none; use fewer folds or a larger minority ratio"
        )
    sampler = "none" if strategy == CLASS_WEIGHT else strategy
    features = FunctionTransformer(transform_features, kw_args={"names": tuple(data.features)})
    network = estimator_from_config(strategy_config(cfg, strategy))  # class weights with CLASS_WEIGHT only
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=cfg.seed)

    inside = Pipeline(
        [
            (
                "sampler",
                FunctionSampler(
                    func=_resampled_arrays,
                    kw_args={"strategy": sampler, "seed": cfg.seed, "ratio": cfg.data.sampling_ratio},
                ),
            ),
            ("features", features),
            ("network", network),
        ]
    )
    right = cross_validate(inside, X, y, cv=folds, scoring=CV_SCORES, error_score="raise")
    before = resample(X, y, sampler, seed=cfg.seed, ratio=cfg.data.sampling_ratio)
    leaky = cross_validate(
        make_pipeline(features, network), before.X, before.y, cv=folds, scoring=CV_SCORES, error_score="raise"
    )
    inside.fit(X, y)
    test_scores = inside.predict_proba(data.raw.X_test)[:, 1]
    truth = classification_metrics(data.raw.y_test, test_scores)
    return CVComparison(
        strategy=strategy,
        n_splits=n_splits,
        right={name: np.asarray(right[f"test_{name}"], dtype=np.float64) for name in CV_SCORES},
        leaky={name: np.asarray(leaky[f"test_{name}"], dtype=np.float64) for name in CV_SCORES},
        holdout={name: float(truth[name]) for name in CV_SCORES},
    )


def _resampled_arrays(
    X: np.ndarray, y: np.ndarray, strategy: str, seed: int, ratio: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``core.data.sampling.resample`` in the (X, y) -> (X, y) form imbalanced-learn's FunctionSampler calls."""
    out = resample(X, y, strategy, seed=seed, ratio=ratio)
    return out.X, out.y
