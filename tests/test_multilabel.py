"""Multi-label outputs: N sigmoid units, loss = mean over samples and labels of the binary cross-entropy."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, hamming_loss
from sklearn.neural_network import MLPClassifier

from core import Network
from core.engine.training import Trainer
from core.experiment.estimator import PlaygroundClassifier
from core.experiment.metrics import multilabel_metrics
from tests.reference_impl import numerical_gradient, relative_error

N_LABELS = 3


def _net(hidden="tanh", l1=0.0, l2=0.0, labels=N_LABELS, seed=0):
    return Network.from_spec(
        input_dim=2,
        layers=[{"units": 4, "activation": hidden}, {"units": labels, "activation": "sigmoid"}],
        loss="bce",
        l1=l1,
        l2=l2,
        seed=seed,
    )


def _data(rng, n=9, labels=N_LABELS):
    return rng.normal(size=(n, 2)), rng.integers(0, 2, size=(n, labels))


def reference_loss(z, y):
    """−(1/(n·N)) Σ_i Σ_j [y ln σ(z) + (1 − y) ln(1 − σ(z))], written out."""
    p = 1.0 / (1.0 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.parametrize(("hidden", "l1", "l2"), [("tanh", 0, 0), ("relu", 0, 0.05), ("sigmoid", 0.02, 0)])
def test_multilabel_gradients_match_finite_differences(hidden, l1, l2):
    rng = np.random.default_rng(0)
    net = _net(hidden, l1, l2)
    net.set_parameters([rng.normal(0, 0.7, p.shape) for p in net.parameters()])
    X, y = _data(rng)
    loss, grads = net.loss_and_grads(X, y)
    params = net.parameters()

    def loss_of(candidate):
        net.set_parameters(candidate)
        return net.loss_and_grads(X, y)[0]

    numeric = numerical_gradient(loss_of, params)
    net.set_parameters(params)
    assert relative_error(grads, numeric) < 1e-6
    z = net.forward(X).caches[-1].z
    assert loss == pytest.approx(reference_loss(z, y) + net.penalty(), rel=1e-12)


def test_multilabel_equals_n_independent_bce_heads_on_the_same_hidden_layer():
    rng = np.random.default_rng(1)
    net = _net()
    W1, b1, W2, b2 = (rng.normal(0, 0.8, p.shape) for p in net.parameters())
    net.set_parameters([W1, b1, W2, b2])
    X, y = _data(rng, n=11)
    loss, (gW1, gb1, gW2, gb2) = net.loss_and_grads(X, y)
    head_losses, head_grads = [], []
    for j in range(N_LABELS):
        head = _net(labels=1)
        head.set_parameters([W1, b1, W2[j : j + 1], b2[j : j + 1]])
        value, grads = head.loss_and_grads(X, y[:, j])
        head_losses.append(value)
        head_grads.append(grads)
    assert loss == pytest.approx(np.mean(head_losses), rel=1e-12)
    # the shared layer gets the mean of the heads' gradients; head j's row gets 1/N of its own gradient
    np.testing.assert_allclose(gW1, np.mean([g[0] for g in head_grads], axis=0), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(gb1, np.mean([g[1] for g in head_grads], axis=0), rtol=1e-10, atol=1e-14)
    for j in range(N_LABELS):
        np.testing.assert_allclose(gW2[j], head_grads[j][2][0] / N_LABELS, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gb2[j], head_grads[j][3][0] / N_LABELS, rtol=1e-10, atol=1e-14)


def test_the_trainer_fast_path_computes_the_same_gradient_as_loss_and_grads():
    rng = np.random.default_rng(2)
    net = _net()
    X, y = _data(rng, n=16)
    _, expected = net.loss_and_grads(X, y)
    trainer = Trainer(net, X, y, batch_size=16)
    net.train_gradients(trainer.X, trainer.targets, None, False, need_loss=False)
    for got, want in zip(net._grads, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_multilabel_y_is_validated():
    net = _net()
    with pytest.raises(ValueError, match=r"multi-label.*\(n_samples, 3\)"):
        net.loss_and_grads(np.zeros((4, 2)), np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match=r"0s and 1s.*\[0, 2\]"):
        net.loss_and_grads(np.zeros((2, 2)), np.array([[0, 2, 0], [0, 0, 2]]))


def _overlapping_labels(n=300, seed=0):
    """Inside the unit circle × above the diagonal: four combinations, including "both"."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(n, 2))
    y = np.column_stack([(X**2).sum(axis=1) < 1.0, X[:, 1] > X[:, 0]]).astype(int)
    return X, y


def test_trainer_history_reports_subset_accuracy_and_learns_both_labels():
    X, y = _overlapping_labels()
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 12, "activation": "tanh"}, {"units": 2, "activation": "sigmoid"}],
        loss="bce",
        seed=0,
    )
    trainer = Trainer(net, X, y, X_val=X[:50], y_val=y[:50], learning_rate=0.03, batch_size=32, seed=0)
    for _ in trainer.run(150):
        pass
    proba = net.predict(X)
    assert proba.shape == (300, 2)
    scores = multilabel_metrics(y, proba)
    assert trainer.history.train_metric[-1] == pytest.approx(scores["subset_accuracy"])
    assert scores["subset_accuracy"] > 0.9 and scores["hamming_loss"] < 0.06
    assert min(scores["label_accuracy"]) > 0.9


def test_multilabel_metrics_are_scikit_learns():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=(40, 4))
    scores = rng.random((40, 4))
    predicted = (scores >= 0.5).astype(int)
    m = multilabel_metrics(y, scores)
    assert m["hamming_loss"] == pytest.approx(hamming_loss(y, predicted))
    assert m["subset_accuracy"] == pytest.approx(accuracy_score(y, predicted))
    np.testing.assert_allclose(m["label_f1"], f1_score(y, predicted, average=None, zero_division=0.0))
    np.testing.assert_allclose(m["label_accuracy"], (predicted == y).mean(axis=0))
    diverged = multilabel_metrics(y, np.full((40, 4), np.nan))
    assert diverged["diverged"] and np.isnan(diverged["hamming_loss"])
    with pytest.raises(ValueError, match="0/1"):
        multilabel_metrics(y * 2, scores)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimator_accepts_an_indicator_matrix_like_mlpclassifier():
    X, y = _overlapping_labels(200)
    ours = PlaygroundClassifier(hidden_layer_sizes=(12,), epochs=120, learning_rate=0.03).fit(X, y)
    theirs = MLPClassifier(hidden_layer_sizes=(12,), max_iter=50, random_state=0).fit(X, y)
    assert ours.predict(X).shape == theirs.predict(X).shape == (200, 2)
    assert ours.predict(X).dtype == y.dtype
    assert set(np.unique(ours.predict(X))) <= {0, 1}
    assert ours.predict_proba(X).shape == (200, 2)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.network_.loss == "bce" and ours.network_.n_outputs == 2
    assert ours.score(X, y) == pytest.approx(accuracy_score(y, ours.predict(X)))
    assert ours.score(X, y) > 0.9


def test_estimator_rejects_class_weight_and_non_indicator_2d_y():
    X, y = _overlapping_labels(40)
    with pytest.raises(ValueError, match="class_weight='balanced'.*multi-label"):
        PlaygroundClassifier(class_weight="balanced", epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"indicator matrix"):
        PlaygroundClassifier(epochs=1).fit(X, y * 3)


# ---- data ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["circle_diagonal", "three_discs"])
def test_multilabel_datasets_have_overlapping_labels_decided_by_their_geometry(name):
    from core.data.datasets import (
        CIRCLE_RADIUS,
        DISC_CENTRES,
        DISC_RADIUS,
        MULTILABEL_DATASETS,
        make_multilabel_dataset,
    )

    ds = make_multilabel_dataset(name, 600, noise=0.0, seed=4)
    info = MULTILABEL_DATASETS[name]
    assert ds.task == "multilabel" and ds.y.shape == (600, ds.n_classes) and ds.y.dtype == np.int64
    assert len(ds.label_names) == ds.n_classes and ds.X.shape == (600, info.input_dim)
    if name == "circle_diagonal":
        expected = np.column_stack([np.hypot(*ds.X.T) < CIRCLE_RADIUS, ds.X[:, 1] > ds.X[:, 0]])
    else:
        expected = np.linalg.norm(ds.X[:, None] - DISC_CENTRES[None], axis=2) < DISC_RADIUS
    np.testing.assert_array_equal(ds.y, expected.astype(int))
    # overlapping: some points carry two labels at once, some none, and every label occurs
    per_point = ds.y.sum(axis=1)
    assert (per_point >= 2).mean() > 0.05 and (per_point == 0).any()
    assert np.all(ds.y.mean(axis=0) > 0.15)
    again = make_multilabel_dataset(name, 600, noise=0.0, seed=4)
    np.testing.assert_array_equal(again.X, ds.X)


def test_multilabel_dataset_splits_keep_the_label_matrix():
    from core.data.datasets import make_multilabel_dataset, split_dataset

    split = split_dataset(make_multilabel_dataset("three_discs", 100, seed=1), test_fraction=0.3, seed=0)
    assert split.y_train.shape == (70, 3) and split.y_test.shape == (30, 3)
    with pytest.raises(ValueError, match="name='discs'.*circle_diagonal, three_discs"):
        make_multilabel_dataset("discs")


def test_csv_with_several_label_columns_is_a_multilabel_dataset():
    from core.data.csvdata import load_csv

    text = "x1,x2,inside,above\n0.1,0.2,1,1\n2,1,0,0\n-1,1,0,1\n0.3,-0.2,1,0\n1,1.5,0,1\n"
    with pytest.raises(ValueError, match="line 1 has 4 column.*task='multilabel'"):
        load_csv(text.encode())  # never guessed: a one-label-per-point page must not receive a label matrix
    upload = load_csv(text.encode(), task="multilabel")
    ds = upload.dataset
    assert ds.task == "multilabel" and ds.label_names == ("inside", "above")
    np.testing.assert_array_equal(ds.y, [[1, 1], [0, 0], [0, 1], [1, 0], [0, 1]])
    with pytest.raises(ValueError, match=r"line 3, column 4 is 2.*0 \(no\) or 1 \(yes\)"):
        load_csv(b"x1,x2,a,b\n0,0,1,0\n1,1,0,2\n0,1,1,1\n1,0,0,0\n", task="multilabel")
    with pytest.raises(ValueError, match="line 1 has 1 column.*4 to 10.*multi-label"):
        load_csv(b"1\n2\n3\n4\n", task="multilabel")
    with pytest.raises(ValueError, match="line 1 has 3 column.*multi-label"):
        load_csv(b"x1,x2,a\n0,0,1\n1,1,0\n0,1,1\n1,0,0\n", task="multilabel")
    net = Network.from_spec(input_dim=2, layers=[{"units": 4}, {"units": 2, "activation": "sigmoid"}], loss="bce")
    trainer = Trainer(net, ds.X, ds.y, batch_size=5)
    for _ in trainer.run(3):
        pass
    assert len(trainer.history.train_metric) == 3
