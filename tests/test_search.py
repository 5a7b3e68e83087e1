"""Sweeps, the LR range test, cross-validation and searches (core.labs.search)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_moons
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from core.engine.training import History
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.estimator import PlaygroundClassifier
from core.experiment.settings import LIMITS
from core.labs import search


def small_config(**train) -> ExperimentConfig:
    return ExperimentConfig(
        DataConfig("moons", n_samples=120, noise=0.15),
        ModelConfig(hidden=(LayerConfig(6, "tanh"),)),
        TrainConfig(**{"epochs": 25, "batch_size": 16, **train}),
        seed=0,
    )


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=100, noise=0.2, random_state=0)


# ---- cross-validation --------------------------------------------------------------------------------------
def test_kfold_scores_equal_cross_val_score_with_our_estimator(moons):
    X, y = moons
    estimator = PlaygroundClassifier(epochs=20)
    folds = KFold(n_splits=4, shuffle=True, random_state=1)
    ours = search.cross_validate_scores(estimator, X, y, cv=folds)
    expected = cross_val_score(estimator, X, y, cv=folds)
    np.testing.assert_array_equal(ours.fold_scores, expected)
    assert ours.mean == pytest.approx(expected.mean())
    assert ours.std == pytest.approx(expected.std())


def test_configuration_cv_equals_cross_val_score_on_its_pipeline():
    cfg = small_config()
    ours = search.cross_validate_config(cfg, "stratified", 3)
    setup = search.search_setup(cfg)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=cfg.seed)
    np.testing.assert_array_equal(ours.fold_scores, cross_val_score(setup.estimator, setup.X, setup.y, cv=folds))
    assert ours.scoring == "accuracy"


def test_cv_data_is_the_training_part_so_the_test_part_stays_unseen():
    cfg = small_config()
    setup = search.search_setup(cfg)
    assert len(setup.y) == round(cfg.data.n_samples * (1 - cfg.data.test_fraction))


def test_leave_one_out_scores_every_sample_once_and_refuses_large_sets():
    cfg = replace(small_config(epochs=5), data=replace(small_config().data, n_samples=20))
    scores = search.cross_validate_config(cfg, "loo")
    assert len(scores.fold_scores) == len(search.search_setup(cfg).y)
    assert set(np.unique(scores.fold_scores)) <= {0.0, 1.0}
    big = replace(cfg, data=replace(cfg.data, n_samples=1000))
    with pytest.raises(ValueError, match="leave-one-out"):
        search.cross_validate_config(big, "loo")


def test_regression_leave_one_out_scores_squared_error_instead_of_r2():
    cfg = ExperimentConfig(
        DataConfig("sine", n_samples=12, noise=0.05, features=("x1",)),
        ModelConfig(hidden=(LayerConfig(3, "sigmoid"),)),
        TrainConfig(epochs=3),
    )
    scores = search.cross_validate_config(cfg, "loo")
    assert scores.scoring == "neg_mean_squared_error"
    assert np.all(scores.fold_scores <= 0)


@pytest.mark.parametrize(
    ("method", "n_splits", "message"),
    [("holdout", 5, "method='holdout'"), ("kfold", 1, "n_splits=1"), ("kfold", 500, "n_splits=500")],
)
def test_bad_cv_settings_raise_value_error_naming_them(method, n_splits, message):
    with pytest.raises(ValueError, match=message):
        search.cross_validate_config(small_config(), method, n_splits)


def test_cv_stops_between_folds_when_asked():
    calls = []
    scores = search.cross_validate_config(
        small_config(),
        "kfold",
        5,
        progress=lambda done, total: calls.append((done, total)),
        should_stop=lambda: len(calls) >= 2,
    )
    assert calls == [(1, 5), (2, 5)]
    assert len(scores.fold_scores) == 0


# ---- grid and random search --------------------------------------------------------------------------------
def test_grid_search_finds_the_known_best_of_a_toy_grid(moons):
    X, y = moons
    # A 1-unit network is a line and a learning rate of 1e-5 barely moves: only (8,) with 0.05 bends round moons.
    grid = {"hidden_layer_sizes": [(1,), (8,)], "learning_rate": [1e-5, 0.05]}
    result = search.grid_search(PlaygroundClassifier(epochs=40), grid, X, y, cv=3)
    assert result.best.params == {"hidden_layer_sizes": (8,), "learning_rate": 0.05}
    assert result.ranks()[result.candidates.index(result.best)] == 1
    assert len(result.candidates) == 4 and not result.cancelled


def test_stepwise_search_scores_equal_grid_search_cv(moons):
    X, y = moons
    grid = {"learning_rate": [0.001, 0.1], "l2": [0.0, 0.01]}
    plain = search.grid_search(PlaygroundClassifier(epochs=10), grid, X, y, cv=3, n_jobs=2)
    seen = []
    stepwise = search.grid_search(
        PlaygroundClassifier(epochs=10), grid, X, y, cv=3, progress=lambda done, total: seen.append(done)
    )
    assert [c.params for c in stepwise.candidates] == [c.params for c in plain.candidates]
    for a, b in zip(stepwise.candidates, plain.candidates, strict=True):
        np.testing.assert_array_equal(a.fold_scores, b.fold_scores)
    assert seen == list(range(1, 13))


def test_random_search_draws_the_same_candidates_as_randomized_search_cv(moons):
    X, y = moons
    space = {"learning_rate": loguniform(1e-3, 1e-1), "hidden_layer_sizes": [(2,), (6,)]}
    plain = search.random_search(PlaygroundClassifier(epochs=8), space, X, y, n_iter=3, seed=4, cv=2)
    stepwise = search.random_search(
        PlaygroundClassifier(epochs=8), space, X, y, n_iter=3, seed=4, cv=2, should_stop=lambda: False
    )
    assert [c.params for c in stepwise.candidates] == [c.params for c in plain.candidates]
    np.testing.assert_array_equal(stepwise.candidates[2].fold_scores, plain.candidates[2].fold_scores)


def test_a_stopped_search_keeps_the_finished_candidates():
    cfg = small_config(epochs=5)
    run = search.config_search_run(cfg, search.search_candidates({"learning_rate": [0.01, 0.1, 0.3]}), "kfold", 2)
    assert run.total_fits == 6
    finished = [run.step() for _ in range(3)]
    assert finished[0] is None and finished[1] is not None and finished[2] is None
    run.cancel()
    assert run.step() is None and run.finished
    result = run.result()
    assert result.cancelled and result.n_planned == 3
    assert [c.params for c in result.candidates] == [{"learning_rate": 0.01}]


def test_configuration_search_changes_depth_with_the_first_layers_activation():
    cfg = replace(
        small_config(epochs=5),
        model=ModelConfig(hidden=(LayerConfig(4, "relu"), LayerConfig(4, "tanh"))),
    )
    result = search.search_config(cfg, {"model.hidden": [(3,), (5, 5, 5)]}, n_splits=2)
    assert [c.params for c in result.candidates] == [{"hidden_layer_sizes": (3,)}, {"hidden_layer_sizes": (5, 5, 5)}]
    best = search.config_with_params(cfg, result.best.params)
    assert all(layer.activation == "relu" for layer in best.model.hidden)


def test_configuration_search_paths_agree():
    cfg = small_config(epochs=6)
    space = {"learning_rate": [0.003, 0.3], "activation": ["tanh", "relu"]}
    plain = search.search_config(cfg, space, n_splits=2)
    stepwise = search.search_config(cfg, space, n_splits=2, should_stop=lambda: False)
    assert [c.params for c in plain.candidates] == [c.params for c in stepwise.candidates]
    for a, b in zip(plain.candidates, stepwise.candidates, strict=True):
        np.testing.assert_array_equal(a.fold_scores, b.fold_scores)


def test_config_with_params_accepts_both_names_and_validates():
    cfg = small_config()
    changed = search.config_with_params(cfg, {"train.learning_rate": 0.2, "l2": 0.01, "dropout": 0.1})
    assert changed.train.learning_rate == 0.2 and changed.train.l2 == 0.01
    assert changed.model.hidden[0].dropout == 0.1
    with pytest.raises(ValueError, match="cannot be searched"):
        search.config_with_params(cfg, {"colour": "red"})
    with pytest.raises(ValueError, match="train.learning_rate"):
        search.config_with_params(cfg, {"learning_rate": -1.0})


def test_score_matrix_puts_each_pair_in_its_cell():
    rows = tuple(
        search.CVScores({"a": a, "b": b}, np.array([a * 10 + b]), "accuracy") for a in (1, 2, 3) for b in (0, 1)
    )
    xs, ys, Z = search.score_matrix(search.SearchResult(rows, "accuracy", 6), "a", "b")
    assert xs == [1, 2, 3] and ys == [0, 1]
    assert Z.shape == (2, 3)
    assert Z[1, 2] == 31 and Z[0, 0] == 10


# ---- sweeps and the range test -----------------------------------------------------------------------------
def test_learning_rate_sweep_shows_too_small_just_right_and_too_large():
    cfg = ExperimentConfig(
        DataConfig("circles", n_samples=200, noise=0.15),
        ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
        TrainConfig(optimizer="sgd", epochs=100, batch_size=16),
    )
    histories = search.learning_rate_sweep(cfg, [0.003, 0.3, 10.0])
    assert list(histories) == [0.003, 0.3, 10.0]
    assert all(len(h.train_loss) == 100 or h.diverged for h in histories.values())
    assert search.sweep_verdicts(histories) == {0.003: "too_small", 0.3: "good", 10.0: "too_large"}


def test_sweep_verdicts_call_a_diverged_or_climbing_run_too_large():
    def history(losses, diverged=False):
        return History(train_loss=list(losses), diverged=diverged)

    verdicts = search.sweep_verdicts(
        {0.1: history([1.0, 0.5, 0.2]), 1.0: history([1.0, 0.4, 0.9, 0.3, 0.8]), 5.0: history([1.0], diverged=True)}
    )
    assert verdicts == {0.1: "good", 1.0: "too_large", 5.0: "too_large"}


def test_batch_size_sweep_keeps_one_history_per_size_and_reports_progress():
    seen = []
    histories = search.batch_size_sweep(
        small_config(epochs=20), [1, 84], progress=lambda done, total: seen.append((done, total))
    )
    assert list(histories) == [1, 84]
    assert seen[-1] == (40, 40)


def test_lr_range_test_grows_the_rate_exponentially_and_stops_when_the_loss_explodes():
    cfg = small_config(optimizer="sgd")
    result = search.lr_range_test(cfg, lr_min=1e-4, lr_max=1e4, steps=80)
    ratios = result.learning_rates[1:] / result.learning_rates[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert result.stopped_early and len(result.losses) < 80
    assert 1e-4 < result.suggested < result.learning_rates[-1]
    with pytest.raises(ValueError, match="lr_min"):
        search.lr_range_test(cfg, lr_min=1.0, lr_max=0.1)


def test_a_sweep_refuses_more_values_than_the_runs_a_session_may_train_at_once():
    too_many = [0.001 * (i + 1) for i in range(LIMITS.max_concurrent_runs + 1)]
    with pytest.raises(ValueError, match=f"{LIMITS.max_concurrent_runs} runs at once"):
        search.Sweep(ExperimentConfig(), "learning_rate", too_many)
