"""A history with a row limit: thinned onto a stride grid, never longer than the limit, values untouched."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from core import Network
from core.engine.training import History, Trainer, thin_history

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])
LAYERS = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
EPOCHS = 3000
LIMIT = 100


def xor_trainer(history_limit=None, **kwargs) -> Trainer:
    net = Network.from_spec(input_dim=2, layers=LAYERS, loss="bce", init="xavier", seed=3)
    return Trainer(
        net,
        XOR_X,
        XOR_Y,
        X_val=XOR_X,
        y_val=XOR_Y,
        optimizer="sgd",
        learning_rate=0.5,
        batch_size=4,
        history_limit=history_limit,
        **kwargs,
    )


@pytest.fixture(scope="module")
def runs() -> tuple[Trainer, Trainer]:
    """The same seeded run twice: every epoch kept, and at most LIMIT rows kept."""
    full, thinned = xor_trainer(), xor_trainer(history_limit=LIMIT)
    for trainer in (full, thinned):
        for _ in trainer.run(EPOCHS):
            pass
    return full, thinned


def test_without_a_limit_every_epoch_is_a_row(runs):
    full, _ = runs
    assert full.history.epoch == list(range(1, EPOCHS + 1))
    assert full.history.stride == 1
    assert all(len(getattr(full.history, name)) == EPOCHS for name in History.ROW_COLUMNS)


def test_a_limited_history_stays_within_the_limit_and_keeps_first_and_last_epoch(runs):
    _, thinned = runs
    h = thinned.history
    assert LIMIT // 2 <= len(h) <= LIMIT
    assert h.epoch[0] == 1 and h.epoch[-1] == EPOCHS == thinned.epoch
    assert h.stride > 1 and h.stride & (h.stride - 1) == 0  # a power of two: the stride only ever doubles
    assert all(len(getattr(h, name)) == len(h) for name in History.ROW_COLUMNS)  # per-layer lists thinned alike


def test_thinned_epochs_increase_on_the_stride_grid(runs):
    h = runs[1].history
    assert all(b > a for a, b in pairwise(h.epoch))
    assert all(epoch % h.stride == 0 for epoch in h.epoch[1:-1])
    # Nothing on the grid is missing: the rows are exactly first, every stride-th epoch, newest.
    assert h.epoch == sorted({1, *range(h.stride, EPOCHS + 1, h.stride), EPOCHS})


def test_thinned_rows_hold_the_unthinned_values_of_their_epochs(runs):
    full, thinned = runs
    rows = [epoch - 1 for epoch in thinned.history.epoch]
    for name in History.ROW_COLUMNS:
        assert getattr(thinned.history, name) == [getattr(full.history, name)[i] for i in rows], name
    assert thinned.network.parameters()[0].tolist() == full.network.parameters()[0].tolist()


def test_the_newest_row_is_always_the_epoch_just_trained():
    trainer = xor_trainer(history_limit=5, record_stats=False)
    for epoch in trainer.run(200):
        h = trainer.history
        assert h.epoch[-1] == epoch and len(h) <= 5
        assert len(h.train_loss) == len(h.val_loss) == len(h.epoch)


def test_csv_of_a_thinned_history_has_one_line_per_kept_row(runs):
    h = runs[1].history
    lines = h.to_csv().strip().splitlines()
    assert len(lines) == len(h) + 1
    assert [int(line.split(",")[0]) for line in lines[1:]] == h.epoch
    assert lines[0].startswith("epoch,train_loss,val_loss,train_accuracy")


def test_early_stopping_and_best_epoch_do_not_depend_on_thinning():
    rng = np.random.default_rng(0)
    X, X_val = rng.normal(size=(24, 2)), rng.normal(size=(24, 2))
    y, y_val = rng.integers(0, 2, 24), rng.integers(0, 2, 24)  # random labels: the validation loss soon rises
    results = []
    for limit in (None, 4):
        net = Network.from_spec(
            input_dim=2, layers=[{"units": 16, "activation": "relu"}, LAYERS[1]], loss="bce", seed=1
        )
        trainer = Trainer(
            net,
            X,
            y,
            X_val=X_val,
            y_val=y_val,
            learning_rate=0.05,
            batch_size=8,
            early_stopping_patience=30,
            history_limit=limit,
            record_stats=False,
        )
        for _ in trainer.run(2000):
            pass
        results.append(trainer)
    full, thinned = results
    assert full.history.stopped_early and thinned.history.stopped_early
    assert thinned.history.stride > 1  # the stop came long after thinning began
    assert thinned.history.best_epoch == full.history.best_epoch
    assert thinned.epoch == full.epoch and thinned.history.epoch[-1] == full.history.epoch[-1]
    assert thinned.history.message == full.history.message
    assert all(
        np.array_equal(a, b) for a, b in zip(thinned.network.parameters(), full.network.parameters(), strict=True)
    )


def test_thinning_doubles_the_stride_only_when_the_rows_outnumber_the_limit():
    h = History()
    for epoch in range(1, 10):
        h.epoch.append(epoch)
        h.train_loss.append(float(epoch))
        thin_history(h, 6)
    # Epoch 7 made 7 rows (stride 2 -> 1, 2, 4, 6, 7), epochs 8 and 9 follow the stride-2 grid.
    assert h.stride == 2
    assert h.epoch == [1, 2, 4, 6, 8, 9]
    assert h.train_loss == [1.0, 2.0, 4.0, 6.0, 8.0, 9.0]


@pytest.mark.parametrize("limit", [0, 2, -5, 2.5, "100", True])
def test_history_limit_must_be_a_whole_number_of_at_least_three(limit):
    with pytest.raises(ValueError, match="history_limit"):
        xor_trainer(history_limit=limit)
