"""The imbalanced-data lab's engine: strategies on one split, threshold helpers, cross-validation with and
without the resampling leak."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import roc_curve

import core.experiment.run
import core.labs.imbalanced
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import prepare_data
from core.labs.imbalanced import (
    CV_SCORES,
    ENSEMBLE,
    ENSEMBLE_MEMBERS,
    STRATEGIES,
    balanced_bagging,
    compare_strategies,
    cross_validate_strategy,
    operating_point,
    strategy_config,
    threshold_sweep,
    train_strategy,
)


def lab_config(*, ratio=0.05, shape="moons", noise=0.3, n_samples=420, epochs=40, seed=0) -> ExperimentConfig:
    return ExperimentConfig(
        data=DataConfig(
            name="imbalanced", n_samples=n_samples, noise=noise, minority_ratio=ratio, shape=shape, test_fraction=0.5
        ),
        model=ModelConfig(hidden=(LayerConfig(6, "tanh"),)),
        train=TrainConfig(epochs=epochs, batch_size=16, learning_rate=0.03),
        seed=seed,
    )


def rows(X: np.ndarray) -> set[tuple[float, ...]]:
    return set(map(tuple, np.asarray(X).tolist()))


# ---- strategies --------------------------------------------------------------------------------------------
def test_class_weight_strategy_turns_off_the_sampler_and_samplers_turn_off_the_weights():
    cfg = lab_config()
    weighted = strategy_config(replace(cfg, data=replace(cfg.data, sampler="smote")), "class_weight")
    assert (weighted.data.sampler, weighted.train.class_weight) == ("none", "balanced")
    resampled = strategy_config(replace(cfg, train=replace(cfg.train, class_weight="balanced")), "adasyn")
    assert (resampled.data.sampler, resampled.train.class_weight) == ("adasyn", "none")


def test_unknown_strategy_is_rejected_with_the_valid_names():
    with pytest.raises(ValueError, match="strategy='smoat' is not valid; choose one of: none, random_over"):
        train_strategy(lab_config(), "smoat")


def test_a_multiclass_dataset_is_rejected():
    cfg = replace(lab_config(), data=DataConfig(name="multiclass"))
    with pytest.raises(ValueError, match="not a binary dataset"):
        train_strategy(cfg, "none")


@pytest.fixture(scope="module")
def every_strategy():
    """Each strategy trained briefly on the same 1:10 data (scores do not matter here, the data does)."""
    return compare_strategies(lab_config(ratio=0.1, epochs=2), STRATEGIES)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_is_scored_on_the_untouched_test_split(every_strategy, strategy):
    untouched = prepare_data(lab_config(ratio=0.1)).raw
    run = every_strategy[strategy]
    np.testing.assert_array_equal(run.X_test, untouched.X_test)
    np.testing.assert_array_equal(run.y_test, untouched.y_test)
    assert run.test_scores.shape == untouched.y_test.shape
    assert run.metrics["confusion"].sum() == untouched.y_test.size


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s not in ("none", "class_weight", ENSEMBLE)])
def test_samplers_are_handed_the_training_split_and_never_a_test_point(monkeypatch, strategy):
    seen = []
    real_resample = core.experiment.run.resample

    def spy(X, y, sampler, seed=0, ratio=1.0):
        seen.append(np.array(X))
        return real_resample(X, y, sampler, seed=seed, ratio=ratio)

    monkeypatch.setattr(core.experiment.run, "resample", spy)
    cfg = lab_config(ratio=0.1, epochs=1)
    run = train_strategy(cfg, strategy)
    untouched = prepare_data(strategy_config(cfg, "none")).raw
    assert len(seen) == 1
    assert rows(seen[0]) == rows(untouched.X_train)
    assert not rows(seen[0]) & rows(untouched.X_test)
    assert not rows(run.X_train[run.synthetic]) & rows(run.X_test)


def test_class_counts_before_resampling_are_shared_and_after_follow_the_sampler(every_strategy):
    before = np.bincount(prepare_data(lab_config(ratio=0.1)).raw.y_train)
    for run in every_strategy.values():
        np.testing.assert_array_equal(run.counts_before, before)
    assert every_strategy["random_over"].counts_after.tolist() == [before[0], before[0]]
    assert every_strategy["random_under"].counts_after.tolist() == [before[1], before[1]]
    np.testing.assert_array_equal(every_strategy["class_weight"].counts_after, before)


@pytest.mark.parametrize("strategy", ["none", "class_weight", "random_under"])
def test_strategies_that_add_nothing_mark_nothing_synthetic(every_strategy, strategy):
    assert every_strategy[strategy].n_synthetic == 0


def test_attribute_wise_points_take_every_coordinate_from_observed_minority_values(every_strategy):
    run = every_strategy["attribute_wise"]
    original = ~run.synthetic
    minority = run.X_train[original & (run.y_train == 1)]
    added = run.X_train[run.synthetic]
    assert len(added) > 0
    assert np.all(run.y_train[run.synthetic] == 1)
    for feature in range(run.X_train.shape[1]):
        assert set(added[:, feature]) <= set(minority[:, feature])
    # Coordinates are drawn independently, so most new points are not copies of a minority point.
    assert len(rows(added) - rows(minority)) > len(added) // 2


def test_class_weights_and_smote_raise_minority_recall_at_one_to_twenty():
    runs = compare_strategies(lab_config(ratio=0.05), ("none", "smote", "class_weight"))
    none = runs["none"].metrics["recall"]
    assert runs["smote"].metrics["recall"] > none
    assert runs["class_weight"].metrics["recall"] > none
    # The always-majority shortcut: high accuracy for "none" despite the missed minority points.
    assert runs["none"].metrics["accuracy"] > 0.95


# ---- the ensemble -------------------------------------------------------------------------------------------
def test_the_ensemble_averages_its_members_each_trained_on_balanced_training_points(monkeypatch):
    seen = []
    real = core.labs.imbalanced.RandomUnderSampler.fit_resample

    def spy(self, X, y):
        X_out, y_out = real(self, X, y)
        seen.append((np.array(X), np.array(X_out), np.array(y_out)))
        return X_out, y_out

    monkeypatch.setattr(core.labs.imbalanced.RandomUnderSampler, "fit_resample", spy)
    cfg = lab_config(ratio=0.1, epochs=5)
    run = train_strategy(cfg, ENSEMBLE)
    untouched = prepare_data(strategy_config(cfg, "none")).raw
    minority = rows(untouched.X_train[untouched.y_train == 1])
    assert len(seen) == ENSEMBLE_MEMBERS
    for X_in, X_out, y_out in seen:
        assert rows(X_in) == rows(untouched.X_train)  # the training split, never a test point
        assert np.bincount(y_out).tolist() == [len(minority), len(minority)]
        assert rows(X_out[y_out == 1]) == minority  # every member keeps every minority point
    majority_draws = [rows(X_out[y_out == 0]) for _, X_out, y_out in seen]
    assert len({frozenset(draw) for draw in majority_draws}) == ENSEMBLE_MEMBERS  # a different draw each
    # The ensemble's answer is the members' mean; the members really differ.
    assert len(run.member_grids) == ENSEMBLE_MEMBERS
    np.testing.assert_allclose(run.grid.values, np.mean([g.values for g in run.member_grids], axis=0), atol=1e-12)
    assert not np.allclose(run.member_grids[0].values, run.member_grids[1].values)
    np.testing.assert_array_equal(run.X_train, untouched.X_train)
    assert run.n_synthetic == 0
    assert run.member_counts.tolist() == [len(minority), len(minority)]
    assert run.majority_seen == len(set().union(*majority_draws))


def test_the_ensemble_scores_match_the_fitted_bagging_classifier_and_are_deterministic():
    cfg = lab_config(ratio=0.1, epochs=5)
    run = train_strategy(cfg, ENSEMBLE)
    data = prepare_data(strategy_config(cfg, ENSEMBLE)).raw
    fitted = balanced_bagging(strategy_config(cfg, ENSEMBLE)).fit(data.X_train, data.y_train)
    np.testing.assert_allclose(run.test_scores, fitted.predict_proba(data.X_test)[:, 1], atol=1e-12)
    np.testing.assert_array_equal(run.test_scores, train_strategy(cfg, ENSEMBLE).test_scores)


def test_the_ensemble_raises_minority_recall_at_one_to_twenty():
    runs = compare_strategies(lab_config(ratio=0.05), ("none", ENSEMBLE))
    assert runs[ENSEMBLE].metrics["recall"] > runs["none"].metrics["recall"]


def test_ensemble_size_is_validated():
    with pytest.raises(ValueError, match=r"n_members=1 is not valid; allowed range is \[2, 50\]"):
        balanced_bagging(lab_config(), n_members=1)


def test_training_is_deterministic_for_a_seed():
    first = train_strategy(lab_config(epochs=3), "smote")
    second = train_strategy(lab_config(epochs=3), "smote")
    np.testing.assert_array_equal(first.test_scores, second.test_scores)
    np.testing.assert_array_equal(first.X_train, second.X_train)


# ---- thresholds --------------------------------------------------------------------------------------------
Y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 0])
SCORES = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.6, 0.4, 0.7, 0.9, 0.8])


def test_operating_point_counts_by_hand():
    point = operating_point(Y, SCORES, 0.5)
    # predicted 1: scores 0.6 (y=0), 0.7, 0.9 (y=1), 0.8 (y=0); the 0.4 minority point is missed
    np.testing.assert_array_equal(point.confusion, [[5, 2], [1, 2]])
    assert point.tpr == pytest.approx(2 / 3)
    assert point.fpr == pytest.approx(2 / 7)
    assert point.precision == pytest.approx(0.5)
    assert point.f1 == pytest.approx(2 * 2 / (2 * 2 + 2 + 1))
    assert point.accuracy == pytest.approx(0.7)
    assert point.balanced_accuracy == pytest.approx((2 / 3 + 5 / 7) / 2)


def test_operating_points_lie_on_scikit_learns_roc_curve():
    fpr, tpr, thresholds = roc_curve(Y, SCORES)
    for f, r, threshold in zip(fpr[1:], tpr[1:], thresholds[1:], strict=True):
        point = operating_point(Y, SCORES, float(threshold))
        assert (point.fpr, point.tpr) == pytest.approx((f, r))


def test_threshold_zero_predicts_every_point_minority_and_above_every_score_none():
    everything = operating_point(Y, SCORES, 0.0)
    assert (everything.tpr, everything.fpr) == (1.0, 1.0)
    nothing = operating_point(Y, SCORES, 0.95)
    assert (nothing.tpr, nothing.fpr) == (0.0, 0.0)
    assert np.isnan(nothing.precision)
    assert nothing.accuracy == pytest.approx(0.7)  # the always-majority accuracy


def test_lowering_the_threshold_never_lowers_recall():
    sweep = threshold_sweep(Y, SCORES)
    assert np.all(np.diff(sweep.recall) <= 0)  # thresholds ascend, so recall descends
    assert sweep.thresholds.shape == sweep.f1.shape == (101,)


def test_best_f1_threshold_separates_the_minority_best():
    sweep = threshold_sweep(Y, SCORES, np.array([0.3, 0.5, 0.65, 0.85]))
    # 0.65: predicted 1 = {0.7, 0.9, 0.8}: tp 2, fp 1, fn 1 -> F1 2/3, the best of the four.
    assert sweep.best_threshold("f1") == pytest.approx(0.65)
    with pytest.raises(ValueError, match="score='auc' is not valid"):
        sweep.best_threshold("auc")


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan"), "0.5", True])
def test_thresholds_outside_zero_one_are_rejected(threshold):
    with pytest.raises(ValueError, match="threshold="):
        operating_point(Y, SCORES, threshold)


def test_operating_point_rejects_mismatched_or_non_binary_input():
    with pytest.raises(ValueError, match="shape"):
        operating_point(Y, SCORES[:-1], 0.5)
    with pytest.raises(ValueError, match="binary labels"):
        operating_point(Y + 1, SCORES, 0.5)


# ---- cross-validation ----------------------------------------------------------------------------------------
def test_cv_resamples_inside_each_fold_and_never_sees_a_test_point(monkeypatch):
    seen = []
    real_resample = core.labs.imbalanced.resample

    def spy(X, y, sampler, seed=0, ratio=1.0):
        seen.append(np.array(X))
        return real_resample(X, y, sampler, seed=seed, ratio=ratio)

    monkeypatch.setattr(core.labs.imbalanced, "resample", spy)
    cfg = lab_config(ratio=0.2, n_samples=240, epochs=2)
    result = cross_validate_strategy(cfg, "smote", n_splits=3)
    split = prepare_data(cfg).raw
    n_train = len(split.y_train)
    sizes = [len(X) for X in seen]
    # three folds see two thirds each; then the leaky run and the final fit see the whole training split
    assert sorted(sizes)[:3] == pytest.approx([n_train * 2 / 3] * 3, abs=1)
    assert sorted(sizes)[3:] == [n_train, n_train]
    for X in seen:
        assert rows(X) <= rows(split.X_train)
    assert set(result.right) == set(result.leaky) == set(CV_SCORES)
    assert all(values.shape == (3,) for values in result.right.values())


def test_resampling_before_the_split_inflates_the_cross_validated_scores():
    cfg = lab_config(ratio=0.05, n_samples=600, shape="blobs", noise=0.5)
    result = cross_validate_strategy(cfg, "random_over", n_splits=3)
    right, leaky, truth = result.mean("right"), result.mean("leaky"), result.holdout
    # Copies of a fold's own minority points sit in its training part and the folds are balanced: the leaky
    # estimate looks far better than the honest one, which is the one the test split confirms.
    assert leaky["precision"] > right["precision"] + 0.2
    assert leaky["f1"] > right["f1"]
    assert abs(right["f1"] - truth["f1"]) < abs(leaky["f1"] - truth["f1"])


def test_cv_with_more_folds_than_minority_points_is_refused():
    with pytest.raises(ValueError, match="n_splits=10 is too many: the training split has only"):
        cross_validate_strategy(lab_config(ratio=0.02, n_samples=200), "smote", n_splits=10)


@pytest.mark.parametrize("n_splits", [1, 11, 2.5, True])
def test_cv_fold_count_is_validated(n_splits):
    with pytest.raises(ValueError, match="n_splits="):
        cross_validate_strategy(lab_config(), "smote", n_splits=n_splits)


# ---- a target ratio other than 1 : 1 ---------------------------------------------------------------------
def test_the_sampling_ratio_reaches_the_training_split_and_survives_a_json_round_trip():
    cfg = lab_config(ratio=0.05, epochs=2)
    half = replace(cfg, data=replace(cfg.data, sampling_ratio=0.5))
    run = train_strategy(half, "random_over")
    majority, minority = run.counts_after
    assert minority / majority == pytest.approx(0.5, abs=0.01)
    assert ExperimentConfig.from_json(half.to_json()) == half
    # Strategies that do not resample drop the ratio, so they are the same run whatever it is.
    assert strategy_config(half, "class_weight") == strategy_config(cfg, "class_weight")
    assert strategy_config(half, ENSEMBLE).data.sampling_ratio == 1.0


def test_a_ratio_below_one_is_refused_for_multiclass_data_with_the_reason():
    cfg = ExperimentConfig(data=DataConfig(name="multiclass", sampler="smote", sampling_ratio=0.5))
    with pytest.raises(ValueError, match=r"data.sampling_ratio=0.5 is not valid for a multiclass dataset"):
        cfg.validate()
    with pytest.raises(ValueError, match=r"data.sampling_ratio=0.01 is not valid; allowed range is \[0.1, 1.0\]"):
        replace(cfg, data=replace(cfg.data, name="xor", sampling_ratio=0.01)).validate()


@pytest.mark.parametrize("threshold", [0.0, 0.05, 0.35, 0.5, 0.85, 1.0])
def test_scores_at_a_threshold_are_classification_metrics_without_the_sklearn_calls(threshold):
    from types import SimpleNamespace

    from core.experiment.metrics import classification_metrics, roc_pr_curves
    from core.labs.imbalanced import scores_at

    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 0])
    scores = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.6, 0.4, 0.7, 0.9, 0.8])
    run = SimpleNamespace(y_test=y, test_scores=scores, curves=roc_pr_curves(y, scores))
    fast, reference = scores_at(run, threshold), classification_metrics(y, scores, threshold)
    assert fast.keys() == reference.keys()
    np.testing.assert_array_equal(fast.pop("confusion"), reference.pop("confusion"))
    assert fast == pytest.approx(reference)
    broken = SimpleNamespace(y_test=y, test_scores=np.where(y == 1, np.nan, scores), curves=run.curves)
    assert np.isnan(scores_at(broken, threshold)["recall"])
