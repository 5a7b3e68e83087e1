import numpy as np
import pytest

from core.data.datasets import make_dataset, split_dataset
from core.data.sampling import SAMPLERS, class_weights, resample

BALANCING = ("random_over", "random_under", "attribute_wise", "smote", "smote_tomek")
ADDING = ("random_over", "attribute_wise", "smote", "borderline_smote", "adasyn", "smote_tomek")


@pytest.fixture(scope="module")
def one_to_twenty():
    """Training part of an imbalanced set with 1 minority point for every 20 majority points."""
    ds = make_dataset("imbalanced", 630, 0.2, seed=0, minority_ratio=0.05)
    split = split_dataset(ds, test_fraction=1 / 3, seed=0)
    assert np.bincount(split.y_train).tolist() == [400, 20]
    return split


def test_sampler_names_are_the_documented_ones():
    assert SAMPLERS == (
        "none", "random_over", "random_under", "attribute_wise",
        "smote", "borderline_smote", "adasyn", "smote_tomek", "cluster_centroids", "over_under",
    )  # fmt: skip


@pytest.mark.parametrize("strategy", ADDING)
def test_oversamplers_grow_the_minority_of_a_one_to_twenty_set(one_to_twenty, strategy):
    out = resample(one_to_twenty.X_train, one_to_twenty.y_train, strategy, seed=0)
    assert np.bincount(out.y)[1] > 20
    assert out.synthetic.sum() > 0
    assert np.all(out.y[out.synthetic] == 1)


@pytest.mark.parametrize("strategy", BALANCING)
def test_balancing_samplers_return_equal_class_counts(one_to_twenty, strategy):
    out = resample(one_to_twenty.X_train, one_to_twenty.y_train, strategy, seed=0)
    counts = np.bincount(out.y)
    if strategy == "smote_tomek":
        # Tomek links remove a few majority points (and synthetic ones) after balancing.
        assert abs(int(counts[0]) - int(counts[1])) <= 0.05 * counts.sum()
    else:
        assert counts[0] == counts[1]


def test_adasyn_balances_approximately(one_to_twenty):
    counts = np.bincount(resample(one_to_twenty.X_train, one_to_twenty.y_train, "adasyn").y)
    assert abs(int(counts[0]) - int(counts[1])) <= 0.02 * counts[0]


def test_random_under_keeps_only_input_rows_and_shrinks_the_majority(one_to_twenty):
    out = resample(one_to_twenty.X_train, one_to_twenty.y_train, "random_under", seed=0)
    assert np.bincount(out.y).tolist() == [20, 20]
    assert not out.synthetic.any()
    train_rows = set(map(tuple, one_to_twenty.X_train.tolist()))
    assert set(map(tuple, out.X.tolist())) <= train_rows


def test_random_over_marks_the_added_copies_but_not_the_originals(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, "random_over", seed=0)
    np.testing.assert_array_equal(out.X[~out.synthetic], X)
    assert out.synthetic.sum() == 380
    # Every copy is an exact minority row.
    minority = set(map(tuple, X[y == 1].tolist()))
    assert set(map(tuple, out.X[out.synthetic].tolist())) <= minority


@pytest.mark.parametrize("strategy", ("smote", "borderline_smote", "adasyn", "attribute_wise"))
def test_oversamplers_keep_the_input_rows_unmarked_and_first(one_to_twenty, strategy):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, strategy, seed=0)
    np.testing.assert_array_equal(out.X[: y.size], X)
    assert not out.synthetic[: y.size].any() and out.synthetic[y.size :].all()


def test_smote_tomek_mask_refers_to_the_rows_it_returns(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, "smote_tomek", seed=0)
    assert out.synthetic.shape == out.y.shape
    input_rows = set(map(tuple, X.tolist()))
    assert all(tuple(row) in input_rows for row in out.X[~out.synthetic].tolist())
    assert out.X.shape[0] < 800  # some Tomek-link points were removed


def test_smote_points_lie_between_minority_points(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, "smote", seed=0)
    minority = X[y == 1]
    low, high = minority.min(axis=0), minority.max(axis=0)
    new = out.X[out.synthetic]
    assert np.all((new >= low - 1e-12) & (new <= high + 1e-12))


def test_attribute_wise_draws_each_feature_only_from_observed_minority_values(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, "attribute_wise", seed=0)
    minority = X[y == 1]
    new = out.X[out.synthetic]
    for column in range(X.shape[1]):
        assert np.isin(new[:, column], minority[:, column]).all()
    # Features are drawn independently, so most new rows are combinations that no minority row has.
    existing = set(map(tuple, minority.tolist()))
    novel = sum(tuple(row) not in existing for row in new.tolist())
    assert novel > 0.8 * len(new)


def test_attribute_wise_balances_every_smaller_class_in_multiclass_data():
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0] * 6 + [1] * 4 + [2] * 2)
    out = resample(X, y, "attribute_wise", seed=1)
    assert np.bincount(out.y).tolist() == [6, 6, 6]
    for label in (1, 2):
        new = out.X[out.synthetic & (out.y == label)]
        assert np.isin(new[:, 0], X[y == label, 0]).all()
        assert np.isin(new[:, 1], X[y == label, 1]).all()


@pytest.mark.parametrize("strategy", SAMPLERS)
def test_same_seed_gives_same_output(one_to_twenty, strategy):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    a, b = resample(X, y, strategy, seed=7), resample(X, y, strategy, seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.synthetic, b.synthetic)


@pytest.mark.parametrize("strategy", ("random_over", "random_under", "attribute_wise", "smote"))
def test_different_seeds_give_different_samples(one_to_twenty, strategy):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    assert not np.array_equal(resample(X, y, strategy, seed=1).X, resample(X, y, strategy, seed=2).X)


@pytest.mark.parametrize("strategy", SAMPLERS)
def test_samplers_only_see_what_they_are_given_and_leave_it_unchanged(one_to_twenty, strategy):
    X, y = one_to_twenty.X_train.copy(), one_to_twenty.y_train.copy()
    out = resample(X, y, strategy, seed=0)
    np.testing.assert_array_equal(X, one_to_twenty.X_train)
    np.testing.assert_array_equal(y, one_to_twenty.y_train)
    # No returned row is a test row: the test split was never passed in.
    test_rows = set(map(tuple, one_to_twenty.X_test.tolist()))
    assert not any(tuple(row) in test_rows for row in out.X.tolist())


def test_none_returns_a_copy_with_nothing_marked(one_to_twenty):
    out = resample(one_to_twenty.X_train, one_to_twenty.y_train, "none")
    np.testing.assert_array_equal(out.X, one_to_twenty.X_train)
    assert out.strategy == "none" and not out.synthetic.any()


def test_smote_lowers_its_neighbour_count_for_a_tiny_minority():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    y = np.array([0, 0, 0, 0, 1, 1])
    out = resample(X, y, "smote", seed=0)
    assert np.bincount(out.y).tolist() == [4, 4]


def test_smote_with_a_single_minority_point_explains_why_it_cannot_interpolate():
    X = np.arange(10, dtype=float).reshape(5, 2)
    y = np.array([0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="needs at least 2 samples in every class.*class 1 has 1"):
        resample(X, y, "smote")


def test_adasyn_on_fully_separated_classes_raises_value_error_suggesting_smote():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [0.1, 0.1], [0.05, 0.05], [0.02, 0.08], [9, 9], [9, 9.1]])
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="try 'smote'"):
        resample(X, y, "adasyn")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros((4, 2)), np.array([0, 1, 0, 1]), "smot"), "strategy='smot' is not valid; choose one of: none"),
        ((np.zeros((4, 2)), np.array([0, 1, 0]), "smote"), "4 rows but y has 3"),
        ((np.zeros((4, 2)), np.array([0.5, 1, 0, 1]), "smote"), "integer class labels"),
        ((np.zeros((4, 2)), np.array([1, 1, 1, 1]), "random_over"), "at least two classes"),
        ((np.zeros(4), np.array([0, 1, 0, 1]), "random_over"), "shape"),
    ],
)
def test_bad_inputs_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        resample(*args)


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (-1, r"seed=-1 is not valid; allowed range is \[0, ∞\)"),
        (True, r"seed=True is not valid; expected an integer in \[0, ∞\)"),
        (1.5, r"seed=1.5 is not valid; expected an integer"),
        (float("nan"), r"seed=nan is not valid; expected an integer"),
    ],
)
def test_a_seed_is_a_non_negative_int(seed, message):
    from playground.training_messages import core_problem

    with pytest.raises(ValueError, match=message) as info:
        resample(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "random_over", seed=seed)
    assert "无效" in core_problem(info.value, lang="zh")  # the imbalanced page words it in Chinese
    assert resample(np.zeros((4, 2)), np.array([0, 1, 0, 1]), "random_over", seed=np.int64(3)).y.size == 4


def test_balanced_class_weights_follow_n_over_k_times_count():
    y = np.array([0] * 8 + [1] * 2)
    assert class_weights(y) == {0: 10 / (2 * 8), 1: 10 / (2 * 2)}
    assert class_weights(y, mode="none") == {0: 1.0, 1: 1.0}


def test_balanced_class_weights_give_every_class_equal_total_weight():
    y = np.array([0] * 50 + [1] * 30 + [2] * 5)
    weights = class_weights(y)
    totals = [weights[label] * np.sum(y == label) for label in (0, 1, 2)]
    np.testing.assert_allclose(totals, len(y) / 3)


def test_unknown_class_weight_mode_is_rejected():
    with pytest.raises(ValueError, match="mode='auto' is not valid; choose one of: none, balanced"):
        class_weights(np.array([0, 1]), mode="auto")


# ---- target ratios other than 1 : 1, and over- plus under-sampling -------------------------------------
@pytest.mark.parametrize("strategy", [s for s in SAMPLERS if s != "none"])
@pytest.mark.parametrize("ratio", [0.25, 0.5])
def test_every_sampler_aims_for_the_ratio_it_is_given(one_to_twenty, strategy, ratio):
    out = resample(one_to_twenty.X_train, one_to_twenty.y_train, strategy, seed=0, ratio=ratio)
    majority, minority = np.bincount(out.y)
    # ADASYN balances only roughly; Tomek links remove a few majority points; under-sampling rounds.
    assert minority / majority == pytest.approx(ratio, abs=0.04 if strategy != "adasyn" else 0.1)


def test_over_and_under_sampling_meet_in_the_middle(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train  # 400 : 20
    both = resample(X, y, "over_under", seed=0)
    over = resample(X, y, "random_over", seed=0)
    under = resample(X, y, "random_under", seed=0)
    majority, minority = np.bincount(both.y)
    assert majority == minority
    assert np.bincount(under.y)[0] < majority < 400  # drops fewer majority rows than under-sampling alone
    assert 0 < both.n_synthetic < over.n_synthetic  # makes fewer copies than over-sampling alone
    assert both.n_synthetic == minority - 20  # the copies are exactly the minority rows beyond the original 20
    originals = {tuple(row) for row in X.tolist()}
    assert {tuple(row) for row in both.X.tolist()} <= originals  # copies and survivors only, nothing invented
    # The notes' example: 1000 : 100, grown and cut to 500 : 300 is a ratio of 0.6; here 1 : 20 → 1 : 2.
    majority, minority = np.bincount(resample(X, y, "over_under", seed=0, ratio=0.5).y)
    assert minority / majority == pytest.approx(0.5, abs=0.02) and minority > 20 and majority < 400


def test_data_already_as_balanced_as_asked_is_left_as_it_is(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    half = resample(X, y, "random_under", seed=0, ratio=0.5)
    again = resample(half.X, half.y, "smote", seed=0, ratio=0.25)  # 1 : 2 is already more balanced than 1 : 4
    np.testing.assert_array_equal(again.X, half.X)
    assert again.n_synthetic == 0


@pytest.mark.parametrize(
    ("ratio", "reason"),
    [
        (0.05, "allowed range is"),
        (1.5, "allowed range is"),
        (float("nan"), "expected a number in"),
        ("half", "expected a number in"),
        (True, "expected a number in"),
    ],
)
def test_ratio_is_validated_with_the_allowed_range(one_to_twenty, ratio, reason):
    with pytest.raises(ValueError, match=rf"ratio=.* is not valid; {reason} \[0.1, 1.0\]"):
        resample(one_to_twenty.X_train, one_to_twenty.y_train, "smote", ratio=ratio)


def test_a_ratio_below_one_needs_two_classes():
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.repeat([0, 1, 2], [40, 15, 5])
    with pytest.raises(ValueError, match="ratio below 1 needs two"):
        resample(X, y, "random_over", ratio=0.5)
    # 1 : 1 works for three: the smallest class grows to sqrt(5 · 40) ≈ 14, then every class is cut to 14.
    assert np.bincount(resample(X, y, "over_under", seed=0).y).tolist() == [14, 14, 14]


def test_cluster_centroids_replace_the_majority_by_k_means_centres(one_to_twenty):
    X, y = one_to_twenty.X_train, one_to_twenty.y_train
    out = resample(X, y, "cluster_centroids", seed=0)
    assert np.bincount(out.y).tolist() == [20, 20]
    np.testing.assert_array_equal(out.synthetic, out.y == 0)  # the centres are new points; the minority is kept
    assert {tuple(r) for r in out.X[out.y == 1].tolist()} == {tuple(r) for r in X[y == 1].tolist()}
    # Each centre is the mean of the majority points nearest to it (a k-means fixed point).
    centres, majority = out.X[out.y == 0], X[y == 0]
    nearest = np.argmin(((majority[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    for j, centre in enumerate(centres):
        np.testing.assert_allclose(centre, majority[nearest == j].mean(axis=0), atol=1e-6)
