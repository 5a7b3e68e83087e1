"""Our network as scikit-learn estimators, so cross-validation, searches and pipelines work with it.

    from sklearn.model_selection import GridSearchCV
    from core.experiment.estimator import PlaygroundClassifier
    search = GridSearchCV(PlaygroundClassifier(epochs=100), {"learning_rate": [0.01, 0.1]}, cv=5, n_jobs=2)
    search.fit(X, y)

Hyperparameters are plain constructor arguments stored unchanged; they are validated in ``fit`` (scikit-learn's rule),
where :meth:`core.engine.network.Network.from_spec` and :class:`core.engine.training.Trainer` check the rest with the
same messages as everywhere else. Training is deterministic given ``random_state``.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from core.engine.network import Network
from core.engine.training import History, Trainer
from core.engine.validation import Interval, Options, check, validate
from core.experiment.config import HIDDEN_ACTIVATIONS, ExperimentConfig

REGRESSION_LOSSES = ("mse", "mae", "huber")
# The estimators' own hyper-parameters; everything about the network itself is checked by Network.from_spec.
CONSTRAINTS = {
    "random_state": Interval(0, 2**32, closed="left", integer=True, high_text="2**32"),
    "activation": Options(HIDDEN_ACTIVATIONS),
    "dropout": Interval(0.0, 0.9),
    "epochs": Interval(1, None, integer=True),
    "validation_fraction": Interval(0.0, 0.5),
    "early_stopping_patience": Interval(0, None, integer=True),  # 0: off
}


def _seed(random_state) -> int:
    """An int seed for our Generators: an int is used as it is, None/RandomState draw one (sklearn's rule)."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return check("random_state", random_state, CONSTRAINTS["random_state"])
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class _PlaygroundBase(BaseEstimator):
    """Shared hyperparameters and training loop; subclasses choose the output layer and the loss."""

    def __init__(
        self,
        hidden_layer_sizes=(8,),
        activation="tanh",
        init="xavier",
        optimizer="adam",
        learning_rate=0.03,
        batch_size=32,
        epochs=200,
        momentum=0.9,
        schedule="constant",
        l1=0.0,
        l2=0.0,
        dropout=0.0,
        clip_value=0.0,
        clip_norm=0.0,
        leaky_slope=0.1,
        validation_fraction=0.0,
        early_stopping_patience=0,
        random_state=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.momentum = momentum
        self.schedule = schedule
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.clip_value = clip_value
        self.clip_norm = clip_norm
        self.leaky_slope = leaky_slope
        self.validation_fraction = validation_fraction
        self.early_stopping_patience = early_stopping_patience
        self.random_state = random_state

    # ---- validation -------------------------------------------------------------------------------------
    def _hidden_layers(self) -> list[dict]:
        """Hidden layer dicts for ``Network.from_spec``; ``activation`` is one name or one per layer."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} is not valid; expected a tuple of layer widths "
                "such as (8,) or (16, 8), or () for no hidden layer"
            )
        for units in sizes:
            if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units < 1:
                raise ValueError(
                    f"hidden_layer_sizes={self.hidden_layer_sizes!r} is not valid; every width must be a whole "
                    "number ≥ 1"
                )
        activations = self.activation
        if isinstance(activations, str):
            activations = [activations] * len(sizes)
        if not isinstance(activations, Sequence) or len(activations) != len(sizes):
            raise ValueError(
                f"activation={self.activation!r} is not valid; give one name, or one name per hidden layer "
                f"({len(sizes)})"
            )
        for name in activations:
            check("activation", name, CONSTRAINTS["activation"])
        dropouts = self.dropout
        if isinstance(dropouts, numbers.Real):
            dropouts = [dropouts] * len(sizes)
        if not isinstance(dropouts, Sequence) or len(dropouts) != len(sizes):
            raise ValueError(
                f"dropout={self.dropout!r} is not valid; give one rate, or one rate per hidden layer ({len(sizes)})"
            )
        for rate in dropouts:
            check("dropout", rate, CONSTRAINTS["dropout"])
        layers = []
        for units, name, rate in zip(sizes, activations, dropouts, strict=True):
            layer: dict = {"units": int(units), "activation": name}
            if rate:
                layer["dropout"] = float(rate)
            if name == "leaky_relu":
                layer["slope"] = self.leaky_slope
            layers.append(layer)
        return layers

    def _check_training_params(self) -> None:
        validate(
            {
                "epochs": self.epochs,
                "validation_fraction": self.validation_fraction,
                "early_stopping_patience": self.early_stopping_patience,
            },
            CONSTRAINTS,
        )
        if self.early_stopping_patience and not self.validation_fraction:
            raise ValueError("early_stopping_patience needs validation data; set validation_fraction > 0 as well")

    # ---- training ---------------------------------------------------------------------------------------
    def _train(self, X: np.ndarray, y: np.ndarray, layers: list[dict], loss: str, class_weight, stratify):
        """Build the network and run the trainer; sets ``network_``, ``history_`` and ``n_iter_``."""
        self._check_training_params()
        seed = _seed(self.random_state)
        X_val = y_val = None
        if self.validation_fraction:
            X, X_val, y, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=seed, stratify=stratify
            )
        network = Network.from_spec(
            input_dim=X.shape[1],
            layers=layers,
            loss=loss,
            init=self.init,
            l1=self.l1,
            l2=self.l2,
            seed=seed,
            class_weight=class_weight,
        )
        trainer = Trainer(
            network,
            X,
            y,
            X_val=X_val,
            y_val=y_val,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            momentum=self.momentum,
            schedule=self.schedule,
            total_epochs=int(self.epochs),
            clip_value=self.clip_value,
            clip_norm=self.clip_norm,
            early_stopping_patience=int(self.early_stopping_patience),
            record_stats=False,
            seed=seed,
        )
        for _ in trainer.run(int(self.epochs)):
            pass
        if trainer.history.diverged:
            warnings.warn(trainer.history.message, ConvergenceWarning, stacklevel=3)
        self.network_: Network = network
        self.history_: History = trainer.history
        self.n_iter_ = max(trainer.epoch, 1)
        return self

    # A Network holds activation closures, which pickle cannot store; a fitted estimator travels (joblib
    # workers, Dask, Ray, return_estimator=True) as the network's spec and parameter arrays instead.
    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ hands out the live __dict__
        network = state.pop("network_", None)
        if network is not None:
            state["_network_state"] = (network.spec(), network.parameters())
        return state

    def __setstate__(self, state):
        saved = state.pop("_network_state", None)
        super().__setstate__(state)
        if saved is not None:
            spec, params = saved
            self.network_ = Network.from_spec(**spec)
            self.network_.set_parameters(params)

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.predict(X)


class PlaygroundClassifier(ClassifierMixin, _PlaygroundBase):
    """A classifier on our NumPy network: sigmoid + bce for two classes, softmax + softmax_ce for more.

    Parameters (all plain values, validated in ``fit``)
    ----------
    hidden_layer_sizes : tuple of int, default (8,)
        Width of each hidden layer; ``()`` is logistic (softmax) regression.
    activation : str or sequence of str, default "tanh"
        One hidden activation for every layer, or one per layer (e.g. ``("sigmoid", "tanh")``).
    init, optimizer, learning_rate, batch_size, epochs, momentum, schedule, l1, l2, dropout, clip_value,
    clip_norm, leaky_slope : as in :class:`core.experiment.config.ExperimentConfig` (``dropout``: one rate for every
    hidden layer, or one per layer).
    validation_fraction : float, default 0.0
        Part of the training data held out (stratified) for ``history_.val_loss`` and early stopping.
    early_stopping_patience : int, default 0
        Epochs without improvement of the validation loss before stopping (0 = off).
    class_weight : None, "balanced" or dict {label: weight}, default None
        Per-class loss weights for imbalanced data.
    random_state : int, RandomState or None, default 0
        Seed of the initial weights, mini-batch order and dropout masks.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)   the labels, in the order of ``predict_proba``'s columns
    network_ : core.engine.network.Network             the trained network (inputs (n, n_features_in_))
    history_ : core.engine.training.History            per-epoch loss and accuracy
    n_iter_ : int                               epochs run
    """

    def __init__(
        self,
        hidden_layer_sizes=(8,),
        activation="tanh",
        init="xavier",
        optimizer="adam",
        learning_rate=0.03,
        batch_size=32,
        epochs=200,
        momentum=0.9,
        schedule="constant",
        l1=0.0,
        l2=0.0,
        dropout=0.0,
        clip_value=0.0,
        clip_norm=0.0,
        leaky_slope=0.1,
        validation_fraction=0.0,
        early_stopping_patience=0,
        class_weight=None,
        random_state=0,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            init=init,
            optimizer=optimizer,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            momentum=momentum,
            schedule=schedule,
            l1=l1,
            l2=l2,
            dropout=dropout,
            clip_value=clip_value,
            clip_norm=clip_norm,
            leaky_slope=leaky_slope,
            validation_fraction=validation_fraction,
            early_stopping_patience=early_stopping_patience,
            random_state=random_state,
        )
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def fit(self, X, y):
        """X : array-like of shape (n_samples, n_features); y : (n_samples,) of any labels, or a multi-label
        indicator matrix (n_samples, n_labels) of 0/1 as ``MLPClassifier`` takes (one sigmoid output per label)."""
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # one column is one label vector, as scikit-learn treats it
        check_classification_targets(y)
        if y.ndim == 2 and type_of_target(y) == "multilabel-indicator":
            return self._fit_multilabel(X, y)
        if y.ndim == 2:
            raise ValueError(
                f"y has shape {y.shape} with values {np.unique(y)[:5].tolist()}; a 2-D y must be a multi-label "
                "indicator matrix of 0s and 1s (one column per label), or give class labels of shape (n_samples,)"
            )
        self._multilabel = False
        self.classes_, encoded = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"y has only one class ({self.classes_[0]!r}); a classifier needs samples of at least 2 classes"
            )
        layers = self._hidden_layers()
        if n_classes == 2:
            layers.append({"units": 1, "activation": "sigmoid"})
            loss = "bce"
        else:
            layers.append({"units": n_classes, "activation": "softmax"})
            loss = "softmax_ce"
        return self._train(X, encoded, layers, loss, self._class_weights(encoded), stratify=encoded)

    def _fit_multilabel(self, X: np.ndarray, y: np.ndarray):
        """N labels, N sigmoid outputs, loss = mean binary cross-entropy over samples and labels."""
        if self.class_weight is not None:
            raise ValueError(
                f"class_weight={self.class_weight!r} is not valid for multi-label y; use None (weights are per class, "
                "and here every label is its own yes/no question)"
            )
        self._multilabel = True
        self._label_dtype = y.dtype
        self.classes_ = np.arange(y.shape[1])  # as MLPClassifier: one "class" per label column
        layers = self._hidden_layers() + [{"units": y.shape[1], "activation": "sigmoid"}]
        return self._train(X, y.astype(np.float64), layers, "bce", None, stratify=None)

    def _class_weights(self, encoded: np.ndarray) -> dict[int, float] | None:
        """Weights keyed by encoded class index 0..k-1 (the network's labels)."""
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            counts = np.bincount(encoded, minlength=len(self.classes_))
            return {i: float(len(encoded) / (len(counts) * c)) for i, c in enumerate(counts) if c}
        if isinstance(self.class_weight, Mapping):
            unknown = [label for label in self.class_weight if label not in self.classes_]
            if unknown:
                raise ValueError(
                    f"class_weight has label(s) {unknown!r} that are not in y; the classes are "
                    f"{self.classes_.tolist()!r}"
                )
            return {
                int(np.searchsorted(self.classes_, label)): float(weight) for label, weight in self.class_weight.items()
            }
        raise ValueError(
            f"class_weight={self.class_weight!r} is not valid; use None, 'balanced' or a dict {{label: weight}}"
        )

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``.

        Multi-label: the probability of each label being yes, shape (n_samples, n_labels) (rows need not sum
        to 1)."""
        out = self._forward(X)
        if out.shape[1] == 1 and not getattr(self, "_multilabel", False):
            return np.hstack([1.0 - out, out])
        return out

    def predict(self, X) -> np.ndarray:
        """The most probable label for each row of X, shape (n_samples,); multi-label: the indicator matrix
        (n_samples, n_labels), 1 where the label's probability is ≥ 0.5."""
        proba = self.predict_proba(X)
        if getattr(self, "_multilabel", False):
            return (proba >= 0.5).astype(self._label_dtype)
        return self.classes_[np.argmax(proba, axis=1)]


class PlaygroundRegressor(RegressorMixin, _PlaygroundBase):
    """A regressor on our NumPy network: a linear output layer with one unit per target.

    Takes the classifier's hyperparameters (without ``class_weight``) plus ``loss`` ("mse", "mae" or "huber").
    ``y`` may be (n_samples,) or (n_samples, n_targets); ``predict`` returns the same shape.
    """

    def __init__(
        self,
        hidden_layer_sizes=(8,),
        activation="tanh",
        loss="mse",
        init="xavier",
        optimizer="adam",
        learning_rate=0.03,
        batch_size=32,
        epochs=200,
        momentum=0.9,
        schedule="constant",
        l1=0.0,
        l2=0.0,
        dropout=0.0,
        clip_value=0.0,
        clip_norm=0.0,
        leaky_slope=0.1,
        validation_fraction=0.0,
        early_stopping_patience=0,
        random_state=0,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            init=init,
            optimizer=optimizer,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            momentum=momentum,
            schedule=schedule,
            l1=l1,
            l2=l2,
            dropout=dropout,
            clip_value=clip_value,
            clip_norm=clip_norm,
            leaky_slope=leaky_slope,
            validation_fraction=validation_fraction,
            early_stopping_patience=early_stopping_patience,
            random_state=random_state,
        )
        self.loss = loss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """X : array-like of shape (n_samples, n_features); y : (n_samples,) or (n_samples, n_targets)."""
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        check("loss", self.loss, Options(REGRESSION_LOSSES))
        self._single_target = y.ndim == 1
        targets = y.reshape(-1, 1) if y.ndim == 1 else y
        layers = self._hidden_layers() + [{"units": targets.shape[1], "activation": "linear"}]
        return self._train(X, targets.astype(np.float64), layers, self.loss, None, stratify=None)

    def predict(self, X) -> np.ndarray:
        """Predictions, shape (n_samples,) for a 1-D ``y`` at fit time, else (n_samples, n_targets)."""
        out = self._forward(X)
        return out[:, 0] if self._single_target else out


def estimator_from_config(cfg: ExperimentConfig) -> PlaygroundClassifier | PlaygroundRegressor:
    """The network of ``cfg`` as an unfitted estimator: same layers, training settings and seed.

    The estimator's output layer is always the natural one (sigmoid, softmax or linear); for regression the
    configured loss is kept. Early stopping holds out ``data.validation_fraction`` of each training set.
    """
    cfg.validate()
    m, t = cfg.model, cfg.train
    patience = t.early_stopping_patience if cfg.data.validation_fraction else 0
    common = {
        "hidden_layer_sizes": tuple(layer.units for layer in m.hidden),
        "activation": _one_or_each([layer.activation for layer in m.hidden], "tanh"),
        "init": m.init,
        "optimizer": t.optimizer,
        "learning_rate": t.learning_rate,
        "batch_size": t.batch_size,
        "epochs": t.epochs,
        "momentum": t.momentum,
        "schedule": t.schedule,
        "l1": t.l1,
        "l2": t.l2,
        "dropout": _one_or_each([layer.dropout for layer in m.hidden], 0.0),
        "clip_value": t.clip_value,
        "clip_norm": t.clip_norm,
        "leaky_slope": m.leaky_slope,
        "validation_fraction": cfg.data.validation_fraction if patience else 0.0,
        "early_stopping_patience": patience,
        "random_state": cfg.seed,
    }
    if cfg.task == "regression":
        return PlaygroundRegressor(loss=cfg.resolved_output()[1], **common)
    return PlaygroundClassifier(class_weight="balanced" if t.class_weight == "balanced" else None, **common)


def _one_or_each(values: list, default):
    """One value when every layer shares it (so a search may change the depth), else one per layer."""
    if not values:
        return default
    return values[0] if len(set(values)) == 1 else tuple(values)
