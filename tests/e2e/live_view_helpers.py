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
                           now: performance.now()}; }"""
    )


def counter(frame: Frame, name: str) -> str:
    return frame.locator(f'.counter[data-name="{name}"] .value').inner_text()
