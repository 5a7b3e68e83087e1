"""Live training for the Compare page: several runs in one live view, advanced together, drawn as frames.

A :class:`CompareSession` lives in ``st.session_state`` and is a live loop session
(:class:`playground.live.loop.LiveSession`). ``advance`` trains every run in lock-step up to a time budget and
returns snapshots; ``scene`` builds the panels the live view (``playground.live_view``) mounts once: one picture
per run, the same canvas panel as the Playground's (a ``field`` over the plane for 2-D data, a ``fit`` curve for
1-D data) with that run's own net spec, then the loss and metric curves of every run (canvas line charts). A frame
carries every run's parameters and new curve points: the browser computes each run's picture itself
(frontend/forward.js), at the screen's rate, so no grid is evaluated here per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from core.experiment.run import PreparedData
from core.labs.compare import CompareRun, Comparison
from playground import figures
from playground.i18n import t
from playground.live import playground as live
from playground.live.playground import finite, view_strings
from playground.pages.compare import figures as figures_compare

__all__ = ["CompareSession", "advance", "new_session", "scene", "scene_version", "status_frame"]

PANEL_HEIGHT = {2: 380, 3: 320, 4: 240}  # run pictures: as large as the row of 2, 3 or 4 allows (a square)
CURVE_PANEL_HEIGHT = 230


@dataclass
class CompareSession:
    """The comparison a browser session is watching, and what its live view has already drawn."""

    runs: tuple[CompareRun, ...]
    comparison: Comparison
    version: int
    prepare: Callable[[object], PreparedData] | None = None  # config -> its (cached) data, for a restart
    seq: int = 0
    sent: list[int] = field(default_factory=list)  # history entries already in the curve charts, per run
    playing: bool = False
    was_playing: bool = False  # as of the last scene version asked for
    scene_serial: int = 0  # bumped to make the view rebuild its panels from the full history

    @property
    def task(self) -> str:
        return self.comparison.data[0].task

    @property
    def has_plane(self) -> bool:
        """Whether each run gets a picture: a boundary (2-D data) or a fitted curve (1-D data)."""
        return self.comparison.data[0].dataset.input_dim in (1, 2)

    # ---- the live loop's session protocol (playground.live.loop.LiveSession) ----
    @property
    def finished(self) -> bool:
        return self.comparison.done

    @property
    def n_parameters(self) -> int:
        return sum(trainer.network.n_parameters for trainer in self.comparison.trainers)

    def advance(self, epochs_per_frame: float, max_frames: int) -> list[dict]:
        return advance(self, epochs_per_frame, max_frames)

    def frame(self) -> dict:
        return now(self)

    def scene(self, *, log_y: bool = False) -> dict:
        return scene(self, log_y=log_y)

    def scene_version(self, *, log_y: bool = False) -> str:
        """Also rebuilds the view once a playing comparison is paused: the view drops snapshots still queued (it
        jumps to the newest), and a batch cut short by the click never reaches it; a fresh scene redraws every
        curve from the full history."""
        if self.was_playing and not self.playing and not self.finished:  # a finished run sent every frame
            self.scene_serial += 1
        self.was_playing = self.playing
        return scene_version(self, log_y)

    def status(self) -> tuple[str, str]:
        return status(self)

    def restart(self) -> CompareSession:
        return new_session(self.runs, self.version + 1, self.prepare or _prepared(self))


def _prepared(session: CompareSession) -> Callable[[object], PreparedData]:
    """The data the runs already hold, by configuration (a restart prepares nothing again)."""
    by_config = {run.config: data for run, data in zip(session.runs, session.comparison.data, strict=True)}
    return by_config.__getitem__


def new_session(runs: tuple[CompareRun, ...], version: int, prepare) -> CompareSession:
    """A fresh comparison of ``runs``; ``prepare`` maps a config to its (cached) data."""
    comparison = Comparison(runs, prepare=prepare)
    return CompareSession(runs, comparison, version, prepare, sent=[0] * len(runs))


def advance(session: CompareSession, epochs_per_frame: float, max_frames: int) -> list[dict]:
    """Train every run ``epochs_per_frame`` epochs per frame, up to ``max_frames`` frames or the time budget.

    A fixed budget (not one growing with the batch): four networks train several times slower than one, and a
    batch of many seconds would keep a click (Pause, Step) waiting behind it and starve the view; much shorter
    batches would spend the server's time on the page's reruns instead of training.
    """
    comparison = session.comparison
    frames = live.train_in_frames(
        comparison.step,
        lambda: comparison.done,
        lambda _: frame(session),
        epochs_per_frame,
        max_frames,
        live.BATCH_BUDGET_S,
    )
    if comparison.done:
        session.playing = False
    return frames


# ---- what the panels show -----------------------------------------------------------------------------------
def _pictures(session: CompareSession) -> dict:
    """Every run's parameters, in its picture panel's update: the browser draws each run's picture from them."""
    if not session.has_plane:
        return {}
    return {
        f"run{i}": {"params": live.network_params(trainer.network)}
        for i, trainer in enumerate(session.comparison.trainers)
    }


def now(session: CompareSession) -> dict:
    """The comparison as it stands: counters, status and every run's parameters (shown whenever not playing)."""
    return {**status_frame(session), "panels": _pictures(session)}


def frame(session: CompareSession) -> dict:
    """One snapshot: every run's parameters, new loss and metric points, and the counters."""
    panels: dict = _pictures(session)
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
    return {"epoch": session.comparison.epoch, "counters": counters(session), "status": text, "status_kind": kind}


# ---- the scene ----------------------------------------------------------------------------------------------
def scene_version(session: CompareSession, log_y: bool) -> str:
    """Names a scene: the browser keeps its panels while this stays the same."""
    return f"{session.version}.{session.scene_serial}-{int(log_y)}-{figures.active_palette().name}"


def _as_live_run(session: CompareSession, index: int) -> live.LiveRun:
    """Run ``index`` seen as a Playground run: its picture panel and net spec are built by the same code."""
    run, comparison = session.runs[index], session.comparison
    return live.LiveRun(run.config, comparison.data[index], comparison.trainers[index], session.version)


def _run_panel(session: CompareSession, index: int, height: int) -> dict:
    """Run ``index``'s picture: the Playground's output panel (``field`` for 2-D data, ``fit`` for 1-D) with the
    run's own net spec, titled with its label after a square in its curve colour."""
    as_run = _as_live_run(session, index)
    colour = figures.run_colour(index)
    panel = live._boundary_panel(as_run, height + 30)  # noqa: SLF001 - the Playground's panel, shared on purpose
    panel |= {
        "name": f"run{index}",
        "area": f"run{index}",
        "title": session.runs[index].label,
        "title_colour": colour,
        "net": live.net_spec(as_run),
    }
    if panel["kind"] == "fit":
        panel["curve_colour"] = colour
    return panel


def _curves_panel(session: CompareSession, name: str, log_y: bool) -> dict:
    """Every run's train (solid) and test (dashed) curve in the run's colour; one legend entry per run."""
    first = session.comparison.trainers[0].history
    metric = first.metric_name
    percent = name == "metric" and metric == "accuracy"
    title = figures_compare.curves_title(name, first)
    series = []
    for i, (run, trainer) in enumerate(zip(session.runs, session.comparison.trainers, strict=True)):
        colour = figures.run_colour(i)
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
        "first_frame": now(session),
    }


def view_height(session: CompareSession) -> int:
    """The iframe height to start with (the view resizes itself once mounted)."""
    n = len(session.runs)
    plane = PANEL_HEIGHT[n] if session.has_plane else 0
    return plane + CURVE_PANEL_HEIGHT * (1 if n <= 2 else 2) + 130
