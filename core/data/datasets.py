"""Toy datasets for the playground, and a seeded train/validation/test split.

Every 2-D dataset is centred and scaled so its points lie (mostly) inside ``DOMAIN`` x ``DOMAIN``,
the square that the decision-boundary plots draw. ``noise`` always means the standard deviation of
Gaussian jitter, in those plot units, that is added on top of the dataset's clean pattern (for the
regression datasets it is added to the target instead). Everything is deterministic given ``seed``.

Arrays inside a :class:`Dataset` or :class:`Split` are read-only, so a cached dataset cannot be
changed by accident; copy them before modifying in place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from core.engine.validation import Constraint, Interval, Options, validate
from core.engine.validation import check as check_value
from core.experiment.settings import LIMITS

# scikit-learn is imported inside the functions that need it (circles, moons, digits): importing it costs
# about 1.5 s and pulls in SciPy and pandas, which the Playground's first picture of XOR, spirals... never uses.

DOMAIN = (-2.5, 2.5)
MIN_SAMPLES = 4
MAX_SAMPLES = LIMITS.max_samples
MAX_NOISE = 10.0
TASKS = ("binary", "multiclass", "regression")
IMBALANCED_SHAPES = ("blobs", "moons", "circles")

# The digits set ships inside scikit-learn: 1797 images of 8x8 pixels with intensities 0..16.
_DIGITS_PIXEL_MAX = 16.0


@dataclass(frozen=True, eq=False)
class Dataset:
    """A generated dataset.

    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64 class labels 0..n_classes-1, or float64 regression targets;
        for "multilabel" an int64 indicator matrix (n_samples, n_labels) of 0/1, one column per yes/no label
    task : "binary", "multiclass", "regression" or "multilabel"
    n_classes : number of classes, 0 for regression; the number of labels for multilabel
    feature_names : one name per column of X
    label_names : multilabel only: one short name per column of y
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int
    feature_names: tuple[str, ...]
    label_names: tuple[str, ...] = ()

    @property
    def input_dim(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is before it is generated (with its default options)."""

    name: str
    task: str
    input_dim: int
    default_n: int
    default_noise: float


@dataclass(frozen=True, eq=False)
class Split:
    """Train / validation / test parts of a dataset; the validation part may have 0 rows."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class _Option:
    """One dataset option: its default and the values it may take."""

    default: object
    allowed: Constraint


_OPTIONS: dict[str, dict[str, _Option]] = {
    "xor": {},
    "circles": {"factor": _Option(0.5, Interval(0.1, 0.9))},
    "moons": {},
    "gaussians": {},
    "spirals": {"arms": _Option(2, Interval(2, 5, strict=True)), "turns": _Option(1.5, Interval(0.25, 4.0))},
    "checkerboard": {},
    "multiclass": {"n_classes": _Option(3, Interval(2, 6, strict=True))},
    # minority_ratio is minority count : majority count, so 0.05 is 1:20 and 0.5 is 1:2.
    "imbalanced": {
        "minority_ratio": _Option(0.1, Interval(0.01, 0.5)),
        "shape": _Option("blobs", Options(IMBALANCED_SHAPES)),
    },
    "sine": {},
    "plane": {},
    "multi_gaussian": {"bumps": _Option(3, Interval(1, 4, strict=True))},
    "digits": {},
}

DATASETS: Mapping[str, DatasetInfo] = MappingProxyType(
    {
        info.name: info
        for info in (
            DatasetInfo("xor", "binary", 2, 200, 0.4),
            DatasetInfo("circles", "binary", 2, 200, 0.1),
            DatasetInfo("moons", "binary", 2, 200, 0.15),
            DatasetInfo("gaussians", "binary", 2, 200, 0.2),
            DatasetInfo("spirals", "binary", 2, 300, 0.1),
            DatasetInfo("checkerboard", "binary", 2, 400, 0.05),
            DatasetInfo("multiclass", "multiclass", 2, 300, 0.2),
            DatasetInfo("imbalanced", "binary", 2, 400, 0.2),
            DatasetInfo("sine", "regression", 1, 100, 0.1),
            DatasetInfo("plane", "regression", 2, 200, 0.1),
            DatasetInfo("multi_gaussian", "regression", 2, 300, 0.05),
            DatasetInfo("digits", "multiclass", 64, 600, 0.0),
        )
    }
)


# Multi-label sets: several yes/no labels per point, which may hold together ("inside the circle" and "above the
# diagonal"). Kept apart from DATASETS, whose tasks have one label per point, until the Playground draws them.
MULTILABEL_DATASETS: Mapping[str, DatasetInfo] = MappingProxyType(
    {
        info.name: info
        for info in (
            DatasetInfo("circle_diagonal", "multilabel", 2, 400, 0.05),
            DatasetInfo("three_discs", "multilabel", 2, 500, 0.05),
        )
    }
)
MULTILABEL_LABELS = {
    "circle_diagonal": ("inside_circle", "above_diagonal"),
    "three_discs": ("disc_a", "disc_b", "disc_c"),
}
CIRCLE_RADIUS = 1.4
DISC_RADIUS = 1.25
DISC_CENTRES = 0.75 * np.array([[math.cos(a), math.sin(a)] for a in (math.pi / 2, 7 * math.pi / 6, 11 * math.pi / 6)])


def make_multilabel_dataset(name: str, n_samples: int = 400, noise: float = 0.05, seed: int = 0) -> Dataset:
    """A 2-D multi-label dataset: y is an (n_samples, n_labels) 0/1 matrix, labels decided by the clean points.

    "circle_diagonal": label 0 = inside the circle of radius ``CIRCLE_RADIUS``, label 1 = above the diagonal
    x2 > x1; all four combinations occur. "three_discs": one label per disc of radius ``DISC_RADIUS`` around the
    three ``DISC_CENTRES``; the discs overlap, so a point can carry 0, 1, 2 or 3 labels.
    Points are uniform in the plot square (a little inside it); ``noise`` jitters them after labelling.
    """
    check_value("name", name, Options(MULTILABEL_DATASETS))
    n_samples, noise, seed = validate({"n_samples": n_samples, "noise": noise, "seed": seed}, _ARGUMENTS).values()
    rng = np.random.default_rng(seed)
    clean = rng.uniform(0.9 * DOMAIN[0], 0.9 * DOMAIN[1], size=(n_samples, 2))
    if name == "circle_diagonal":
        y = np.column_stack([(clean**2).sum(axis=1) < CIRCLE_RADIUS**2, clean[:, 1] > clean[:, 0]])
    else:
        distances = np.linalg.norm(clean[:, None, :] - DISC_CENTRES[None, :, :], axis=2)
        y = distances < DISC_RADIUS
    X = clean + noise * rng.standard_normal(clean.shape)
    labels = MULTILABEL_LABELS[name]
    return Dataset(name, _read_only(X), _read_only(y.astype(np.int64)), "multilabel", len(labels), _XY, labels)


def single_labels(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """One class per point from a multi-label matrix, for training softmax on multi-label points.

    X : (n, 2) points; Y : (n, N) 0/1. Returns (n,) int64: 0 where a point has no label, else 1 + one of its
    labels. A point with several labels keeps one picked by its coordinates, so the same point keeps the same
    label whichever part of a split it is in, and the overlap holds each of its labels about equally often.
    """
    Y = np.asarray(Y).astype(bool)
    count = Y.sum(axis=1)
    pick = np.floor(np.abs(np.asarray(X, dtype=np.float64)).sum(axis=1) * 997).astype(np.int64) % np.maximum(count, 1)
    ranks = np.cumsum(Y, axis=1) - 1  # the k-th yes-label of a row has rank k
    chosen = np.argmax(Y & (ranks == pick[:, None]), axis=1)
    return np.where(count > 0, chosen + 1, 0).astype(np.int64)


def dataset_options(name: str) -> dict[str, object]:
    """The options ``make_dataset`` accepts for ``name``, with their defaults."""
    _check_name(name)
    return {key: option.default for key, option in _OPTIONS[name].items()}


def make_dataset(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0, **options) -> Dataset:
    """Generate the dataset ``name`` (a key of ``DATASETS``).

    n_samples : int in [MIN_SAMPLES, MAX_SAMPLES]; for "digits" at most the 1797 bundled images are used.
    noise : standard deviation of the Gaussian jitter (plot units; for regression, target units;
        for "digits", pixel intensity in [0, 1], clipped back into [0, 1]).
    seed : non-negative int seeding a numpy Generator; the same arguments give the same data.
    options : dataset specific, see ``dataset_options(name)``:
        circles: factor (inner/outer radius); spirals: arms (2..5), turns;
        multiclass: n_classes (2..6); imbalanced: minority_ratio (minority:majority, 0.01..0.5,
        0.05 = 1:20), shape ("blobs", "moons", "circles"); multi_gaussian: bumps (1..4).

    Raises ValueError naming the bad argument and the allowed values.
    """
    _check_name(name)
    n_samples, noise, seed = validate({"n_samples": n_samples, "noise": noise, "seed": seed}, _ARGUMENTS).values()
    resolved = _check_options(name, options)
    rng = np.random.default_rng(seed)
    X, y, n_classes, feature_names = _GENERATORS[name](n_samples, noise, rng, **resolved)
    if n_classes == 0:
        task, y = "regression", y.astype(np.float64)
    else:
        task, y = ("binary" if n_classes == 2 else "multiclass"), y.astype(np.int64)
    return Dataset(
        name=name,
        X=_read_only(np.asarray(X, dtype=np.float64)),
        y=_read_only(y),
        task=task,
        n_classes=n_classes,
        feature_names=feature_names,
    )


def split_dataset(ds: Dataset, test_fraction: float = 0.3, validation_fraction: float = 0.0, seed: int = 0) -> Split:
    """Shuffle and split ``ds`` into train, validation and test parts.

    Part sizes are ceil(fraction * n_samples), reduced if needed so that at least one sample is left
    for training. Classification splits are stratified by label when every class has at least two
    samples and each part can hold every class; otherwise they are plain random splits.
    """
    test_fraction, validation_fraction, seed = validate(
        {"test_fraction": test_fraction, "validation_fraction": validation_fraction, "seed": seed}, _ARGUMENTS
    ).values()
    if test_fraction + validation_fraction >= 1.0:
        raise ValueError(
            f"test_fraction + validation_fraction = {test_fraction + validation_fraction!r} is not valid; "
            "it must be below 1 so that some samples are left for training"
        )
    rng = np.random.default_rng(seed)
    n = ds.n_samples
    n_test = math.ceil(test_fraction * n)
    n_val = math.ceil(validation_fraction * n)
    # Rounding up can eat the whole set on tiny datasets; keep one training sample, trimming
    # validation first because the test part is what the user asked to see scored.
    n_val = min(n_val, max(n - 1 - n_test, 0))
    n_test = min(n_test, n - 1 - n_val)

    is_classification = ds.task in ("binary", "multiclass")  # multi-label rows are split at random
    X_rest, y_rest, X_test, y_test = _take_part(ds.X, ds.y, n_test, is_classification, rng)
    X_train, y_train, X_val, y_val = _take_part(X_rest, y_rest, n_val, is_classification, rng)
    return Split(*(_read_only(a) for a in (X_train, y_train, X_val, y_val, X_test, y_test)))


def _take_part(X, y, n_part, stratify_labels, rng):
    """Split off ``n_part`` rows; returns (X_rest, y_rest, X_part, y_part), all shuffled."""
    n = X.shape[0]
    if n_part == 0:
        order = rng.permutation(n)
        return X[order], y[order], X[:0].copy(), y[:0].copy()
    stratify = stratify_labels and _can_stratify(y, n_part)
    rest, part = shuffle_split_indices(y, n_part, _sklearn_seed(rng), stratify)
    return X[rest], y[rest], X[part], y[part]


def shuffle_split_indices(y: np.ndarray, n_part: int, seed: int, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (rest, part), ``n_part`` rows in part: what scikit-learn's ``train_test_split(X, y,
    test_size=n_part, random_state=seed, stratify=y if stratify else None)`` draws, draw for draw.

    The same algorithm (ShuffleSplit, or StratifiedShuffleSplit with its approximate-mode class counts) in
    NumPy, so that every experiment's split stays what it was while the Playground's first picture does not
    wait ~1.5 s for scikit-learn to import; ``tests/test_datasets.py`` checks it against scikit-learn.
    y : ndarray of shape (n_samples,); ``stratify`` needs every class twice and room for each in both parts.
    """
    rng = np.random.RandomState(seed)  # scikit-learn's check_random_state(int)
    n_rest = y.shape[0] - n_part
    if not stratify:
        permutation = rng.permutation(y.shape[0])
        return permutation[n_part:], permutation[:n_part]
    _, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    rest_counts = _approximate_mode(class_counts, n_rest, rng)
    part_counts = _approximate_mode(class_counts - rest_counts, n_part, rng)
    rest, part = [], []
    for indices, count, n_rest_i, n_part_i in zip(class_indices, class_counts, rest_counts, part_counts, strict=True):
        shuffled = indices.take(rng.permutation(count), mode="clip")
        rest.extend(shuffled[:n_rest_i])
        part.extend(shuffled[n_rest_i : n_rest_i + n_part_i])
    return rng.permutation(rest), rng.permutation(part)


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``n_draws`` each class gets: proportional counts floored, the rest to the largest
    remainders, ties broken at random (scikit-learn's ``sklearn.utils.extmath._approximate_mode``)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (tied,) = np.where(remainder == value)
            add_now = min(len(tied), need_to_add)
            floored[rng.choice(tied, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _can_stratify(y: np.ndarray, n_part: int) -> bool:
    _, counts = np.unique(y, return_counts=True)
    n_classes = counts.size
    return counts.min() >= 2 and n_part >= n_classes and y.size - n_part >= n_classes


# ---------------------------------------------------------------------------------------------
# Validation at the boundary


_ARGUMENTS: dict[str, Constraint] = {
    "n_samples": Interval(MIN_SAMPLES, MAX_SAMPLES, strict=True),
    "noise": Interval(0.0, MAX_NOISE),
    "seed": Interval(0, None, strict=True),  # no upper bound: numpy's SeedSequence takes any non-negative int
    "test_fraction": Interval(0.0, 1.0, closed="left"),
    "validation_fraction": Interval(0.0, 1.0, closed="left"),
}


def _check_name(name: object) -> None:
    check_value("name", name, Options(DATASETS))


def _check_options(name: str, options: dict[str, object]) -> dict[str, object]:
    allowed = _OPTIONS[name]
    for key in options:
        if key not in allowed:
            valid = ", ".join(allowed) if allowed else "none"
            raise ValueError(f"option {key!r} is not valid for dataset {name!r}; valid options: {valid}")
    return {
        key: check_value(key, options[key], option.allowed) if key in options else option.default
        for key, option in allowed.items()
    }


# ---------------------------------------------------------------------------------------------
# Generators: each returns (X, y, n_classes, feature_names) with y as labels or targets.

_XY = ("x1", "x2")


def _xor(n, noise, rng):
    # The notes' truth table on {0, 1}² mapped to {-1, 1}²: label 1 exactly where the signs differ.
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = rng.permutation(np.arange(n) % 4)
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = (corners[which, 0] * corners[which, 1] < 0).astype(np.int64)
    return X, y, 2, _XY


def _circles(n, noise, rng, factor):
    from sklearn.datasets import make_circles

    scale = 2.0  # outer radius 1 -> 2 plot units
    X, y = make_circles(n, noise=noise / scale or None, factor=factor, random_state=_sklearn_seed(rng))
    return scale * X, y, 2, _XY


def _moons(n, noise, rng):
    # make_moons spans x in [-1, 2], y in [-0.5, 1]; centre it and stretch to the plot square.
    from sklearn.datasets import make_moons

    scale = 1.5
    X, y = make_moons(n, noise=noise / scale or None, random_state=_sklearn_seed(rng))
    return scale * (X - [0.5, 0.25]), y, 2, _XY


def _blobs(counts, centres, spread, noise, rng):
    """Gaussian blobs: ``counts[k]`` points around ``centres[k]`` with std ``spread``, plus jitter."""
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.asarray(centres, dtype=np.float64)[y] + spread * rng.standard_normal((y.size, 2))
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(y.size)
    return X[order], y[order]


def _even_counts(n, k):
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _gaussians(n, noise, rng):
    X, y = _blobs(_even_counts(n, 2), [[-1.0, -1.0], [1.0, 1.0]], 0.5, noise, rng)
    return X, y, 2, _XY


def _spirals(n, noise, rng, arms, turns):
    y = rng.permutation(np.arange(n) % arms)
    t = rng.uniform(0.0, 1.0, n)
    radius = 0.2 + 2.0 * t
    angle = 2.0 * np.pi * (turns * t + y / arms)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return X, y, arms, _XY


def _checkerboard(n, noise, rng):
    # 4x4 unit cells covering [-2, 2]²; labels come from the clean position, so jitter blurs edges.
    clean = rng.uniform(-2.0, 2.0, (n, 2))
    cells = np.floor(clean + 2.0).astype(np.int64)
    y = (cells[:, 0] + cells[:, 1]) % 2
    return clean + noise * rng.standard_normal(clean.shape), y, 2, _XY


def _multiclass(n, noise, rng, n_classes):
    angles = np.pi / 2 + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 1.4 * np.column_stack([np.cos(angles), np.sin(angles)])
    X, y = _blobs(_even_counts(n, n_classes), centres, 0.35, noise, rng)
    return X, y, n_classes, _XY


def _imbalanced(n, noise, rng, minority_ratio, shape):
    # minority : majority = r : 1  ->  minority count = n * r / (1 + r), at least one of each class.
    n_minority = min(max(round(n * minority_ratio / (1.0 + minority_ratio)), 1), n - 1)
    n_majority = n - n_minority
    if shape == "blobs":
        X, y = _blobs([n_majority, n_minority], [[-0.6, -0.6], [1.0, 1.0]], 0.6, noise, rng)
        return X, y, 2, _XY
    from sklearn.datasets import make_circles, make_moons

    # Label 1 is the minority: the inner circle, or the lower moon.
    if shape == "circles":
        scale = 2.0
        X, y = make_circles((n_majority, n_minority), noise=None, factor=0.5, random_state=_sklearn_seed(rng))
    else:
        scale = 1.5
        X, y = make_moons((n_majority, n_minority), noise=None, random_state=_sklearn_seed(rng))
        X = X - [0.5, 0.25]
    X = scale * X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order], 2, _XY


def _sine(n, noise, rng):
    x = rng.uniform(-np.pi, np.pi, n)
    return x[:, None], np.sin(x) + noise * rng.standard_normal(n), 0, ("x",)


def _plane(n, noise, rng):
    X = rng.uniform(-2.0, 2.0, (n, 2))
    return X, 0.5 * X[:, 0] - 0.8 * X[:, 1] + noise * rng.standard_normal(n), 0, _XY


# A fixed landscape, so that the seed changes the sample and the noise but not the function to learn.
# Rows: centre x1, centre x2, height, width.
_BUMPS = np.array(
    [
        [-1.0, -0.8, 1.0, 0.7],
        [1.2, 0.9, -0.8, 0.6],
        [0.8, -1.3, 0.6, 0.5],
        [-1.2, 1.3, -0.5, 0.5],
    ]
)


def bump_surface(X: np.ndarray, bumps: int = 3) -> np.ndarray:
    """Noise-free target of "multi_gaussian": sum of Gaussian bumps. X (n, 2) -> (n,)."""
    params = _BUMPS[:bumps]
    sq_dist = ((X[:, None, :] - params[None, :, :2]) ** 2).sum(axis=2)
    return (params[:, 2] * np.exp(-sq_dist / (2.0 * params[:, 3] ** 2))).sum(axis=1)


def _multi_gaussian(n, noise, rng, bumps):
    X = rng.uniform(DOMAIN[0], DOMAIN[1], (n, 2))
    return X, bump_surface(X, bumps) + noise * rng.standard_normal(n), 0, _XY


def _digits(n, noise, rng):
    from sklearn.datasets import load_digits

    digits = load_digits()
    X_all = digits.data / _DIGITS_PIXEL_MAX
    y_all = digits.target
    chosen = _stratified_subset(y_all, min(n, y_all.size), rng)
    X = X_all[chosen]
    if noise > 0:
        X = np.clip(X + noise * rng.standard_normal(X.shape), 0.0, 1.0)
    side = int(math.isqrt(X.shape[1]))
    names = tuple(f"pixel_{row}_{col}" for row in range(side) for col in range(side))
    return X, y_all[chosen], 10, names


def _stratified_subset(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` rows taking classes in turn (each class shuffled), then shuffled.

    Class shares stay as even as the data allow, which for the nearly balanced digits is stratified,
    and unlike train_test_split it also works when n is smaller than the number of classes.
    """
    per_class = [rng.permutation(np.flatnonzero(y == label)) for label in np.unique(y)]
    longest = max(idx.size for idx in per_class)
    round_robin = [idx[i] for i in range(longest) for idx in per_class if i < idx.size]
    return rng.permutation(np.array(round_robin[:n]))


_GENERATORS = {
    "xor": _xor,
    "circles": _circles,
    "moons": _moons,
    "gaussians": _gaussians,
    "spirals": _spirals,
    "checkerboard": _checkerboard,
    "multiclass": _multiclass,
    "imbalanced": _imbalanced,
    "sine": _sine,
    "plane": _plane,
    "multi_gaussian": _multi_gaussian,
    "digits": _digits,
}


def _sklearn_seed(rng: np.random.Generator) -> int:
    """An int for scikit-learn's ``random_state``, drawn from our Generator (it does not take one)."""
    return int(rng.integers(2**31 - 1))


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array
