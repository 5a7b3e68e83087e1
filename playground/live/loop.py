"""One live loop for every live page: the session protocol, the transport bar and the request/answer handshake.

The Playground (:class:`playground.live.playground.LiveRun`), Compare
(:class:`playground.live.compare.CompareSession`) and the Regression lab (:class:`playground.live.regression.LabRun`)
each keep a training session in their :class:`~playground.state.PageState`; all three satisfy :class:`LiveSession`,
and each page draws its live panel with the same two calls::

    bar = live_loop.transport_bar(PAGE, "compare", "session")    # Step, Reset, speed (+ a column of the page's own)
    ...                                                          # the page's own controls, in bar.extra
    live_loop.serve(bar, session, scene_options={"log_y": log_y}, height=...)   # train, Play/Pause, the view

``serve`` answers the live view's requests: the view numbers them (``reported["want"]``) and repeats the last one
until it gets frames; :func:`playground.live.playground.unanswered_request` makes each count once. While playing,
every answer is a batch of snapshots trained on the spot, within a time budget and within the payload bound
(:func:`playground.live.playground.frames_within_payload`), so the server never trains far ahead of the picture.
The browser plays them by an epoch clock at ``speed`` epochs per second on every painted frame (frontend/player.js).

A page with many controls can draw its picture first (:func:`picture_first`): the first run leaves the controls
out, and ``serve`` reruns the page once the view reports its first picture painted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import streamlit as st

from playground.host import has_browser
from playground.i18n import t
from playground.live import playground as live
from playground.live_view import live_view
from playground.state import PageState


@runtime_checkable
class LiveSession(Protocol):
    """A training session a live view plays: one network (Playground, Regression) or several (Compare)."""

    version: int  # bumped for every new session (a reset, a changed setting): the view rebuilds its panels
    seq: int  # the number of the last batch sent: a batch the browser has already seen is not replayed
    playing: bool

    @property
    def finished(self) -> bool:
        """No epochs left: Play starts the session over."""

    @property
    def n_parameters(self) -> int:
        """How many numbers one snapshot carries (its networks' parameters), for the payload bound."""

    def advance(self, epochs_per_frame: float, max_frames: int) -> list[dict]:
        """Train ``epochs_per_frame`` epochs per snapshot (on average: see ``train_in_frames``), up to
        ``max_frames`` snapshots or a time budget; stops playing when the session finishes."""

    def frame(self) -> dict:
        """The session as it stands (epoch, counters, status, parameters or pictures): shown whenever the view is
        not playing, so a paused view shows exactly what the server holds."""

    def scene(self, **options: Any) -> dict:
        """Every panel as it is now, drawn from the full history; the view mounts it once per scene version."""

    def scene_version(self, **options: Any) -> str:
        """Names what :meth:`scene` would draw: the view keeps its panels while this stays the same."""

    def status(self) -> tuple[str, str]:
        """The status line and its kind ("info" or "warn")."""

    def restart(self) -> LiveSession:
        """A fresh, paused session of the same settings, with the next version."""


@dataclass(frozen=True)
class TransportBar:
    """The transport bar drawn by :func:`transport_bar`: where Play goes once training is done, the speed, and a
    column for a toggle of the page's own (log scale, 3-D surface)."""

    page: PageState
    strings: str  # the i18n table the labels come from: "playground", "compare" or "regression"
    session: str  # the name the page keeps its live session under (``page[session]``)
    speed: int  # epochs per second
    play: Any  # the column Play/Pause is drawn into, after the batch trained (its label is then up to date)
    extra: Any


def _restart(page: PageState, name: str, session: LiveSession) -> LiveSession:
    fresh = session.restart()
    page[name] = fresh
    return fresh


# Button callbacks run before the fragment reruns, so the buttons drawn afterwards already show the new state.
def _toggle_play(page: PageState, name: str) -> None:
    session = page.get(name)
    if session is not None:
        live.toggle_play(session, finished=lambda s: s.finished, restart=lambda s: _restart(page, name, s))
        page["play_pressed"] = True  # the answer to Play carries the first frames (see first_batch)


def _step(page: PageState, name: str) -> None:
    session = page.get(name)
    if session is not None:
        session.playing = False
        page["step_requested"] = True


def _reset(page: PageState, name: str) -> None:
    session = page.get(name)
    if session is not None:
        _restart(page, name, session)


def transport_bar(page: PageState, strings: str, session: str) -> TransportBar:
    """Step, Reset and the speed (epochs per second) of a live panel; Play/Pause is drawn by :func:`serve`.

    The widgets are the page's ``play``, ``step``, ``reset`` and ``speed`` (keys ``<prefix>.play``, ...: the live
    view listens for presses on them, see :func:`playground.live.playground.transport`); the live session is
    ``page[session]``. Also puts the live panels' style (no stale fade) on the page.
    """
    st.html(live.NO_STALE_FADE)
    play_col, step_col, reset_col, speed_col, extra_col = st.columns([1, 1, 1, 2.2, 1.3], vertical_alignment="bottom")
    step_col.button(
        t(f"{strings}.step"),
        key=page.key("step"),
        width="stretch",
        icon=":material/skip_next:",
        help=t(f"{strings}.step_help"),
        on_click=_step,
        args=(page, session),
    )
    reset_col.button(
        t(f"{strings}.reset"),
        key=page.key("reset"),
        width="stretch",
        icon=":material/restart_alt:",
        help=t(f"{strings}.reset_help"),
        on_click=_reset,
        args=(page, session),
    )
    # Epochs per second; a value that is not offered (unset, or an epochs-per-frame value of an older session)
    # becomes the default.
    page["speed"] = live.checked_speed(page.get("speed"))
    speed = live.checked_speed(
        speed_col.select_slider(
            t(f"{strings}.speed"),
            options=live.SPEEDS,
            key=page.key("speed"),
            help=t(f"{strings}.speed_help"),
            format_func=lambda s: t(f"{strings}.speed_value", epochs=s),
        )
    )
    return TransportBar(page, strings, session, speed, play_col, extra_col)


# Marks the sidebar's note while the page's controls wait for the first picture (browser tests wait for it to go).
CONTROLS_LATER_MARK = 'data-nnp-controls="later"'


_has_browser = has_browser  # a name of this module's own, so a test can stand in for a browser


def picture_first(page: PageState) -> bool:
    """Whether this run leaves the page's controls out, to draw them once the live view shows its first picture.

    A visit's first run sends the controls and the live view together, and the browser renders the controls (about
    half a second for the Playground's forty, on this machine) before the view's frame even starts loading: the
    picture waits for widgets nobody has touched yet. So a browser's first run of the page draws what sits above
    and around the picture (title, warnings, transport, the view) and no controls; when the view reports its first
    picture painted, :func:`serve` reruns the whole page, and that run draws the controls from the same values (the
    page wrote them into the widgets' state before), so nothing the picture shows changes. Every later run, and any
    run without a browser (AppTest), draws the controls at once.
    """
    if "controls" in page:  # a later run: the one the picture's report asked for, or the user was quicker
        page["controls"] = "drawn"
        return False
    waiting = _has_browser()
    page["controls"] = "waiting" if waiting else "drawn"
    if waiting:  # a note where the controls will be; markdown, drawn with the page's first elements
        note = f"<span {CONTROLS_LATER_MARK}>{t('live_view.controls_coming')}</span>"
        st.sidebar.caption(note, unsafe_allow_html=True)
    return waiting


def controls_due(page: PageState) -> bool:
    """Whether this run is the one the first picture asked for, drawing the controls the first run left out (what
    the first run showed once, such as a link's warnings, is shown again: the user has not acted yet)."""
    return page.get("controls") == "due"


def _controls_after_picture(page: PageState, report: dict) -> None:
    """The view has painted its first picture while the page's controls wait (:func:`picture_first`): draw them."""
    if page.get("controls") == "waiting" and report.get("shown"):
        page["controls"] = "due"
        st.rerun(scope="app")


def reported(page: PageState) -> dict:
    """What the live view last reported (its component value); anything but a dict is no report at all."""
    value = page.get("live") or {}
    return value if isinstance(value, dict) else {}


def epochs_per_snapshot(speed: int) -> float:
    """Epochs between two snapshots at ``speed`` epochs per second: one per epoch up to the screen's rate, then
    ``speed / SCREEN_FPS`` (the browser computes every picture from the parameters, so it can show a snapshot per
    painted frame).

    A fraction is kept (100 epochs/s on a 60 Hz screen is 1⅔ epochs a snapshot, trained as 1, 2, 2, 1, 2, 2, ...;
    see :func:`playground.live.playground.train_in_frames`): rounding down would build 100 snapshots a second of
    which the screen shows 60, rounding up would show only 50 pictures a second.
    """
    return max(1.0, int(speed) / live.SCREEN_FPS)


# The answer to Play brings up to this much play with it, so the picture moves a round trip sooner (the view would
# otherwise ask only once it sees the run playing); few epochs, so the button answers at once at any speed.
FIRST_BATCH_S, FIRST_BATCH_EPOCHS = 0.3, 40


def first_batch(speed: int, epochs_per_frame: float) -> int:
    """How many snapshots the answer to Play carries: ``FIRST_BATCH_S`` of play, at most ``FIRST_BATCH_EPOCHS``."""
    per = max(1.0, epochs_per_frame)
    return max(1, min(math.ceil(FIRST_BATCH_S * speed / per), int(FIRST_BATCH_EPOCHS // per)))


def batch(session: LiveSession, epochs_per_frame: float, asked: int) -> list[dict]:
    """One batch for a playing view: at most ``asked`` snapshots, fewer when each carries many parameters."""
    return session.advance(epochs_per_frame, live.frames_within_payload(session.n_parameters, asked))


def serve(
    bar: TransportBar,
    session: LiveSession,
    *,
    height: int,
    scene_options: dict | None = None,
    options: dict | None = None,
    before_view: Callable[[LiveSession], None] | None = None,
) -> LiveSession:
    """Train what the view asked for (or the Step pressed), draw Play/Pause, and mount or update the live view.

    ``scene_options`` go to the session's ``scene`` and ``scene_version``; ``options`` to the view (draw mode,
    selection, ...; the transport's button classes are added). ``before_view(session)`` runs after training and
    before the view is drawn (an editor whose change the view must show). Returns the session (a new one when a
    click restarted it).
    """
    page, scene_options = bar.page, scene_options or {}
    report = reported(page)
    _controls_after_picture(page, report)
    version = session.scene_version(**scene_options)
    # The browser reports the scene it holds only when it asks for frames; until it reports anything new, the scene
    # sent last is still there (a rebuilt iframe reports at once, without a scene, and is sent it again).
    has_scene = report.get("scene") == version or page.get("scene_sent") == (version, repr(report))
    epochs_per_frame = epochs_per_snapshot(bar.speed)
    frames: list[dict] = []
    answered = False
    play_pressed = page.pop("play_pressed", False)
    if page.pop("step_requested", False):
        frames = session.advance(1, 1)  # exactly one epoch, whatever the speed
    elif play_pressed and session.playing and has_scene:
        frames = batch(session, epochs_per_frame, first_batch(bar.speed, epochs_per_frame))
        answered = True
    elif session.playing and has_scene:  # a view still mounting the scene asks again once it holds it
        asked = live.unanswered_request(page, "served", session.version, report)
        if asked is not None:
            frames = batch(session, epochs_per_frame, asked)
            answered = True
    version = session.scene_version(**scene_options)  # training may have ended the run (a new scene then)
    scene = None
    if report.get("scene") != version and page.get("scene_sent") != (version, repr(report)):
        scene = session.scene(**scene_options)  # drawn from the full history: it holds the frames' points too
        page["scene_sent"] = (version, repr(report))
        frames = []
        answered = True  # a new batch number lets a playing view ask for frames at once
    if frames or answered:  # a new batch number also tells the view its request was answered
        session.seq += 1
    # Drawn after this batch trained: a run that just finished shows Play, not a Pause that would restart it.
    bar.play.button(
        t(f"{bar.strings}.pause") if session.playing else t(f"{bar.strings}.play"),
        key=page.key("play"),
        type="primary",
        width="stretch",
        help=t(f"{bar.strings}.play_help"),
        icon=":material/pause:" if session.playing else ":material/play_arrow:",
        on_click=_toggle_play,
        args=(page, bar.session),
    )
    if before_view is not None:
        before_view(session)
    live_view(
        scene=scene,
        frames=frames,
        seq=session.seq,
        playing=session.playing,
        interval_ms=66,
        speed=bar.speed,
        epochs_per_frame=epochs_per_frame,
        now=None if session.playing else session.frame(),
        key=page.key("live"),
        height=height,
        options={**(options or {}), "transport": live.transport(page.prefix)},
    )
    return session
