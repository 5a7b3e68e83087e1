"""Wiring for the Playground page: which configuration is active, the transport bar and the live panel.

The page file reads top to bottom; the bookkeeping (URL on first load, presets, last valid configuration,
the live run in session state) lives here so the next page can reuse it.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core.config import ExperimentConfig
from core.presets import PRESETS
from playground import live, state, urlstate, widgets
from playground.i18n import t
from playground.live_view import live_view

KEY = "pg"


def _flag(value) -> bool:
    text = value[-1] if isinstance(value, list) else value
    return str(text).lower() in ("1", "true", "yes", "on")


def starting_config() -> tuple[ExperimentConfig, list[str]]:
    """On a session's first run, the URL's experiment (with warnings for bad values); afterwards, the state."""
    if f"{KEY}.started" not in st.session_state:
        st.session_state[f"{KEY}.started"] = True
        query = st.query_params.to_dict()
        base = urlstate.default_config()
        warnings = []
        preset = query.get("preset")
        if preset:
            if preset in PRESETS:
                base = PRESETS[preset]
            else:
                warnings.append(t("playground.unknown_preset", preset=str(preset)[:40]))
        config, more = urlstate.config_from_query(query, base)
        st.session_state[f"{KEY}.presenter"] = _flag(query.get("presenter", "0"))
        widgets.load_config(KEY, config)
        state.store_config(KEY, config)
        return config, warnings + more
    return state.config_from_state(KEY, urlstate.default_config()), []


def _apply_preset() -> None:
    name = st.session_state.get(f"{KEY}.preset")
    if name in PRESETS:
        widgets.load_config(KEY, PRESETS[name])
        state.store_config(KEY, PRESETS[name])


def preset_picker() -> None:
    st.selectbox(
        t("playground.preset"), [None, *PRESETS], key=f"{KEY}.preset", on_change=_apply_preset,
        format_func=lambda name: t("playground.preset_none") if name is None else t(f"presets.{name}.title"),
        help=t("playground.preset_help"),
    )
    name = st.session_state.get(f"{KEY}.preset")
    if name in PRESETS:
        st.caption(t(f"presets.{name}.description"))


def presenter_mode() -> bool:
    on = st.sidebar.toggle(t("playground.presenter"), key=f"{KEY}.presenter", help=t("playground.presenter_help"))
    if on:
        st.html("""<style>
            section[data-testid="stSidebar"] { display: none; }
            .stMainBlockContainer, .block-container { max-width: 100%; padding-top: 1rem; font-size: 1.25rem; }
            h1 { font-size: 2.6rem !important; }
        </style>""")
    return on


def validated(config: ExperimentConfig) -> ExperimentConfig:
    """The configuration if it is valid, else the last valid one with the reason shown."""
    try:
        config.validate()
    except ValueError as exc:
        st.error(t("playground.invalid_config", reason=str(exc)))
        return state.config_from_state(KEY, urlstate.default_config())
    state.store_config(KEY, config)
    return config


def sync_url(config: ExperimentConfig, presenter: bool) -> None:
    query = urlstate.query_from_config(config)
    if presenter:
        query["presenter"] = "1"
    if "lang" in st.query_params:
        query["lang"] = st.query_params["lang"]
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def current_run(config: ExperimentConfig) -> live.LiveRun:
    """The session's run; a new one (paused or still playing) when the configuration changed."""
    run: live.LiveRun | None = st.session_state.get(f"{KEY}.run")
    if run is None or run.config != config:
        version = (run.version + 1) if run else 1
        playing = run.playing if run else False
        run = live.new_run(config, state.prepared_data(config), version)
        run.playing = playing
        st.session_state[f"{KEY}.run"] = run
    return run


def reset_run(run: live.LiveRun) -> live.LiveRun:
    fresh = live.new_run(run.config, run.data, run.version + 1)
    st.session_state[f"{KEY}.run"] = fresh
    return fresh


@st.fragment
def live_panel(config: ExperimentConfig, presenter: bool) -> None:
    """Transport (Play/Pause, Step, Reset, speed, log scale) and the live view, rerun on their own."""
    run = current_run(config)
    frames: list[dict] = []
    play_col, step_col, reset_col, speed_col, log_col = st.columns([1, 1, 1, 2.2, 1.3], vertical_alignment="bottom")
    play_label = t("playground.pause") if run.playing else t("playground.play")
    play_icon = ":material/pause:" if run.playing else ":material/play_arrow:"
    if play_col.button(play_label, key=f"{KEY}.play", type="primary", use_container_width=True, icon=play_icon,
                       help=t("playground.play_help")):
        if run.playing:
            run.playing = False
        else:
            if run.finished:
                run = reset_run(run)
            run.playing = True
    if step_col.button(t("playground.step"), key=f"{KEY}.step", use_container_width=True, icon=":material/skip_next:",
                       help=t("playground.step_help")):
        run.playing = False
        frames = live.advance(run, epochs_per_frame=1, max_frames=1)
    if reset_col.button(t("playground.reset"), key=f"{KEY}.reset", use_container_width=True,
                        icon=":material/restart_alt:",
                        help=t("playground.reset_help")):
        run = reset_run(run)
    speed = speed_col.select_slider(t("playground.speed"), options=live.SPEEDS, key=f"{KEY}.speed",
                                    value=st.session_state.get(f"{KEY}.speed", 1), help=t("playground.speed_help"),
                                    format_func=lambda s: t("playground.speed_value", epochs=s))
    log_y = log_col.toggle(t("playground.log_scale"), key=f"{KEY}.log", help=t("playground.log_scale_help"))

    reported = st.session_state.get(f"{KEY}.live") or {}
    wanted = int(reported.get("want", 0) or 0) if isinstance(reported, dict) else 0
    if run.playing and not frames:
        last = st.session_state.get(f"{KEY}.served_want", -1)
        if wanted != last or st.session_state.get(f"{KEY}.served_version") != run.version:
            asked = reported.get("frames", live.FRAMES_PER_BATCH) if isinstance(reported, dict) else 0
            frames = live.advance(run, epochs_per_frame=int(speed), max_frames=live.batch_frames(asked))
            st.session_state[f"{KEY}.served_want"] = wanted
            st.session_state[f"{KEY}.served_version"] = run.version
    if frames:
        run.seq += 1
    # The full figures are only built and sent when the browser does not hold this scene yet.
    version = live.scene_version(run, log_y=log_y, presenter=presenter)
    has_scene = isinstance(reported, dict) and reported.get("scene") == version
    scene = None if has_scene else live.scene(run, log_y=log_y, presenter=presenter)
    live_view(scene=scene, frames=frames, seq=run.seq, playing=run.playing,
              interval_ms=66, key=f"{KEY}.live", height=(1000 if presenter else 800))
    if run.trainer.history.diverged:
        st.error(run.trainer.history.message)
    downloads(run)


def downloads(run: live.LiveRun) -> None:
    left, right = st.columns(2)
    # Callables: the files are only generated when someone clicks, not on every animation rerun.
    left.download_button(t("playground.download_history"), run.trainer.history.to_csv, file_name="history.csv",
                         mime="text/csv", key=f"{KEY}.dl_history", help=t("playground.download_history_help"))
    right.download_button(t("playground.download_config"), run.config.to_json, file_name="experiment.json",
                          mime="application/json", key=f"{KEY}.dl_config", help=t("playground.download_config_help"))


def edit_config(config: ExperimentConfig) -> ExperimentConfig:
    """Sidebar (data, training) and main-area (network) controls; returns the configuration they describe."""
    with st.sidebar:
        st.header(t("playground.data_header"))
        data, seed = widgets.dataset_controls(config.data, KEY, seed=config.seed)
        st.header(t("playground.network_header"))
        model = widgets.network_controls(config.model, KEY, widgets.task_of(data))
        st.header(t("playground.training_header"))
        train = widgets.training_controls(config.train, KEY, task=widgets.task_of(data))
    return replace(config, data=data, model=model, train=train, seed=seed)
