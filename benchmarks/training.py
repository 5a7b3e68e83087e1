"""Training throughput of our core against scikit-learn's MLPClassifier and PyTorch (CPU, one thread).

Every contestant trains the same architecture (tanh hidden layers, sigmoid/softmax output with cross-entropy)
with Adam at the same learning rate and batch size, on the same data and dtype (float64, and float32 for the
rows that say so), one epoch per call:
- ours: ``core.engine.training.Trainer.train_epoch`` (shuffle, mini-batches, then the epoch's training loss and
  accuracy; per-layer statistics off, no validation set);
- scikit-learn: ``MLPClassifier(max_iter=1, warm_start=True).fit`` — its own fit loop for one epoch, with
  its per-call validation, not ``partial_fit`` per batch (which would flatter us);
- PyTorch: a plain loop over shuffled mini-batches with ``torch.optim.Adam``, ``torch.set_num_threads(1)``;
  skipped when torch is not installed.
Each repeat times a few epochs of each, interleaved; the row reports medians and the speed ratio.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np

from benchmarks.measure import Row, interleaved, median, number, skipped, times
from core.data.datasets import make_dataset, split_dataset
from core.engine.network import Network
from core.engine.training import Trainer

AREA = "training"
LEARNING_RATE = 0.01
TARGET_ACCURACY = 0.95
MAX_EPOCHS_TO_TARGET = 400
SKLEARN_TARGET = "≥ 3× sklearn"
TORCH_TARGET = "≥ 5× PyTorch"
CNN_TARGET = "≥ 1× PyTorch"
CNN_CASE_NAME = "CNN conv 8@3×3 relu → maxpool 2 → 10 · digits · batch 32"
CNN_LAYERS = (
    {"type": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": "valid", "activation": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"units": 10, "activation": "softmax"},
)


@dataclass(frozen=True)
class Case:
    name: str
    data: str  # "spirals" (500 points) or "digits" (the 1,347 training images)
    hidden: tuple[int, ...]
    batch_size: int | None  # None: full batch
    epochs: tuple[int, int]  # epochs per timed repeat: (quick, full)
    dtype: str = "float64"


CASES = (
    Case("2-8-8-1 tanh · 500 spirals · batch 10", "spirals", (8, 8), 10, (2, 5)),
    Case("2-8-8-1 tanh · 500 spirals · full batch", "spirals", (8, 8), None, (15, 60)),
    Case("64-64-16-10 tanh · digits · batch 32", "digits", (64, 16), 32, (1, 3)),
    Case("2-(16×6)-1 tanh · 500 spirals · batch 10", "spirals", (16,) * 6, 10, (1, 3)),
    Case("2-8-8-1 tanh · 500 spirals · batch 10 · float32", "spirals", (8, 8), 10, (2, 5), "float32"),
    Case("64-64-16-10 tanh · digits · batch 32 · float32", "digits", (64, 16), 32, (1, 3), "float32"),
)
REACH_CASE = CASES[0]


@cache
def dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "spirals":
        ds = make_dataset("spirals", n_samples=500, noise=0.05, seed=0)
        return ds.X, ds.y
    split = split_dataset(make_dataset("digits", n_samples=1797, noise=0.0, seed=0), test_fraction=0.25, seed=0)
    return split.X_train, split.y_train


# ---- contestants: epoch() trains one epoch, accuracy() scores the training set -----------------------------
class Ours:
    label = "ours"

    def __init__(
        self, X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], batch_size: int, seed: int, dtype: str = "float64"
    ):
        n_classes = int(y.max()) + 1
        output = (
            {"units": 1, "activation": "sigmoid"} if n_classes == 2 else {"units": n_classes, "activation": "softmax"}
        )
        net = Network.from_spec(
            input_dim=X.shape[1],
            layers=[{"units": u, "activation": "tanh"} for u in hidden] + [output],
            loss="bce" if n_classes == 2 else "softmax_ce",
            init="xavier",
            seed=seed,
            dtype=dtype,
        )
        self.trainer = Trainer(
            net,
            X,
            y,
            optimizer="adam",
            learning_rate=LEARNING_RATE,
            batch_size=batch_size,
            record_stats=False,
            seed=seed,
        )

    def epoch(self) -> None:
        self.trainer.train_epoch()

    def accuracy(self) -> float:
        return self.trainer.history.train_metric[-1]  # scored on the whole training set after every epoch


class SklearnMLP:
    def __init__(
        self, X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], batch_size: int, seed: int, dtype: str = "float64"
    ):
        import sklearn
        from sklearn.neural_network import MLPClassifier

        self.label = f"scikit-learn {sklearn.__version__}"
        self.X, self.y = X.astype(dtype), y  # MLPClassifier keeps float32 input in float32
        self.model = MLPClassifier(
            hidden_layer_sizes=hidden,
            activation="tanh",
            solver="adam",
            alpha=0.0,
            batch_size=batch_size,
            learning_rate_init=LEARNING_RATE,
            max_iter=1,
            warm_start=True,
            shuffle=True,
            random_state=seed,
            tol=0.0,
            n_iter_no_change=10**9,
            early_stopping=False,
        )

    def epoch(self) -> None:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 always "fails to converge"
            self.model.fit(self.X, self.y)

    def accuracy(self) -> float:
        return float(self.model.score(self.X, self.y))


class TorchMLP:
    def __init__(
        self, X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], batch_size: int, seed: int, dtype: str = "float64"
    ):
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(seed)
        self.torch = torch
        self.label = f"PyTorch {torch.__version__} (CPU, 1 thread)"
        n_classes = int(y.max()) + 1
        self.binary = n_classes == 2
        layers, fan_in = [], X.shape[1]
        for units in hidden:
            layers += [torch.nn.Linear(fan_in, units), torch.nn.Tanh()]
            fan_in = units
        layers.append(torch.nn.Linear(fan_in, 1 if self.binary else n_classes))
        self.model = torch.nn.Sequential(*layers).to(getattr(torch, dtype))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.loss = torch.nn.BCEWithLogitsLoss() if self.binary else torch.nn.CrossEntropyLoss()
        self.X = torch.from_numpy(np.array(X, dtype=dtype))  # a writable copy: torch refuses read-only arrays
        self.y = torch.from_numpy(y.astype(dtype).reshape(-1, 1) if self.binary else y.astype(np.int64))
        self.labels = y
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(seed)

    def epoch(self) -> None:
        n = self.X.shape[0]
        order = self.torch.randperm(n, generator=self.generator)
        for start in range(0, n, self.batch_size):
            rows = order[start : start + self.batch_size]
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(self.model(self.X[rows]), self.y[rows]).backward()
            self.optimizer.step()

    def accuracy(self) -> float:
        with self.torch.no_grad():
            out = self.model(self.X).numpy()
        predicted = (out[:, 0] > 0).astype(int) if self.binary else out.argmax(axis=1)
        return float(np.mean(predicted == self.labels))


def _torch_missing() -> str | None:
    try:
        import torch  # noqa: F401
    except ImportError:
        return "torch is not installed"
    return None


class OursCNN(Ours):
    """The Digits page's small CNN in our core (im2col convolution), one epoch per call as ``Ours``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
        net = Network.from_spec(
            input_dim=64, input_shape=(1, 8, 8), layers=list(CNN_LAYERS), loss="softmax_ce", init="xavier", seed=seed
        )
        self.trainer = Trainer(
            net,
            X,
            y,
            optimizer="adam",
            learning_rate=LEARNING_RATE,
            batch_size=batch_size,
            record_stats=False,
            seed=seed,
        )


class TorchCNN(TorchMLP):
    """The same CNN in PyTorch (Conv2d, ReLU, MaxPool2d, Linear; float64, one thread)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(seed)
        self.torch = torch
        self.label = f"PyTorch {torch.__version__} (CPU, 1 thread)"
        self.binary = False
        self.model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(72, 10),
        ).double()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.loss = torch.nn.CrossEntropyLoss()
        self.X = torch.from_numpy(np.array(X, dtype=np.float64).reshape(-1, 1, 8, 8))
        self.y = torch.from_numpy(y.astype(np.int64))
        self.labels = y
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(seed)


def cnn_rows(quick: bool, repeats: int) -> list[Row]:
    """One epoch of the small CNN on the 1,347 digits training images, ours vs PyTorch."""
    missing = _torch_missing()
    if missing:
        return [skipped(AREA, CNN_CASE_NAME, "PyTorch", missing, CNN_TARGET)]
    X, y = dataset("digits")
    epochs = 1 if quick else 3
    ours, theirs = OursCNN(X, y, 32, seed=0), TorchCNN(X, y, 32, seed=0)
    ours.epoch(), theirs.epoch()  # warm-up

    def run(contestant):
        return lambda: [contestant.epoch() for _ in range(epochs)]

    seconds = interleaved({"ours": run(ours), "theirs": run(theirs)}, repeats)
    ratio = median([t / o for o, t in zip(seconds["ours"], seconds["theirs"], strict=True)])
    ours_rate, their_rate = epochs / median(seconds["ours"]), epochs / median(seconds["theirs"])
    n = X.shape[0]
    return [
        Row(
            AREA,
            CNN_CASE_NAME,
            ours=f"{number(ours_rate * n, 'samples/s')} ({number(ours_rate, 'epochs/s')})",
            baseline=f"{theirs.label}: {number(their_rate * n, 'samples/s')} ({number(their_rate, 'epochs/s')})",
            ratio=ratio,
            ratio_text=f"{times(ratio)} faster" if ratio >= 1 else f"{times(1 / ratio)} slower",
            target=CNN_TARGET,
            met=ratio >= 1.0,
            note=(
                f"ours includes scoring the training set after each epoch; train accuracy after {1 + repeats * epochs} "
                f"epochs: ours {ours.accuracy():.3f}, theirs {theirs.accuracy():.3f}"
            ),
            values={
                "samples": n,
                "batch_size": 32,
                "epochs_per_repeat": epochs,
                "repeats": repeats,
                "ours_seconds": seconds["ours"],
                "baseline_seconds": seconds["theirs"],
            },
        )
    ]


BASELINES = (("scikit-learn MLPClassifier", SklearnMLP, SKLEARN_TARGET, 3.0), ("PyTorch", TorchMLP, TORCH_TARGET, 5.0))


# ---- rows ----------------------------------------------------------------------------------------------------
def throughput_rows(case: Case, quick: bool, repeats: int) -> list[Row]:
    X, y = dataset(case.data)
    n = X.shape[0]
    batch = case.batch_size or n
    epochs = case.epochs[0 if quick else 1]
    rows = []
    for baseline_name, make, target, wanted in BASELINES:
        missing = _torch_missing() if make is TorchMLP else None
        if missing:
            rows.append(skipped(AREA, case.name, baseline_name, missing, target))
            continue
        ours = Ours(X, y, case.hidden, batch, seed=0, dtype=case.dtype)
        theirs = make(X, y, case.hidden, batch, seed=0, dtype=case.dtype)
        ours.epoch(), theirs.epoch()  # warm-up: first-call set-up is not throughput

        def run(contestant):
            return lambda: [contestant.epoch() for _ in range(epochs)]

        seconds = interleaved({"ours": run(ours), "theirs": run(theirs)}, repeats)
        ratio = median([t / o for o, t in zip(seconds["ours"], seconds["theirs"], strict=True)])
        ours_rate, their_rate = epochs / median(seconds["ours"]), epochs / median(seconds["theirs"])
        total = 1 + repeats * epochs
        rows.append(
            Row(
                AREA,
                case.name,
                ours=f"{number(ours_rate * n, 'samples/s')} ({number(ours_rate, 'epochs/s')})",
                baseline=f"{theirs.label}: {number(their_rate * n, 'samples/s')} ({number(their_rate, 'epochs/s')})",
                ratio=ratio,
                ratio_text=f"{times(ratio)} faster" if ratio >= 1 else f"{times(1 / ratio)} slower",
                target=target,
                met=ratio >= wanted,
                note=f"train accuracy after {total} epochs: ours {ours.accuracy():.3f}, theirs {theirs.accuracy():.3f}",
                values={
                    "samples": n,
                    "batch_size": batch,
                    "epochs_per_repeat": epochs,
                    "repeats": repeats,
                    "ours_seconds": seconds["ours"],
                    "baseline_seconds": seconds["theirs"],
                    "ours_epochs_per_s": ours_rate,
                    "baseline_epochs_per_s": their_rate,
                },
            )
        )
    return rows


def _time_to_target(contestant) -> tuple[float, int]:
    """Seconds and epochs until the training accuracy reaches the target (inf if it never does)."""
    start = time.perf_counter()
    for epoch in range(1, MAX_EPOCHS_TO_TARGET + 1):
        contestant.epoch()
        if contestant.accuracy() >= TARGET_ACCURACY:
            return time.perf_counter() - start, epoch
    return float("inf"), MAX_EPOCHS_TO_TARGET


def reach_rows(quick: bool) -> list[Row]:
    case = REACH_CASE
    X, y = dataset(case.data)
    seeds = (0,) if quick else (0, 1, 2, 3, 4)
    name = f"time to {TARGET_ACCURACY:.0%} train accuracy · {case.name}"
    rows = []
    for baseline_name, make, target, wanted in BASELINES:
        missing = _torch_missing() if make is TorchMLP else None
        if missing:
            rows.append(skipped(AREA, name, baseline_name, missing, target))
            continue
        runs: dict[str, list[tuple[float, int]]] = {"ours": [], "theirs": []}
        for seed in seeds:  # alternate who goes first, as in interleaved()
            pair = [("ours", Ours), ("theirs", make)]
            for who, factory in pair if seed % 2 == 0 else pair[::-1]:
                runs[who].append(_time_to_target(factory(X, y, case.hidden, case.batch_size, seed)))
        ours_runs, their_runs = runs["ours"], runs["theirs"]
        label = make(X, y, case.hidden, case.batch_size, 0).label
        ours_s, their_s = median([s for s, _ in ours_runs]), median([s for s, _ in their_runs])
        ours_e, their_e = median([e for _, e in ours_runs]), median([e for _, e in their_runs])
        ratio = their_s / ours_s
        rows.append(
            Row(
                AREA,
                name,
                ours=f"{ours_s:.2f} s ({ours_e:.0f} epochs)",
                baseline=f"{label}: {their_s:.2f} s ({their_e:.0f} epochs)",
                ratio=ratio,
                ratio_text=f"{times(ratio)} faster" if ratio >= 1 else f"{times(1 / ratio)} slower",
                target=target,
                met=ratio >= wanted,
                note=f"median over seeds {', '.join(map(str, seeds))}; each side checks its accuracy every epoch",
                values={"seeds": list(seeds), "ours": ours_runs, "baseline": their_runs},
            )
        )
    return rows


def rows(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 7
    out = []
    for case in CASES:
        out += throughput_rows(case, quick, repeats)
    return out + cnn_rows(quick, repeats) + reach_rows(quick)
