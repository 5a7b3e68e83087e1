"""What the loss numbers mean: the held-out ("test"/validation) loss is the plain data loss, recomputed here with
scikit-learn on the same predictions; and after early stopping every number describes the restored weights."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.run import run
from core.labs.compare import Comparison, build_runs

MOONS = ExperimentConfig(
    DataConfig("moons", n_samples=200, noise=0.3),
    ModelConfig(hidden=(LayerConfig(8, "tanh"),)),
    TrainConfig(epochs=40, batch_size=16, learning_rate=0.1, optimizer="sgd"),
    seed=1,
)


def _sklearn_log_loss(result) -> float:
    split = result.split
    probabilities = result.network.predict(split.X_test)
    if probabilities.shape[1] == 1:
        probabilities = np.column_stack([1 - probabilities[:, 0], probabilities[:, 0]])
    return log_loss(split.y_test, probabilities, labels=list(range(probabilities.shape[1])))


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(
            ExperimentConfig(MOONS.data, MOONS.model, TrainConfig(**{**MOONS.train.__dict__, "l2": 0.01}), seed=1),
            id="l2",
        ),
        pytest.param(
            ExperimentConfig(
                DataConfig("imbalanced", n_samples=300),
                MOONS.model,
                TrainConfig(**{**MOONS.train.__dict__, "class_weight": "balanced"}),
                seed=1,
            ),
            id="class-weights",
        ),
    ],
)
def test_the_test_loss_is_the_plain_loss_without_penalty_or_class_weights(config):
    result = run(config)
    assert result.history.val_loss[-1] == pytest.approx(_sklearn_log_loss(result), rel=1e-4)
    assert result.history.objective_differs  # the training curve is the objective, and says so
    comparison = Comparison(build_runs(config, [{}, {}]))
    for _ in comparison.train():
        pass
    row = comparison.summary()[0]
    assert row.final_test_loss == pytest.approx(
        _sklearn_log_loss(
            type(result)(config, comparison.data[0], comparison.trainers[0].network, comparison.trainers[0].history)
        ),
        rel=1e-4,
    )


def test_without_penalty_or_weights_the_objective_is_the_plain_loss():
    assert not run(MOONS).history.objective_differs


EARLY = ExperimentConfig(
    DataConfig("moons", n_samples=200, noise=0.3, validation_fraction=0.2),
    ModelConfig(hidden=(LayerConfig(16, "relu"), LayerConfig(16, "relu"))),
    TrainConfig(epochs=400, batch_size=8, learning_rate=0.05, optimizer="adam", early_stopping_patience=10),
    seed=0,
)


def test_after_early_stopping_the_current_numbers_are_those_of_the_restored_epoch():
    result = run(EARLY)
    h = result.history
    assert h.stopped_early and h.best_epoch < h.epoch[-1]
    row = h.epoch.index(h.best_epoch)
    for column in ("train_loss", "val_loss", "train_metric", "val_metric"):
        assert h.current(column) == getattr(h, column)[row], column
    assert h.current("train_loss") != h.train_loss[-1]  # the newest row describes weights thrown away
    # The restored network scores exactly the restored epoch's validation loss.
    split = result.split
    assert result.network.data_loss(split.X_val, split.y_val) == pytest.approx(h.current("val_loss"), rel=1e-9)


def test_a_compare_row_after_early_stopping_does_not_mix_epochs():
    comparison = Comparison(build_runs(EARLY, [{}, {}]))
    for _ in comparison.train():
        pass
    h = comparison.trainers[0].history
    row = comparison.summary()[0]
    assert h.stopped_early
    best = h.epoch.index(h.best_epoch)
    assert row.final_train_loss == h.train_loss[best] != h.train_loss[-1]
    assert row.train_metric == h.train_metric[best]


def test_current_rejects_an_unknown_column_and_names_the_allowed_ones():
    with pytest.raises(ValueError, match="column='loss' is not valid; choose one of: epoch, train_loss"):
        run(MOONS).history.current("loss")


# ---- what the pages show -----------------------------------------------------------------------------------
def test_playground_counters_after_early_stopping_show_the_restored_epoch():
    from core.experiment.run import prepare_data
    from playground.live import playground as live

    run_ = live.new_run(EARLY, prepare_data(EARLY), version=1)
    while not run_.trainer.history.stopped_early:
        live.advance(run_, epochs_per_frame=20, max_frames=1)
    h = run_.trainer.history
    shown = {c["name"]: c["value"] for c in live.counters(run_)}
    assert shown["train_loss"] == f"{h.current('train_loss'):.4f}" != f"{h.train_loss[-1]:.4f}"
    assert shown["test_loss"] == f"{h.current('val_loss'):.4f}"


def test_curves_name_the_objective_and_the_held_out_part_they_show():
    from playground.figures import loss_curves_figure
    from playground.i18n import t
    from playground.pages.compare.figures import curves_title

    penalised = run(
        ExperimentConfig(MOONS.data, MOONS.model, TrainConfig(**{**MOONS.train.__dict__, "l2": 0.01}), seed=1)
    ).history
    names = [trace.name for trace in loss_curves_figure({"a": penalised}).data]
    assert names == [t("figures.train_objective.penalty"), t("figures.test")]
    validated = run(EARLY).history
    assert [trace.name for trace in loss_curves_figure({"a": validated}).data] == [
        t("figures.train"),
        t("figures.validation"),
    ]
    assert curves_title("loss", validated) == t("compare.loss_title_validation")
    assert curves_title("loss", penalised) == t("compare.loss_title")


def test_the_compare_metric_title_starts_with_a_capital():
    from playground.pages.compare.figures import curves_title

    assert curves_title("metric", run(MOONS).history).startswith("Accuracy (")


def test_the_compare_table_names_the_training_objective_when_a_penalty_is_in_it():
    from playground.i18n import t
    from playground.pages.compare.figures import summary_table

    comparison = Comparison(build_runs(MOONS, [{}, {"train.l2": 0.01}]))
    for _ in comparison.train(5):
        pass
    table = summary_table(comparison.summary(), None)
    assert t("compare.col_train_objective") in table[0] and t("compare.col_train_loss") not in table[0]
