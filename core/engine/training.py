"""Mini-batch training over epochs, with a history a UI can animate and a teacher can read.

``Trainer`` runs one epoch at a time (``train_epoch``) or yields after every epoch (``run``), so a page can draw
between epochs. After each epoch it records, on the whole training set: loss, accuracy or R², each layer's
gradient norm ‖∂L/∂W_l‖, weight norm, update ratio ‖ΔW_l‖/‖W_l‖, and hidden-activation statistics (mean, std,
fraction saturated for sigmoid/tanh, fraction of dead units for the ReLU family). Divergence (NaN/inf or a loss
explosion) stops training, restores the last good weights and says so in ``history.message``.

A run that may go on for a long time (the Playground left playing) passes ``history_limit``: the history then keeps
about that many rows, ever more sparsely spaced (see :func:`thin_history`), instead of one row per epoch.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from core.engine.losses import CLASSIFICATION_LOSSES, encode_targets
from core.engine.network import Network
from core.engine.optimizers import (
    OPTIMIZERS,
    SCHEDULES,
    Optimizer,
    clip_by_norm,
    clip_by_value,
    scheduled_learning_rate,
)
from core.engine.validation import Interval, Nullable, Options, check, validate

DIVERGENCE_FACTOR = 1e4  # a loss this many times the starting loss counts as an explosion
SATURATING = ("sigmoid", "tanh")
RECTIFIERS = ("relu",)
# What Trainer accepts (0 turns clipping off). Epoch counts and batch sizes have no upper bound here: the
# app's caps are checked by ExperimentConfig.validate.
TRAINER_CONSTRAINTS = {
    "optimizer": Options(OPTIMIZERS),
    "schedule": Options(SCHEDULES),
    "learning_rate": Interval(0.0, None, closed="neither"),
    "batch_size": Interval(1, None, integer=True),
    "clip_value": Interval(0.0, None),
    "clip_norm": Interval(0.0, None),
}


@dataclass
class History:
    """Per-epoch records. Per-layer lists hold one value per layer (hidden layers, then the output layer).

    Row ``i`` of every list belongs to epoch ``epoch[i]``. Without a row limit that is every epoch; with one
    (``Trainer(history_limit=...)``) the rows are the first epoch, every ``stride``-th epoch and the newest epoch.
    """

    metric_name: str = "accuracy"
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)
    weight_norms: list[list[float]] = field(default_factory=list)
    update_ratios: list[list[float]] = field(default_factory=list)
    activation_mean: list[list[float]] = field(default_factory=list)
    activation_std: list[list[float]] = field(default_factory=list)
    saturated_fraction: list[list[float]] = field(default_factory=list)
    dead_fraction: list[list[float]] = field(default_factory=list)
    diverged: bool = False
    stopped_early: bool = False
    best_epoch: int | None = None
    message: str = ""  # in English, for scripts and logs; the app words it from the flags and message_args
    message_args: dict = field(default_factory=dict)  # the numbers in the message: epoch, loss, patience, ...
    stride: int = 1  # rows are kept every ``stride`` epochs (plus the first and the newest); 1 = every epoch
    # ``train_loss`` is the training objective: the loss with class weights, plus the L1/L2 penalty when set.
    # ``val_loss`` is the plain loss on the held-out data (no penalty, no class weights), as frameworks report it.
    held_out: str = "test"  # which data ``val_loss``/``val_metric`` are on: "test" or "validation"
    penalised: bool = False  # the objective includes an L1/L2 penalty
    weighted: bool = False  # the objective weights samples by class
    # After early stopping: the scalar columns of the epoch whose weights were restored (``best_epoch``).
    best_row: dict[str, float] | None = None

    SCALAR_COLUMNS = ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "learning_rate")
    ROW_COLUMNS = (
        *SCALAR_COLUMNS,
        "grad_norms",
        "weight_norms",
        "update_ratios",
        "activation_mean",
        "activation_std",
        "saturated_fraction",
        "dead_fraction",
    )

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def objective_differs(self) -> bool:
        """Whether ``train_loss`` is more than the plain loss (penalty or class weights in the objective)."""
        return self.penalised or self.weighted

    def current(self, column: str) -> float:
        """``column`` (a scalar column, e.g. "val_loss") for the weights the network holds now.

        That is the newest row, except after early stopping, when the weights of ``best_epoch`` were restored
        and the newest row describes weights that were thrown away. NaN when there is no row yet.
        """
        check("column", column, Options(self.SCALAR_COLUMNS))
        if self.stopped_early and self.best_row is not None:
            return self.best_row[column]
        values = getattr(self, column)
        return float(values[-1]) if values else math.nan

    def to_csv(self) -> str:
        """One row per epoch; per-layer lists become columns ``grad_norm_1``, ``grad_norm_2``, ..."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        n_layers = len(self.grad_norms[0]) if self.grad_norms else 0
        per_layer = ("grad_norm", "weight_norm", "update_ratio")
        header = [
            *self.SCALAR_COLUMNS[:3],
            f"train_{self.metric_name}",
            f"val_{self.metric_name}",
            "learning_rate",
        ]
        header += [f"{name}_{i + 1}" for name in per_layer for i in range(n_layers)]
        writer.writerow(header)
        for row in range(len(self.epoch)):
            values = [getattr(self, col)[row] for col in self.SCALAR_COLUMNS]
            for series in (self.grad_norms, self.weight_norms, self.update_ratios):
                values += list(series[row]) if series else []
            writer.writerow(values)
        return buffer.getvalue()

    def _row_lists(self) -> list[list]:
        """Every list holding one entry per row (per-layer lists are empty when statistics are not recorded)."""
        n = len(self.epoch)
        return [values for values in (getattr(self, name) for name in self.ROW_COLUMNS) if len(values) == n]

    def _drop_row(self, index: int) -> None:
        for values in self._row_lists():
            del values[index]

    def _keep_rows(self, indices: list[int]) -> None:
        for values in self._row_lists():
            values[:] = [values[i] for i in indices]


def thin_history(history: History, limit: int) -> None:
    """Keep ``history`` at no more than ``limit`` rows; call it after every new row.

    The rows kept are the first epoch, every epoch on the stride grid (``epoch % history.stride == 0``) and the
    newest epoch, so ``history.*[-1]`` is always the epoch just trained. The stride starts at 1 (every epoch):

    * a new row pushes the previous newest row out if that one is off the grid (it was kept only for being newest);
    * when the rows outnumber ``limit``, the stride doubles and the rows off the new grid go.

    A multiple of ``2s`` is a multiple of ``s``, so thinning only ever removes rows: what stays is exactly what an
    unthinned run records at those epochs. After ``E`` epochs there are about ``E / stride + 2`` rows, so once
    ``E`` passes ``limit`` the stride is between ``E / limit`` and ``2 E / limit`` and the rows number between
    about ``limit / 2`` and ``limit``; the memory stays flat however long the run.
    """
    epochs = history.epoch
    if len(epochs) >= 3 and epochs[-2] % history.stride:
        history._drop_row(-2)
    while len(epochs) > limit:
        history.stride *= 2
        last = len(epochs) - 1
        history._keep_rows([i for i, e in enumerate(epochs) if i in (0, last) or e % history.stride == 0])


def accuracy(outputs: np.ndarray, y: np.ndarray) -> float:
    labels = np.asarray(y)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    single = outputs.shape[1] == 1
    predicted = (outputs[:, 0] >= 0.5).astype(labels.dtype) if single else outputs.argmax(axis=1)
    return float(np.mean(predicted == labels)) if labels.size else float("nan")


def subset_accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Multi-label: the fraction of samples whose every label is right (a sigmoid output ≥ 0.5 means yes).

    scikit-learn's ``accuracy_score`` on indicator matrices, the score ``MLPClassifier`` reports."""
    if not targets.size:
        return float("nan")
    return float(np.mean(np.all((outputs >= 0.5) == (targets >= 0.5), axis=1)))


def r2_score(outputs: np.ndarray, targets: np.ndarray) -> float:
    """R² = 1 − SS_res/SS_tot over all outputs (equivalently 1 − MSE/Var(y))."""
    if targets.shape[0] < 2:
        return float("nan")
    residual = float(((outputs - targets) ** 2).sum())
    total = float(((targets - targets.mean(axis=0)) ** 2).sum())
    return 1.0 - residual / total if total > 0 else float("nan")


class Trainer:
    """Mini-batch gradient descent for a :class:`~core.engine.network.Network`.

    X : ndarray of shape (n_samples, n_features); y : labels (n_samples,) or targets (n_samples, n_outputs).
    ``clip_value``/``clip_norm`` of 0 mean off; ``early_stopping_patience`` of 0 means off (needs validation data).
    ``history_limit`` of None keeps a history row for every epoch; a number (≥ 3) keeps about that many rows,
    thinned as :func:`thin_history` describes (the counters, early stopping and divergence checks are unaffected).
    """

    def __init__(
        self,
        network: Network,
        X: np.ndarray,
        y: np.ndarray,
        *,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        batch_size: int = 32,
        momentum: float = 0.9,
        schedule: str = "constant",
        total_epochs: int = 1000,
        clip_value: float = 0.0,
        clip_norm: float = 0.0,
        early_stopping_patience: int = 0,
        task: str | None = None,
        record_stats: bool = True,
        seed: int = 0,
        history_limit: int | None = None,
    ):
        validate(
            {
                "optimizer": optimizer,
                "schedule": schedule,
                "learning_rate": learning_rate,
                "batch_size": batch_size,
                "clip_value": clip_value,
                "clip_norm": clip_norm,
            },
            TRAINER_CONSTRAINTS,
        )
        self.network = network
        self.X = network.check_X(X)
        self.y = np.asarray(y)
        if self.X.shape[0] == 0:
            raise ValueError("the training set is empty")
        self.targets = encode_targets(network.loss, self.y, network.n_outputs).astype(network.dtype, copy=False)
        if self.targets.shape[0] != self.X.shape[0]:
            raise ValueError(f"X has {self.X.shape[0]} rows but y has {self.targets.shape[0]}")
        self.weights = network.sample_weights(self.y)
        has_val = X_val is not None and y_val is not None and len(X_val) > 0
        self.X_val = network.check_X(X_val) if has_val else None
        self.y_val = np.asarray(y_val) if has_val else None
        # Encoded once: every epoch scores the validation data with these.
        self._val_targets = (
            encode_targets(network.loss, self.y_val, network.n_outputs).astype(network.dtype, copy=False)
            if has_val
            else None
        )
        self.task = task or ("classification" if network.loss in CLASSIFICATION_LOSSES else "regression")
        self.optimizer = Optimizer(optimizer, momentum=momentum)
        self.base_learning_rate = float(learning_rate)
        self.batch_size = int(min(batch_size, self.X.shape[0]))
        self.schedule = schedule
        self.total_epochs = total_epochs
        self.clip_value = float(clip_value)
        self.clip_norm = float(clip_norm)
        self.patience = int(early_stopping_patience)
        self.record_stats = record_stats
        self.history_limit = history_limit
        self.rng = np.random.default_rng([seed, 2])
        self.epoch = 0
        self.history = History(
            metric_name="accuracy" if self.task == "classification" else "r2",
            penalised=bool(network.l1 or network.l2),
            weighted=self.weights is not None,
        )
        # N sigmoid outputs with bce: N yes/no labels per sample; "accuracy" is then the subset accuracy.
        self.multilabel = network.loss == "bce" and network.n_outputs > 1
        self._params = network.parameter_views()
        # The optimizer sees the network as one flat array (its parameter buffer and gradient buffer).
        self._flat_params, self._flat_grads = [network.parameter_buffer], [network.gradient_buffer]
        self._has_prelu = any(s is not None for s in network.slopes)
        self._uses_dropout = any(spec.dropout for spec in network.layers)
        self._last_good = network.parameter_buffer.copy()
        self._before = np.empty_like(network.parameter_buffer)  # parameters at the start of the epoch (update ratios)
        self._weights_before = network.weight_views(self._before)
        self._shuffled: tuple[np.ndarray, ...] | None = None
        self._start_loss: float | None = None
        self._best_val = math.inf
        self._best_params: list[np.ndarray] | None = None
        self._since_best = 0

    @property
    def history_limit(self) -> int | None:
        """The most rows the history keeps (None: one per epoch). Settable, e.g. on a trainer a factory built."""
        return self._history_limit

    @history_limit.setter
    def history_limit(self, limit: int | None) -> None:
        # Fewer than 3 rows cannot hold the first epoch, the newest epoch and any point in between.
        self._history_limit = check("history_limit", limit, Nullable(Interval(3, None, strict=True)))

    @property
    def done(self) -> bool:
        return self.history.diverged or self.history.stopped_early

    @property
    def learning_rate(self) -> float:
        return scheduled_learning_rate(self.schedule, self.base_learning_rate, self.epoch, self.total_epochs)

    def train_step(self, X: np.ndarray, targets: np.ndarray, weights: np.ndarray | None, learning_rate: float) -> float:
        """One gradient step on one mini-batch; returns the batch loss.

        X : (batch, n_features) in the network's dtype; targets : encoded, (batch, n_outputs).
        """
        return self._step(X, targets, weights, learning_rate, need_loss=True)

    def _step(
        self, X: np.ndarray, targets: np.ndarray, weights: np.ndarray | None, learning_rate: float, need_loss: bool
    ) -> float:
        net = self.network
        loss = net.train_gradients(X, targets, weights, self._uses_dropout, need_loss)
        if self.clip_value:
            clip_by_value(self._flat_grads, self.clip_value)
        if self.clip_norm:
            clip_by_norm(self._flat_grads, self.clip_norm)
        self.optimizer.step(self._flat_params, self._flat_grads, learning_rate)
        if self._has_prelu:
            net.parameters_changed()
        return loss

    def _shuffle(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The training set in a fresh random order, gathered once per epoch so batches are contiguous views."""
        order = self.rng.permutation(self.X.shape[0])
        if self._shuffled is None:
            self._shuffled = (
                np.empty_like(self.X),
                np.empty_like(self.targets),
                None if self.weights is None else np.empty_like(self.weights),
            )
        X, targets, weights = self._shuffled
        np.take(self.X, order, axis=0, out=X, mode="clip")  # indices are valid; "clip" avoids a buffered copy
        np.take(self.targets, order, axis=0, out=targets, mode="clip")
        if weights is not None:
            np.take(self.weights, order, axis=0, out=weights, mode="clip")
        return X, targets, weights

    def train_epoch(self) -> bool:
        """Shuffle, run every mini-batch once, record the epoch. Returns False once training has stopped."""
        if self.done:
            return False
        if self._start_loss is None:
            self._start_loss = self.network.loss_value(self.X, self.y)
        if self.record_stats:
            np.copyto(self._before, self.network.parameter_buffer)
        lr = self.learning_rate
        n, bs = self.X.shape[0], self.batch_size
        X, targets, weights = self._shuffle() if bs < n else (self.X, self.targets, self.weights)
        step = self._step
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, n, bs):
                stop = start + bs
                step(X[start:stop], targets[start:stop], None if weights is None else weights[start:stop], lr, False)
            self.epoch += 1
            self._record(lr)
        return not self.done

    def run(self, epochs: int) -> Iterator[int]:
        """Train up to ``epochs`` more epochs, yielding the epoch number after each one."""
        for _ in range(epochs):
            if not self.train_epoch():
                break
            yield self.epoch

    # ---- recording ----------------------------------------------------------------------------------------
    def _metric(self, outputs: np.ndarray, y: np.ndarray, targets: np.ndarray) -> float:
        if self.task == "classification" and self.multilabel:
            return subset_accuracy(outputs, targets)
        if self.task == "classification":
            return accuracy(outputs, y)
        return r2_score(outputs, targets)

    def _record(self, lr: float) -> None:
        net, h = self.network, self.history
        ws = net.evaluate(self.X, every_layer=self.record_stats, backward=self.record_stats)
        if self.record_stats:  # the gradient norms need a backward pass over the whole training set
            loss = net.backward_layers(ws, self.targets, self.weights, net.layer_gradients, need_loss=True)
        else:
            loss = net.loss_of(ws, self.targets, self.weights)
        finite = math.isfinite(loss) and bool(np.isfinite(net.parameter_buffer).all())
        exploded = finite and loss > DIVERGENCE_FACTOR * max(self._start_loss or 1.0, 1.0)
        if not finite or exploded:
            net.parameter_buffer[...] = self._last_good
            net.parameters_changed()
            h.diverged = True
            h.message_args = {"epoch": self.epoch, "loss": float(loss) if finite else None}
            h.message = (
                f"Training diverged at epoch {self.epoch}: the loss became "
                f"{'NaN or infinite' if not finite else f'{loss:.3g}'}. Weights from the last good epoch were "
                "restored. Try a smaller learning rate or gradient clipping."
            )
            return
        np.copyto(self._last_good, net.parameter_buffer)
        h.epoch.append(self.epoch)
        h.train_loss.append(loss)
        h.learning_rate.append(lr)
        h.train_metric.append(self._metric(ws.a[-1], self.y, self.targets))
        if self.record_stats:
            self._record_layer_stats(ws)
        if self.X_val is not None:
            val = net.evaluate(self.X_val, every_layer=False)
            h.val_loss.append(net.data_loss_of(val, self._val_targets))
            h.val_metric.append(self._metric(val.a[-1], self.y_val, self._val_targets))
        else:
            h.val_loss.append(float("nan"))
            h.val_metric.append(float("nan"))
        if self.patience and self.X_val is not None:
            self._early_stopping(h.val_loss[-1])
        if self._history_limit is not None:
            thin_history(h, self._history_limit)

    def _record_layer_stats(self, ws) -> None:
        """Per-layer statistics of the forward/backward pass over the training set held in ``ws``."""
        net, h = self.network, self.history
        h.grad_norms.append([float(np.linalg.norm(dW)) for dW, _, _ in net.layer_gradients])
        h.weight_norms.append([float(np.linalg.norm(W)) for W in net.weights])
        h.update_ratios.append(
            [
                float(np.linalg.norm(W - W0) / (np.linalg.norm(W0) + 1e-12))
                for W, W0 in zip(net.weights, self._weights_before, strict=True)
            ]
        )
        means, stds, saturated, dead = [], [], [], []
        for spec, a, z in zip(net.layers, ws.a, ws.z, strict=True):
            means.append(float(a.mean()))
            stds.append(float(a.std()))
            if spec.activation == "sigmoid":
                saturated.append(float(np.mean((a < 0.02) | (a > 0.98))))
            elif spec.activation == "tanh":
                saturated.append(float(np.mean(np.abs(a) > 0.96)))
            else:
                saturated.append(0.0)
            if spec.activation in RECTIFIERS:
                dead.append(float(np.mean(np.all(z <= 0, axis=0))))  # never active on any training sample
            else:
                dead.append(0.0)
        h.activation_mean.append(means)
        h.activation_std.append(stds)
        h.saturated_fraction.append(saturated)
        h.dead_fraction.append(dead)

    def _early_stopping(self, val_loss: float) -> None:
        h = self.history
        if val_loss < self._best_val - 1e-12:
            self._best_val = val_loss
            self._best_params = self.network.parameters()
            h.best_epoch = self.epoch
            h.best_row = {column: float(getattr(h, column)[-1]) for column in h.SCALAR_COLUMNS}
            self._since_best = 0
            return
        self._since_best += 1
        if self._since_best >= self.patience and self._best_params is not None:
            self.network.set_parameters(self._best_params)
            h.stopped_early = True
            h.message_args = {"epoch": self.epoch, "patience": self.patience, "best_epoch": h.best_epoch}
            h.message = (
                f"Early stopping at epoch {self.epoch}: the validation loss has not improved for {self.patience} "
                f"epochs; the weights from epoch {h.best_epoch} were restored."
            )
