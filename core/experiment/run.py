"""From an :class:`~core.experiment.config.ExperimentConfig` to data, a network, a trainer and a finished run.

The raw 2-D points are kept next to the engineered features so that figures can draw the data where it lives
while the network trains on x1, x2, x1², ... as chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.data.datasets import (
    MULTILABEL_DATASETS,
    Dataset,
    Split,
    make_dataset,
    make_multilabel_dataset,
    single_labels,
    split_dataset,
)
from core.data.features import transform_features
from core.data.sampling import Resampled, class_weights, resample
from core.engine.network import Network
from core.engine.training import History, Trainer
from core.experiment.config import ExperimentConfig, dataset_task, input_dim
from core.experiment.settings import check_network_caps


@dataclass(frozen=True)
class PreparedData:
    """The data of one experiment. ``raw`` holds the generated inputs, ``split`` the network's inputs."""

    dataset: Dataset
    raw: Split  # inputs as generated (2-D points, 1-D x, or 64 pixels); training part after resampling
    split: Split  # inputs after feature engineering, what the network sees
    synthetic: np.ndarray  # (n_train,) bool: training points created by the sampler
    features: tuple[str, ...]

    @property
    def task(self) -> str:
        return self.dataset.task


def drawn_dataset(points, n_classes: int = 2) -> Dataset:
    """A binary (or k-class) dataset from hand-placed ``(x1, x2, label)`` points."""
    array = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return Dataset(
        name="drawn",
        X=array[:, :2].copy(),
        y=array[:, 2].astype(np.int64),
        task="binary" if n_classes == 2 else "multiclass",
        n_classes=n_classes,
        feature_names=("x1", "x2"),
    )


def uploaded_dataset(rows, label_names: tuple[str, ...] = ()) -> Dataset:
    """A regression dataset from ``(x, y)`` or ``(x1, x2, y)`` rows: the last value is the target; a multi-label
    one from ``(x1, x2, label1, ..., labelN)`` rows (N ≥ 2 yes/no labels)."""
    array = np.asarray(rows, dtype=np.float64)
    if array.shape[1] >= 4:
        labels = array[:, 2:].astype(np.int64)
        return Dataset(
            name="uploaded",
            X=array[:, :2].copy(),
            y=labels,
            task="multilabel",
            n_classes=labels.shape[1],
            feature_names=("x1", "x2"),
            label_names=label_names or tuple(f"label{i}" for i in range(1, labels.shape[1] + 1)),
        )
    inputs = array.shape[1] - 1
    return Dataset(
        name="uploaded",
        X=array[:, :-1].copy(),
        y=array[:, -1].copy(),
        task="regression",
        n_classes=0,
        feature_names=("x1", "x2") if inputs == 2 else ("x",),
    )


def _dataset_options(cfg: ExperimentConfig) -> dict:
    d = cfg.data
    return {
        "spirals": {"arms": d.arms},
        "multiclass": {"n_classes": d.n_classes},
        "imbalanced": {"minority_ratio": d.minority_ratio, "shape": d.shape},
    }.get(d.name, {})


def _features(cfg: ExperimentConfig, X: np.ndarray) -> np.ndarray:
    if X.shape[1] != 2:  # 1-D inputs (sine, an uploaded curve) and digits (64 pixels) are used as they are
        return X
    return transform_features(X, cfg.data.features)


def prepare_data(cfg: ExperimentConfig) -> PreparedData:
    """Generate, split, resample (training part only) and featurise the data of ``cfg``."""
    d = cfg.data
    if d.name == "drawn":
        dataset = drawn_dataset(d.points)
    elif d.name == "uploaded":
        dataset = uploaded_dataset(d.rows, d.label_names)
    elif d.name in MULTILABEL_DATASETS:
        dataset = make_multilabel_dataset(d.name, n_samples=d.n_samples, noise=d.noise, seed=cfg.seed)
    else:
        dataset = make_dataset(d.name, n_samples=d.n_samples, noise=d.noise, seed=cfg.seed, **_dataset_options(cfg))
    raw = split_dataset(
        dataset, test_fraction=d.test_fraction, validation_fraction=d.validation_fraction, seed=cfg.seed
    )
    if d.single_label:  # the multi-label split's very points, each keeping one label: softmax's classes
        raw = Split(
            raw.X_train,
            single_labels(raw.X_train, raw.y_train),
            raw.X_val,
            single_labels(raw.X_val, raw.y_val),
            raw.X_test,
            single_labels(raw.X_test, raw.y_test),
        )
        dataset = Dataset(
            dataset.name,
            dataset.X,
            single_labels(dataset.X, dataset.y),
            "multiclass",
            dataset.n_classes + 1,
            dataset.feature_names,
            ("none", *dataset.label_names),
        )
    if d.points and d.name != "drawn":  # drawn on top of a generated set: extra training points
        extra = drawn_dataset(d.points, n_classes=dataset.n_classes)
        raw = Split(
            np.vstack([raw.X_train, extra.X]),
            np.concatenate([raw.y_train, extra.y]),
            raw.X_val,
            raw.y_val,
            raw.X_test,
            raw.y_test,
        )
    synthetic = np.zeros(len(raw.y_train), dtype=bool)
    if d.sampler != "none" and dataset.task in ("binary", "multiclass"):
        resampled: Resampled = resample(raw.X_train, raw.y_train, d.sampler, seed=cfg.seed, ratio=d.sampling_ratio)
        raw = Split(resampled.X, resampled.y, raw.X_val, raw.y_val, raw.X_test, raw.y_test)
        synthetic = resampled.synthetic
    split = Split(
        _features(cfg, raw.X_train),
        raw.y_train,
        _features(cfg, raw.X_val) if len(raw.X_val) else raw.X_val.reshape(0, input_dim(d)),
        raw.y_val,
        _features(cfg, raw.X_test) if len(raw.X_test) else raw.X_test.reshape(0, input_dim(d)),
        raw.y_test,
    )
    features = cfg.data.features if dataset.input_dim == 2 else dataset.feature_names
    return PreparedData(dataset, raw, split, synthetic, tuple(features))


def build_network(cfg: ExperimentConfig, y_train: np.ndarray | None = None) -> Network:
    """The untrained network of ``cfg`` (class weights need the training labels)."""
    _, loss = cfg.resolved_output()
    weights = None
    if (
        cfg.train.class_weight == "balanced"
        and y_train is not None
        and dataset_task(cfg.data) in ("binary", "multiclass")
    ):
        weights = class_weights(np.asarray(y_train), "balanced")
    spec = {"input_dim": input_dim(cfg.data), "layers": cfg.layer_dicts()}
    check_network_caps(spec)  # the app builds every network here: the host's caps apply
    return Network.from_spec(
        **spec,
        loss=loss,
        init=cfg.model.init,
        l1=cfg.train.l1,
        l2=cfg.train.l2,
        seed=cfg.seed,
        class_weight=weights,
        dtype=cfg.train.dtype,
    )


def build_trainer(
    cfg: ExperimentConfig, data: PreparedData, network: Network | None = None, record_stats: bool = True
) -> Trainer:
    """A trainer ready to run ``cfg`` on ``data`` (a fresh network unless one is given)."""
    net = network or build_network(cfg, data.split.y_train)
    t = cfg.train
    # Validation data: the validation part if there is one, else the test part, so curves show generalisation.
    X_val, y_val = (
        (data.split.X_val, data.split.y_val) if len(data.split.y_val) else (data.split.X_test, data.split.y_test)
    )
    trainer = Trainer(
        net,
        data.split.X_train,
        data.split.y_train,
        X_val=X_val,
        y_val=y_val,
        optimizer=t.optimizer,
        learning_rate=t.learning_rate,
        batch_size=t.batch_size,
        momentum=t.momentum,
        schedule=t.schedule,
        total_epochs=t.epochs,
        clip_value=t.clip_value,
        clip_norm=t.clip_norm,
        early_stopping_patience=t.early_stopping_patience if len(data.split.y_val) else 0,
        task="regression" if data.task == "regression" else "classification",  # multi-label: see Trainer.multilabel
        record_stats=record_stats,
        seed=cfg.seed,
    )
    trainer.history.held_out = "validation" if len(data.split.y_val) else "test"
    return trainer


@dataclass
class RunResult:
    config: ExperimentConfig
    data: PreparedData
    network: Network
    history: History

    @property
    def split(self) -> Split:
        return self.data.split


def run(
    config: ExperimentConfig, callback: Callable[[Trainer], None] | None = None, record_stats: bool = True
) -> RunResult:
    """Train ``config`` to the end (or until it diverges or stops early); ``callback`` runs after each epoch."""
    config.validate()
    data = prepare_data(config)
    trainer = build_trainer(config, data, record_stats=record_stats)
    for _ in trainer.run(config.train.epochs):
        if callback is not None:
            callback(trainer)
    return RunResult(config, data, trainer.network, trainer.history)
