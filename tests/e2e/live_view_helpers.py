"""Reading the Playground's live view (an iframe) from a browser test."""

from __future__ import annotations

import time

from playwright.sync_api import Frame, Page

LIVE_VIEW_SELECTOR = 'iframe[title="playground.live_view.live_view"]'


def live_frame(page: Page, *, timeout: float = 60) -> Frame:
    """The live view's iframe once its panels are mounted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        element = page.query_selector(LIVE_VIEW_SELECTOR)
        frame = element.content_frame() if element else None
        if frame is not None:
            try:
                if frame.evaluate("() => document.querySelectorAll('#panels .panel').length") >= 4:
                    return frame
            except Exception:  # the iframe may be navigating while Streamlit mounts it
                pass
        time.sleep(0.2)
    raise AssertionError(f"the live view did not mount within {timeout} s")


def live_state(frame: Frame) -> dict:
    """Epoch shown, frames painted, batches received and the browser clock (ms)."""
    return frame.evaluate(
        """() => { const r = document.getElementById('root');
                   return {epoch: +r.dataset.epoch, frames: +r.dataset.frames, batches: +r.dataset.batches,
                           playing: r.dataset.playing === '1', now: performance.now()}; }"""
    )


def counter(frame: Frame, name: str) -> str:
    return frame.locator(f'.counter[data-name="{name}"] .value').inner_text()


def heat_signature(frame: Frame) -> str:
    """The output picture's pixels (canvas.heat) as a data URL: two different values mean a repaint."""
    return frame.evaluate("() => document.querySelector('canvas.heat').toDataURL()")


def wait_for_epoch(frame: Frame, at_least: int, *, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    state = live_state(frame)
    while time.monotonic() < deadline and state["epoch"] < at_least:
        time.sleep(0.1)
        state = live_state(frame)
    return state


def wait_until_settled(frame: Frame, *, quiet: float = 1.0, timeout: float = 20) -> dict:
    """The live state once the epoch shown has not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last = live_state(frame)
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        state = live_state(frame)
        if state["epoch"] != last["epoch"]:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return state
    raise AssertionError(f"the epoch shown kept changing for {timeout} s")


def points_drawn(frame: Frame) -> int:
    """How many data points (training, test and synthetic) the output panel draws."""
    return frame.evaluate("() => window.__livePointCount ? window.__livePointCount() : -1")
