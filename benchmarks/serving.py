"""Serving a class: the server's CPU per playing session at the default speed, and how many one core serves.

A ``streamlit run`` server is started on a free port and headless Chromium opens SESSIONS Playground tabs on the
default experiment (only the epoch budget raised, so no run ends while measured), at the default speed
(1 epoch per frame). The server's CPU time (user + system, ``/proc/<pid>/stat``, all its threads) is read over
a window with every tab open and paused, then with every tab playing. CPU per playing session is the difference
divided by the number of sessions; one core serves 1 / that many. The browsers' own CPU is not counted (in a
class it is on the students' machines), but they share this machine's cores with the server, so on a busy box
the figure is an upper bound for the server's work per frame, not a floor.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.measure import Row, skipped
from benchmarks.page import REPO_ROOT, Budget, _missing, streamlit_server

AREA = "serving"
QUERY = "?epochs=100000"  # the default experiment; long enough that no session finishes while measured
SESSIONS = 3
CASE = f"default Playground at the default speed, {SESSIONS} sessions playing"
ROWS = (
    (AREA, f"{CASE}: server CPU per playing session", ""),
    (AREA, "playing sessions one core serves (from the row above)", ""),
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and every thread of it, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def cpu_share(pid: int, seconds: float) -> float:
    """The fraction of one core the process used over the next ``seconds``."""
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)


def _tabs(browser, url: str, n: int, budget: Budget) -> list:
    from tests.e2e.browser_helpers import wait_for_app
    from tests.e2e.live_view_helpers import live_frame

    tabs = []
    for _ in range(n):
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(url.rstrip("/") + "/" + QUERY, wait_until="commit")
        tabs.append(page)
    for page in tabs:
        wait_for_app(page, timeout=budget.left())
        live_frame(page, timeout=budget.left())
    return tabs


def _epochs(page) -> int:
    from tests.e2e.live_view_helpers import live_frame, live_state

    return live_state(live_frame(page))["epoch"]


def rows(quick: bool = False, budget_s: float | None = None) -> list[Row]:
    missing = _missing()
    if missing:
        return [skipped(area, case, "", missing, target) for area, case, target in ROWS]
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from playground.i18n import t
    from tests.e2e.browser_helpers import CHROMIUM_ARGS, find_chromium

    budget = Budget(budget_s if budget_s is not None else (90.0 if quick else 600.0))
    window = 4.0 if quick else 15.0
    try:
        log = REPO_ROOT / "benchmarks" / "results" / "serving-server.log"
        with streamlit_server(log) as (url, pid), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                tabs = _tabs(browser, url, SESSIONS, budget)
                time.sleep(1.0)
                idle = cpu_share(pid, min(window, budget.left() - 1))
                for page in tabs:
                    page.get_by_role("button", name=t("playground.play"), exact=True).click()
                time.sleep(2.0)  # past each session's first batch: the steady state
                before = [_epochs(page) for page in tabs]
                seconds = min(window, budget.left() - 1)
                playing = cpu_share(pid, seconds)
                after = [_epochs(page) for page in tabs]
            finally:
                browser.close()
    except (TimeoutError, RuntimeError, PlaywrightError, AssertionError) as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return [skipped(area, case, "", reason, target) for area, case, target in ROWS]
    moving = sum(1 for b, a in zip(before, after, strict=True) if a > b)
    per_session = max(playing - idle, 1e-9) / SESSIONS
    epochs_per_s = sum(a - b for b, a in zip(before, after, strict=True)) / SESSIONS / seconds
    values = {
        "idle_core_share": idle,
        "playing_core_share": playing,
        "sessions": SESSIONS,
        "epochs_per_s_per_session": epochs_per_s,
        "moving_sessions": moving,
        "window_s": seconds,
    }
    note = f"{moving} of {SESSIONS} sessions advanced while measured; {epochs_per_s:.1f} epochs/s each"
    return [
        Row(
            AREA,
            ROWS[0][1],
            ours=f"{per_session:.1%} of a core",
            baseline=f"server with the {SESSIONS} tabs paused: {idle:.1%}; playing: {playing:.1%}",
            note=note,
            values=values,
        ),
        Row(
            AREA,
            ROWS[1][1],
            ours=f"{1 / per_session:.0f} sessions",
            note="1 / the CPU share per session; leave headroom for page loads and reruns",
            values=values,
        ),
    ]
