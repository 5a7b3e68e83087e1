"""Long jobs (searches, cross-validation, sweeps, training) that a page can watch and stop.

A *job* is any object from ``core.labs.search`` with ``step()``, ``finished``, ``progress`` (0..1) and ``cancel()``.
:func:`job_panel` draws Start/Stop buttons, a progress bar and the job's view; call it inside an
``st.fragment`` so that its reruns stay inside that part of the page.

How it stays responsive: a running job advances for about half a second per run, the panel draws it, then
asks for another run (``st.rerun(scope="fragment")``). Streamlit does not interrupt a running fragment for a
click inside that fragment, it queues the click; so the short runs are what let Stop land between two ticks.
The job lives in this session's ``st.session_state`` and the work runs on this session's own script thread:
no shared state, no locks, other sessions are not held up by it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st
from streamlit.errors import StreamlitAPIException

from playground.i18n import t
from playground.state import PageState

TICK_SECONDS = 0.5  # work per run while a job runs; the page redraws (and reads Stop) between ticks


class Job(Protocol):
    finished: bool
    progress: float

    def step(self) -> Any: ...

    def cancel(self) -> None: ...


@dataclass
class JobSlot:
    """A session's job and the settings it was started with (a change of settings makes it stale)."""

    signature: Hashable
    job: Job | None
    error: str = ""


def _start(page: PageState, name: str, signature: Hashable, make_job: Callable[[], Job]) -> None:
    try:
        page[name] = JobSlot(signature, make_job())
    except ValueError as error:
        page[name] = JobSlot(signature, None, str(error))


def _stop(page: PageState, name: str) -> None:
    slot: JobSlot | None = page.get(name)
    # A click can arrive after the last step: a finished job stays finished, not "stopped at 100%".
    if slot is not None and slot.job is not None and not slot.job.finished:
        slot.job.cancel()


def job_panel(
    page: PageState,
    name: str,
    signature: Hashable,
    make_job: Callable[[], Job],
    draw: Callable[[Job, PageState], None],
    *,
    start_label: str,
    start_help: str,
    finish: Callable[[Job], None] | None = None,
    autostart: bool = False,
) -> Job | None:
    """Start/Stop, progress and ``draw(job, view)`` for the session's job ``page[name]``; returns the job, if any.

    While the job runs, every run of the page (or fragment) advances it for about :data:`TICK_SECONDS`, draws
    it, and asks for the next run; ``draw`` shows elements only (no input widgets) and keys them with
    ``view.key(...)`` (``view`` is ``page.child(f"{name}.view")``).
    ``finish(job)``, if given, runs below once the job has stopped and may hold widgets. ``signature``
    describes the settings (e.g. the whole configuration and the search space): when it changes, a running job
    is stopped and its results are marked as belonging to the old settings. ``make_job`` may raise ValueError;
    its message is shown instead of a traceback. ``autostart`` keeps a job for the current settings: one
    starts on the first visit and again whenever the settings change.
    """
    slot: JobSlot | None = page.get(name)
    if autostart and (slot is None or slot.signature != signature):
        if slot is not None and slot.job is not None:
            slot.job.cancel()
        _start(page, name, signature, make_job)
        slot = page[name]
    job = slot.job if slot is not None else None
    stale = slot is not None and slot.signature != signature
    if stale and job is not None and not job.finished:
        job.cancel()
    running = job is not None and not job.finished
    start_col, stop_col, _ = st.columns([1.2, 1, 3], vertical_alignment="bottom")
    start_col.button(
        start_label,
        key=page.key(f"{name}.start"),
        type="primary",
        icon=":material/play_arrow:",
        help=start_help,
        disabled=running,
        on_click=_start,
        args=(page, name, signature, make_job),
        width="stretch",
    )
    stop_col.button(
        t("experiments.runner.stop"),
        key=page.key(f"{name}.stop"),
        icon=":material/stop:",
        help=t("experiments.runner.stop_help"),
        disabled=not running,
        on_click=_stop,
        args=(page, name),
        width="stretch",
    )
    if slot is not None and slot.error:
        st.warning(t("experiments.runner.cannot_start", error=slot.error))
    if job is None:
        return None
    if stale:
        st.info(t("experiments.runner.stale"))
    if running:
        _advance(job)
    st.progress(min(job.progress, 1.0), text=_status(job))
    draw(job, page.child(f"{name}.view"))
    if running:
        # Next tick (or, when the job just ended, one more run to turn Stop off and show ``finish``).
        _rerun()
    if finish is not None:
        finish(job)
    return job


def _advance(job: Job) -> None:
    """Step ``job`` for about one tick (at least one step)."""
    deadline = time.monotonic() + TICK_SECONDS
    job.step()
    while not job.finished and time.monotonic() < deadline:
        job.step()


def _rerun() -> None:
    """Rerun just the fragment when this run is a fragment run; a fragment-scoped rerun is refused during a
    full-app run (StreamlitAPIException), and then the whole page reruns."""
    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def _status(job: Job) -> str:
    percent = round(100 * min(job.progress, 1.0))
    if getattr(job, "cancelled", False):
        return t("experiments.runner.stopped", percent=percent)
    if job.finished:
        return t("experiments.runner.done")
    return t("experiments.runner.running", percent=percent)
