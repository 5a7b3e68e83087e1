"""Two to four runs of one experiment side by side: the same data, the same seed, a chosen difference.

A comparison starts from one base :class:`~core.experiment.config.ExperimentConfig` and changes one or more fields per
run, either by hand (``build_runs``) or by sweeping one parameter over a list of values (``sweep``)::

    runs = sweep(base, "activation", ["sigmoid", "tanh", "relu"])
    comparison = Comparison(runs, max_snapshots=60)
    for epoch in comparison.train():        # yields once every run has trained one more epoch
        ...                                  # redraw here
    rows = comparison.summary(target_loss=0.1)
    replay = comparison.replay()             # boundary grids of every run at the same epochs, for scrubbing

Every run shares the base seed, so weights start from the same random stream and mini-batches come in the same
order; runs whose data settings are equal share one ``PreparedData`` object. Only ``data.sampler`` may differ
between runs, because resampling the training part is itself something worth comparing.

The second half of the module describes activation functions for the gallery (``activation_profile``):
range, zero-centredness, saturation, dead zone and the largest slope, measured from ``core.engine.activations``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from core.data.datasets import DOMAIN
from core.engine.activations import DEFAULT_LEAKY_SLOPE, ELU_ALPHA, get_activation
from core.engine.initializers import INITIALIZERS
from core.engine.losses import encode_targets
from core.engine.optimizers import OPTIMIZERS
from core.engine.training import History, Trainer, accuracy, r2_score
from core.engine.validation import Interval, Options, check
from core.experiment.boundary import BoundaryGrid, GridInput, boundary_values, capped_resolution, grid_input
from core.experiment.config import (
    HIDDEN_ACTIVATIONS,
    SAMPLER_NAMES,
    DataConfig,
    ExperimentConfig,
    LayerConfig,
    ModelConfig,
    TrainConfig,
)
from core.experiment.run import PreparedData, build_trainer, prepare_data
from core.experiment.settings import LIMITS

MIN_RUNS = 2
LAYOUT_MAX_RUNS = 4  # the page lays out at most four boundaries side by side, however high the host's cap
# Every run trains at once, so the host's cap on concurrent runs bounds a comparison. Below MIN_RUNS
# (a host that allows one network at a time) there are no comparisons at all.
MAX_RUNS = min(LAYOUT_MAX_RUNS, LIMITS.max_concurrent_runs)
DEFAULT_MAX_SNAPSHOTS = 60  # boundary grids kept per run for the replay; enough for a smooth scrub
MIN_SNAPSHOTS = 3  # the start, the end and one in between
# 40×40 cells per heatmap: sharp enough, small enough to animate four at once (a host's cap may lower it)
DEFAULT_GRID_RESOLUTION = capped_resolution(40)
DEPTH_PATH = "model.depth"  # not a config field: the number of hidden layers

# ---- what a comparison may vary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VaryOption:
    """One parameter the "vary one thing" shortcut can sweep: its short ``name`` (UI and URL) and config path."""

    name: str
    path: str
    choices: tuple[str, ...] = ()  # empty for numbers
    default_values: tuple = ()


VARY_OPTIONS: Mapping[str, VaryOption] = MappingProxyType(
    {
        option.name: option
        for option in (
            VaryOption(
                "activation",
                "model.hidden[*].activation",
                HIDDEN_ACTIVATIONS,
                ("sigmoid", "tanh", "relu", "leaky_relu"),
            ),
            VaryOption("init", "model.init", INITIALIZERS, ("zeros", "small_random", "xavier", "he")),
            VaryOption("optimizer", "train.optimizer", OPTIMIZERS, ("sgd", "momentum", "adam")),
            VaryOption("learning_rate", "train.learning_rate", (), (0.003, 0.03, 0.3)),
            VaryOption("batch_size", "train.batch_size", (), (1, 10, 100)),
            VaryOption("depth", DEPTH_PATH, (), (1, 2, 3)),
            VaryOption("units", "model.hidden[*].units", (), (2, 4, 8)),
            VaryOption("l2", "train.l2", (), (0.0, 0.01, 0.1)),
            VaryOption("l1", "train.l1", (), (0.0, 0.001, 0.01)),
            VaryOption("dropout", "model.hidden[*].dropout", (), (0.0, 0.2, 0.5)),
            VaryOption("sampler", "data.sampler", SAMPLER_NAMES, ("none", "random_over", "smote")),
        )
    }
)

_SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
_PATH = re.compile(r"^(?P<section>data|model|train)\.(?:hidden\[(?P<layer>\*|\d+)\]\.)?(?P<field>[a-z_0-9]+)$")
# Everything about the data except the sampler is shared, or the runs would not see the same points.
_VARIABLE_DATA_FIELDS = ("sampler",)


def resolve_path(name_or_path: str) -> str:
    """The config path for a vary-option name (``"activation"``) or a path given as it is."""
    option = VARY_OPTIONS.get(name_or_path)
    return option.path if option else name_or_path


def _field_default(path: str) -> Any:
    """The default value at ``path``: its type is what a value given as text is converted to."""
    if path == DEPTH_PATH:
        return len(ModelConfig().hidden)
    match = _PATH.match(path) if isinstance(path, str) else None
    if match is None:
        raise ValueError(
            f"path={path!r} is not valid; use section.field such as train.learning_rate, "
            f"model.hidden[*].activation or {DEPTH_PATH}, or one of: {', '.join(VARY_OPTIONS)}"
        )
    section, layer, name = match.group("section", "layer", "field")
    owner = LayerConfig if layer is not None else _SECTIONS[section]
    if layer is not None and section != "model":
        raise ValueError(f"path={path!r} is not valid; only model.hidden has layers")
    known = [f.name for f in fields(owner)]
    if name not in known or (layer is None and name == "hidden"):
        raise ValueError(f"path={path!r} is not valid; {owner.__name__} has no field {name!r}")
    if section == "data" and name not in _VARIABLE_DATA_FIELDS:
        raise ValueError(
            f"path={path!r} cannot differ between runs: every run of a comparison uses the same data "
            f"(only {', '.join('data.' + f for f in _VARIABLE_DATA_FIELDS)} may vary)"
        )
    return getattr(owner(), name)


def with_value(config: ExperimentConfig, path: str, value: Any) -> ExperimentConfig:
    """A copy of ``config`` with ``value`` at ``path``, validated.

    ``path`` is ``section.field`` (``train.learning_rate``), ``model.hidden[i].field`` for one hidden layer,
    ``model.hidden[*].field`` for all of them, or ``model.depth`` for the number of hidden layers (added
    layers copy the last one). Raises ``ValueError`` naming the path and the value.
    """
    path = resolve_path(path)
    _field_default(path)  # rejects unknown paths and shared data fields
    model = config.model
    if path == DEPTH_PATH:
        value = check(DEPTH_PATH, value, Interval(0, LIMITS.max_hidden_layers, strict=True))
        template = model.hidden[-1] if model.hidden else LayerConfig()
        hidden = (model.hidden + (template,) * int(value))[: int(value)]
        changed = replace(config, model=replace(model, hidden=hidden))
    else:
        section, layer, name = _PATH.match(path).group("section", "layer", "field")
        if layer is not None:
            indices = range(len(model.hidden)) if layer == "*" else [int(layer)]
            if any(i >= len(model.hidden) for i in indices):
                raise ValueError(f"path={path!r} is not valid; the network has {len(model.hidden)} hidden layers")
            hidden = tuple(replace(h, **{name: value}) if i in indices else h for i, h in enumerate(model.hidden))
            changed = replace(config, model=replace(model, hidden=hidden))
        else:
            changed = replace(config, **{section: replace(getattr(config, section), **{name: value})})
    changed.validate()
    return changed


def value_at(config: ExperimentConfig, name_or_path: str) -> Any:
    """The value ``with_value`` would replace: for ``model.hidden[*]`` the first hidden layer's (None if none)."""
    path = resolve_path(name_or_path)
    _field_default(path)
    if path == DEPTH_PATH:
        return len(config.model.hidden)
    section, layer, name = _PATH.match(path).group("section", "layer", "field")
    if layer is None:
        return getattr(getattr(config, section), name)
    index = 0 if layer == "*" else int(layer)
    hidden = config.model.hidden
    return getattr(hidden[index], name) if index < len(hidden) else None


def parse_value(name_or_path: str, text: str) -> Any:
    """Convert ``text`` (from a URL or a text box) to the type of the field at ``name_or_path``.

    Raises ``ValueError`` naming the text when it is not a value of that type or not one of the choices.
    """
    path = resolve_path(name_or_path)
    default = _field_default(path)
    text = str(text).strip()
    option = VARY_OPTIONS.get(name_or_path)
    if isinstance(default, bool):
        raise ValueError(f"{name_or_path}={text!r} is not valid; yes/no fields cannot be compared")
    if isinstance(default, int):
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{name_or_path}={text!r} is not valid; expected a whole number") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"{name_or_path}={text!r} is not valid; expected a whole number")
        return int(number)
    if isinstance(default, float):
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{name_or_path}={text!r} is not valid; expected a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{name_or_path}={text!r} is not valid; expected a finite number")
        return number
    if option and option.choices:
        check(name_or_path, text, Options(option.choices))
    return text


def format_value(value: Any) -> str:
    """A value as it appears in a run label and in the URL: ``0.03``, ``relu``, ``3``."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ---- the runs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRun:
    """One run of a comparison: a label for legends and the full configuration it trains."""

    label: str
    config: ExperimentConfig
    changes: tuple[tuple[str, Any], ...] = ()  # (path, value) pairs applied to the base


def _check_run_count(n: int) -> None:
    if MAX_RUNS < MIN_RUNS:
        raise ValueError(
            f"comparisons are turned off: this host trains at most {MAX_RUNS} network at a time per session "
            f"(max_concurrent_runs), and a comparison needs at least {MIN_RUNS}"
        )
    if not MIN_RUNS <= n <= MAX_RUNS:
        raise ValueError(f"a comparison needs {MIN_RUNS} to {MAX_RUNS} runs; got {n}")


def _unique(labels: Sequence[str]) -> list[str]:
    """Make legend labels unique (a legend with two identical names cannot be read)."""
    out: list[str] = []
    for i, label in enumerate(labels):
        out.append(label if labels.count(label) == 1 else f"{label} #{i + 1}")
    return out


def build_runs(
    base: ExperimentConfig,
    overrides: Sequence[Mapping[str, Any]],
    labels: Sequence[str] | None = None,
) -> tuple[CompareRun, ...]:
    """One run per mapping of ``{path or vary-option name: value}`` applied to ``base``.

    An empty mapping is the base itself. Labels default to the changes (``activation=relu``), or ``#i``.
    Raises ``ValueError`` for a wrong number of runs, an unknown path, a shared data field or a bad value.
    """
    base.validate()
    _check_run_count(len(overrides))
    if labels is not None and len(labels) != len(overrides):
        raise ValueError(f"got {len(labels)} labels for {len(overrides)} runs")
    configs, changes = [], []
    for change in overrides:
        config = base
        applied = []
        for key, value in change.items():
            config = with_value(config, key, value)
            applied.append((resolve_path(key), value))
        configs.append(config)
        changes.append(tuple(applied))
    if labels is None:
        labels = [
            ", ".join(f"{_short_name(path)}={format_value(v)}" for path, v in applied) or f"#{i + 1}"
            for i, applied in enumerate(changes)
        ]
    return tuple(
        CompareRun(label, config, applied)
        for label, config, applied in zip(_unique(list(labels)), configs, changes, strict=True)
    )


def _short_name(path: str) -> str:
    for option in VARY_OPTIONS.values():
        if option.path == path:
            return option.name
    return path


def sweep(base: ExperimentConfig, name_or_path: str, values: Sequence[Any]) -> tuple[CompareRun, ...]:
    """ "Vary one thing": one run per value of the parameter, labelled by the value (``relu``, ``0.03``)."""
    return build_runs(base, [{name_or_path: value} for value in values], labels=[format_value(v) for v in values])


# ---- training them together -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The network's output over the plane after ``epoch`` epochs (``grid`` is None for data that is not 2-D)."""

    epoch: int
    grid: BoundaryGrid | None


@dataclass(frozen=True)
class SummaryRow:
    """The numbers a comparison table shows for one run. Losses are means over samples; NaN when missing."""

    label: str
    epochs: int
    final_train_loss: float
    final_test_loss: float
    train_metric: float  # accuracy (classification) or R² (regression) on the training data
    test_metric: float
    metric_name: str  # "accuracy" or "r2"
    epochs_to_target: int | None  # first epoch with training loss ≤ the target; None if never reached
    seconds_per_epoch: float  # wall-clock mean, training only (snapshots excluded)
    diverged: bool
    stopped_early: bool
    objective_differs: bool = False  # final_train_loss includes a penalty or class weights (History.objective_differs)


@dataclass(frozen=True)
class Replay:
    """Snapshots of every run lined up on common epochs, for a slider or animation frames.

    ``grids[r][f]`` is run ``r``'s grid at ``epochs[f]`` (its last snapshot at or before that epoch; None for
    data that is not 2-D). ``histories`` hold every epoch, so loss curves can be cut at ``epochs[f]``.
    """

    labels: tuple[str, ...]
    epochs: tuple[int, ...]
    grids: tuple[tuple[BoundaryGrid | None, ...], ...]
    histories: tuple[History, ...]


class Comparison:
    """Train several :class:`CompareRun` s in lock-step on shared data and keep boundary snapshots.

    ``prepare`` turns a config into its data (``core.experiment.run.prepare_data`` by default; a page passes its
    cached version). Snapshots are taken at epoch 0, every ``snapshot_every`` epochs and at each run's last
    epoch; when a run holds more than ``max_snapshots``, every other one is dropped (all runs alike, so they
    stay on the same epochs) and the spacing doubles.
    """

    def __init__(
        self,
        runs: Sequence[CompareRun],
        *,
        prepare: Callable[[ExperimentConfig], PreparedData] = prepare_data,
        max_snapshots: int = DEFAULT_MAX_SNAPSHOTS,
        grid_resolution: int = DEFAULT_GRID_RESOLUTION,
        record_stats: bool = False,
    ):
        _check_run_count(len(runs))
        seeds = {run.config.seed for run in runs}
        if len(seeds) != 1:
            raise ValueError(f"every run of a comparison must use the same seed; got {sorted(seeds)}")
        shared = {replace(run.config.data, sampler="none") for run in runs}
        if len(shared) != 1:
            raise ValueError("every run of a comparison must use the same data settings (only the sampler may differ)")
        check("max_snapshots", max_snapshots, Interval(MIN_SNAPSHOTS, None, strict=True))
        self.runs = tuple(runs)
        self.labels = tuple(run.label for run in runs)
        data_by_settings: dict[DataConfig, PreparedData] = {}
        for run in runs:
            if run.config.data not in data_by_settings:
                data_by_settings[run.config.data] = prepare(run.config)
        self.data: tuple[PreparedData, ...] = tuple(data_by_settings[run.config.data] for run in runs)
        self.trainers: tuple[Trainer, ...] = tuple(
            build_trainer(run.config, data, record_stats=record_stats)
            for run, data in zip(runs, self.data, strict=True)
        )
        self.planned_epochs = max(run.config.train.epochs for run in runs)
        self.max_snapshots = max_snapshots
        self.snapshot_every = max(1, math.ceil(self.planned_epochs / (max_snapshots - 2)))
        self.epoch = 0
        self.seconds: list[list[float]] = [[] for _ in runs]
        self._grid_inputs: dict[tuple[str, ...], GridInput] = {}
        self._grid_resolution = grid_resolution
        self.snapshots: list[list[Snapshot]] = [[self._snapshot(i)] for i in range(len(runs))]

    # ---- state ----
    @property
    def histories(self) -> dict[str, History]:
        return {label: trainer.history for label, trainer in zip(self.labels, self.trainers, strict=True)}

    def finished(self, index: int) -> bool:
        """Run ``index`` has stopped: diverged, stopped early, or reached its planned epochs."""
        trainer = self.trainers[index]
        return trainer.done or trainer.epoch >= self.runs[index].config.train.epochs

    @property
    def done(self) -> bool:
        return all(self.finished(i) for i in range(len(self.runs)))

    # ---- training ----
    def step(self) -> bool:
        """One more epoch for every run still training; returns False once all runs have stopped."""
        if self.done:
            return False
        for i, trainer in enumerate(self.trainers):
            if self.finished(i):
                continue
            start = time.perf_counter()
            trainer.train_epoch()
            self.seconds[i].append(time.perf_counter() - start)
            if trainer.epoch % self.snapshot_every == 0 or self.finished(i):
                self._add_snapshot(i)
        self.epoch += 1
        self._thin_snapshots()
        return not self.done

    def train(self, epochs: int | None = None) -> Iterator[int]:
        """Train up to ``epochs`` more epochs (default: to the end), yielding after every epoch of every run."""
        remaining = self.planned_epochs if epochs is None else epochs
        for _ in range(remaining):
            if self.done:
                return
            self.step()
            yield self.epoch

    # ---- snapshots ----
    def current_grid(self, index: int) -> BoundaryGrid | None:
        """Run ``index``'s output over the plane right now; None for data that is not 2-D."""
        data = self.data[index]
        if data.dataset.input_dim != 2:
            return None
        if data.features not in self._grid_inputs:
            self._grid_inputs[data.features] = grid_input(data.features, self._grid_resolution, DOMAIN)
        grid = self._grid_inputs[data.features]
        with np.errstate(over="ignore", invalid="ignore"):
            values = boundary_values(self.trainers[index].network, grid).astype(np.float32)
        return BoundaryGrid(grid.xs, grid.ys, values)

    def _snapshot(self, index: int) -> Snapshot:
        return Snapshot(self.trainers[index].epoch, self.current_grid(index))

    def _add_snapshot(self, index: int) -> None:
        kept = self.snapshots[index]
        if kept and kept[-1].epoch == self.trainers[index].epoch:
            return
        kept.append(self._snapshot(index))

    def _thin_snapshots(self) -> None:
        while any(len(kept) > self.max_snapshots for kept in self.snapshots):
            self.snapshot_every *= 2
            for i, kept in enumerate(self.snapshots):
                last = kept[-1] if self.finished(i) else None
                thinned = [s for s in kept if s.epoch % self.snapshot_every == 0]
                if last is not None and thinned[-1] is not last:
                    thinned.append(last)
                self.snapshots[i] = thinned

    def replay(self) -> Replay:
        """Every run's snapshots on the union of snapshot epochs (a run that stopped keeps its last picture)."""
        epochs = sorted({s.epoch for kept in self.snapshots for s in kept})
        grids = []
        for kept in self.snapshots:
            row, j = [], 0
            for epoch in epochs:
                while j + 1 < len(kept) and kept[j + 1].epoch <= epoch:
                    j += 1
                row.append(kept[j].grid)
            grids.append(tuple(row))
        return Replay(self.labels, tuple(epochs), tuple(grids), tuple(trainer.history for trainer in self.trainers))

    # ---- summary ----
    def summary(self, target_loss: float | None = None) -> list[SummaryRow]:
        """One row per run: final losses and metric on training and test data, speed, and how it ended."""
        rows = []
        for i, (run, trainer) in enumerate(zip(self.runs, self.trainers, strict=True)):
            history = trainer.history
            test_loss, test_metric = _test_scores(trainer, self.data[i])
            rows.append(
                SummaryRow(
                    label=run.label,
                    epochs=len(history),
                    # After early stopping: the restored epoch's values, like the test scores of its weights.
                    final_train_loss=history.current("train_loss"),
                    final_test_loss=test_loss,
                    train_metric=history.current("train_metric"),
                    test_metric=test_metric,
                    metric_name=history.metric_name,
                    epochs_to_target=epochs_to_reach(history, target_loss),
                    seconds_per_epoch=float(np.mean(self.seconds[i])) if self.seconds[i] else math.nan,
                    diverged=history.diverged,
                    stopped_early=history.stopped_early,
                    objective_differs=history.objective_differs,
                )
            )
        return rows


def epochs_to_reach(history: History, target_loss: float | None) -> int | None:
    """The first epoch whose training loss is at or below ``target_loss``; None if it never got there."""
    if target_loss is None:
        return None
    for epoch, loss in zip(history.epoch, history.train_loss, strict=True):
        if loss <= target_loss:
            return epoch
    return None


def _test_scores(trainer: Trainer, data: PreparedData) -> tuple[float, float]:
    """Plain loss and accuracy/R² of the trained network on the test split (NaN when there is no test split)."""
    X, y = data.split.X_test, data.split.y_test
    if not len(y):
        return math.nan, math.nan
    network = trainer.network
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = network.data_loss(X, y)  # plain loss: no penalty, no class weights
        outputs = network.predict(X)
    if trainer.task == "classification":
        return float(loss), accuracy(outputs, y)
    return float(loss), r2_score(outputs, encode_targets(network.loss, y, network.n_outputs))


# ---- comparing activation functions (the gallery) ----------------------------------------------------------

# The hidden activations, plus the perceptron's sign unit, shown to explain why gradients need a slope.
GALLERY_ACTIVATIONS = (*HIDDEN_ACTIVATIONS, "sign")
_PROBE = np.linspace(-8.0, 8.0, 3201)  # step 0.005: finds sigmoid's peak slope at z = 0 exactly
_FAR = 12.0  # where "far out" is judged: sigmoid's slope there is 6e-6, swish's 7e-5
_FLAT = 1e-3  # a slope this small at |z| = _FAR counts as saturated


@dataclass(frozen=True)
class ActivationProfile:
    """The properties the lecture notes' activation chapter compares, measured: range, centring, where it goes
    flat, steepest slope.

    ``zero_centred``: "yes" for odd functions (f(−z) = −f(z)), "roughly" when f(0) = 0 and outputs take both
    signs, "no" otherwise (sigmoid: f(0) = 0.5, always positive). ``saturates_left/right``: the slope tends to
    0 far out on that side without being exactly 0 there; ``dead_zone``: the slope is exactly 0 for every z < 0,
    so a unit stuck there gets no gradient at all. ``learned_slope``: the negative-side slope is a parameter.
    """

    name: str
    formula: str
    value_range: tuple[float, float]
    zero_centred: str
    saturates_left: bool
    saturates_right: bool
    dead_zone: bool
    max_derivative: float
    learned_slope: bool


def activation_curves(
    name: str, z: np.ndarray, slope: float = DEFAULT_LEAKY_SLOPE, alpha: float = ELU_ALPHA
) -> tuple[np.ndarray, np.ndarray]:
    """``(a, da/dz)`` of activation ``name`` at ``z`` (any shape); ``slope`` is leaky/PReLU's negative slope,
    ``alpha`` ELU's α."""
    activation = get_activation(name, slope, alpha)
    z = np.asarray(z, dtype=float)
    a = activation.forward(z)
    return a, activation.derivative(z, a)


def activation_profile(name: str, slope: float = DEFAULT_LEAKY_SLOPE, alpha: float = ELU_ALPHA) -> ActivationProfile:
    """Measure the properties of activation ``name`` on z ∈ [−8, 8]; raises ValueError for unknown names."""
    check("activation", name, Options(GALLERY_ACTIVATIONS))
    activation = get_activation(name, slope, alpha)
    a, da = activation_curves(name, _PROBE, slope, alpha)
    mirrored, _ = activation_curves(name, -_PROBE, slope, alpha)
    at_zero = float(activation.forward(np.zeros(1))[0])
    if np.allclose(mirrored, -a, atol=1e-9):
        centred = "yes"
    elif abs(at_zero) < 1e-9 and a.min() < -1e-3:
        centred = "roughly"
    else:
        centred = "no"
    negative = _PROBE < 0
    _, far_slopes = activation_curves(name, np.array([-_FAR, _FAR]), slope, alpha)
    return ActivationProfile(
        name=name,
        formula=activation.formula,
        value_range=activation.value_range,
        zero_centred=centred,
        saturates_left=bool(0 < abs(far_slopes[0]) < _FLAT),
        saturates_right=bool(0 < abs(far_slopes[1]) < _FLAT),
        dead_zone=bool(np.all(da[negative] == 0)),
        max_derivative=float(da.max()),
        learned_slope=name == "prelu",
    )
