"""Live training for the Playground: one run per browser session, trained in chunks, drawn as frames.

A :class:`LiveRun` lives in ``st.session_state`` (never in module globals, so sessions never see each other's
runs). ``advance`` trains up to a time budget and returns snapshots; ``scene`` builds the full figures the live
view mounts once; a frame carries only what changed (grids packed one byte per cell).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np

from core.boundary import BoundaryGrid, GridInput, boundary_values, capped_resolution, grid_input, neuron_values
from core.config import ExperimentConfig
from core.experiment import PreparedData, build_trainer
from core.features import FEATURE_LABELS
from core.layerview import layer_map
from core.training import Trainer
from playground import figures
from playground.i18n import t

BOUNDARY_RESOLUTION = capped_resolution(48)  # the heatmap's cells per side when nothing was measured
# Sharper heatmaps for networks that evaluate fast: the largest resolution whose grid evaluation fits the budget
# (per frame, on top of training), measured on the run's own network when it starts.
BOUNDARY_RESOLUTIONS = tuple(sorted({capped_resolution(r) for r in (32, 48, 64)}))
GRID_BUDGET_S = 0.004
THUMBNAIL_RESOLUTION = capped_resolution(14)
CURVE_POINTS = 160
FRAMES_PER_BATCH = 8
MAX_FRAMES_PER_BATCH = 40
BATCH_BUDGET_S = 0.35  # stop training a batch early if it takes longer than this
SPEEDS = (1, 2, 5, 10, 25)  # epochs per frame
# The most rows a live run's history keeps: a session left playing thins its history (see core.training.
# thin_history) instead of growing ~1.4 kB per epoch for a 3-hidden-layer network. A candidate for a host cap.
HISTORY_ROWS = 2000


def pack(values: np.ndarray, lo: float | None = None, hi: float | None = None) -> dict:
    """A 2-D grid as one byte per cell (base64) plus its range: ~10× fewer bytes than JSON floats."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if lo is None and finite.any() else (lo or 0.0)
    hi = float(values[finite].max()) if hi is None and finite.any() else (hi if hi is not None else 1.0)
    if hi <= lo:
        hi = lo + 1e-9
    scaled = np.where(finite, (values - lo) / (hi - lo), 0.0)
    quantised = np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8)
    return {"b64": base64.b64encode(quantised.tobytes()).decode("ascii"), "shape": list(values.shape),
            "lo": lo, "hi": hi}


@dataclass
class LiveRun:
    """The training run a Playground session is watching."""

    config: ExperimentConfig
    data: PreparedData
    trainer: Trainer
    version: int
    grid: GridInput | None = None  # boundary grid (2-D data)
    thumbs: GridInput | None = None  # neuron thumbnail grid (2-D data)
    curve_x: np.ndarray | None = None  # x values of the fitted curve (1-D data)
    seq: int = 0
    sent_epoch: int = 0  # the newest epoch already drawn in the curve charts
    playing: bool = False
    seconds_training: float = 0.0
    layer_view: int | None = None  # hidden layer shown in the layer view (0-based), None when off
    layer_basis: np.ndarray | None = None  # the layer view's last principal directions, so frames do not mirror

    @property
    def task(self) -> str:
        return self.data.task

    @property
    def finished(self) -> bool:
        return self.trainer.done or self.trainer.epoch >= self.config.train.epochs


def with_new_data(run: LiveRun, config: ExperimentConfig, data: PreparedData) -> LiveRun:
    """The same network, optimizer state and history, now training on ``data`` (drawn points changed).

    Training continues where it was: only the data the trainer sees is swapped; the scene is rebuilt
    because the points drawn under the boundary changed.
    """
    trainer = build_trainer(config, data, network=run.trainer.network)
    old = run.trainer
    trainer.epoch, trainer.history, trainer.optimizer = old.epoch, old.history, old.optimizer
    resolution = len(run.grid.xs) if run.grid is not None else None  # the picture keeps its sharpness
    fresh = new_run(config, data, run.version + 1, trainer=trainer, resolution=resolution)
    fresh.playing = run.playing
    return fresh


def new_run(config: ExperimentConfig, data: PreparedData, version: int, trainer: Trainer | None = None,
            resolution: int | None = None) -> LiveRun:
    """A paused run of ``config`` on ``data``; the heatmap resolution is chosen by time unless given."""
    trainer = trainer or build_trainer(config, data)
    trainer.history_limit = HISTORY_ROWS
    run = LiveRun(config, data, trainer, version)
    if data.dataset.input_dim == 2:
        resolution = resolution or boundary_resolution(trainer.network, data.features)
        run.grid = grid_input(data.features, resolution)
        run.thumbs = grid_input(data.features, THUMBNAIL_RESOLUTION)
    elif data.dataset.input_dim == 1:
        lo, hi = float(data.dataset.X.min()), float(data.dataset.X.max())
        run.curve_x = np.linspace(lo, hi, CURVE_POINTS).reshape(-1, 1)
    return run


def boundary_resolution(network, features: tuple[str, ...], budget_s: float = GRID_BUDGET_S) -> int:
    """The largest of BOUNDARY_RESOLUTIONS whose grid the network evaluates within ``budget_s``.

    Timed on a small probe grid (best of three), scaled by the number of cells: a 2-8-8-1 network gets the
    sharpest picture, a network of eight 64-unit layers a coarser one that keeps the frame rate.
    """
    probe = grid_input(features, capped_resolution(16))
    seconds = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        boundary_values(network, probe)
        seconds = min(seconds, time.perf_counter() - start)
    per_cell = seconds / probe.inputs.shape[0]
    fitting = [r for r in BOUNDARY_RESOLUTIONS if r * r * per_cell <= budget_s]
    return fitting[-1] if fitting else BOUNDARY_RESOLUTIONS[0]


# ---- training ------------------------------------------------------------------------------------------
def batch_frames(asked) -> int:
    """How many snapshots to send: what the browser asked for (it measures its round trip), within bounds."""
    try:
        asked = int(asked)
    except (TypeError, ValueError):
        return FRAMES_PER_BATCH
    return max(1, min(asked, MAX_FRAMES_PER_BATCH))


def unanswered_request(state: MutableMapping, key: str, version: int, reported: Mapping) -> int | None:
    """How many frames a playing live view asks for, or None if this request was answered already.

    The view numbers its requests (``reported["want"]``) and repeats the last one until it gets frames; a
    request counts once per run ``version``. Answering it is recorded in ``state[key]`` (the session state).
    """
    wanted = int(reported.get("want", 0) or 0)
    if state.get(key) == (version, wanted):
        return None
    state[key] = (version, wanted)
    return batch_frames(reported.get("frames"))


def train_in_frames(train_epoch: Callable[[], bool], finished: Callable[[], bool], snapshot: Callable[[int], dict],
                    epochs_per_frame: int, max_frames: int, budget_s: float | None = None) -> list[dict]:
    """A live view's batch: ``epochs_per_frame`` epochs per snapshot, up to ``max_frames`` snapshots or the budget.

    ``train_epoch()`` trains one epoch (False once training cannot go on), ``finished()`` says the run is over and
    ``snapshot(i)`` builds the i-th frame of the batch. The default budget grows with the batch (a frame is shown
    for ~66 ms, so spending up to half of that per frame keeps the server ahead without making a click wait long).
    """
    budget_s = budget_s if budget_s is not None else max(BATCH_BUDGET_S, 0.033 * max_frames)
    frames: list[dict] = []
    start = time.perf_counter()
    while len(frames) < max_frames and not finished():
        for _ in range(epochs_per_frame):
            if finished() or not train_epoch() or time.perf_counter() - start > budget_s:
                break  # a slow network shows fewer epochs per picture rather than blocking Pause for minutes
        frames.append(snapshot(len(frames)))
        if time.perf_counter() - start > budget_s:
            break
    return frames


def toggle_play(run, finished: Callable[[object], bool], restart: Callable[[object], object]) -> None:
    """The Play/Pause button of every live view: pause a playing run; else play it, from the start if it is over.

    ``run`` is any object with a ``playing`` flag (a Playground run, a comparison, a regression run);
    ``finished(run)`` says it has no epochs left and ``restart(run)`` returns its fresh replacement.
    """
    if run.playing:
        run.playing = False
        return
    if finished(run):
        run = restart(run)
    run.playing = True


def advance(run: LiveRun, epochs_per_frame: int, max_frames: int = FRAMES_PER_BATCH,
            budget_s: float | None = None) -> list[dict]:
    """Train the Playground's run for one batch of frames (see :func:`train_in_frames`)."""
    start = time.perf_counter()
    frames = train_in_frames(run.trainer.train_epoch, lambda: run.finished, lambda _: frame(run),
                             epochs_per_frame, max_frames, budget_s)
    run.seconds_training += time.perf_counter() - start
    if run.finished:
        run.playing = False
    return frames


# ---- drawing -------------------------------------------------------------------------------------------
def _thumbnail_values(run: LiveRun) -> list[np.ndarray]:
    net = run.trainer.network
    if run.thumbs is not None:
        return neuron_values(net, run.thumbs)
    strip = np.linspace(run.curve_x.min(), run.curve_x.max(), THUMBNAIL_RESOLUTION).reshape(-1, 1)
    return [np.repeat(a.T[:, None, :], 2, axis=1) for a in net.hidden_activations(strip)]


def _input_values(run: LiveRun) -> np.ndarray:
    if run.thumbs is not None:
        ny, nx = run.thumbs.shape
        return run.thumbs.inputs.T.reshape(-1, ny, nx)
    strip = np.linspace(run.curve_x.min(), run.curve_x.max(), THUMBNAIL_RESOLUTION)
    return np.repeat(strip[None, None, :], 2, axis=1)


def _input_labels(run: LiveRun) -> list[str]:
    if run.thumbs is None:
        return ["x"]
    return [FEATURE_LABELS.get(name, name) for name in run.data.features]


def _boundary_z(run: LiveRun) -> tuple[np.ndarray, float, float]:
    values = boundary_values(run.trainer.network, run.grid)
    if run.task == "multiclass":
        return figures.multiclass_surface(values), 0.0, float(values.shape[-1])
    if run.task == "binary":
        return values, 0.0, 1.0
    return values, float(np.nanmin(values)), float(np.nanmax(values))


def counters(run: LiveRun) -> list[dict]:
    """Epoch, then loss and metric on the training part and on the part watched while training: the validation
    part when the data has one, else the test part."""
    h = run.trainer.history
    metric = h.metric_name
    watched = "val" if _has_validation(run) else "test"

    def fmt_loss(values):
        return f"{values[-1]:.4f}" if values and np.isfinite(values[-1]) else "–"

    def fmt_metric(values):
        if not values or not np.isfinite(values[-1]):
            return "–"
        return f"{values[-1]:.1%}" if metric == "accuracy" else f"{values[-1]:.3f}"

    # PReLU learns its negative-side slope α per layer: watch it move like the losses.
    learned_slopes = [
        {"name": f"prelu_{number}", "label": t("playground.counter.prelu_slope", layer=number),
         "value": f"{float(slope[0]):.3f}"}
        for number, slope in enumerate(run.trainer.network.slopes, start=1) if slope is not None
    ]
    return [
        {"name": "epoch", "label": t("playground.counter.epoch"), "value": f"{run.trainer.epoch:,}"},
        # h.current: after early stopping, the restored epoch's numbers, not the discarded newest epoch's.
        {"name": "train_loss", "label": t("playground.counter.train_objective" if h.objective_differs
                                          else "playground.counter.train_loss"),
         "value": fmt_loss([h.current("train_loss")])},
        {"name": "test_loss", "label": t(f"playground.counter.{watched}_loss"),
         "value": fmt_loss([h.current("val_loss")])},
        {"name": "train_metric", "label": t(f"playground.counter.train_{metric}"),
         "value": fmt_metric([h.current("train_metric")])},
        {"name": "test_metric", "label": t(f"playground.counter.{watched}_{metric}"),
         "value": fmt_metric([h.current("val_metric")])},
        *learned_slopes,
    ]


def _has_validation(run: LiveRun) -> bool:
    return len(run.data.split.y_val) > 0


def status(run: LiveRun) -> tuple[str, str]:
    h = run.trainer.history
    if h.diverged:
        return t("playground.status.diverged"), "warn"
    if h.stopped_early:
        return t("playground.status.stopped_early", epoch=h.best_epoch), "info"
    if run.trainer.epoch >= run.config.train.epochs:
        return t("playground.status.finished"), "info"
    return (t("playground.status.training") if run.playing else t("playground.status.paused")), "info"


def _packed_thumbnails(run: LiveRun) -> list[dict]:
    packed = []
    blocks = _thumbnail_values(run)
    for layer, block in enumerate(blocks):
        is_output = layer == len(blocks) - 1
        for unit in block:
            lo, hi = (0.0, 1.0) if is_output and run.task == "binary" else (None, None)
            packed.append(pack(unit, lo, hi))
    return packed


def _flat_biases(run: LiveRun) -> list[float]:
    return [round(float(b), 4) for B in run.trainer.network.biases for b in B.ravel()]


def _slopes(run: LiveRun) -> list[float]:
    """Negative-side slope per layer (prelu's learned one, leaky_relu's fixed one) for the browser's forward pass."""
    net = run.trainer.network
    slopes = []
    for spec, learned in zip(net.layers, net.slopes, strict=True):
        if learned is not None:
            slopes.append(round(float(learned[0]), 4))
        else:
            slopes.append(spec.slope if spec.slope is not None else 0.1)
    return slopes


def _flat_weights(run: LiveRun) -> list[float]:
    """Every weight in drawing order: layer, then output unit j, then input unit i (W[j, i])."""
    return [round(float(w), 4) for W in run.trainer.network.weights for w in W.ravel()]


def frame(run: LiveRun) -> dict:
    """One snapshot: the new boundary, neuron thumbnails, weights, new curve points and counters."""
    net = run.trainer.network
    panels: dict = {}
    if run.grid is not None:
        z, lo, hi = _boundary_z(run)
        panels["boundary"] = {"grid": pack(z, lo, hi)}
    else:
        y = net.predict(run.curve_x)[:, 0]
        panels["boundary"] = {"restyle": {"y": [np.round(y, 5).tolist()]}, "traces": [0]}
    panels["network"] = {"thumbs": _packed_thumbnails(run), "weights": _flat_weights(run),
                         "biases": _flat_biases(run), "slopes": _slopes(run)}
    if run.layer_view is not None:
        layer = _layer_view_data(run)
        panels["layer"] = {"lines": layer["lines"], "points": layer["points"]}
    rows = _unsent_rows(run)
    if rows:
        h = run.trainer.history
        xs = [h.epoch[i] for i in rows]

        def pick(values: list[float]) -> list[float | None]:
            return _finite([values[i] for i in rows])

        panels["loss"] = {"extend": {"x": [xs, xs], "y": [pick(h.train_loss), pick(h.val_loss)]},
                          "extend_traces": [0, 1]}
        panels["metric"] = {"extend": {"x": [xs, xs], "y": [pick(h.train_metric), pick(h.val_metric)]},
                            "extend_traces": [0, 1]}
        run.sent_epoch = xs[-1]
    text, kind = status(run)
    return {"epoch": run.trainer.epoch, "counters": counters(run), "status": text, "status_kind": kind,
            "panels": panels}


def _unsent_rows(run: LiveRun) -> list[int]:
    """History rows the curve charts still lack: epochs after the last one sent, oldest first.

    The history thins itself (rows shift, off-grid rows vanish), so what was sent is remembered by epoch, not by
    position. While playing, only rows on the history's stride grid go out: the newest row is dropped again at
    the next epoch if it is off the grid, and sending it anyway would grow the browser's curves by a point per
    frame all run long. Paused, stepped or finished, the newest row goes too, so the curve reaches the counter.
    """
    h = run.trainer.history
    epochs, stride = h.epoch, h.stride
    start = len(epochs)
    while start > 0 and epochs[start - 1] > run.sent_epoch:
        start -= 1
    rows = [i for i in range(start, len(epochs)) if i == 0 or epochs[i] % stride == 0]
    newest = len(epochs) - 1
    if newest >= start and (not run.playing or run.finished) and newest not in rows:
        rows.append(newest)
    return rows


def _finite(values: list[float]) -> list[float | None]:
    return [v if np.isfinite(v) else None for v in values]


def scene_version(run: LiveRun, *, log_y: bool = False, presenter: bool = False) -> str:
    """Identifies what the mounted figures show: the run plus the view options baked into them."""
    return f"{run.version}-{int(log_y)}-{int(presenter)}-{run.layer_view}"


OBLIQUE = np.array([[1.0, 0.0], [0.0, 1.0], [0.5 * np.cos(np.pi / 6), 0.5 * np.sin(np.pi / 6)]])


def _layer_view_data(run: LiveRun) -> dict:
    """Grid lines and points of the chosen hidden layer, flattened for the canvas (3-D layers drawn obliquely)."""
    net = run.trainer.network
    units = net.layers[run.layer_view].units
    dims = 3 if units == 3 else 2
    raw = run.data.raw
    view = layer_map(net, run.data.features, run.layer_view, raw.X_train, dims=dims, previous_basis=run.layer_basis)
    run.layer_basis = view.basis
    to_2d = OBLIQUE if dims == 3 else np.eye(2)
    lines = [np.round(line @ to_2d, 4).ravel().tolist() for line in view.lines]
    points = np.column_stack([np.round(view.points @ to_2d, 4), raw.y_train.astype(int)]).ravel().tolist()
    return {"lines": lines, "points": points, "projected": view.projected}


def _boundary_panel(run: LiveRun, height: int) -> dict:
    net, data = run.trainer.network, run.data
    raw = data.raw
    if run.grid is None:
        figure = figures.curve_fit_figure(
            run.curve_x[:, 0], net.predict(run.curve_x)[:, 0], (raw.X_train, raw.y_train), (raw.X_test, raw.y_test),
            height=height, title=t("playground.panel.fit"),
        )
        return {"name": "boundary", "kind": "plotly", "figure": figure.to_plotly_json(), "area": "boundary"}
    grid = BoundaryGrid(run.grid.xs, run.grid.ys, boundary_values(net, run.grid))
    n_classes = max(data.dataset.n_classes, 2)
    figure = figures.decision_boundary_figure(
        grid, run.task, n_classes=n_classes, train=(raw.X_train, raw.y_train), test=(raw.X_test, raw.y_test),
        synthetic=data.synthetic if data.synthetic.any() else None, height=height,
        title=t("playground.panel.surface" if run.task == "regression" else "playground.panel.boundary"),
    )
    heat = figure.data[0]
    z, lo, hi = _boundary_z(run)
    auto = run.task == "regression"
    return {
        "name": "boundary", "kind": "boundary", "area": "boundary",
        # The heatmap trace travels without its z values: the canvas paints them from the packed grid.
        "figure": figure.update_traces(z=None, selector=0).to_plotly_json(),
        "colorscale": figures.colourscale_stops(heat.colorscale, reverse=bool(heat.reversescale)),
        "zmin": None if auto else heat.zmin, "zmax": None if auto else heat.zmax, "grid": pack(z, lo, hi),
    }


def _network_panel(run: LiveRun, height: int) -> dict:
    net = run.trainer.network
    return {
        "name": "network", "kind": "network", "area": "network", "title": t("playground.panel.network"),
        "height": height - 30, "sizes": net.layer_sizes, "labels": _input_labels(run), "task": run.task,
        "node": figures.NODE_SIZE, "colorscale": figures.colourscale_stops(figures.BINARY_SCALE),
        "inputs": [pack(v) for v in _input_values(run)], "thumbs": _packed_thumbnails(run),
        "weights": _flat_weights(run), "biases": _flat_biases(run), "slopes": _slopes(run),
        "activations": [spec.activation for spec in net.layers],
        # The browser recomputes the network at the hovered point (2-D data only).
        "features": list(run.data.features) if run.grid is not None else None,
        "domain": [float(run.grid.xs[0]), float(run.grid.xs[-1])] if run.grid is not None else None,
    }


def _curves_panel(run: LiveRun, name: str, height: int, *, log_y: bool = False, presenter: bool = False) -> dict:
    """Train (solid) and test (dashed) curves of the loss or the metric, drawn on a canvas in the browser."""
    h = run.trainer.history
    if name == "loss":
        train, test, title = h.train_loss, h.val_loss, t("figures.loss_title")
    else:
        train, test, title = h.train_metric, h.val_metric, t(f"figures.{h.metric_name}_title")
    percent = name == "metric" and h.metric_name == "accuracy"
    return {
        "name": name, "kind": "curves", "area": name, "title": title, "height": height, "log_y": log_y,
        "percent": percent, "y_range": [0, 1.0] if percent else None, "x_label": t("figures.epoch"),
        "font": 16 if presenter else 12,
        "series": [
            {"name": t("figures.train"), "colour": "#333333", "dash": False, "x": list(h.epoch), "y": _finite(train)},
            {"name": t("figures.validation" if _has_validation(run) else "figures.test"), "colour": "#9aa0ab",
             "dash": True, "x": list(h.epoch), "y": _finite(test)},
        ],
    }


def scene(run: LiveRun, *, log_y: bool = False, presenter: bool = False) -> dict:
    """Every panel as it is now; the live view mounts these once per ``version``."""
    h = run.trainer.history
    height = 460 if presenter else 360
    curve_height = 300 if presenter else 220
    run.sent_epoch = h.epoch[-1] if h.epoch else 0
    panels = [
        _network_panel(run, height),
        _boundary_panel(run, height),
        _curves_panel(run, "loss", curve_height, log_y=log_y, presenter=presenter),
        _curves_panel(run, "metric", curve_height, presenter=presenter),
    ]
    grid = '"network boundary" "loss metric"'
    if run.layer_view is not None:
        layer = _layer_view_data(run)
        title_key = "playground.panel.layer_pca" if layer["projected"] else "playground.panel.layer"
        panels.append({
            "name": "layer", "kind": "layer", "area": "layer", "height": height,
            "title": t(title_key, layer=run.layer_view + 1), "lines": layer["lines"], "points": layer["points"],
            "colours": list(figures.CLASS_COLOURS),
        })
        grid += ' "layer layer"'
    return {
        "version": scene_version(run, log_y=log_y, presenter=presenter),
        "panels": panels,
        "grid": grid,
        "columns": "minmax(0, 1.35fr) minmax(0, 1fr)",
        "presenter": presenter,
        "first_frame": frame_counters_only(run),
    }


def frame_counters_only(run: LiveRun) -> dict:
    text, kind = status(run)
    return {"epoch": run.trainer.epoch, "counters": counters(run), "status": text, "status_kind": kind}
