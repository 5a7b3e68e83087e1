"""The scikit-learn estimators around our network: sklearn's own checks, labels, searches, pipelines, pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.datasets import make_classification, make_moons
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from core.experiment.estimator import PlaygroundClassifier, PlaygroundRegressor


# Every check scikit-learn ships passes (array-API input is skipped by sklearn itself without SCIPY_ARRAY_API).
@parametrize_with_checks([PlaygroundClassifier(), PlaygroundRegressor()])
def test_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=120, noise=0.15, random_state=0)


def test_hyperparameters_are_stored_unchanged():
    est = PlaygroundClassifier(hidden_layer_sizes=[5, 3], activation=("relu", "tanh"), learning_rate=0.5)
    params = est.get_params()
    assert params["hidden_layer_sizes"] == [5, 3]
    assert params["activation"] == ("relu", "tanh")
    assert params["learning_rate"] == 0.5
    assert params["class_weight"] is None


def test_fit_builds_the_described_network_and_keeps_its_history(moons):
    X, y = moons
    est = PlaygroundClassifier(hidden_layer_sizes=(6, 4), activation=("relu", "tanh"), epochs=15).fit(X, y)
    assert est.network_.layer_sizes == [2, 6, 4, 1]
    assert [layer.activation for layer in est.network_.layers] == ["relu", "tanh", "sigmoid"]
    assert len(est.history_.train_loss) == 15
    assert est.n_iter_ == 15


def test_string_labels_map_to_probability_columns_in_class_order():
    X, y_int = make_classification(n_samples=150, n_classes=3, n_informative=3, random_state=0)
    names = np.array(["cat", "dog", "emu"])
    est = PlaygroundClassifier(epochs=60).fit(X, names[y_int])
    assert est.classes_.tolist() == ["cat", "dog", "emu"]
    proba = est.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    assert est.score(X, names[y_int]) > 0.8


def test_binary_probabilities_are_the_sigmoid_and_its_complement(moons):
    X, y = moons
    est = PlaygroundClassifier(epochs=20).fit(X, y + 5)  # labels 5/6
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], est.network_.predict(X)[:, 0])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(est.predict(X)) <= {5, 6}


def test_same_random_state_gives_identical_models_and_another_differs(moons):
    X, y = moons
    a = PlaygroundClassifier(epochs=10, random_state=3).fit(X, y).predict_proba(X)
    b = PlaygroundClassifier(epochs=10, random_state=3).fit(X, y).predict_proba(X)
    c = PlaygroundClassifier(epochs=10, random_state=4).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"activation": "relux"}, "activation='relux'"),
        ({"activation": ("relu",), "hidden_layer_sizes": (4, 4)}, "activation="),
        ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes="),
        ({"epochs": 0}, "epochs=0"),
        ({"learning_rate": -1.0}, "learning_rate=-1.0"),
        ({"optimizer": "adamw"}, "optimizer='adamw'"),
        ({"class_weight": "even"}, "class_weight='even'"),
        ({"early_stopping_patience": 5}, "validation_fraction"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_the_field(moons, params, field):
    X, y = moons
    with pytest.raises(ValueError, match=field.replace("(", r"\(").replace(")", r"\)")):
        PlaygroundClassifier(**{"epochs": 2, **params}).fit(X, y)


def test_early_stopping_uses_a_held_out_part_and_stops(moons):
    X, y = moons
    est = PlaygroundClassifier(epochs=500, learning_rate=0.1, validation_fraction=0.3, early_stopping_patience=5).fit(
        X, y
    )
    assert est.history_.stopped_early
    assert est.n_iter_ < 500
    assert not np.isnan(est.history_.val_loss).any()


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        n_samples=400,
        n_features=2,
        n_redundant=0,
        n_clusters_per_class=1,
        weights=[0.9, 0.1],
        class_sep=0.5,
        flip_y=0,
        random_state=2,
    )  # overlapping classes: a linear model must trade majority accuracy for minority recall
    plain = PlaygroundClassifier(hidden_layer_sizes=(), epochs=40).fit(X, y)
    balanced = PlaygroundClassifier(hidden_layer_sizes=(), epochs=40, class_weight="balanced").fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.5


def test_regressor_fits_a_sine_and_keeps_the_target_shape():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2.5, 2.5, size=(200, 1))
    y = np.sin(X[:, 0])
    est = PlaygroundRegressor(hidden_layer_sizes=(8,), epochs=300, learning_rate=0.03).fit(X, y)
    assert est.predict(X).shape == (200,)
    assert est.score(X, y) > 0.95
    two = PlaygroundRegressor(epochs=20).fit(X, np.column_stack([y, -y]))
    assert two.predict(X).shape == (200, 2)


def test_fitted_estimator_survives_pickling(moons):
    X, y = moons
    est = PlaygroundClassifier(hidden_layer_sizes=(4,), activation="prelu", epochs=10).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert np.array_equal(restored.predict_proba(X), est.predict_proba(X))
    assert restored.history_.train_loss == est.history_.train_loss


def test_works_in_grid_and_random_search_with_parallel_workers(moons):
    X, y = moons
    base = PlaygroundClassifier(epochs=15)
    grid = GridSearchCV(base, {"learning_rate": [0.0001, 0.1]}, cv=3, n_jobs=2).fit(X, y)
    assert grid.best_params_ == {"learning_rate": 0.1}
    rand = RandomizedSearchCV(
        base, {"hidden_layer_sizes": [(2,), (8,)], "l2": [0.0, 0.001]}, n_iter=3, cv=3, n_jobs=2, random_state=0
    ).fit(X, y)
    assert len(rand.cv_results_["params"]) == 3
    assert rand.best_estimator_.network_ is not None


def test_works_after_smote_in_an_imbalanced_learn_pipeline():
    X, y = make_classification(n_samples=300, weights=[0.9, 0.1], flip_y=0, random_state=1)
    pipe = Pipeline([("smote", SMOTE(random_state=0)), ("net", PlaygroundClassifier(epochs=20))])
    scores = cross_val_score(pipe, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,)
    assert scores.mean() > 0.7
    fitted = clone(pipe).fit(X, y)
    assert fitted.predict(X).shape == (300,)
