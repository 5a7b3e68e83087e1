"""Resampling for imbalanced classification, applied to the training split only.

Strategies (the remedies for a skewed class ratio that the lecture notes' chapter on imbalanced samples lists):

- "none": the data unchanged.
- "random_over": copy random minority rows until every class matches the largest one.
- "random_under": drop random rows of the larger classes until every class matches the smallest one.
- "attribute_wise": new minority rows whose every feature value is drawn, independently and with
  replacement, from the values that feature takes in that class (the lecture notes' "random sampling of attribute
  values", 属性值随机采样, a naive-Bayes
  style assumption: feature correlations within the class are lost).
- "smote": new points on segments between a minority point and one of its minority neighbours.
- "borderline_smote": SMOTE seeded only from minority points near the class border; when no point is
  near the border it adds nothing.
- "adasyn": SMOTE that makes more points where the minority is surrounded by other classes; the
  result is balanced only approximately (rounding per point).
- "smote_tomek": SMOTE, then remove Tomek links (pairs of nearest neighbours of different classes).
- "cluster_centroids": the imbalanced-data chapter's "cluster the majority into N clusters and train on their
  centres with all of the minority" (N = the minority's size): imbalanced-learn's ClusterCentroids with
  k-means; the centres are new points, so they are marked synthetic.
- "over_under": that chapter's "use over- and under-sampling together": copy random minority rows part of the
  way, then drop random majority rows the rest of the way (each step changes the class ratio by the same
  factor), so fewer copies are made than by "random_over" and fewer rows are lost than by "random_under".

``ratio`` is the minority : majority count ratio to reach (binary data), 1.0 for equal classes; the imbalanced-data
chapter advises trying ratios other than 1 : 1, which can be closer to reality. Below 1, a sampler whose data is
already at least that balanced returns it unchanged. With ratio 1.0, oversampling treats every class that is
smaller than the largest one, so multiclass data works too.
``Resampled.synthetic`` marks the returned rows that were not input rows as they stood: interpolated or
attribute-wise points, and also the extra copies made by "random_over" (the original row itself stays
unmarked), so a plot can show which points the sampler added.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.validation import Interval, Options, check, validate

# imbalanced-learn and scikit-learn are imported by the functions that resample: importing them costs ~2 s and pulls in
# SciPy and pandas, and core.experiment.config needs this module's names (SAMPLERS...) for every page's first run.

SAMPLERS = (
    "none",
    "random_over",
    "random_under",
    "attribute_wise",
    "smote",
    "borderline_smote",
    "adasyn",
    "smote_tomek",
    "cluster_centroids",
    "over_under",
)
MIN_RATIO = 0.1  # the most skewed target ratio a sampler can be asked for (minority : majority = 1 : 10)
CLASS_WEIGHT_MODES = ("none", "balanced")

_ARGUMENTS = {
    "strategy": Options(SAMPLERS),
    "seed": Interval(0, None, strict=True),  # no upper bound: numpy's SeedSequence takes any non-negative int
    "ratio": Interval(MIN_RATIO, 1.0),
}

# imbalanced-learn's defaults, lowered automatically when a class is too small for them.
_SMOTE_NEIGHBOURS = 5
_BORDERLINE_NEIGHBOURS = 10


@dataclass(frozen=True, eq=False)
class Resampled:
    """Output of :func:`resample`.

    X : ndarray of shape (m, n_features)
    y : ndarray of shape (m,)
    synthetic : bool ndarray of shape (m,), True for rows the sampler added
    strategy : the strategy name that produced it
    """

    X: np.ndarray
    y: np.ndarray
    synthetic: np.ndarray
    strategy: str

    @property
    def n_synthetic(self) -> int:
        return int(self.synthetic.sum())


def resample(X: np.ndarray, y: np.ndarray, strategy: str, seed: int = 0, ratio: float = 1.0) -> Resampled:
    """Rebalance the classes of (X, y) with ``strategy`` (one of ``SAMPLERS``).

    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), integer class labels
    seed : non-negative int; the same inputs and seed give the same output
    ratio : minority : majority count ratio to reach, in [MIN_RATIO, 1]; below 1 only for two classes

    Only the arrays passed in are seen, so pass the training split, never the test split.
    Raises ValueError for an unknown strategy, mismatched shapes, non-integer labels, a single class, a ratio
    out of range (or below 1 for more than two classes), or a minority class too small for the chosen method
    (SMOTE-type methods need two points per class).
    """
    strategy, seed, ratio = validate({"strategy": strategy, "seed": seed, "ratio": ratio}, _ARGUMENTS).values()
    X, y = _check_X_y(X, y)
    unchanged = Resampled(X.copy(), y.copy(), np.zeros(y.size, dtype=bool), strategy)
    if strategy == "none":
        return unchanged
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2:
        raise ValueError(f"resampling needs at least two classes in y; got only class {classes.tolist()}")
    if ratio < 1.0 and classes.size != 2:
        raise ValueError(f"ratio={ratio!r} is not valid for {classes.size} classes; a ratio below 1 needs two")
    if ratio < 1.0 and counts.min() / counts.max() >= ratio:
        return unchanged  # already at least as balanced as asked (imbalanced-learn would refuse)
    # imbalanced-learn's own "auto" for 1 : 1 (so multiclass works), the float ratio otherwise.
    target = "auto" if ratio == 1.0 else ratio
    rng = np.random.default_rng(seed)
    if strategy == "attribute_wise":
        return _attribute_wise(X, y, rng, ratio)
    if strategy == "over_under":
        return _over_under(X, y, rng, ratio)
    if strategy == "cluster_centroids":
        return _cluster_centroids(X, y, rng, target)
    from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler, TomekLinks

    if strategy in ("random_over", "random_under"):
        sampler_class = RandomOverSampler if strategy == "random_over" else RandomUnderSampler
        sampler = sampler_class(sampling_strategy=target, random_state=_sklearn_seed(rng))
        X_res, y_res = sampler.fit_resample(X, y)
        # sample_indices_ says which input row each output row copies; a repeat of a row is an addition.
        synthetic = _repeats_marked(sampler.sample_indices_)
        return Resampled(X_res, y_res, synthetic, strategy)

    smallest = int(counts.min())
    if smallest < 2:
        raise ValueError(
            f"strategy={strategy!r} needs at least 2 samples in every class to interpolate between; "
            f"class {classes[counts.argmin()]} has {smallest}"
        )
    k = min(_SMOTE_NEIGHBOURS, smallest - 1)
    seed_int = _sklearn_seed(rng)
    if strategy == "smote":
        sampler = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=seed_int)
    elif strategy == "borderline_smote":
        m = min(_BORDERLINE_NEIGHBOURS, y.size - 1)
        sampler = BorderlineSMOTE(sampling_strategy=target, k_neighbors=k, m_neighbors=m, random_state=seed_int)
    elif strategy == "adasyn":
        sampler = ADASYN(sampling_strategy=target, n_neighbors=k, random_state=seed_int)
    else:  # smote_tomek: SMOTE here, the Tomek links are removed below
        sampler = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=seed_int)
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except RuntimeError as error:
        # ADASYN refuses when no minority point has a neighbour of another class (nothing to weight by).
        raise ValueError(
            f"strategy={strategy!r} cannot resample this data: the minority class is fully separated "
            "from the others; try 'smote'"
        ) from error
    # The SMOTE family returns the input rows first, then the new ones.
    synthetic = np.arange(y_res.size) >= y.size
    if strategy == "smote_tomek":
        tomek = TomekLinks()
        X_res, y_res = tomek.fit_resample(X_res, y_res)
        synthetic = synthetic[tomek.sample_indices_]
    return Resampled(X_res, y_res, synthetic, strategy)


def _attribute_wise(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, ratio: float = 1.0) -> Resampled:
    classes, counts = np.unique(y, return_counts=True)
    target = counts.max() if ratio == 1.0 else round(ratio * counts.max())
    new_X, new_y = [X], [y]
    for label, count in zip(classes, counts, strict=True):
        n_new = int(target - count)
        if n_new <= 0:
            continue
        members = X[y == label]
        # Each column is drawn on its own: rows of the result mix values from different members.
        rows = rng.integers(0, count, size=(n_new, X.shape[1]))
        new_X.append(np.take_along_axis(members, rows, axis=0))
        new_y.append(np.full(n_new, label, dtype=y.dtype))
    X_res, y_res = np.concatenate(new_X), np.concatenate(new_y)
    return Resampled(X_res, y_res, np.arange(y_res.size) >= y.size, "attribute_wise")


def _cluster_centroids(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, target) -> Resampled:
    """Each larger class replaced by the centres of k-means clusters, as many as it is to keep."""
    from imblearn.under_sampling import ClusterCentroids
    from sklearn.cluster import KMeans

    seed = _sklearn_seed(rng)
    sampler = ClusterCentroids(
        sampling_strategy=target, estimator=KMeans(n_init=3, random_state=seed), voting="soft", random_state=seed
    )
    X_res, y_res = sampler.fit_resample(X, y)
    labels, before = np.unique(y, return_counts=True)
    after = np.array([np.sum(y_res == label) for label in labels])
    shrunk = labels[after < before]  # the classes whose rows are now cluster centres
    return Resampled(X_res, y_res, np.isin(y_res, shrunk), "cluster_centroids")


def _over_under(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, ratio: float) -> Resampled:
    """Random over-sampling part of the way, then random under-sampling the rest of the way to ``ratio``.

    Each smaller class c is copied up to the geometric middle sqrt(n_c · n_max · ratio), then the larger
    classes are cut down until the ratio is reached: 1 : 20 → 1 : 1, for instance, copies minority rows until
    about 1 : 4.5 and then drops majority rows until 1 : 1.
    """
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    labels, counts = np.unique(y, return_counts=True)
    largest = int(counts.max())
    grown = {
        int(label): max(int(count), round(float(np.sqrt(count * largest * ratio))))
        for label, count in zip(labels, counts, strict=True)
        if count < largest
    }
    over = RandomOverSampler(sampling_strategy=grown, random_state=_sklearn_seed(rng))
    X_over, y_over = over.fit_resample(X, y)
    synthetic = _repeats_marked(over.sample_indices_)
    after = dict(zip(*np.unique(y_over, return_counts=True), strict=True))
    smallest = int(min(after.values()))
    # Every class down to the smallest (ratio 1), or the larger class to smallest / ratio (two classes).
    cut = {
        int(label): min(int(count), smallest if count == smallest else round(smallest / ratio))
        for label, count in after.items()
    }
    under = RandomUnderSampler(sampling_strategy=cut, random_state=_sklearn_seed(rng))
    X_res, y_res = under.fit_resample(X_over, y_over)
    return Resampled(X_res, y_res, synthetic[under.sample_indices_], "over_under")


def class_weights(y: np.ndarray, mode: str = "balanced") -> dict[int, float]:
    """Per-class loss weights, an alternative to resampling.

    "balanced": n_samples / (n_classes * count_of_class), so every class carries the same total weight;
    "none": 1.0 for every class.
    """
    check("mode", mode, Options(CLASS_WEIGHT_MODES))
    y = _check_labels(y)
    if y.size == 0:
        raise ValueError("y is empty; class weights need at least one sample")
    classes, counts = np.unique(y, return_counts=True)
    if mode == "none":
        return {int(label): 1.0 for label in classes}
    return {int(label): float(y.size / (classes.size * count)) for label, count in zip(classes, counts, strict=True)}


def _check_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n_samples,); got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        raise ValueError(f"y must hold integer class labels; got dtype {y.dtype}")
    return y


def _check_X_y(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = _check_labels(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}")
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} labels")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X, y


def _repeats_marked(indices: np.ndarray) -> np.ndarray:
    """True for every occurrence of an index after its first."""
    seen = np.zeros(indices.size, dtype=bool)
    _, first = np.unique(indices, return_index=True)
    seen[first] = True
    return ~seen


def _sklearn_seed(rng: np.random.Generator) -> int:
    """An int for imbalanced-learn's ``random_state``, drawn from our Generator (it does not take one)."""
    return int(rng.integers(2**31 - 1))
