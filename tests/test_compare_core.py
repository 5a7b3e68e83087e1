"""core.labs.compare: runs built from one base config, trained in lock-step on shared data, with capped snapshots."""

import math

import numpy as np
import pytest

from core.engine.training import History
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.labs.compare import (
    MAX_RUNS,
    VARY_OPTIONS,
    Comparison,
    build_runs,
    epochs_to_reach,
    format_value,
    parse_value,
    sweep,
    value_at,
    with_value,
)

MOONS = ExperimentConfig(
    DataConfig("moons", n_samples=80, noise=0.2),
    ModelConfig(hidden=(LayerConfig(4, "tanh"), LayerConfig(3, "tanh"))),
    TrainConfig(epochs=12, batch_size=8, learning_rate=0.05),
    seed=3,
)


def _train(runs, **kwargs) -> Comparison:
    comparison = Comparison(runs, **kwargs)
    for _ in comparison.train():
        pass
    return comparison


def test_runs_that_differ_in_nothing_give_identical_histories():
    comparison = _train(build_runs(MOONS, [{}, {}, {}]))
    first, *others = comparison.histories.values()
    assert len(first) == MOONS.train.epochs
    for history in others:
        assert history.train_loss == first.train_loss
        assert history.val_loss == first.val_loss
        assert history.train_metric == first.train_metric
    grids = [kept[-1].grid.values for kept in comparison.snapshots]
    np.testing.assert_array_equal(grids[0], grids[1])


def test_identical_runs_keep_distinct_legend_labels():
    runs = build_runs(MOONS, [{}, {}])
    assert len({run.label for run in runs}) == 2


def test_runs_share_one_prepared_data_object_and_the_seed():
    runs = sweep(MOONS, "activation", ["sigmoid", "relu"])
    comparison = Comparison(runs)
    assert comparison.data[0] is comparison.data[1]
    assert {run.config.seed for run in runs} == {MOONS.seed}


def test_same_comparison_twice_gives_the_same_numbers():
    runs = sweep(MOONS, "learning_rate", [0.01, 0.1])
    a, b = _train(runs), _train(runs)
    for label in a.labels:
        assert a.histories[label].train_loss == b.histories[label].train_loss


def test_sweep_changes_only_the_swept_field():
    runs = sweep(MOONS, "optimizer", ["sgd", "adam"])
    assert [run.label for run in runs] == ["sgd", "adam"]
    for run, optimizer in zip(runs, ["sgd", "adam"], strict=True):
        assert run.config.train.optimizer == optimizer
        assert run.config.model == MOONS.model
        assert run.config.data == MOONS.data


def test_activation_sweep_sets_every_hidden_layer():
    runs = sweep(MOONS, "activation", ["relu", "elu"])
    assert [layer.activation for layer in runs[0].config.model.hidden] == ["relu", "relu"]
    assert [layer.activation for layer in runs[1].config.model.hidden] == ["elu", "elu"]


def test_one_hidden_layer_can_be_addressed_by_index():
    changed = with_value(MOONS, "model.hidden[1].units", 7)
    assert [layer.units for layer in changed.model.hidden] == [4, 7]


def test_depth_adds_copies_of_the_last_layer_and_removes_from_the_end():
    deeper = with_value(MOONS, "depth", 4)
    assert deeper.model.hidden == MOONS.model.hidden + (MOONS.model.hidden[-1],) * 2
    assert with_value(MOONS, "depth", 1).model.hidden == MOONS.model.hidden[:1]
    assert with_value(MOONS, "depth", 0).model.hidden == ()


@pytest.mark.parametrize("path", ["data.name", "data.noise", "data.n_samples", "seed", "train.nonsense", "x.y"])
def test_what_every_run_must_share_cannot_be_varied(path):
    with pytest.raises(ValueError, match="path="):
        with_value(MOONS, path, 1)


def test_sampler_may_vary_and_keeps_the_test_split():
    base = ExperimentConfig(DataConfig("imbalanced", n_samples=120), train=TrainConfig(epochs=2))
    comparison = Comparison(sweep(base, "sampler", ["none", "random_over"]))
    plain, oversampled = comparison.data
    assert len(oversampled.raw.y_train) > len(plain.raw.y_train)
    np.testing.assert_array_equal(plain.raw.X_test, oversampled.raw.X_test)


def test_bad_value_raises_value_error_naming_field_and_value():
    with pytest.raises(ValueError, match=r"train\.learning_rate=-5"):
        with_value(MOONS, "learning_rate", -5)
    with pytest.raises(ValueError, match="relux"):
        sweep(MOONS, "activation", ["relu", "relux"])


@pytest.mark.parametrize("n_runs", [0, 1, MAX_RUNS + 1])
def test_run_count_outside_two_to_four_is_rejected(n_runs):
    with pytest.raises(ValueError, match="2 to 4 runs"):
        build_runs(MOONS, [{}] * n_runs)


def test_parse_value_converts_text_to_the_field_type():
    assert parse_value("learning_rate", "0.03") == 0.03
    assert parse_value("depth", "3") == 3
    assert parse_value("batch_size", "10.0") == 10
    assert parse_value("activation", " relu ") == "relu"


@pytest.mark.parametrize(
    ("name", "text"),
    [("learning_rate", "fast"), ("learning_rate", "nan"), ("depth", "2.5"), ("activation", "relux"), ("init", "")],
)
def test_parse_value_rejects_text_naming_it(name, text):
    with pytest.raises(ValueError, match=f"{name}={text!r}"):
        parse_value(name, text)


def test_every_vary_option_default_sweep_builds_valid_runs():
    for option in VARY_OPTIONS.values():
        values = option.default_values[:MAX_RUNS]
        runs = sweep(MOONS, option.name, values)
        assert [run.label for run in runs] == [format_value(v) for v in values]
        for value in values:
            assert parse_value(option.name, format_value(value)) == value


def test_train_yields_after_every_run_has_trained_one_more_epoch():
    comparison = Comparison(sweep(MOONS, "activation", ["tanh", "relu", "sigmoid"]))
    seen = []
    for epoch in comparison.train(5):
        assert [trainer.epoch for trainer in comparison.trainers] == [epoch] * 3
        seen.append(epoch)
    assert seen == [1, 2, 3, 4, 5]
    assert not comparison.done
    assert list(comparison.train()) == list(range(6, MOONS.train.epochs + 1))
    assert comparison.done
    assert list(comparison.train()) == []


def test_snapshots_are_capped_include_start_and_end_and_stay_in_step():
    base = with_value(MOONS, "train.epochs", 40)
    comparison = _train(sweep(base, "activation", ["tanh", "relu"]), max_snapshots=5)
    epochs = [[s.epoch for s in kept] for kept in comparison.snapshots]
    assert epochs[0] == epochs[1]
    assert len(epochs[0]) <= 5
    assert epochs[0][0] == 0 and epochs[0][-1] == 40
    grid = comparison.snapshots[0][-1].grid
    assert grid.values.shape == (len(grid.ys), len(grid.xs))


def test_snapshots_change_while_the_network_learns():
    comparison = _train(build_runs(MOONS, [{}, {}]))
    first, last = comparison.snapshots[0][0].grid.values, comparison.snapshots[0][-1].grid.values
    assert not np.allclose(first, last)


def test_diverging_run_stops_while_the_others_continue_and_replay_keeps_its_last_picture():
    base = ExperimentConfig(DataConfig("sine", n_samples=60, noise=0.1, features=("x1",)), train=TrainConfig(epochs=10))
    blow_up = {"learning_rate": 5.0, "optimizer": "sgd", "activation": "relu", "init": "large_random"}
    comparison = _train(build_runs(base, [{}, blow_up]))
    calm, wild = comparison.summary()
    assert wild.diverged and not calm.diverged
    assert calm.epochs == 10 and wild.epochs < 10
    replay = comparison.replay()
    assert replay.epochs[-1] == 10
    assert len(replay.grids[1]) == len(replay.epochs)
    assert all(grid is None for row in replay.grids for grid in row)  # 1-D data has no plane to draw


def test_replay_lines_up_every_run_on_common_epochs():
    comparison = _train(sweep(MOONS, "learning_rate", [0.01, 0.1]), max_snapshots=4)
    replay = comparison.replay()
    assert replay.labels == ("0.01", "0.1")
    assert [len(row) for row in replay.grids] == [len(replay.epochs)] * 2
    assert replay.epochs == tuple(s.epoch for s in comparison.snapshots[0])


def test_summary_reports_scores_on_train_and_test_data():
    comparison = _train(sweep(MOONS, "activation", ["tanh", "relu"]))
    rows = comparison.summary(target_loss=10.0)
    for row, history in zip(rows, comparison.histories.values(), strict=True):
        assert row.final_train_loss == history.train_loss[-1]
        assert math.isfinite(row.final_test_loss) and 0.0 <= row.test_metric <= 1.0
        assert row.metric_name == "accuracy"
        assert row.epochs_to_target == 1  # every loss is below 10
        assert row.seconds_per_epoch > 0


def test_epochs_to_reach_is_the_first_epoch_at_or_below_the_target():
    history = History(epoch=[1, 2, 3, 4], train_loss=[0.9, 0.5, 0.3, 0.4])
    assert epochs_to_reach(history, 0.5) == 2
    assert epochs_to_reach(history, 0.1) is None
    assert epochs_to_reach(history, None) is None


def test_runs_with_different_seeds_or_data_are_refused():
    runs = build_runs(MOONS, [{}, {}])
    other_seed = (runs[0], type(runs[1])("x", ExperimentConfig(MOONS.data, MOONS.model, MOONS.train, seed=9)))
    with pytest.raises(ValueError, match="same seed"):
        Comparison(other_seed)
    other_data = ExperimentConfig(DataConfig("xor"), MOONS.model, MOONS.train, seed=MOONS.seed)
    with pytest.raises(ValueError, match="same data"):
        Comparison((runs[0], type(runs[1])("x", other_data)))


def test_value_at_reads_what_with_value_writes():
    for name, value in (("activation", "elu"), ("learning_rate", 0.2), ("depth", 3), ("sampler", "smote")):
        assert value_at(with_value(MOONS, name, value), name) == value
    assert value_at(with_value(MOONS, "depth", 0), "activation") is None


def test_dropout_can_be_the_one_thing_that_varies():
    runs = sweep(ExperimentConfig(), "dropout", (0.0, 0.5))
    assert [[layer.dropout for layer in run.config.model.hidden] for run in runs] == [[0.0, 0.0], [0.5, 0.5]]
    assert runs[0].config.model.hidden[0].units == runs[1].config.model.hidden[0].units
