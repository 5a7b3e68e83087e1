"""Soak benchmark (not a test): N browser sessions keep training for M minutes; how does the server's memory move?

    python -m benchmarks.soak                          # 5 sessions x 5 minutes, a sample every 20 s
    python -m benchmarks.soak --sessions 2 --minutes 1 --interval 10
    python -m benchmarks.soak --url http://127.0.0.1:8501/ --pid 1234   # watch a server you started yourself
    python -m benchmarks.soak --heavy --sessions 4 --minutes 2   # issue 19's heavy link in every session

It starts ``streamlit run streamlit_app.py`` on a free port (unless ``--url`` is given), opens one headless
Chromium context per session (each its own Streamlit session) on a different dataset with a long run, presses
Play, and presses it again whenever a run finishes, so every session trains for the whole time. Every
``--interval`` seconds it prints the server's resident memory (RSS, including child processes) and the epochs each
session has trained. At the end it closes the tabs and checks that the server's CPU use falls back to idle
(closing a tab stops its work) and how much memory it keeps. ``--csv`` writes the samples to a file.

Needs Playwright and a Chromium (``/usr/bin/chromium`` or ``PLAYGROUND_CHROMIUM``), like the browser tests.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from benchmarks.page import streamlit_server
from deploy import wait_healthy
from playground.i18n import t
from playground.live.playground import DEFAULT_SPEED, SPEEDS
from tests.e2e.browser_helpers import CHROMIUM_ARGS, find_chromium, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state

REPO_ROOT = Path(__file__).resolve().parent.parent
# Long runs on varied data: each session trains all the time, restarting when a run ends.
LINKS = (
    "?ds=circles&n=400&hidden=8:tanh,8:tanh&epochs=5000&seed=1",
    "?ds=spirals&n=500&noise=0.05&hidden=8:tanh,8:tanh,6:tanh&epochs=5000&seed=2",
    "?ds=moons&n=300&hidden=6:relu,6:relu&epochs=5000&seed=3",
    "?ds=xor&n=300&hidden=4:tanh,2:tanh&epochs=5000&seed=4",
    "?ds=multiclass&k=4&n=400&hidden=8:relu&epochs=5000&seed=5",
    "?ds=sine&n=200&hidden=12:tanh&epochs=5000&seed=6",
    "?ds=checkerboard&n=400&hidden=8:relu,8:relu&epochs=5000&seed=7",
)
# The largest session the default caps allow (issue 19): eight 64-unit layers, 5,000 points, seven features.
HEAVY_LINK = (
    "?ds=spirals&hidden="
    + ",".join(["64:tanh"] * 8)
    + "&n=5000&bs=1&epochs=5000&feat=x1,x2,x1_sq,x2_sq,x1_x2,sin_x1,sin_x2"
)


# ---- the server -------------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB (Linux /proc)."""
    total_kb = 0
    for each in (pid, *_children(pid)):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---- the sessions -----------------------------------------------------------------------------------------
@dataclass
class Session:
    link: str
    page: Page
    frame: object
    trained: int = 0  # epochs of finished runs
    last_epoch: int = 0
    restarts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.link.split("ds=")[1].split("&")[0]

    def total_epochs(self) -> int:
        return self.trained + self.last_epoch

    def play(self) -> None:
        self.page.get_by_role("button", name=t("playground.play"), exact=True).click()
        self.page.get_by_role("button", name=t("playground.pause"), exact=True).wait_for(timeout=60_000)

    def keep_playing(self) -> None:
        """Read the epoch; press Play again when the run has ended (Play restarts a finished run)."""
        try:
            epoch = int(live_state(self.frame)["epoch"])
            if epoch < self.last_epoch:  # a new run started
                self.trained += self.last_epoch
            self.last_epoch = epoch
            finished = self.frame.locator("#status").inner_text() == t("playground.status.finished")
            if finished and self.page.get_by_role("button", name=t("playground.play"), exact=True).is_visible():
                self.restarts += 1
                self.play()
        except Exception as exc:  # a benchmark keeps going and reports what went wrong at the end
            self.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")


def open_session(browser, base_url: str, link: str, speed_steps: int) -> Session:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(base_url.rstrip("/") + "/" + link)
    wait_for_app(page, timeout=120)
    if speed_steps:  # the speed slider is not in the link: move it with the keyboard, as a person could
        slider = page.locator('[data-testid="stSlider"]').filter(has_text=t("playground.speed"))
        thumb = slider.get_by_role("slider")
        thumb.focus()
        for _ in range(speed_steps):
            thumb.press("ArrowRight")
        wait_for_app(page, timeout=120)
    session = Session(link, page, live_frame(page, timeout=120))
    session.play()
    return session


# ---- the run ----------------------------------------------------------------------------------------------
def soak(
    base_url: str,
    pid: int,
    sessions: int,
    minutes: float,
    interval: float,
    speed_steps: int,
    csv_path: Path | None,
    links: tuple[str, ...] = LINKS,
) -> None:
    rows: list[dict] = []
    idle_rss = rss_mb(pid)
    print(f"server pid {pid}: {idle_rss:.0f} MiB before any session", flush=True)
    with sync_playwright() as playwright:
        chromium = find_chromium()
        if chromium is None:
            raise SystemExit("no Chromium found (apt-get install chromium, or set PLAYGROUND_CHROMIUM)")
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS))
        opened = [open_session(browser, base_url, links[i % len(links)], speed_steps) for i in range(sessions)]
        names = [f"{i + 1}:{s.name}" for i, s in enumerate(opened)]
        print(f"{'time':>6} {'RSS MiB':>8} {'Δ MiB':>7}  " + " ".join(f"{n:>14}" for n in names), flush=True)
        start = time.monotonic()
        first_rss = None
        while True:
            elapsed = time.monotonic() - start
            for session in opened:
                session.keep_playing()
            rss = rss_mb(pid)
            first_rss = rss if first_rss is None else first_rss
            row = {"seconds": round(elapsed), "rss_mib": round(rss, 1)}
            row |= {name: s.total_epochs() for name, s in zip(names, opened, strict=True)}
            rows.append(row)
            print(
                f"{elapsed:6.0f} {rss:8.0f} {rss - first_rss:+7.0f}  "
                + " ".join(f"{s.total_epochs():>14,}" for s in opened),
                flush=True,
            )
            if elapsed >= minutes * 60:
                break
            time.sleep(max(0.0, min(interval, minutes * 60 - elapsed)))

        busy_cpu = cpu_seconds(pid)
        time.sleep(5)
        busy_rate = (cpu_seconds(pid) - busy_cpu) / 5
        for session in opened:
            session.page.context.close()
        browser.close()
    time.sleep(10)  # Streamlit notices closed websockets and ends their sessions
    quiet_cpu = cpu_seconds(pid)
    time.sleep(10)
    idle_rate = (cpu_seconds(pid) - quiet_cpu) / 10
    closed_rss = rss_mb(pid)
    _summary(rows, idle_rss, closed_rss, busy_rate, idle_rate, opened)
    if csv_path:
        with csv_path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"samples written to {csv_path}")


def _summary(rows, idle_rss, closed_rss, busy_rate, idle_rate, sessions) -> None:
    rss = [row["rss_mib"] for row in rows]
    half = len(rss) // 2
    late = rss[half:] if half else rss
    span_min = max((rows[-1]["seconds"] - rows[half]["seconds"]) / 60, 1e-9) if half else 1e-9
    print()
    print(
        f"RSS: {idle_rss:.0f} MiB idle -> {rss[0]:.0f} first sample -> {max(rss):.0f} peak -> {rss[-1]:.0f} last; "
        f"{closed_rss:.0f} MiB after the tabs closed ({closed_rss - idle_rss:+.0f} MiB over idle)"
    )
    print(
        f"RSS per session: {(rss[-1] - idle_rss) / len(sessions):.1f} MiB at the end, "
        f"{(max(rss) - idle_rss) / len(sessions):.1f} MiB at the peak"
    )
    if half:
        print(f"growth over the second half of the run: {(late[-1] - late[0]) / span_min:+.1f} MiB/min")
    print(f"server CPU: {busy_rate:.2f} cores while training, {idle_rate:.2f} cores 10 s after the tabs closed")
    epochs, restarts = sum(s.total_epochs() for s in sessions), sum(s.restarts for s in sessions)
    print(f"epochs trained: {epochs:,} in {len(sessions)} sessions; runs restarted: {restarts}")
    for session in sessions:
        if session.errors:
            print(f"  session {session.name}: {len(session.errors)} error(s), first: {session.errors[0]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=5, help="browser sessions training at once (default 5)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long they train (default 5)")
    parser.add_argument("--interval", type=float, default=20.0, help="seconds between samples (default 20)")
    parser.add_argument("--url", help="use a running server at this base URL instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for its memory")
    faster = SPEEDS[min(SPEEDS.index(DEFAULT_SPEED) + 2, len(SPEEDS) - 1)]
    parser.add_argument(
        "--speed-steps",
        type=int,
        default=2,
        help=f"notches to move the speed slider (epochs per second) up from its default "
        f"{DEFAULT_SPEED} (default 2: {faster} epochs per second)",
    )
    parser.add_argument("--csv", type=Path, help="also write the samples to this CSV file")
    parser.add_argument("--heavy", action="store_true", help="every session opens the heaviest link (HEAVY_LINK)")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.minutes <= 0 or args.interval <= 0:
        parser.error("--sessions, --minutes and --interval must be positive")
    links = (HEAVY_LINK,) if args.heavy else LINKS
    if args.url:
        if not args.pid:
            parser.error("--url needs --pid (the server process whose memory is sampled)")
        wait_healthy(args.url.rstrip("/") + "/", None, args.url, 120)
        soak(args.url, args.pid, args.sessions, args.minutes, args.interval, args.speed_steps, args.csv, links)
        return
    with streamlit_server(REPO_ROOT / "test-artifacts" / "soak-server.log") as (url, pid):
        soak(url, pid, args.sessions, args.minutes, args.interval, args.speed_steps, args.csv, links)


if __name__ == "__main__":
    main()
