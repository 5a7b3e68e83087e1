"""The live view: a small custom component that keeps its panels mounted and plays training snapshots in place.

Why: ``st.plotly_chart`` re-creates its chart on every update and paints only 2–3 updates per second. The
server trains in chunks and sends several snapshots per message; the browser plays them back on
``requestAnimationFrame`` and asks for the next batch when its queue runs low (so the server never runs ahead
of what the eye sees). For the Playground a snapshot is the network's parameters: the browser computes every
picture from them (``frontend/forward.js``); for Compare, every run's parameters, one network per picture.
Every live page drives the view through one loop, ``playground.live.loop``.

The frontend is plain ES modules (``frontend/*.js``, no build step). plotly.js, which the Regression lab still
uses, comes from the installed ``plotly`` package (no CDN: the app works offline) and is loaded by the page
only when a scene needs it. Streamlit serves a component's files from one folder and refuses links that point
outside it, so the folder is assembled once per version in the user's cache directory: our frontend plus a copy
of ``plotly.min.js``, its ``index.html`` preloading every module ``main.js`` imports (:func:`with_module_preloads`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

_FRONTEND = Path(__file__).parent / "frontend"


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    try:
        root = Path(base) / "nn-playground"
        root.mkdir(parents=True, exist_ok=True)
        return root
    except OSError:
        return Path(tempfile.gettempdir()) / "nn-playground"


# A static import or re-export of a relative module: ``import {a} from "./x.js";``, ``import "./y.js";``,
# ``export {b} from "../z.js";`` (not ``import("./plotly.js")``, which is loaded on demand).
_STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;()]*?["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


def module_graph(frontend: Path, entry: str) -> list[str]:
    """Every module ``entry`` imports statically, directly or not, as paths relative to ``frontend`` (sorted)."""
    found: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        text = (frontend / name).read_text(encoding="utf-8")
        for spec in _STATIC_IMPORT.findall(text):
            target = (frontend / name).parent.joinpath(spec).resolve().relative_to(frontend.resolve()).as_posix()
            if target not in found:
                found.add(target)
                todo.append(target)
    found.discard(entry)
    return sorted(found)


def with_module_preloads(html: str, modules: list[str]) -> str:
    """``html`` with a ``<link rel="modulepreload">`` per module, right after ``<meta charset>``.

    Without them the browser discovers the modules a level at a time (index.html → main.js → the panels →
    colour.js/common.js): three round trips before the first picture; with them, one.
    """
    links = "".join(f'\n  <link rel="modulepreload" href="{name}">' for name in modules)
    return re.sub(r"(<meta charset=[^>]*>)", lambda m: m.group(1) + links, html, count=1)


@functools.cache
def asset_dir() -> Path:
    """The folder Streamlit serves: our frontend files plus plotly.min.js, rebuilt when either changes."""
    import plotly  # here, not at the top: only its version is needed, once per server

    plotly_js = Path(str(files("plotly") / "package_data" / "plotly.min.js"))
    ours = sorted(path for path in _FRONTEND.rglob("*") if path.is_file())
    digest = hashlib.sha256(plotly.__version__.encode() + b" modulepreload")  # how the folder is assembled
    for path in ours:
        digest.update(str(path.relative_to(_FRONTEND)).encode())
        digest.update(path.read_bytes())
    target = _cache_root() / f"live_view-{digest.hexdigest()[:16]}"
    if not (target / "plotly.min.js").exists():
        staging = Path(tempfile.mkdtemp(prefix="live_view-", dir=target.parent if target.parent.exists() else None))
        shutil.copytree(_FRONTEND, staging, dirs_exist_ok=True)
        index = staging / "index.html"
        modules = ["main.js", *module_graph(_FRONTEND, "main.js")]
        index.write_text(with_module_preloads(index.read_text(encoding="utf-8"), modules), encoding="utf-8")
        shutil.copy2(plotly_js, staging / "plotly.min.js")
        try:
            staging.rename(target)  # atomic: two sessions starting at once never see half a folder
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@functools.cache
def _component():
    return components.declare_component("live_view", path=str(asset_dir()))


def live_view(
    *,
    scene: dict[str, Any] | None,
    frames: list[dict[str, Any]],
    seq: int,
    playing: bool,
    interval_ms: int,
    key: str,
    height: int,
    options: dict[str, Any] | None = None,
    speed: int | None = None,
    epochs_per_frame: float = 1,
    now: dict[str, Any] | None = None,
) -> dict | None:
    """Mount (or update) the live view and return what the browser last reported.

    scene : ``{"version", "panels": [{"name", "figure" (plotly JSON), "area"}], "grid", "columns", "presenter"}``,
        sent only when the browser does not hold ``version`` yet (compare with the returned ``scene``).
    frames : snapshots to play in order (see ``frontend/messages.js`` for the format).
    seq : batch number; a batch with a seq the browser has already seen is not replayed.
    options : ``{"draw": bool, "selected": {...} | None, "handled": last handled event id, "transport": {"play",
        "step", "reset"}: CSS classes of the page's transport buttons}`` (a press on Pause stops the picture at once).
    speed : epochs per second: the browser plays by an epoch clock on every painted frame (the Playground);
        None plays one snapshot per ``interval_ms``. ``epochs_per_frame``: epochs between the server's snapshots.
    now : the run as it is (counters, status, parameters), shown at once whenever the view is not playing.
    Returns ``{"want": n, "scene": version, "frames": wanted batch size, "events": [...]}`` or ``None`` before the
    browser has reported anything. Events are user clicks: ``{"id", "kind": "point", "x", "y"}`` in draw mode and
    ``{"id", "kind": "select", "target": "edge" | "node", "layer", "j", "i"}`` on the network diagram.
    """
    # One JSON string, not keyword arguments: Streamlit asks every list/dict argument whether it is a dataframe,
    # and the first such question imports pandas (about 350 modules, 0.4 s of CPU on a visit's first run).
    # ``json.dumps`` here is exactly what Streamlit would have done with the arguments; main.js parses it back.
    payload = json.dumps(
        {
            "scene": scene,
            "frames": frames,
            "seq": seq,
            "playing": playing,
            "interval_ms": interval_ms,
            "options": options or {},
            "speed": speed,
            "epochs_per_frame": epochs_per_frame,
            "now": now,
        }
    )
    return _component()(payload=payload, key=key, default=None, height=height)


def payload_of(json_args: str) -> dict[str, Any]:
    """The arguments :func:`live_view` sent, from a component instance's ``json_args`` (for tests)."""
    return json.loads(json.loads(json_args)["payload"])
