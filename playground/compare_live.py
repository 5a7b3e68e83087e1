"""Live training for the Compare page: several runs in one live view, advanced together, drawn as frames.

A :class:`CompareSession` lives in ``st.session_state``. ``advance`` trains every run in lock-step up to a time
budget and returns snapshots; ``scene`` builds the panels the live view (``playground.live_view``) mounts once:
one boundary per run (a Plotly frame whose heatmap the browser paints on a canvas), then the loss and metric
curves of every run (canvas line charts). A frame carries only what changed: packed grids and new curve points.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from core.boundary import BoundaryGrid
from core.compare import CompareRun, Comparison
from core.experiment import PreparedData
from playground import figures, figures_compare
from playground.i18n import t
from playground.live import finite, pack, view_strings

__all__ = ["CompareSession", "advance", "new_session", "scene", "scene_version", "status_frame"]

BATCH_BUDGET_S = 0.35  # stop training a batch early if it takes longer than this
CURVE_POINTS = 120
PANEL_HEIGHT = {2: 380, 3: 320, 4: 280}  # boundary panels: as large as the row of 2, 3 or 4 allows
CURVE_PANEL_HEIGHT = 230


@dataclass
class CompareSession:
    """The comparison a browser session is watching, and what its live view has already drawn."""

    runs: tuple[CompareRun, ...]
    comparison: Comparison
    version: int
    seq: int = 0
    sent: list[int] = field(default_factory=list)  # history entries already in the curve charts, per run
    playing: bool = False
    curve_x: np.ndarray | None = None  # 1-D data: where each run's fitted curve is drawn
    status_shown: str = ""  # the status line the live view shows now
    was_playing: bool = False  # as of the last run of the page
    scene_serial: int = 0  # bumped to make the view rebuild its panels from the full history

    @property
    def task(self) -> str:
        return self.comparison.data[0].task

    @property
    def has_plane(self) -> bool:
        """Whether each run gets a picture: a boundary (2-D data) or a fitted curve (1-D data)."""
        return self.curve_x is not None or self.comparison.data[0].dataset.input_dim == 2


def new_session(runs: tuple[CompareRun, ...], version: int, prepare) -> CompareSession:
    """A fresh comparison of ``runs``; ``prepare`` maps a config to its (cached) data."""
    comparison = Comparison(runs, prepare=prepare)
    session = CompareSession(runs, comparison, version, sent=[0] * len(runs))
    dataset = comparison.data[0].dataset
    if dataset.input_dim == 1:
        session.curve_x = np.linspace(float(dataset.X.min()), float(dataset.X.max()), CURVE_POINTS).reshape(-1, 1)
    return session


def advance(session: CompareSession, epochs_per_frame: int, max_frames: int) -> list[dict]:
    """Train every run ``epochs_per_frame`` epochs per frame, up to ``max_frames`` frames or the time budget."""
    budget_s = max(BATCH_BUDGET_S, 0.033 * max_frames)
    frames, start = [], time.perf_counter()
    comparison = session.comparison
    while len(frames) < max_frames and not comparison.done:
        for _ in range(epochs_per_frame):
            if not comparison.step():
                break
        frames.append(frame(session))
        if time.perf_counter() - start > budget_s:
            break
    if comparison.done:
        session.playing = False
    return frames


# ---- what the panels show -----------------------------------------------------------------------------------
def _surface(session: CompareSession, grid: BoundaryGrid) -> tuple[np.ndarray, float, float]:
    """The heatmap values of a run and their colour range (the same encoding as the Playground's)."""
    if session.task == "multiclass":
        return figures.multiclass_surface(grid.values), 0.0, float(grid.values.shape[-1])
    if session.task == "binary":
        return grid.values, 0.0, 1.0
    valid = grid.values[np.isfinite(grid.values)]
    return grid.values, float(valid.min()) if valid.size else 0.0, float(valid.max()) if valid.size else 1.0


def _picture_update(session: CompareSession, index: int) -> dict:
    comparison = session.comparison
    if session.curve_x is not None:
        y = comparison.trainers[index].network.predict(session.curve_x)[:, 0]
        return {"restyle": {"y": [np.round(y, 5).tolist()]}, "traces": [0]}
    return {"grid": pack(*_surface(session, comparison.current_grid(index)))}



def frame(session: CompareSession) -> dict:
    """One snapshot: every run's boundary (or curve), new loss and metric points, and the counters."""
    panels: dict = {}
    if session.has_plane:
        for i in range(len(session.runs)):
            panels[f"run{i}"] = _picture_update(session, i)
    for name in ("loss", "metric"):
        xs, ys = [], []
        for i, trainer in enumerate(session.comparison.trainers):
            part_x, part_y = _curves_for_run(trainer, name, slice(session.sent[i], len(trainer.history.epoch)))
            xs += part_x
            ys += part_y
        if any(xs):
            panels[name] = {"extend": {"x": xs, "y": ys}}
    for i, trainer in enumerate(session.comparison.trainers):
        session.sent[i] = len(trainer.history.epoch)
    return {**status_frame(session), "panels": panels}


def _curves_for_run(trainer, name: str, part: slice) -> tuple[list, list]:
    h = trainer.history
    train, test = (h.train_loss, h.val_loss) if name == "loss" else (h.train_metric, h.val_metric)
    epochs = list(h.epoch[part])
    return [epochs, epochs], [finite(train[part]), finite(test[part])]


def counters(session: CompareSession) -> list[dict]:
    """The epoch, then per run its test loss and accuracy (or R²)."""
    comparison = session.comparison
    out = [{"name": "epoch", "label": t("compare.counter_epoch"), "value": f"{comparison.epoch:,}"}]
    for i, (run, trainer) in enumerate(zip(session.runs, comparison.trainers, strict=True)):
        h = trainer.history
        value = "–"
        if len(h):
            metric = h.val_metric[-1]
            if not math.isfinite(metric):
                shown = "–"
            else:
                shown = f"{metric:.1%}" if h.metric_name == "accuracy" else f"{metric:.3f}"
            value = t("compare.counter_value", loss=f"{h.val_loss[-1]:.4f}", metric=shown)
        out.append({"name": f"run{i}", "label": run.label, "value": value})
    return out


def status(session: CompareSession) -> tuple[str, str]:
    comparison = session.comparison
    diverged = [run.label for run, tr in zip(session.runs, comparison.trainers, strict=True) if tr.history.diverged]
    if diverged:
        return t("compare.status_some_diverged", runs=", ".join(diverged)), "warn"
    if comparison.done:
        return t("compare.status_finished"), "info"
    return (t("compare.status_training") if session.playing else t("compare.status_paused")), "info"


def status_frame(session: CompareSession) -> dict:
    """A frame that changes only the counters and the status line (e.g. to say "Paused")."""
    text, kind = status(session)
    session.status_shown = text
    return {"epoch": session.comparison.epoch, "counters": counters(session), "status": text, "status_kind": kind}


# ---- the scene ----------------------------------------------------------------------------------------------
def scene_version(session: CompareSession, log_y: bool) -> str:
    """Names a scene: the browser keeps its panels while this stays the same."""
    return f"{session.version}.{session.scene_serial}-{int(log_y)}-{figures.active_palette().name}"


def _run_panel(session: CompareSession, index: int, height: int) -> dict:
    comparison = session.comparison
    data: PreparedData = comparison.data[index]
    raw = data.raw
    name = f"run{index}"
    if session.curve_x is not None:
        figure = figures.curve_fit_figure(
            session.curve_x[:, 0],
            comparison.trainers[index].network.predict(session.curve_x)[:, 0],
            (raw.X_train, raw.y_train),
            (raw.X_test, raw.y_test),
            height=height,
            title=figures_compare.run_title(session.runs[index].label, index),
        )
        return {"name": name, "kind": "plotly", "figure": figure.to_plotly_json(), "area": name}
    grid = comparison.current_grid(index)
    figure = figures.decision_boundary_figure(
        grid,
        session.task,
        n_classes=max(data.dataset.n_classes, 2),
        train=(raw.X_train, raw.y_train),
        test=(raw.X_test, raw.y_test),
        synthetic=data.synthetic if data.synthetic.any() else None,
        height=height,
        title=figures_compare.run_title(session.runs[index].label, index),
    )
    heat = figure.data[0]
    auto = session.task == "regression"
    return {
        "name": name,
        "kind": "boundary",
        "area": name,
        # The heatmap travels without its values: the browser paints them from the packed grid.
        "figure": figure.update_traces(z=None, selector=0).to_plotly_json(),
        "colorscale": figures.colourscale_stops(heat.colorscale, reverse=bool(heat.reversescale)),
        "zmin": None if auto else heat.zmin,
        "zmax": None if auto else heat.zmax,
        "grid": pack(*_surface(session, grid)),
    }


def _curves_panel(session: CompareSession, name: str, log_y: bool) -> dict:
    """Every run's train (solid) and test (dashed) curve in the run's colour; one legend entry per run."""
    first = session.comparison.trainers[0].history
    metric = first.metric_name
    percent = name == "metric" and metric == "accuracy"
    title = figures_compare.curves_title(name, first)
    series = []
    for i, (run, trainer) in enumerate(zip(session.runs, session.comparison.trainers, strict=True)):
        colour = figures.RUN_COLOURS[i % len(figures.RUN_COLOURS)]
        (train_x, test_x), (train_y, test_y) = _curves_for_run(trainer, name, slice(None))
        series.append({"name": run.label, "colour": colour, "dash": False, "x": train_x, "y": train_y})
        series.append({"name": "", "colour": colour, "dash": True, "x": test_x, "y": test_y})
    return {
        "name": name,
        "kind": "curves",
        "area": name,
        "title": title,
        "height": CURVE_PANEL_HEIGHT,
        "log_y": log_y and name == "loss",
        "percent": percent,
        "y_range": [0, 1.0] if percent else None,
        "x_label": t("figures.epoch"),
        "font": 12,
        "series": series,
    }


def scene(session: CompareSession, *, log_y: bool = False) -> dict:
    """Every panel as it is now: a row of run pictures over the loss and metric curves of all runs."""
    n = len(session.runs)
    panels = []
    rows = []
    if session.has_plane:
        panels = [_run_panel(session, i, PANEL_HEIGHT[n]) for i in range(n)]
        rows.append(" ".join(f"run{i}" for i in range(n) for _ in range(12 // n)))
    panels += [_curves_panel(session, "loss", log_y), _curves_panel(session, "metric", log_y)]
    if n <= 2:
        rows.append(" ".join(["loss"] * 6 + ["metric"] * 6))
    else:  # a legend of three or four runs needs the full width
        rows += [" ".join(["loss"] * 12), " ".join(["metric"] * 12)]
    for i, trainer in enumerate(session.comparison.trainers):
        session.sent[i] = len(trainer.history.epoch)
    return {
        "version": scene_version(session, log_y),
        "panels": panels,
        "grid": " ".join(f'"{row}"' for row in rows),
        "columns": "repeat(12, minmax(0, 1fr))",  # 12 divides into 2, 3 and 4 equal pictures
        "presenter": False,
        "strings": view_strings(),
        "first_frame": status_frame(session),
    }


def view_height(session: CompareSession) -> int:
    """The iframe height to start with (the view resizes itself once mounted)."""
    n = len(session.runs)
    plane = PANEL_HEIGHT[n] if session.has_plane else 0
    return plane + CURVE_PANEL_HEIGHT * (1 if n <= 2 else 2) + 130
