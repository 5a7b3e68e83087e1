"""Live training for the Regression lab: one run per browser session, trained in chunks, drawn as frames.

The live view (``playground.live_view``) mounts the lab's figures once per run (:func:`scene`) and then only
restyles what training changes (:func:`frame`): the fitted curve, every a_j(x) and w_j·a_j(x) with the bias and
their sum (or, for 2-D targets, the predicted surface and each neuron's term), new points of the loss and R²
curves, and the counters. For 1-D targets a frame carries the network's parameters and the browser computes the
curve and every term from them (frontend/forward.js, frontend/panels/terms.js), at the screen's rate. For 2-D
targets too: the predicted surface is the Playground's canvas ``field`` panel and the decomposition a grid of
small canvases (frontend/panels/termgrid.js), each with its own net spec, computed in the browser from the
parameters in their panel updates (the optional 3-D surface too, restyled by Plotly from the browser's grid).
:func:`advance` trains up to a time budget and returns the snapshots to play.
A :class:`LabRun` lives in ``st.session_state`` (never in module globals, so sessions never see each other's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.data.datasets import DOMAIN
from core.engine.training import Trainer, r2_score
from core.experiment.boundary import BoundaryGrid, GridInput, capped_resolution
from core.experiment.config import ModelConfig, TrainConfig
from core.experiment.metrics import regression_metrics
from core.labs.regression import RegressionData, curve_grid, decompose, regression_trainer, target_curve
from playground import figures
from playground.i18n import t
from playground.live import playground as live
from playground.live.playground import (
    FIELD_RESOLUTION,
    finite,
    network_params,
    train_in_frames,
    view_strings,
)
from playground.pages.regression import figures as fig
from playground.training_messages import training_message

__all__ = ["LabRun", "advance", "counters", "frame", "new_run", "scene", "scene_version", "status", "status_frame"]

CURVE_POINTS = 150  # x where the live curves are drawn: smooth at any width the page gives them
GRID_RESOLUTION = capped_resolution(40)  # 2-D targets: cells per side of the 3-D surface
TERMS_RESOLUTION = 50  # 2-D targets: cells per side of each neuron's term, computed in the browser
PICTURE_HEIGHT = 520
CURVE_HEIGHT = 280
COUNTERS_HEIGHT = 90


@dataclass
class LabRun:
    """The run a Regression lab session is watching, what it was built from, and what the view has drawn."""

    setup: tuple  # (target, model, train, seed): a change starts a new run
    data: RegressionData
    trainer: Trainer
    epochs: int
    version: int = 1
    playing: bool = False
    seq: int = 0  # batch number of the last frames sent
    sent: int = 0  # history rows already in the loss and R² charts
    xs: np.ndarray | None = None  # (CURVE_POINTS, 1): where 1-D curves are drawn
    grid: GridInput | None = None  # 2-D targets: the cell centres of the 3-D surface (the browser's grid)
    surface_3d: bool = False  # 2-D targets: the scene shows the prediction as a 3-D surface

    @property
    def finished(self) -> bool:
        return self.trainer.done or self.trainer.epoch >= self.epochs

    @property
    def two_d(self) -> bool:
        return self.data.target.input_dim == 2

    @property
    def decomposable(self) -> bool:
        """Whether the prediction is a sum of hidden terms: a single linear output unit."""
        output = self.trainer.network.layers[-1]
        return output.units == 1 and output.activation == "linear"

    # ---- the live loop's session protocol (playground.live.loop.LiveSession) ----
    @property
    def n_parameters(self) -> int:
        return self.trainer.network.n_parameters

    def advance(self, epochs_per_frame: float, max_frames: int) -> list[dict]:
        return advance(self, epochs_per_frame, max_frames)

    def frame(self) -> dict:
        """The run as it stands: counters, status and pictures (no curve points: those travel in batches)."""
        return {**status_frame(self), **_parameters(self), "panels": _picture_updates(self)}

    def scene(self, *, surface_3d: bool = False) -> dict:
        return scene(self, surface_3d=surface_3d)

    def scene_version(self, *, surface_3d: bool = False) -> str:
        return scene_version(self, surface_3d=surface_3d)

    def status(self) -> tuple[str, str]:
        return status(self)

    def restart(self) -> LabRun:
        _, model, train, seed = self.setup
        return new_run(self.data, model, train, seed, self.version + 1)


def new_run(
    data: RegressionData, model: ModelConfig, train: TrainConfig, seed: int, version: int = 1, playing: bool = False
) -> LabRun:
    """A fresh network of ``model`` on ``data``, at epoch 0."""
    trainer = regression_trainer(data, model, train, seed)
    run = LabRun((data.target, model, train, seed), data, trainer, train.epochs, version, playing)
    if run.two_d:
        run.grid = cell_centres(GRID_RESOLUTION)
    else:
        run.xs = curve_grid(CURVE_POINTS)
    return run


# ---- training -----------------------------------------------------------------------------------------------
def advance(run: LabRun, epochs_per_frame: float, max_frames: int, budget_s: float | None = None) -> list[dict]:
    """Train the lab's run for one batch of frames (``playground.live.playground.train_in_frames``); a finished
    run's last frame says so."""
    frames = train_in_frames(
        run.trainer.train_epoch, lambda: run.finished, lambda _: frame(run), epochs_per_frame, max_frames, budget_s
    )
    if run.finished:
        run.playing = False
        if frames:  # the last picture says "finished", not "training"
            frames[-1] = {**frames[-1], **status_frame(run)}
    return frames


# ---- what the panels show -----------------------------------------------------------------------------------
def scores(run: LabRun) -> tuple[dict, dict]:
    """``core.experiment.metrics.regression_metrics`` of the network now, on the training and on the test points."""
    split, net = run.data.split, run.trainer.network
    return (
        regression_metrics(split.y_train, net.predict(split.X_train)),
        regression_metrics(split.y_test, net.predict(split.X_test)),
    )


def number(value: float, digits: int = 4) -> str:
    """A score as the counters and tables show it: ``digits`` significant digits, "–" for NaN or infinity."""
    return f"{value:.{digits}g}" if math.isfinite(value) else "–"


def counters(run: LabRun) -> list[dict]:
    """Epoch (of the run's total), training loss, test RMSE, and R² on the training and test points.

    Computed directly (a few NumPy reductions): ``regression_metrics`` validates its input through scikit-learn,
    which costs more per frame than training five epochs of the 1-3-1 network.
    """
    history = run.trainer.history
    loss = history.train_loss[-1] if history.train_loss else float("nan")
    split, net = run.data.split, run.trainer.network
    train_prediction, test_prediction = net.predict(split.X_train)[:, 0], net.predict(split.X_test)[:, 0]
    with np.errstate(over="ignore", invalid="ignore"):
        test_rmse = float(np.sqrt(np.mean((test_prediction - split.y_test) ** 2))) if len(split.y_test) else math.nan
        train_r2 = r2_score(train_prediction[:, None], split.y_train[:, None])
        test_r2 = r2_score(test_prediction[:, None], split.y_test[:, None])
    return [
        {"name": "epoch", "label": t("regression.counter.epoch"), "value": f"{run.trainer.epoch:,} / {run.epochs:,}"},
        {"name": "train_loss", "label": t("regression.counter.train_loss"), "value": number(loss)},
        {"name": "test_rmse", "label": t("regression.counter.test_rmse"), "value": number(test_rmse)},
        {"name": "train_r2", "label": t("regression.counter.train_r2"), "value": number(train_r2, 3)},
        {"name": "test_r2", "label": t("regression.counter.test_r2"), "value": number(test_r2, 3)},
    ]


def status(run: LabRun) -> tuple[str, str]:
    """The status line and its kind ("info" or "warn")."""
    history = run.trainer.history
    if history.diverged:
        return training_message(history), "warn"
    if history.stopped_early:
        return training_message(history), "info"
    if run.finished:
        return t("regression.status.finished"), "info"
    return (t("regression.status.training") if run.playing else t("regression.status.paused")), "info"


def status_frame(run: LabRun) -> dict:
    """A frame that changes only the counters and the status line (e.g. to say "Paused")."""
    text, kind = status(run)
    return {"epoch": run.trainer.epoch, "counters": counters(run), "status": text, "status_kind": kind}


def cell_centres(resolution: int) -> GridInput:
    """The centres of a ``resolution``² grid of cells over the plane, row-major from the lowest x₂: the points
    the browser's forward pass runs on (frontend/main.js ``setupGrid``), so a Plotly surface built on them is
    restyled with the browser's values. The lab's 2-D networks take x₁, x₂ as they are."""
    lo, hi = DOMAIN
    centres = lo + (hi - lo) * (np.arange(resolution) + 0.5) / resolution
    gx, gy = np.meshgrid(centres, centres)
    return GridInput(centres, centres.copy(), np.column_stack([gx.ravel(), gy.ravel()]))


def _prediction_grid(run: LabRun) -> BoundaryGrid:
    grid = run.grid
    return BoundaryGrid(grid.xs, grid.ys, run.trainer.network.predict(grid.inputs)[:, 0].reshape(grid.shape))


def _parameters(run: LabRun) -> dict:
    """1-D targets: the network's parameters, from which the browser computes the curve and every term."""
    return {} if run.two_d else {"params": network_params(run.trainer.network)}


def _picture_updates(run: LabRun) -> dict:
    """What the fit (or surface) and the decomposition need for the network as it is now.

    1-D targets: only the legend labels, which carry the weights; the browser computes every curve from the
    frame's parameters. 2-D targets: the parameters, in the update of each panel that computes its picture from
    them (the surface, flat or 3-D, and the terms).
    """
    net = run.trainer.network
    panels: dict = {}
    if run.two_d:
        params = network_params(net)
        panels["surface"] = {"params": params}
        if run.decomposable:
            panels["decomposition"] = {"params": params}
        return panels
    if run.decomposable:
        weights = net.weights[-1][0]
        panels["decomposition"] = {
            "restyle": {"name": fig.decomposition_names(weights, float(net.biases[-1][0, 0]))},
            "traces": fig.decomposition_traces(len(weights)),
        }
    return panels


def _curve_updates(run: LabRun) -> dict:
    """New points of the loss and R² charts (train, then test), since the last frame."""
    history = run.trainer.history
    rows = slice(run.sent, len(history.epoch))
    epochs = list(history.epoch[rows])
    run.sent = len(history.epoch)
    if not epochs:
        return {}
    return {
        "loss": {
            "extend": {"x": [epochs, epochs], "y": [finite(history.train_loss[rows]), finite(history.val_loss[rows])]},
            "extend_traces": [0, 1],
        },
        "metric": {
            "extend": {
                "x": [epochs, epochs],
                "y": [finite(history.train_metric[rows]), finite(history.val_metric[rows])],
            },
            "extend_traces": [0, 1],
        },
    }


def frame(run: LabRun) -> dict:
    """One snapshot: the pictures' parameters (or restyles), new curve points, counters and status."""
    panels = _picture_updates(run) | _curve_updates(run)
    return {**status_frame(run), **_parameters(run), "panels": panels}


# ---- the scene ----------------------------------------------------------------------------------------------
def scene_version(run: LabRun, *, surface_3d: bool = False) -> str:
    """Names a scene: the browser keeps its panels while this stays the same."""
    return f"{run.version}-{int(surface_3d and run.two_d)}-{figures.active_palette().name}"


def _panel(name: str, figure, canvas_lines: list[int] | None = None) -> dict:
    """A Plotly panel; ``canvas_lines``: the line traces the view paints itself (restyled every frame)."""
    return {
        "name": name,
        "kind": "plotly",
        "figure": figure.to_plotly_json(),
        "area": name,
        "canvas_lines": canvas_lines or [],
    }


def _plane_spec(run: LabRun, resolution: int) -> dict:
    """2-D targets: what the browser's forward pass needs besides the parameters, on a ``resolution``² grid of
    cell centres over the plane (frontend/main.js ``setupGrid``)."""
    net = run.trainer.network
    return {
        "sizes": net.layer_sizes,
        "activations": [spec.activation for spec in net.layers],
        "features": ["x1", "x2"],
        "task": "regression",
        "domain": list(DOMAIN),
        "x_range": None,
        "resolution": resolution,
    }


def surface_range(run: LabRun) -> list[float]:
    """The surface's colour range, fixed when the scene is built so that a colour means the same value all run
    long: the untrained prediction's and every target's lowest and highest (as ``fig.surface_figure``'s)."""
    split = run.data.split
    values = np.concatenate([_prediction_grid(run).values.ravel(), split.y_train, split.y_test])
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    return [low, high if high > low else low + 1.0]


def _surface_panel(run: LabRun) -> dict:
    """The 2-D prediction: the Playground's canvas ``field`` panel with the lab's own net spec, the points
    coloured by their target on the surface's fixed colour scale."""
    split, z_range = run.data.split, surface_range(run)
    return {
        "name": "surface",
        "kind": "field",
        "area": "surface",
        "height": PICTURE_HEIGHT - 40,
        "title": t("regression.surface_title"),
        "task": "regression",
        "domain": list(DOMAIN),
        "colorscale": figures.colourscale_stops(figures.regression_scale(), reverse=True),
        "class_colours": list(figures.class_colours()),
        "train_points": live._points(split.X_train, split.y_train),  # noqa: SLF001 - the Playground's, shared
        "synthetic_points": [],
        "test_points": live._points(split.X_test, split.y_test),  # noqa: SLF001
        "value_range": z_range,
        "z_range": z_range,
        "net": _plane_spec(run, FIELD_RESOLUTION),
    }


class _Slot:
    """Formats as "{name}" whatever the format spec asks: a title template the browser fills in."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"


def _terms_panel(run: LabRun) -> dict:
    """2-D targets: each hidden neuron's term w_j·a_j(x₁, x₂) (the first MAX_NEURON_PANELS), then their sum plus
    the bias, as small canvases the browser computes from the parameters (frontend/panels/termgrid.js); the
    titles are templates whose weight (or bias) the browser writes in."""
    shown = min(run.trainer.network.layer_sizes[-2], fig.MAX_NEURON_PANELS)  # the units the output adds up
    titles = [t("regression.fig.neuron_short", number=j + 1, weight=_Slot("weight")) for j in range(shown)]
    titles.append(t("regression.fig.sum_2d", bias=_Slot("bias")))
    return {
        "name": "decomposition",
        "kind": "terms",
        "area": "decomposition",
        "title": t("regression.decomposition_title_2d"),
        "titles": titles,
        "shown": shown,
        "colorscale": figures.colourscale_stops(figures.regression_scale(), reverse=True),
        "net": _plane_spec(run, TERMS_RESOLUTION),
    }


def _picture_panels(run: LabRun, surface_3d: bool) -> list[dict]:
    data, net = run.data, run.trainer.network
    split = data.split
    train, test = (split.X_train, split.y_train), (split.X_test, split.y_test)
    panels = []
    if run.two_d:
        prediction = _prediction_grid(run)
        if surface_3d:
            figure = fig.surface_3d_figure(
                prediction, train, title=t("regression.surface_title"), height=PICTURE_HEIGHT
            )
            # Plotly draws it; the browser computes its z from the parameters on the same cell centres.
            panels.append(_panel("surface", figure) | {"net": _plane_spec(run, GRID_RESOLUTION)})
        else:
            panels.append(_surface_panel(run))
        if run.decomposable:
            panels.append(_terms_panel(run))
        return panels
    xs = run.xs[:, 0]
    # "computed": the browser computes these lines from each frame's parameters (frontend/panels/terms.js).
    panels.append(
        _panel(
            "fit",
            fig.fit_figure(
                xs,
                {t("figures.prediction"): net.predict(run.xs)[:, 0]},
                train,
                test,
                true_curve=target_curve(data.target)(xs),
                outliers=data.outliers,
                title=t("regression.fit_title"),
                height=PICTURE_HEIGHT,
            ),
            canvas_lines=[0],
        )
        | {"computed": "fit"}
    )
    if run.decomposable:
        parts = decompose(net, run.xs)
        figure = fig.decomposition_figure(
            xs, parts, train, title=t("regression.decomposition_title"), height=PICTURE_HEIGHT
        )
        traces = fig.decomposition_traces(parts.contributions.shape[1])
        panels.append(
            _panel("decomposition", figure, canvas_lines=traces)
            | {"computed": "decomposition", "computed_traces": traces}
        )
    return panels


def net_spec(run: LabRun) -> dict | None:
    """1-D targets: what the browser's forward pass needs besides the parameters, on the x where the curves are
    drawn (``points`` evenly spaced over ``x_range``: the figures' x); None for 2-D targets."""
    if run.two_d:
        return None
    net, xs = run.trainer.network, run.xs[:, 0]
    return {
        "sizes": net.layer_sizes,
        "activations": [spec.activation for spec in net.layers],
        "features": ["x"],
        "task": "regression",
        "domain": None,
        "x_range": [float(xs[0]), float(xs[-1])],
        "points": len(xs),
    }


def _curves_panel(run: LabRun, name: str) -> dict:
    """Training (solid) and test (dashed) loss or R² per epoch, drawn by the view on a canvas.

    A canvas chart, as on the Playground: Plotly redraws a growing line chart in tens of milliseconds, which
    would take most of each frame's time from the fit and its decomposition.
    """
    history = run.trainer.history
    train, test = (
        (history.train_loss, history.val_loss) if name == "loss" else (history.train_metric, history.val_metric)
    )
    epochs = list(history.epoch)
    return {
        "name": name,
        "kind": "curves",
        "area": name,
        "height": CURVE_HEIGHT,
        "log_y": False,
        "percent": False,
        "title": t("figures.loss_title") if name == "loss" else t(f"figures.{history.metric_name}_title"),
        "y_range": None,
        "x_label": t("figures.epoch"),
        "font": 12,
        "series": [
            {"name": t("figures.train"), "colour": "#333333", "dash": False, "x": epochs, "y": finite(train)},
            {"name": t("figures.test"), "colour": "#9aa0ab", "dash": True, "x": epochs, "y": finite(test)},
        ],
    }


def scene(run: LabRun, *, surface_3d: bool = False) -> dict:
    """Every panel as it is now (drawn from the full history); the live view mounts these once per version."""
    history = run.trainer.history
    run.surface_3d = surface_3d and run.two_d
    pictures = _picture_panels(run, run.surface_3d)
    curves = [_curves_panel(run, "loss"), _curves_panel(run, "metric")]
    run.sent = len(history.epoch)
    names = [panel["name"] for panel in pictures]
    top = " ".join(names) if len(names) == 2 else f"{names[0]} {names[0]}"
    return {
        "version": scene_version(run, surface_3d=surface_3d),
        "panels": pictures + curves,
        "grid": f'"{top}" "loss metric"',
        "columns": "minmax(0, 1fr) minmax(0, 1fr)",
        "presenter": False,
        "net": net_spec(run),
        "strings": view_strings(),
        "first_frame": {**status_frame(run), **_parameters(run), "panels": _picture_updates(run)},
    }


def view_height() -> int:
    """The iframe height to start with (the view resizes itself once mounted)."""
    return COUNTERS_HEIGHT + PICTURE_HEIGHT + CURVE_HEIGHT + 20
