"""Live training for the Playground: one run per browser session, trained in chunks, sent as parameters.

A :class:`LiveRun` lives in ``st.session_state`` (never in module globals, so sessions never see each other's
runs). ``advance`` trains up to a time budget and returns snapshots; ``scene`` describes the panels the live view
mounts once (the network's shape, the data points, the curves so far). A frame carries the epoch, the counters,
the new curve points and the network's parameters (a few hundred numbers): the browser computes every picture
from them (playground/live_view/frontend/forward.js), so no grid is evaluated here per frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.data.datasets import DOMAIN
from core.data.features import FEATURE_LABELS
from core.engine.activations import DEFAULT_LEAKY_SLOPE
from core.engine.network import Network
from core.engine.training import Trainer
from core.experiment.config import ExperimentConfig
from core.experiment.run import PreparedData, build_trainer
from core.labs.layerview import layer_map
from playground import figures
from playground.i18n import keys, t

if TYPE_CHECKING:  # only for the annotation: this module does not import Streamlit
    from playground.state import PageState

FIELD_RESOLUTION = 100  # cells per side of the output picture the browser computes (TensorFlow Playground: 100)
FRAMES_PER_BATCH = 8
MAX_FRAMES_PER_BATCH = 120
BATCH_BUDGET_S = 0.35  # stop training a batch early if it takes longer than this (views paced by interval)
PLAYGROUND_BUDGET_S = 0.2  # the Playground's batches: short, so a click never waits long behind training
SPEEDS = (1, 2, 5, 10, 25, 50, 75, 100, 150, 250, 500, 1000)  # epochs per second
DEFAULT_SPEED = 100  # 3-4× TensorFlow Playground, which trains one epoch per painted frame (23-29 a second here)
SCREEN_FPS = 60  # frames a screen paints per second: a snapshot per painted frame at most
# The most rows a live run's history keeps: a session left playing thins its history (see core.engine.training.
# thin_history) instead of growing ~1.4 kB per epoch for a 3-hidden-layer network. A candidate for a host cap.
HISTORY_ROWS = 2000
# Every snapshot carries all parameters at full precision (~13 bytes each as JSON): a batch holds at most this many
# numbers, so a network of eight 64-unit layers (~30,000 parameters, ~430 kB a snapshot) goes out a few snapshots at
# a time instead of 120 (50 MB held as one component argument, issue 19); a 2-8-8-1 network is never limited.
PARAMETERS_PER_BATCH = 250_000


@dataclass
class LiveRun:
    """The training run a Playground session is watching."""

    config: ExperimentConfig
    data: PreparedData
    trainer: Trainer
    version: int
    seq: int = 0
    sent_epoch: int = 0  # the newest epoch already drawn in the curve charts
    playing: bool = False
    seconds_training: float = 0.0
    layer_view: int | None = None  # hidden layer shown in the layer view (0-based), None when off
    layer_basis: np.ndarray | None = None  # the layer view's last principal directions, so frames do not mirror
    layer_view_label: int = 0  # multi-label runs: the label whose yes/no colours the layer view's points
    multilabel_scores: tuple | None = None  # ((version, epoch), scores): a multi-label run's counters, per epoch

    @property
    def task(self) -> str:
        return self.data.task

    @property
    def two_d(self) -> bool:
        return self.data.dataset.input_dim == 2

    @property
    def finished(self) -> bool:
        return self.trainer.done or self.trainer.epoch >= self.config.train.epochs

    # The live loop's session protocol (playground.live.loop.LiveSession): the module's functions below.
    @property
    def n_parameters(self) -> int:
        return self.trainer.network.n_parameters

    def advance(self, epochs_per_frame: float, max_frames: int) -> list[dict]:
        return advance(self, epochs_per_frame, max_frames)

    def frame(self) -> dict:
        return now(self)

    def scene(self, **options) -> dict:
        return scene(self, **options)

    def scene_version(self, **options) -> str:
        return scene_version(self, **options)

    def status(self) -> tuple[str, str]:
        return status(self)

    def restart(self) -> LiveRun:
        return new_run(self.config, self.data, self.version + 1)


def with_new_data(run: LiveRun, config: ExperimentConfig, data: PreparedData) -> LiveRun:
    """The same network, optimizer state and history, now training on ``data`` (drawn points changed).

    Training continues where it was: only the data the trainer sees is swapped; the scene is rebuilt
    because the points drawn under the boundary changed.
    """
    trainer = build_trainer(config, data, network=run.trainer.network)
    old = run.trainer
    trainer.epoch, trainer.history, trainer.optimizer = old.epoch, old.history, old.optimizer
    fresh = new_run(config, data, run.version + 1, trainer=trainer)
    fresh.playing = run.playing
    return fresh


def new_run(config: ExperimentConfig, data: PreparedData, version: int, trainer: Trainer | None = None) -> LiveRun:
    """A paused run of ``config`` on ``data``."""
    trainer = trainer or build_trainer(config, data)
    trainer.history_limit = HISTORY_ROWS
    return LiveRun(config, data, trainer, version)


# ---- training ------------------------------------------------------------------------------------------
def batch_frames(asked) -> int:
    """How many snapshots to send: what the browser asked for (it measures its round trip), within bounds."""
    try:
        asked = int(asked)
    except (TypeError, ValueError, OverflowError):  # from the browser: a string, a list, an infinity
        return FRAMES_PER_BATCH
    return max(1, min(asked, MAX_FRAMES_PER_BATCH))


def checked_speed(value) -> int:
    """A speed from session state or the browser, as one of SPEEDS (the default when it is not one)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value in SPEEDS else DEFAULT_SPEED


def unanswered_request(state: PageState | MutableMapping, key: str, version: int, reported) -> int | None:
    """How many frames a playing live view asks for, or None if this request was answered already.

    The view numbers its requests (``reported["want"]``) and repeats the last one until it gets frames; a
    request counts once per run ``version``. Answering it is recorded in ``state[key]`` (the page's session state).
    ``reported`` comes from the browser and is not trusted: anything but a mapping with an integer ``want`` is
    no request at all.
    """
    if not isinstance(reported, Mapping):
        return None
    wanted = reported.get("want", 0)
    if isinstance(wanted, bool) or not isinstance(wanted, int):
        return None
    if state.get(key) == (version, wanted):
        return None
    state[key] = (version, wanted)
    return batch_frames(reported.get("frames"))


def train_in_frames(
    train_epoch: Callable[[], bool],
    finished: Callable[[], bool],
    snapshot: Callable[[int], dict],
    epochs_per_frame: float,
    max_frames: int,
    budget_s: float | None = None,
) -> list[dict]:
    """A live view's batch: ``epochs_per_frame`` epochs per snapshot, up to ``max_frames`` snapshots or the budget.

    ``train_epoch()`` trains one epoch (False once training cannot go on), ``finished()`` says the run is over and
    ``snapshot(i)`` builds the i-th frame of the batch. A fractional ``epochs_per_frame`` (≥ 1) is met on average:
    1.5 trains 1, 2, 1, 2, ... epochs between snapshots. The default budget grows with the batch (a frame is shown
    for ~66 ms, so spending up to half of that per frame keeps the server ahead without making a click wait long).
    """
    budget_s = budget_s if budget_s is not None else max(BATCH_BUDGET_S, 0.033 * max_frames)
    frames: list[dict] = []
    owed = 0.0  # epochs due before the next snapshot, carried over from the fractions of the ones before
    start = time.perf_counter()
    while len(frames) < max_frames and not finished():
        owed += max(1.0, epochs_per_frame)
        epochs = int(owed)
        owed -= epochs
        for _ in range(epochs):
            if finished() or not train_epoch() or time.perf_counter() - start > budget_s:
                break  # a slow network shows fewer epochs per picture rather than blocking Pause for minutes
        frames.append(snapshot(len(frames)))
        if time.perf_counter() - start > budget_s:
            break
    return frames


def transport(key: str) -> dict[str, str]:
    """The CSS classes Streamlit gives a page's Play/Step/Reset buttons (``st-key-<key>-play``, ...): the live view
    listens for a press on them in the page, so Pause stops the picture within a frame, before the server hears."""
    return {name: f"st-key-{key}-{name}" for name in ("play", "step", "reset")}


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


def frames_within_payload(n_parameters: int, asked: int) -> int:
    """How many of the ``asked`` snapshots fit one batch when each carries ``n_parameters`` numbers (at least one)."""
    return max(1, min(asked, PARAMETERS_PER_BATCH // max(n_parameters, 1)))


def advance(
    run: LiveRun,
    epochs_per_frame: float,
    max_frames: int = FRAMES_PER_BATCH,
    budget_s: float | None = PLAYGROUND_BUDGET_S,
) -> list[dict]:
    """Train the Playground's run for one batch of frames (see :func:`train_in_frames`)."""
    start = time.perf_counter()
    frames = train_in_frames(
        run.trainer.train_epoch, lambda: run.finished, lambda _: frame(run), epochs_per_frame, max_frames, budget_s
    )
    run.seconds_training += time.perf_counter() - start
    if run.finished:
        run.playing = False
    return frames


# ---- what the browser draws from -----------------------------------------------------------------------------
def params(run: LiveRun) -> dict:
    """The run's network parameters for the browser (see :func:`network_params`)."""
    return network_params(run.trainer.network)


def network_params(net: Network) -> dict:
    """A network's parameters for the browser's forward pass, at full precision (the pictures and hover values
    must equal core's predictions): weights per layer as W[j, i] row-major, biases, and the negative-side slope of
    each layer (prelu's learned one, leaky_relu's fixed one, else None)."""
    slopes = []
    for spec, learned in zip(net.layers, net.slopes, strict=True):
        if learned is not None:
            slopes.append(float(learned[0]))
        elif spec.activation == "leaky_relu":
            slopes.append(float(spec.slope) if spec.slope is not None else DEFAULT_LEAKY_SLOPE)
        else:
            slopes.append(None)
    return {
        "weights": [W.ravel().tolist() for W in net.weights],
        "biases": [b.ravel().tolist() for b in net.biases],
        "slopes": slopes,
    }


def _input_labels(run: LiveRun) -> list[str]:
    return [FEATURE_LABELS.get(name, name) for name in run.data.features]


def counters(run: LiveRun) -> list[dict]:
    """Epoch, then loss and metric on the training part and on the part watched while training: the validation
    part when the data has one, else the test part."""
    h = run.trainer.history
    metric = h.metric_name
    watched = "val" if _has_validation(run) else "test"
    named = "subset_accuracy" if run.task == "multilabel" else metric  # the trainer's accuracy is the subset's

    def fmt_loss(values):
        return f"{values[-1]:.4f}" if values and np.isfinite(values[-1]) else "–"

    def fmt_metric(values):
        if not values or not np.isfinite(values[-1]):
            return "–"
        return f"{values[-1]:.1%}" if metric == "accuracy" else f"{values[-1]:.3f}"

    # PReLU learns its negative-side slope α per layer: watch it move like the losses.
    learned_slopes = [
        {
            "name": f"prelu_{number}",
            "label": t("playground.counter.prelu_slope", layer=number),
            "value": f"{float(slope[0]):.3f}",
        }
        for number, slope in enumerate(run.trainer.network.slopes, start=1)
        if slope is not None
    ]
    return [
        {"name": "epoch", "label": t("playground.counter.epoch"), "value": f"{run.trainer.epoch:,}"},
        # h.current: after early stopping, the restored epoch's numbers, not the discarded newest epoch's.
        {
            "name": "train_loss",
            "label": t(
                "playground.counter.train_objective" if h.objective_differs else "playground.counter.train_loss"
            ),
            "value": fmt_loss([h.current("train_loss")]),
        },
        {
            "name": "test_loss",
            "label": t(f"playground.counter.{watched}_loss"),
            "value": fmt_loss([h.current("val_loss")]),
        },
        {
            "name": "train_metric",
            "label": t(f"playground.counter.train_{named}"),
            "value": fmt_metric([h.current("train_metric")]),
        },
        {
            "name": "test_metric",
            "label": t(f"playground.counter.{watched}_{named}"),
            "value": fmt_metric([h.current("val_metric")]),
        },
        *learned_slopes,
        *(multilabel_counters(run) if run.task == "multilabel" else []),
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


def frame(run: LiveRun) -> dict:
    """One snapshot: the network's parameters, new curve points, counters (and the layer view when it is on)."""
    panels: dict = {}
    if run.layer_view is not None:
        layer = _layer_view_data(run)
        panels["layer"] = {"lines": layer["lines"], "points": layer["points"]}
    rows = _unsent_rows(run)
    if rows:
        h = run.trainer.history
        xs = [h.epoch[i] for i in rows]

        def pick(values: list[float]) -> list[float | None]:
            return finite([values[i] for i in rows])

        panels["loss"] = {"extend": {"x": [xs, xs], "y": [pick(h.train_loss), pick(h.val_loss)]}}
        panels["metric"] = {"extend": {"x": [xs, xs], "y": [pick(h.train_metric), pick(h.val_metric)]}}
        run.sent_epoch = xs[-1]
    return {**now(run), "panels": panels}


def now(run: LiveRun) -> dict:
    """The run as it stands: epoch, counters, status and parameters. Sent with every render, so a paused view
    always shows exactly what the server holds (whatever became of the frames before it)."""
    text, kind = status(run)
    return {
        "epoch": run.trainer.epoch,
        "counters": counters(run),
        "status": text,
        "status_kind": kind,
        "params": params(run),
    }


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


def finite(values) -> list[float | None]:
    """Curve values for JSON: NaN and infinities (a diverged run) become None, a gap in the line."""
    return [float(v) if np.isfinite(v) else None for v in values]


# Streamlit fades elements while a rerun is in flight; a live panel reruns several times a second while training,
# so the fade would make the whole view flicker. Every live page puts this in its live fragment.
# Every live panel's style: no stale fade on its elements, and a clear focus ring on the transport buttons and the
# live view for people who drive them with the keyboard (Tab, then Space / → / R; see frontend/keys.js).
NO_STALE_FADE = """<style>
    [data-testid="stElementContainer"][data-stale="true"] { opacity: 1 !important; transition: none !important; }
    [class*="st-key-"][class*="-play"] button:focus-visible, [class*="st-key-"][class*="-step"] button:focus-visible,
    [class*="st-key-"][class*="-reset"] button:focus-visible, iframe[title="playground.live_view.live_view"]:focus {
        outline: 3px solid #1c64f2 !important; outline-offset: 2px; }
</style>"""


def view_strings() -> dict[str, str]:
    """What the live view's own document says in the app's language: its ``lang`` and ``<title>``, the name of the
    throttled spoken summary, and how a chart's accessible name joins its title to the counters' summary."""
    return {
        "lang": t("live_view.lang"),
        "title": t("live_view.document_title"),
        "summary_label": t("live_view.summary_label"),
        "chart": t("live_view.chart_summary"),
        "separator": t("live_view.separator"),
        "download_png": t("live_view.download_png"),
        "download_svg": t("live_view.download_svg"),
    }


def scene_version(run: LiveRun, *, log_y: bool = False, presenter: bool = False) -> str:
    """Identifies what the mounted figures show: the run plus the view options baked into them."""
    return f"{run.version}-{int(log_y)}-{int(presenter)}-{run.layer_view}-{figures.active_palette().name}"


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
    if raw.y_train.ndim == 1:
        colour = raw.y_train
    else:  # multi-label: the chosen label's yes/no (a point cannot wear every label's colour at once)
        colour = raw.y_train[:, min(max(run.layer_view_label, 0), raw.y_train.shape[1] - 1)]
    points = np.column_stack([np.round(view.points @ to_2d, 4), colour.astype(int)]).ravel().tolist()
    return {"lines": lines, "points": points, "projected": view.projected}


def _points(X: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None) -> list[float]:
    """Points flattened for the canvas: x₁, x₂, label (or x, y for 1-D data), 4 decimals."""
    if mask is not None:
        X, values = X[mask], values[mask]
    return np.round(np.column_stack([X, values]).astype(np.float64), 4).ravel().tolist()


def _boundary_panel(run: LiveRun, height: int) -> dict:
    """The output over the plane (2-D data) or the fitted curve (1-D): the browser computes it from the weights."""
    data, raw = run.data, run.data.raw
    if not run.two_d:
        ys = np.concatenate([raw.y_train, raw.y_test]).astype(np.float64)
        pad = 0.15 * (float(ys.max() - ys.min()) or 1.0)
        return {
            "name": "boundary",
            "kind": "fit",
            "area": "boundary",
            "height": height - 30,
            "title": t("playground.panel.fit"),
            "x_range": _x_range(run),
            "y_range": [float(ys.min()) - pad, float(ys.max()) + pad],
            "train_points": _points(raw.X_train, raw.y_train),
            "test_points": _points(raw.X_test, raw.y_test),
            "point_colour": figures.active_palette().negative,
            "curve_colour": figures.active_palette().positive,
        }
    regression = run.task == "regression"
    synthetic = np.asarray(data.synthetic, dtype=bool) if len(data.synthetic) == len(raw.y_train) else None
    real = ~synthetic if synthetic is not None and synthetic.any() else None
    scale = (
        figures.colourscale_stops(figures.regression_scale(), reverse=True) if regression else figures.binary_scale()
    )
    values = raw.y_train if regression else raw.y_train.astype(int)
    return {
        "name": "boundary",
        "kind": "field",
        "area": "boundary",
        "height": height - 30,
        "title": t("playground.panel.surface" if regression else "playground.panel.boundary"),
        "task": run.task,
        "domain": list(DOMAIN),
        "colorscale": scale,
        "class_colours": list(figures.class_colours()),
        "train_points": _points(raw.X_train, values, real),
        "synthetic_points": _points(raw.X_train, values, synthetic) if real is not None else [],
        "test_points": _points(raw.X_test, raw.y_test if regression else raw.y_test.astype(int)),
        "value_range": [float(np.min(raw.y_train)), float(np.max(raw.y_train))] if regression else None,
    }


def _x_range(run: LiveRun) -> list[float]:
    X = run.data.dataset.X
    return [float(X.min()), float(X.max())]


def _network_panel(run: LiveRun, height: int) -> dict:
    return {
        "name": "network",
        "kind": "network",
        "area": "network",
        "title": t("playground.panel.network"),
        "height": height - 30,
        "labels": _input_labels(run),
        "node": figures.NODE_SIZE,
        "colorscale": figures.colourscale_stops(figures.binary_scale()),
        "edge_colours": [figures.active_palette().negative, figures.active_palette().positive],
    }


def net_spec(run: LiveRun) -> dict:
    """What the browser's forward pass needs besides the parameters: shape, activations, input features, output."""
    net = run.trainer.network
    return {
        "sizes": net.layer_sizes,
        "activations": [spec.activation for spec in net.layers],
        "features": list(run.data.features),
        "task": run.task,
        "domain": list(DOMAIN) if run.two_d else None,
        "x_range": None if run.two_d else _x_range(run),
        "resolution": FIELD_RESOLUTION,
    }


def _curves_panel(run: LiveRun, name: str, height: int, *, log_y: bool = False, presenter: bool = False) -> dict:
    """Train (solid) and test (dashed) curves of the loss or the metric, drawn on a canvas in the browser."""
    h = run.trainer.history
    if name == "loss":
        train, test, title = h.train_loss, h.val_loss, t("figures.loss_title")
        if run.task == "multilabel":
            title = t("playground.multilabel.loss_title")
    else:
        train, test, title = h.train_metric, h.val_metric, t(f"figures.{h.metric_name}_title")
        if run.task == "multilabel":
            title = t("playground.multilabel.metric_title")
    percent = name == "metric" and h.metric_name == "accuracy"
    return {
        "name": name,
        "kind": "curves",
        "area": name,
        "title": title,
        "height": height,
        "log_y": log_y,
        "percent": percent,
        "y_range": [0, 1.0] if percent else None,
        "x_label": t("figures.epoch"),
        "font": 16 if presenter else 12,
        "series": [
            {"name": t("figures.train"), "colour": "#333333", "dash": False, "x": list(h.epoch), "y": finite(train)},
            {
                "name": t("figures.validation" if _has_validation(run) else "figures.test"),
                "colour": "#9aa0ab",
                "dash": True,
                "x": list(h.epoch),
                "y": finite(test),
            },
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
    columns = "minmax(0, 1.35fr) minmax(0, 1fr)"
    if run.layer_view is not None:
        layer = _layer_view_data(run)
        title_key = "playground.panel.layer_pca" if layer["projected"] else "playground.panel.layer"
        panels.append(
            {
                "name": "layer",
                "kind": "layer",
                "area": "layer",
                "height": height,
                "title": t(title_key, layer=run.layer_view + 1),
                "lines": layer["lines"],
                "points": layer["points"],
                "colours": list(figures.class_colours()),
            }
        )
        grid += ' "layer layer"'
    if run.task == "multilabel":
        panels, grid, columns = multilabel_layout(run, panels, presenter)
    return {
        "version": scene_version(run, log_y=log_y, presenter=presenter),
        "panels": panels,
        "grid": grid,
        "columns": columns,
        "presenter": presenter,
        "net": net_spec(run),
        "strings": view_strings(),
        "first_frame": now(run),
    }


# ---- multi-label: one output picture per label ----------------------------------------------------------------
def label_names(run: LiveRun) -> list[str]:
    """Each label's name in the app's language (a built-in set's) or as the data names it (uploaded columns)."""
    dataset = run.data.dataset
    names = dataset.label_names or tuple(f"label{i}" for i in range(1, dataset.n_classes + 1))
    return [label_display_name(name) for name in names]


def label_display_name(name: str) -> str:
    """A label's name as shown: translated for the built-in sets' labels, as given otherwise (CSV columns)."""
    key = f"playground.multilabel.labels.{name}"
    return t(key) if key in keys("en") else name


def _scores(run: LiveRun) -> dict:
    """Hamming loss, subset accuracy and per-label accuracy and F1 on the watched part (validation, else test):
    core.experiment.metrics.multilabel_counts, scikit-learn's definitions without its per-call input checks, which
    cost more than an epoch of training at every frame; computed once per epoch, however often it is asked."""
    epoch = run.trainer.epoch
    cached = run.multilabel_scores
    if cached is not None and cached[0] == (run.version, epoch):
        return cached[1]
    split = run.data.split
    X, y = (split.X_val, split.y_val) if len(split.y_val) else (split.X_test, split.y_test)
    if not len(y):
        X, y = split.X_train, split.y_train
    from core.experiment.metrics import multilabel_counts  # with scikit-learn: loaded when a multi-label run first asks

    scores = multilabel_counts(y, run.trainer.network.predict(X))
    run.multilabel_scores = ((run.version, epoch), scores)
    return scores


def multilabel_counters(run: LiveRun) -> list[dict]:
    """Hamming loss on the watched part, then each label's accuracy and F1 there."""
    scores = _scores(run)
    watched = "val" if _has_validation(run) else "test"

    def shown_value(value: float, fmt: str) -> str:
        return format(value, fmt) if np.isfinite(value) else "–"

    out = [
        {
            "name": "hamming",
            "label": t(f"playground.multilabel.{watched}_hamming"),
            "value": shown_value(scores["hamming_loss"], ".3f"),
        }
    ]
    for j, name in enumerate(label_names(run)):
        out.append(
            {
                "name": f"label_{j}",
                "label": t(f"playground.multilabel.{watched}_label", label=name),
                "value": t(
                    "playground.multilabel.label_value",
                    accuracy=shown_value(scores["label_accuracy"][j], ".1%"),
                    f1=shown_value(scores["label_f1"][j], ".2f"),
                ),
            }
        )
    return out


def _label_panel(run: LiveRun, j: int, name: str, height: int) -> dict:
    """Label ``j``'s sigmoid over the plane (the browser paints output unit j), points coloured by that label."""
    raw = run.data.raw
    return {
        "name": f"label_{j}",
        "kind": "field",
        "area": f"label{j}",
        "height": height,
        "title": t("playground.multilabel.panel", label=name),
        "task": "multilabel",
        "label": j,
        "label_name": name,
        "domain": list(DOMAIN),
        "colorscale": figures.binary_scale(),
        "class_colours": list(figures.class_colours()),
        "train_points": _points(raw.X_train, raw.y_train[:, j].astype(int)),
        "synthetic_points": [],
        "test_points": _points(raw.X_test, raw.y_test[:, j].astype(int)),
        "value_range": None,
    }


def multilabel_layout(run: LiveRun, panels: list[dict], presenter: bool) -> tuple[list[dict], str, str]:
    """A multi-label scene: a row of N label pictures, then the network and the two curves beneath.

    The grid has 10·N columns: a label spans 10; beneath, the network spans 4·N and each curve 3·N."""
    names = label_names(run)
    n = len(names)
    side = (380 if presenter else 320) if n <= 2 else (340 if presenter else 280) if n == 3 else 220
    labels = [_label_panel(run, j, name, side) for j, name in enumerate(names)]
    network = next(p for p in panels if p["name"] == "network")
    network["height"] = 300 if presenter else 240
    network["output_labels"] = names
    rest = [p for p in panels if p["name"] not in ("boundary", "network")]
    rows = [
        " ".join(" ".join([f"label{j}"] * 10) for j in range(n)),
        " ".join([*(["network"] * 4 * n), *(["loss"] * 3 * n), *(["metric"] * 3 * n)]),
    ]
    if any(p["name"] == "layer" for p in rest):
        rows.append(" ".join(["layer"] * 10 * n))
    grid = " ".join(f'"{row}"' for row in rows)
    return [*labels, network, *rest], grid, f"repeat({10 * n}, minmax(0, 1fr))"
