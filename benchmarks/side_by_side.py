"""The live view against TensorFlow Playground, side by side in one run, in headless Chromium (issue 17, "Measure").

Both apps train XOR with a 2-8-8-1 tanh network, batch 10, learning rate 0.03, on 250 training points:
TensorFlow Playground (a static build in ``../shared/anchors/tfp-dist``, served by ``python -m http.server``) at
``#activation=tanh&dataset=xor&networkShape=8,8&...``, ours (``streamlit run``) at :data:`OURS_QUERY`.
For each app, one after the other in the same browser:

- navigation → first painted boundary: on the first visit after its server started, and on a later visit;
- for ``window`` seconds after Play: epochs per second, painted boundary frames per second, and CPU seconds of
  the browser (the Chromium process tree) and of the server (the streamlit / http.server process tree, /proc);
- ours only: the fastest speed's epochs per second, and Compare with four networks' painted frames per second.

The page is watched from outside (``paint_probe.js``, injected into every frame before the page's scripts): a
``requestAnimationFrame`` loop hashes a subsample of the heatmap canvas's pixels (ours ``canvas.heat``, TensorFlow
Playground's ``#heatmap canvas``) and counts a painted frame whenever the hash changes; the epoch is read from
``#iter-number`` (TensorFlow Playground) or from the text that reads "Epoch" followed by a number (ours). Play is
the button labelled Play; the fastest speed is the "Speed" slider moved to its end with the End key. Nothing else
about the live view's internals is assumed, so these rows outlive a rewrite of it.

Missed targets are reported, never raised. The server is started from ``APP_DIR`` (``--app-dir`` to measure
another checkout of the app with this benchmark code).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import Row, median, skipped
from deploy import free_port, stop_process_group, streamlit_command, wait_healthy

AREA = "live"
REPO_ROOT = Path(__file__).resolve().parent.parent
APP_DIR = REPO_ROOT  # the checkout whose streamlit_app.py is measured
# TensorFlow Playground's static build: next to the worktrees here, or wherever PLAYGROUND_TFP_DIR says.
TFP_DIR = Path(os.environ.get("PLAYGROUND_TFP_DIR", REPO_ROOT.parent / "shared" / "anchors" / "tfp-dist"))
PROBE_JS = Path(__file__).with_name("paint_probe.js")

TFP_HASH = (
    "#activation=tanh&dataset=xor&networkShape=8,8&batchSize=10&learningRate=0.03&percTrainData=50&noise=0&seed=0.5"
)
OURS_QUERY = "?ds=xor&hidden=8:tanh,8:tanh&bs=10&lr=0.03&opt=sgd&n=500&test=0.5&epochs=5000"
# Compare's four networks: the same base experiment, one per default activation of the sweep.
COMPARE_QUERY = OURS_QUERY + "&vary=activation&values=sigmoid,tanh,relu,leaky_relu"
TFP_PROBE = {"canvas": "#heatmap canvas", "epoch": "#iter-number"}
OURS_PROBE = {"canvas": "canvas.heat", "epoch": None}
PLAY_NAME = re.compile(r"\bPlay\b")
SPEED_NAME = re.compile(r"\bSpeed\b", re.IGNORECASE)
VIEWPORT = {"width": 1400, "height": 900}
CASE = "XOR, 2-8-8-1 tanh, batch 10, lr 0.03, 250 training points"

# Targets of issue 17 (on this machine, same run).
FPS_TARGET = 45.0
EPOCHS_TIMES_TFP_TARGET = 3.0
FASTEST_EPOCHS_TARGET = 300.0
SERVER_MS_PER_FRAME_TARGET = 5.0
FIRST_VISIT_TARGET_S, LATER_VISIT_TARGET_S = 2.5, 1.5
COMPARE_FPS_TARGET = 30.0
FLOOR_APP, FLOOR_TITLE = "benchmarks/floor_app.py", "Streamlit floor"  # a one-line page: the host's own time
SERVER_START_TIMEOUT = 90.0
FIRST_PAINT_TIMEOUT = 60.0


# ---- pure helpers (unit-tested) ---------------------------------------------------------------------------
def parse_count(text: str) -> int | None:
    """The number in a counter's text: ``"000,123"`` → 123, ``"Epoch 1,234"`` → 1234; None without digits."""
    digits = re.sub(r"\D", "", text or "")
    return int(digits) if digits else None


def value_at(samples: Sequence[tuple[float, float]], t: float) -> float | None:
    """The value shown at time ``t``: the last ``(time, value)`` sample at or before ``t`` (None before the first)."""
    shown = None
    for when, value in samples:
        if when > t:
            break
        shown = value
    return shown


def per_second(samples: Sequence[tuple[float, float]], t0: float, t1: float) -> float:
    """How fast the value shown rose between ``t0`` and ``t1`` (ms), per second; 0 if nothing was shown yet."""
    if t1 <= t0:
        raise ValueError(f"the window must end after it starts; got {t0} → {t1}")
    start, end = value_at(samples, t0), value_at(samples, t1)
    if end is None:
        return 0.0
    return (end - (start if start is not None else 0)) / ((t1 - t0) / 1000)


def count_between(times: Sequence[float], t0: float, t1: float) -> int:
    """How many of ``times`` (ms) fall in ``(t0, t1]``."""
    return sum(1 for t in times if t0 < t <= t1)


def cpu_seconds_from_stat(stat: str, ticks_per_second: int) -> float:
    """User + system CPU seconds from the text of ``/proc/<pid>/stat``.

    The command name (field 2) is in parentheses and may hold spaces or parentheses itself, so the fields are
    counted from the last ``)``: utime and stime are fields 14 and 15.
    """
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / ticks_per_second


def descendants(root: int, parents: dict[int, int]) -> set[int]:
    """``root`` and every process below it, from a {pid: parent pid} table."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found


def ratio_text(ours: float, theirs: float, unit: str = "") -> tuple[float | None, str]:
    """``ours / theirs`` and its text ("2.1× TFP"), or (None, "") when there is no baseline to divide by."""
    if theirs <= 0:
        return None, ""
    ratio = ours / theirs
    return ratio, f"{ratio:.2f}× TFP{unit}"


# ---- processes ----------------------------------------------------------------------------------------------
def _process_table() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, /proc/pid/stat text)} of every process that can be read now."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        table[int(entry.name)] = (ppid, stat)
    return table


def tree_cpu_seconds(root: int, name_prefix: str = "") -> float:
    """CPU seconds used so far by ``root``'s process tree (only processes whose name starts with ``name_prefix``)."""
    table = _process_table()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in descendants(root, {pid: ppid for pid, (ppid, _) in table.items()}):
        if pid not in table:
            continue
        stat = table[pid][1]
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name.startswith(name_prefix):
            total += cpu_seconds_from_stat(stat, ticks)
    return total


def browser_cpu_seconds() -> float:
    """CPU seconds of the Chromium processes this Python process launched (through Playwright's driver)."""
    return tree_cpu_seconds(os.getpid(), name_prefix="chrom")


@contextlib.contextmanager
def _server(command: list[str], cwd: Path, health: str, what: str, log_path: Path) -> Iterator[tuple[str, int]]:
    """Run ``command`` (with ``{port}`` filled in) until the block ends: yields (base URL, pid)."""

    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(url, process, f"{what} (log: {log_path})", SERVER_START_TIMEOUT, path=health)
        yield url, process.pid
    finally:
        stop_process_group(process)


def streamlit_app(log_path: Path, app_file: str | None = None) -> contextlib.AbstractContextManager[tuple[str, int]]:
    return _server(
        streamlit_command("{port}", app_file) if app_file else streamlit_command("{port}"),
        APP_DIR,
        "_stcore/health",
        "streamlit",
        log_path,
    )


def static_site(directory: Path, log_path: Path) -> contextlib.AbstractContextManager[tuple[str, int]]:
    return _server(
        [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", str(directory)],
        directory,
        "index.html",
        "http.server",
        log_path,
    )


# ---- the browser side -------------------------------------------------------------------------------------
def probe_script(config: dict) -> str:
    return PROBE_JS.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))


def _probes(page) -> list[dict]:
    """What the probe recorded in each frame of ``page`` that has one."""
    found = []
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame may be navigating or gone
            probe = frame.evaluate("() => window.__paintProbe || null")
            if probe:
                found.append(probe)
    return found


def _browser_now(page) -> float:
    return page.evaluate("() => performance.timeOrigin + performance.now()")


@dataclass
class Observed:
    """The probe's records merged over a page's frames: painted-frame times and (time, epoch) samples, in ms."""

    first_paint: float | None = None
    changes: list[float] = field(default_factory=list)
    epochs: list[tuple[float, float]] = field(default_factory=list)


def observed(page) -> Observed:
    """The heatmap frame's records; epochs from it too, or else from the first frame that shows one."""
    probes = _probes(page)
    if not probes:
        return Observed()
    main = max(probes, key=lambda p: (p["canvases"] > 0, len(p["changes"])))
    epoch_source = main if main["epochs"] else next((p for p in probes if p["epochs"]), main)
    return Observed(main["firstPaint"], list(main["changes"]), [tuple(s) for s in epoch_source["epochs"]])


def wait_for_first_paint(page, timeout: float) -> float:
    """Seconds from the navigation's start to the first painted heatmap (TimeoutError after ``timeout``)."""
    nav_start = page.evaluate("() => performance.timeOrigin")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        first = [p["firstPaint"] for p in _probes(page) if p.get("firstPaint")]
        if first:
            return (min(first) - nav_start) / 1000
        time.sleep(0.05)
    raise TimeoutError(f"no painted boundary within {timeout:.0f} s of navigation")


_SCRIPTS_RUN = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav && nav.domContentLoadedEventEnd ? performance.timeOrigin + nav.domContentLoadedEventEnd : null;
}"""
_SLOWEST_SCRIPT = """() => {
  const scripts = performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script");
  const slowest = scripts.sort((a, b) => b.duration - a.duration)[0];
  return slowest ? [slowest.name.split("/").pop().split("?")[0], slowest.duration, slowest.decodedBodySize] : null;
}"""


def first_paint_breakdown(page) -> str:
    """Where the time to the first painted boundary went, in seconds from navigation start (for a row's note):
    the page's own scripts run, the heatmap's frame created (an iframe's: after the server's first script run
    reached the browser), its scripts run (and its slowest script download), the first painted boundary."""
    nav_start = page.evaluate("() => performance.timeOrigin")

    def at(t: float | None) -> str:
        return "–" if t is None else f"{(t - nav_start) / 1000:.2f} s"

    parts = [f"page scripts run {at(page.main_frame.evaluate(_SCRIPTS_RUN))}"]
    for frame in page.frames:
        with contextlib.suppress(Exception):
            probe = frame.evaluate("() => window.__paintProbe || null")
            if not probe or not probe.get("firstPaint"):
                continue
            if frame != page.main_frame:
                parts.append(f"heatmap frame created {at(probe.get('origin'))}")
                parts.append(f"its scripts run {at(frame.evaluate(_SCRIPTS_RUN))}")
            slowest = frame.evaluate(_SLOWEST_SCRIPT)
            if slowest:
                name, ms, size = slowest
                parts.append(f"slowest script {name} ({size / 1e6:.1f} MB) {ms / 1000:.2f} s to fetch")
            parts.append(f"first painted {at(probe['firstPaint'])}")
            break
    return "; ".join(parts)


def visit(context, url: str, timeout: float, breakdown: list[str] | None = None) -> tuple[object, float]:
    """Open ``url`` in a new page: (the page, seconds to its first painted boundary).

    With a ``breakdown`` list, the first paint's breakdown (:func:`first_paint_breakdown`) is appended to it.
    """
    page = context.new_page()
    page.goto(url, wait_until="commit")
    seconds = wait_for_first_paint(page, timeout)
    if breakdown is not None:
        breakdown.append(first_paint_breakdown(page))
    return page, seconds


def seconds_to_text(context, url: str, text: str, timeout: float) -> float:
    """Open ``url`` in a new page: seconds from the navigation's start until ``text`` is on it."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        found = page.wait_for_function(
            f"() => document.body && document.body.innerText.includes({json.dumps(text)}) && performance.now()",
            polling="raf",
            timeout=timeout * 1000,
        )
        return found.json_value() / 1000
    finally:
        page.close()


def find_control(page, role: str, name: re.Pattern, timeout: float = 30.0):
    """The first visible control with this role and accessible name, in any frame of ``page``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):
                locator = frame.get_by_role(role, name=name)
                for i in range(locator.count()):
                    if locator.nth(i).is_visible():
                        return locator.nth(i)
        time.sleep(0.1)
    raise TimeoutError(f"no {role} named {name.pattern!r} on the page within {timeout:.0f} s")


def fastest_speed(page) -> str:
    """Move the speed control to its last (fastest) value with the End key; returns what it then reads."""
    try:
        slider = find_control(page, "slider", SPEED_NAME, timeout=5)
    except TimeoutError:  # Streamlit's slider labels its thumb with the value: find it by its widget's label
        slider = page.locator('[data-testid="stSlider"]', has_text=SPEED_NAME).get_by_role("slider").first
    slider.focus()
    slider.press("End")
    time.sleep(1.0)  # the app reruns with the new speed
    return slider.get_attribute("aria-valuetext") or slider.get_attribute("aria-valuenow") or "?"


@dataclass
class Playing:
    """What ``window_s`` seconds after Play looked like."""

    epochs_per_s: float
    fps: float
    frames: int
    browser_cpu_s: float
    server_cpu_s: float
    last_epoch: float | None

    @property
    def browser_ms_per_frame(self) -> float:
        return 1000 * self.browser_cpu_s / self.frames if self.frames else float("nan")

    @property
    def server_ms_per_frame(self) -> float:
        return 1000 * self.server_cpu_s / self.frames if self.frames else float("nan")


def play_and_watch(page, play: Callable[[], None], server_pid: int, window_s: float) -> Playing:
    """Press Play, then count epochs, painted frames and CPU for ``window_s`` seconds."""
    browser0, server0 = browser_cpu_seconds(), tree_cpu_seconds(server_pid)
    t0 = _browser_now(page)
    play()
    time.sleep(max(0.0, window_s - (_browser_now(page) - t0) / 1000))
    t1 = t0 + window_s * 1000
    browser1, server1 = browser_cpu_seconds(), tree_cpu_seconds(server_pid)
    seen = observed(page)
    frames = count_between(seen.changes, t0, t1)
    return Playing(
        epochs_per_s=per_second(seen.epochs, t0, t1),
        fps=frames / window_s,
        frames=frames,
        browser_cpu_s=browser1 - browser0,
        server_cpu_s=server1 - server0,
        last_epoch=value_at(seen.epochs, t1),
    )


# ---- the runs -----------------------------------------------------------------------------------------------
@dataclass
class AppFigures:
    first_visit_s: float | None = None
    later_visit_s: float | None = None
    breakdown: list[str] = field(default_factory=list)  # first visit's, then the later visits'
    later_visits: list[float] = field(default_factory=list)
    playing: Playing | None = None
    fastest: Playing | None = None
    fastest_speed: str = ""
    compare: Playing | None = None
    floor_first_s: float | None = None  # a one-line Streamlit page (ours only): navigation → its title
    floor_later_s: float | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}"


def _stage(figures: AppFigures, name: str, run: Callable[[], None], deadline: float) -> None:
    """Run one measurement; a failure or a lack of time is written down (a skipped row), not raised."""
    if time.monotonic() > deadline:
        figures.errors[name] = "out of time (the run's budget is spent; try without --quick)"
        return
    try:
        run()
    except Exception as exc:  # Playwright errors, timeouts, a page that changed shape
        figures.errors[name] = _reason(exc)


def measure_tfp(browser, figures: AppFigures, window_s: float, later_visits: int, deadline: float) -> None:
    with static_site(TFP_DIR, REPO_ROOT / "benchmarks" / "results" / "tfp-server.log") as (url, pid):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(probe_script(TFP_PROBE))
        try:
            page, figures.first_visit_s = visit(context, url + TFP_HASH, FIRST_PAINT_TIMEOUT, figures.breakdown)
            page.close()
            later = []
            for _ in range(later_visits):
                page, seconds = visit(context, url + TFP_HASH, FIRST_PAINT_TIMEOUT, figures.breakdown)
                later.append(seconds)
                if len(later) < later_visits:
                    page.close()
            figures.later_visits, figures.later_visit_s = later, median(later)

            def playing() -> None:
                time.sleep(1.0)
                figures.playing = play_and_watch(page, lambda: page.click("#play-pause-button"), pid, window_s)

            _stage(figures, "playing", playing, deadline)
        finally:
            context.close()


def measure_ours(browser, figures: AppFigures, window_s: float, later_visits: int, deadline: float) -> None:
    with streamlit_app(REPO_ROOT / "benchmarks" / "results" / "live-server.log") as (url, pid):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(probe_script(OURS_PROBE))
        try:
            page, figures.first_visit_s = visit(context, url + OURS_QUERY, FIRST_PAINT_TIMEOUT, figures.breakdown)
            page.close()
            later = []
            for _ in range(later_visits):
                page, seconds = visit(context, url + OURS_QUERY, FIRST_PAINT_TIMEOUT, figures.breakdown)
                later.append(seconds)
                page.close()
            figures.later_visits, figures.later_visit_s = later, median(later)

            def watch(path: str, choose_speed: bool = False) -> Playing:
                page, _ = visit(context, url.rstrip("/") + path, FIRST_PAINT_TIMEOUT)
                try:
                    play = find_control(page, "button", PLAY_NAME)
                    if choose_speed:
                        figures.fastest_speed = fastest_speed(page)
                    else:
                        time.sleep(1.0)  # the page settles: its first run is over
                    return play_and_watch(page, play.click, pid, window_s)
                finally:
                    page.close()

            _stage(figures, "playing", lambda: setattr(figures, "playing", watch("/" + OURS_QUERY)), deadline)
            _stage(figures, "fastest", lambda: setattr(figures, "fastest", watch("/" + OURS_QUERY, True)), deadline)
            _stage(figures, "compare", lambda: setattr(figures, "compare", watch("/compare" + COMPARE_QUERY)), deadline)
        finally:
            context.close()


def measure_floor(browser, figures: AppFigures, later_visits: int) -> None:
    """The host's own share of a first picture: a one-line Streamlit page, served like the app, first and later
    visits (navigation → its title on the page). What a Streamlit page cannot be faster than on this machine."""
    with streamlit_app(REPO_ROOT / "benchmarks" / "results" / "floor-server.log", FLOOR_APP) as (url, _):
        context = browser.new_context(viewport=VIEWPORT)
        try:
            figures.floor_first_s = seconds_to_text(context, url, FLOOR_TITLE, FIRST_PAINT_TIMEOUT)
            later = [seconds_to_text(context, url, FLOOR_TITLE, FIRST_PAINT_TIMEOUT) for _ in range(later_visits)]
            figures.floor_later_s = median(later)
        finally:
            context.close()


# ---- rows -------------------------------------------------------------------------------------------------------
ROWS = (  # (key, case, target)
    ("epochs", f"{CASE}: epochs per second, default speed", f"≥ {EPOCHS_TIMES_TFP_TARGET:g}× TFP"),
    ("fps", f"{CASE}: painted boundary frames per second, default speed", f"≥ {FPS_TARGET:g} frames/s"),
    ("cpu", f"{CASE}: CPU per painted frame (browser + server)", f"server ≤ {SERVER_MS_PER_FRAME_TARGET:g} ms"),
    (
        "first_visit",
        "navigation → first painted boundary, first visit after the server starts",
        f"≤ {FIRST_VISIT_TARGET_S:g} s",
    ),
    ("later_visit", "navigation → first painted boundary, a later visit", f"≤ {LATER_VISIT_TARGET_S:g} s"),
    (
        "fastest",
        f"{CASE}: epochs per second at the fastest speed (picture moving)",
        f"≥ {FASTEST_EPOCHS_TARGET:g} epochs/s",
    ),
    (
        "compare",
        "Compare, four networks (the XOR case, activations sigmoid/tanh/relu/leaky_relu): painted frames/s",
        f"≥ {COMPARE_FPS_TARGET:g} frames/s",
    ),
)


def _visit_breakdown(figures: AppFigures, index: int) -> str:
    """The first visit's breakdown (index 0) or the median later visit's (index -1); "" if not recorded."""
    if index == 0:
        return figures.breakdown[0] if figures.breakdown else ""
    later = figures.breakdown[1:]
    if not later or len(later) != len(figures.later_visits) or figures.later_visit_s is None:
        return ""
    nearest = min(range(len(later)), key=lambda i: abs(figures.later_visits[i] - figures.later_visit_s))
    return later[nearest]


def _cpu_text(p: Playing) -> str:
    total = p.browser_ms_per_frame + p.server_ms_per_frame
    return f"{total:.0f} ms ({p.browser_ms_per_frame:.0f} browser + {p.server_ms_per_frame:.1f} server)"


def _values(p: Playing | None) -> dict | None:
    if p is None:
        return None
    return {**p.__dict__, "browser_ms_per_frame": p.browser_ms_per_frame, "server_ms_per_frame": p.server_ms_per_frame}


def build_rows(ours: AppFigures, tfp: AppFigures, window_s: float) -> list[Row]:
    """The table's rows from both apps' figures; a figure that could not be measured is a skipped row."""
    cases = {key: (case, target) for key, case, target in ROWS}
    out: list[Row] = []

    def skip(key: str, reason: str, baseline: str = "") -> None:
        case, target = cases[key]
        out.append(skipped(AREA, case, baseline, reason, target))

    def error_of(*stages: str) -> str:
        return "; ".join(f"{s}: {ours.errors[s]}" for s in stages if s in ours.errors) or "not measured"

    mine, theirs = ours.playing, tfp.playing
    tfp_epochs = (
        f"TFP {theirs.epochs_per_s:.1f} epochs/s"
        if theirs
        else ("TFP: " + (tfp.errors.get("playing") or tfp.errors.get("visits") or "–"))
    )
    tfp_fps = f"TFP {theirs.fps:.1f} frames/s" if theirs else "TFP: –"
    window_note = f"{window_s:g} s after Play"
    if mine is None:
        for key in ("epochs", "fps", "cpu"):
            skip(key, error_of("playing"), tfp_epochs if key == "epochs" else tfp_fps)
    else:
        ratio, text = ratio_text(mine.epochs_per_s, theirs.epochs_per_s if theirs else 0)
        out.append(
            Row(
                AREA,
                cases["epochs"][0],
                f"{mine.epochs_per_s:.1f} epochs/s",
                tfp_epochs,
                ratio,
                text,
                cases["epochs"][1],
                None if ratio is None else ratio >= EPOCHS_TIMES_TFP_TARGET,
                note=f"{window_note}; last epoch shown {mine.last_epoch}",
                values={"ours": _values(mine), "tfp": _values(theirs)},
            )
        )
        ratio, text = ratio_text(mine.fps, theirs.fps if theirs else 0)
        out.append(
            Row(
                AREA,
                cases["fps"][0],
                f"{mine.fps:.1f} frames/s",
                tfp_fps,
                ratio,
                text,
                cases["fps"][1],
                mine.fps >= FPS_TARGET,
                note=f"{window_note}; a frame counts when the heatmap's pixels change",
                values={"ours": mine.frames, "tfp": theirs.frames if theirs else None},
            )
        )
        tfp_cpu = f"TFP {_cpu_text(theirs)}" if theirs and theirs.frames else "TFP: –"
        mine_ms = mine.browser_ms_per_frame + mine.server_ms_per_frame
        theirs_ms = theirs.browser_ms_per_frame + theirs.server_ms_per_frame if theirs and theirs.frames else 0
        ratio = theirs_ms / mine_ms if theirs_ms and mine.frames else None
        out.append(
            Row(
                AREA,
                cases["cpu"][0],
                _cpu_text(mine) if mine.frames else "no frame painted",
                tfp_cpu,
                ratio,
                f"{1 / ratio:.2f}× TFP's cost" if ratio else "",
                cases["cpu"][1],
                mine.server_ms_per_frame <= SERVER_MS_PER_FRAME_TARGET if mine.frames else False,
                note=f"CPU seconds over {window_s:g} s: browser {mine.browser_cpu_s:.2f}, server "
                f"{mine.server_cpu_s:.2f} (TFP: browser "
                f"{theirs.browser_cpu_s if theirs else float('nan'):.2f}, "
                f"server {theirs.server_cpu_s if theirs else float('nan'):.2f})",
            )
        )
    for key, mine_s, theirs_s, target, visit_index in (
        ("first_visit", ours.first_visit_s, tfp.first_visit_s, FIRST_VISIT_TARGET_S, 0),
        ("later_visit", ours.later_visit_s, tfp.later_visit_s, LATER_VISIT_TARGET_S, -1),
    ):
        baseline = f"TFP {theirs_s:.2f} s" if theirs_s is not None else "TFP: –"
        if mine_s is None:
            skip(key, error_of("visits"), baseline)
            continue
        ratio = theirs_s / mine_s if theirs_s else None
        floor = ours.floor_first_s if visit_index == 0 else ours.floor_later_s
        note = " | ".join(
            f"{who}: {text}"
            for who, text in (
                ("Streamlit's floor", f"a one-line page shows its title at {floor:.2f} s" if floor else ""),
                ("ours", _visit_breakdown(ours, visit_index)),
                ("TFP", _visit_breakdown(tfp, visit_index)),
            )
            if text
        )
        out.append(
            Row(
                AREA,
                cases[key][0],
                f"{mine_s:.2f} s",
                baseline,
                ratio,
                f"{mine_s / theirs_s:.1f}× TFP's time" if theirs_s else "",
                cases[key][1],
                mine_s <= target,
                note=note,
                values={"ours_s": mine_s, "tfp_s": theirs_s, "streamlit_floor_s": floor},
            )
        )
    if ours.fastest is None:
        skip("fastest", error_of("fastest"), tfp_epochs)
    else:
        f = ours.fastest
        ratio, text = ratio_text(f.epochs_per_s, theirs.epochs_per_s if theirs else 0)
        out.append(
            Row(
                AREA,
                cases["fastest"][0],
                f"{f.epochs_per_s:.0f} epochs/s at {f.fps:.1f} frames/s",
                tfp_epochs,
                ratio,
                text,
                cases["fastest"][1],
                f.epochs_per_s >= FASTEST_EPOCHS_TARGET and f.fps > 0,
                note=f"speed control at its end: {ours.fastest_speed}",
                values=_values(f),
            )
        )
    if ours.compare is None:
        skip("compare", error_of("compare"), tfp_fps)
    else:
        c = ours.compare
        # Against the Playground of the same run too: four networks' pictures per frame, one network's.
        playground = f"; {c.fps / mine.fps:.2f}× the Playground's {mine.fps:.1f} frames/s" if mine and mine.fps else ""
        out.append(
            Row(
                AREA,
                cases["compare"][0],
                f"{c.fps:.1f} frames/s ({c.epochs_per_s:.1f} epochs/s)",
                tfp_fps,
                *ratio_text(c.fps, theirs.fps if theirs else 0),
                cases["compare"][1],
                c.fps >= COMPARE_FPS_TARGET,
                note=f"CPU per painted frame {_cpu_text(c) if c.frames else '–'}{playground}",
                values=_values(c),
            )
        )
    return out


def _missing() -> str | None:
    from benchmarks.page import _missing as browser_missing

    return browser_missing()


def rows(quick: bool = False, budget_s: float | None = None) -> list[Row]:
    """The side-by-side rows (``quick``: a 3 s window instead of 10 s and one later visit instead of three)."""
    missing = _missing()
    if missing:
        return [skipped(AREA, case, "", missing, target) for _, case, target in ROWS]
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser_helpers import CHROMIUM_ARGS, find_chromium

    window_s, later_visits = (3.0, 1) if quick else (10.0, 3)
    deadline = time.monotonic() + (budget_s if budget_s is not None else (90.0 if quick else 900.0))
    tfp, ours = AppFigures(), AppFigures()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS))
        try:
            if (TFP_DIR / "index.html").is_file():
                _stage(tfp, "visits", lambda: measure_tfp(browser, tfp, window_s, later_visits, deadline), deadline)
            else:  # ours is still measured; the baseline column says why it is empty
                tfp.errors["playing"] = f"no build at {TFP_DIR} (set PLAYGROUND_TFP_DIR)"
            _stage(ours, "visits", lambda: measure_ours(browser, ours, window_s, later_visits, deadline), deadline)
            _stage(ours, "floor", lambda: measure_floor(browser, ours, later_visits), deadline)
        finally:
            browser.close()
    return build_rows(ours, tfp, window_s)
