import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.datasets import (
    DATASETS,
    DOMAIN,
    MAX_SAMPLES,
    Dataset,
    bump_surface,
    dataset_options,
    make_dataset,
    split_dataset,
)

NAMES = tuple(DATASETS)
TWO_D = tuple(name for name, info in DATASETS.items() if info.input_dim == 2)


def test_dataset_names_are_the_documented_ones():
    assert NAMES == (
        "xor", "circles", "moons", "gaussians", "spirals", "checkerboard",
        "multiclass", "imbalanced", "sine", "plane", "multi_gaussian", "digits",
    )  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_has_the_shapes_dtypes_and_task_its_info_promises(name):
    info = DATASETS[name]
    ds = make_dataset(name, n_samples=120, noise=info.default_noise, seed=3)
    assert isinstance(ds, Dataset)
    assert ds.X.shape == (120, info.input_dim) and ds.X.dtype == np.float64
    assert ds.input_dim == info.input_dim == len(ds.feature_names)
    assert ds.y.shape == (120,)
    assert ds.task == info.task
    if info.task == "regression":
        assert ds.y.dtype == np.float64 and ds.n_classes == 0
    else:
        assert ds.y.dtype == np.int64
        assert set(np.unique(ds.y)) <= set(range(ds.n_classes))
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.y))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_same_data_and_other_seed_differs(name):
    a = make_dataset(name, 60, 0.1, seed=5)
    b = make_dataset(name, 60, 0.1, seed=5)
    c = make_dataset(name, 60, 0.1, seed=6)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_generation_leaves_global_numpy_random_state_alone():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    make_dataset("spirals", 100, 0.2, seed=1)
    make_dataset("imbalanced", 100, 0.2, seed=1, shape="moons")
    assert np.random.random() == expected


@pytest.mark.parametrize("name", TWO_D)
def test_two_d_datasets_lie_mostly_inside_the_plot_domain(name):
    ds = make_dataset(name, 500, DATASETS[name].default_noise, seed=0)
    low, high = DOMAIN
    points = ds.X
    inside = np.all((points >= low) & (points <= high), axis=1)
    assert inside.mean() > 0.97
    assert np.abs(ds.X.mean(axis=0)).max() < 0.6  # centred


def test_arrays_are_read_only_so_cached_data_cannot_be_changed():
    ds = make_dataset("xor", 8, 0.1)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 99.0


def test_noise_free_xor_with_four_samples_is_the_notes_truth_table_on_plus_minus_one():
    ds = make_dataset("xor", n_samples=4, noise=0.0, seed=0)
    table = {tuple(point): label for point, label in zip(ds.X.tolist(), ds.y.tolist(), strict=True)}
    # Notes: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, with 0 mapped to -1.
    assert table == {(-1.0, -1.0): 0, (-1.0, 1.0): 1, (1.0, -1.0): 1, (1.0, 1.0): 0}


def test_xor_label_is_one_exactly_where_the_cluster_signs_differ():
    ds = make_dataset("xor", 400, 0.1, seed=2)
    # With small noise every point stays in its quadrant, so the label follows the sign of x1*x2.
    np.testing.assert_array_equal(ds.y, (ds.X[:, 0] * ds.X[:, 1] < 0).astype(int))


def test_circles_inner_class_is_closer_to_the_centre():
    ds = make_dataset("circles", 300, 0.0, seed=0)
    radius = np.hypot(ds.X[:, 0], ds.X[:, 1])
    assert radius[ds.y == 1].max() < radius[ds.y == 0].min()
    np.testing.assert_allclose(radius[ds.y == 0], 2.0)


@pytest.mark.parametrize("arms", [2, 3, 5])
def test_spirals_with_k_arms_have_k_balanced_classes(arms):
    ds = make_dataset("spirals", 300, 0.0, seed=0, arms=arms)
    assert ds.n_classes == arms
    assert ds.task == ("binary" if arms == 2 else "multiclass")
    assert np.bincount(ds.y, minlength=arms).min() >= 300 // arms


def test_checkerboard_labels_follow_cell_parity_when_noise_free():
    ds = make_dataset("checkerboard", 400, 0.0, seed=0)
    cells = np.floor(ds.X + 2.0).astype(int)
    np.testing.assert_array_equal(ds.y, (cells[:, 0] + cells[:, 1]) % 2)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_multiclass_option_sets_the_number_of_classes(k):
    ds = make_dataset("multiclass", 120, 0.1, seed=0, n_classes=k)
    assert ds.n_classes == k
    assert np.unique(ds.y).tolist() == list(range(k))


def test_imbalanced_ratio_is_minority_to_majority_so_one_to_twenty_is_point_zero_five():
    ds = make_dataset("imbalanced", 420, 0.1, seed=0, minority_ratio=0.05)
    assert np.bincount(ds.y).tolist() == [400, 20]


@pytest.mark.parametrize("shape", ["blobs", "moons", "circles"])
def test_imbalanced_shapes_keep_label_one_as_the_minority(shape):
    ds = make_dataset("imbalanced", 300, 0.1, seed=0, minority_ratio=0.1, shape=shape)
    counts = np.bincount(ds.y)
    assert counts[1] < counts[0]
    assert counts[1] == round(300 * 0.1 / 1.1)


def test_imbalanced_keeps_at_least_one_sample_of_each_class_at_the_smallest_size():
    ds = make_dataset("imbalanced", 4, 0.1, seed=0, minority_ratio=0.01)
    assert np.bincount(ds.y).tolist() == [3, 1]


def test_sine_targets_are_sin_of_x_plus_noise():
    ds = make_dataset("sine", 200, 0.0, seed=0)
    assert ds.feature_names == ("x",)
    assert ds.X.min() >= -np.pi and ds.X.max() <= np.pi
    np.testing.assert_allclose(ds.y, np.sin(ds.X[:, 0]))
    noisy = make_dataset("sine", 2000, 0.3, seed=0)
    assert np.std(noisy.y - np.sin(noisy.X[:, 0])) == pytest.approx(0.3, rel=0.1)


def test_plane_is_the_documented_linear_function():
    ds = make_dataset("plane", 100, 0.0, seed=0)
    np.testing.assert_allclose(ds.y, 0.5 * ds.X[:, 0] - 0.8 * ds.X[:, 1])


def test_multi_gaussian_targets_are_the_bump_surface_and_do_not_depend_on_seed():
    a = make_dataset("multi_gaussian", 100, 0.0, seed=0, bumps=2)
    b = make_dataset("multi_gaussian", 100, 0.0, seed=1, bumps=2)
    np.testing.assert_allclose(a.y, bump_surface(a.X, 2))
    np.testing.assert_allclose(b.y, bump_surface(b.X, 2))


def test_digits_are_pixel_intensities_in_unit_interval_with_stratified_subset():
    ds = make_dataset("digits", 200, 0.0, seed=0)
    assert ds.X.shape == (200, 64)
    assert ds.X.min() >= 0.0 and ds.X.max() <= 1.0 and ds.X.max() == 1.0
    assert ds.feature_names[0] == "pixel_0_0" and ds.feature_names[-1] == "pixel_7_7"
    assert np.bincount(ds.y, minlength=10).tolist() == [20] * 10


def test_digits_n_samples_is_capped_at_the_bundled_images():
    ds = make_dataset("digits", MAX_SAMPLES, 0.0, seed=0)
    assert ds.X.shape[0] == 1797


def test_digits_noise_stays_in_unit_interval():
    ds = make_dataset("digits", 50, 0.5, seed=0)
    assert ds.X.min() >= 0.0 and ds.X.max() <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "xorr"}, "name='xorr' is not valid; choose one of: xor, circles"),
        ({"name": "xor", "n_samples": 3}, "n_samples=3 is not valid; allowed range is [4,"),
        ({"name": "xor", "n_samples": MAX_SAMPLES + 1}, f"n_samples={MAX_SAMPLES + 1}"),
        ({"name": "xor", "n_samples": 10.0}, "n_samples=10.0 is not valid; expected an integer in [4,"),
        ({"name": "xor", "noise": -0.1}, "noise=-0.1 is not valid"),
        ({"name": "xor", "noise": float("nan")}, "noise=nan is not valid; expected a number in [0.0, 10.0]"),
        ({"name": "xor", "noise": True}, "noise=True is not valid; expected a number in"),
        ({"name": "xor", "seed": -1}, "seed=-1 is not valid; allowed range is [0, ∞)"),
        ({"name": "xor", "seed": True}, "seed=True is not valid; expected an integer in [0, ∞)"),
        ({"name": "xor", "arms": 3}, "option 'arms' is not valid for dataset 'xor'; valid options: none"),
        ({"name": "spirals", "arm": 3}, "valid options: arms, turns"),
        ({"name": "spirals", "arms": 6}, "arms=6 is not valid; allowed range is [2, 5]"),
        ({"name": "imbalanced", "minority_ratio": 0.6}, "minority_ratio=0.6 is not valid"),
        ({"name": "imbalanced", "shape": "stars"}, "shape='stars' is not valid; choose one of: blobs, moons"),
        ({"name": "multiclass", "n_classes": 7}, "n_classes=7"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_value_and_the_choices(kwargs, fragment):
    with pytest.raises(ValueError) as info:
        make_dataset(**kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 3},
        {"n_samples": 10.0},
        {"noise": float("nan")},
        {"seed": -1},
        {"seed": 1.5},
        {"arms": 6},
        {"turns": "two"},
        {"name": "imbalanced", "shape": "stars"},
    ],
)
def test_a_bad_argument_gets_a_message_the_app_words_in_chinese(kwargs):
    # The old hand-written shapes ("choose a non-negative integer", "... in [0, 1)") stayed English on a
    # Chinese page; the shared validation's shapes are the ones playground.training_messages translates.
    from playground.training_messages import core_problem

    with pytest.raises(ValueError) as info:
        make_dataset(**{"name": "spirals", **kwargs})
    assert "无效" in core_problem(info.value, lang="zh")
    with pytest.raises(ValueError) as info:
        split_dataset(make_dataset("xor", 20, 0.1), test_fraction=1.0)
    assert "无效" in core_problem(info.value, lang="zh")


def test_a_huge_count_or_seed_makes_a_short_message():
    for kwargs in ({"n_samples": 10**400}, {"noise": 10**400}, {"arms": -(10**400)}):
        with pytest.raises(ValueError) as info:
            make_dataset("spirals", **kwargs)
        assert len(str(info.value)) < 120, str(info.value)[:200]


def test_dataset_options_lists_defaults():
    assert dataset_options("spirals") == {"arms": 2, "turns": 1.5}
    assert dataset_options("xor") == {}


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.complex_numbers(),
)


@settings(max_examples=200, deadline=None)
@given(
    name=st.one_of(st.sampled_from(NAMES), _junk),
    n_samples=st.one_of(
        st.integers(-5, 3),
        st.integers(MAX_SAMPLES + 1, 10**12),
        _junk.filter(lambda v: not (type(v) is int and 4 <= v <= MAX_SAMPLES)),
    ),
    noise=_junk,
    option=st.sampled_from(["arms", "turns", "n_classes", "minority_ratio", "shape", "bumps", "factor", "zzz"]),
    option_value=_junk,
)
def test_random_invalid_arguments_raise_only_value_error(name, n_samples, noise, option, option_value):
    # n_samples drawn here is never a valid count, so every call must be rejected, and only by ValueError.
    with pytest.raises(ValueError):
        make_dataset(name, n_samples=n_samples, noise=noise, **{option: option_value})


@settings(max_examples=100, deadline=None)
@given(
    option=st.sampled_from(["arms", "turns", "minority_ratio", "shape", "n_classes", "bumps", "factor", "zzz"]),
    value=_junk,
    name=st.sampled_from(NAMES),
)
def test_random_option_values_either_work_or_raise_value_error(name, option, value):
    try:
        ds = make_dataset(name, n_samples=20, noise=0.1, **{option: value})
    except ValueError:
        return
    assert ds.X.shape[0] == 20


# --- split_dataset ---------------------------------------------------------------------------


def test_split_sizes_cover_every_sample_exactly_once():
    ds = make_dataset("moons", 100, 0.1, seed=0)
    split = split_dataset(ds, test_fraction=0.3, validation_fraction=0.2, seed=0)
    assert (split.X_train.shape[0], split.X_val.shape[0], split.X_test.shape[0]) == (50, 20, 30)
    combined = np.vstack([split.X_train, split.X_val, split.X_test])
    assert sorted(map(tuple, combined.tolist())) == sorted(map(tuple, ds.X.tolist()))


def test_split_is_stratified_for_classification():
    ds = make_dataset("imbalanced", 420, 0.1, seed=0, minority_ratio=0.05)
    split = split_dataset(ds, test_fraction=0.25, seed=1)
    assert np.bincount(split.y_test).tolist() == [100, 5]
    assert np.bincount(split.y_train).tolist() == [300, 15]


def test_split_without_validation_has_empty_validation_arrays_with_right_width():
    split = split_dataset(make_dataset("sine", 30, 0.1), test_fraction=0.2)
    assert split.X_val.shape == (0, 1) and split.y_val.shape == (0,)


def test_tiny_xor_with_zero_test_fraction_is_all_training():
    ds = make_dataset("xor", 4, 0.0)
    split = split_dataset(ds, test_fraction=0.0)
    assert split.X_train.shape == (4, 2) and split.X_test.shape == (0, 2)


def test_split_always_leaves_one_training_sample():
    split = split_dataset(make_dataset("xor", 4, 0.0), test_fraction=0.9, validation_fraction=0.09)
    assert split.X_train.shape[0] >= 1
    assert split.X_train.shape[0] + split.X_val.shape[0] + split.X_test.shape[0] == 4


def test_split_falls_back_to_plain_random_when_a_class_has_one_member():
    ds = make_dataset("imbalanced", 20, 0.1, seed=0, minority_ratio=0.01)
    split = split_dataset(ds, test_fraction=0.3)
    assert split.y_train.size + split.y_test.size == 20


def test_split_is_deterministic_by_seed():
    ds = make_dataset("circles", 50, 0.1)
    a, b = split_dataset(ds, seed=4), split_dataset(ds, seed=4)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, split_dataset(ds, seed=5).X_test)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"test_fraction": 1.0}, "test_fraction=1.0 is not valid; allowed range is [0.0, 1.0)"),
        ({"test_fraction": -0.1}, "test_fraction=-0.1"),
        ({"validation_fraction": "0.2"}, "validation_fraction='0.2'"),
        ({"test_fraction": 0.6, "validation_fraction": 0.5}, "must be below 1"),
        ({"seed": 1.5}, "seed=1.5"),
    ],
)
def test_bad_split_fractions_raise_value_error(kwargs, fragment):
    with pytest.raises(ValueError) as info:
        split_dataset(make_dataset("xor", 20, 0.1), **kwargs)
    assert fragment in str(info.value)


# ---- the split without scikit-learn's import -------------------------------------------------------------------
def _labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


@pytest.mark.parametrize("counts", [(50, 50), (180, 20), (7, 7, 7), (33, 34, 33), (3, 40, 5, 12), (2, 2, 2, 2, 2)])
@pytest.mark.parametrize("n_part", [2, 5, 13, 30])
@pytest.mark.parametrize("stratify", [True, False])
def test_shuffle_split_draws_exactly_what_train_test_split_draws(counts, n_part, stratify):
    from sklearn.model_selection import train_test_split

    from core.data.datasets import shuffle_split_indices

    y = np.random.default_rng(sum(counts)).permutation(_labels(counts))
    if n_part >= y.size:
        pytest.skip("split_dataset always leaves a training row")
    if stratify and not (n_part >= len(counts) and y.size - n_part >= len(counts)):
        pytest.skip("scikit-learn cannot stratify this split either")
    for seed in (0, 1, 12345, 2**31 - 2):
        expected_rest, expected_part = train_test_split(
            np.arange(y.size), test_size=n_part, random_state=seed, stratify=y if stratify else None
        )
        rest, part = shuffle_split_indices(y, n_part, seed, stratify)
        np.testing.assert_array_equal(rest, expected_rest)
        np.testing.assert_array_equal(part, expected_part)


def test_split_dataset_is_unchanged_by_dropping_scikit_learn():
    # The split the Playground has always shown for this link: the first test rows before and after.
    from sklearn.model_selection import train_test_split

    ds = make_dataset("spirals", n_samples=300, noise=0.1, seed=3)
    split = split_dataset(ds, test_fraction=0.3, validation_fraction=0.1, seed=3)
    rng = np.random.default_rng(3)
    X_rest, X_test, y_rest, y_test = train_test_split(
        ds.X, ds.y, test_size=90, random_state=int(rng.integers(2**31 - 1)), stratify=ds.y
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=30, random_state=int(rng.integers(2**31 - 1)), stratify=y_rest
    )
    for got, expected in (
        (split.X_test, X_test),
        (split.y_test, y_test),
        (split.X_train, X_train),
        (split.y_val, y_val),
    ):
        np.testing.assert_array_equal(got, expected)
