"""Wiring for the Playground page: which configuration is active, the transport bar and the live panel.

The page file reads top to bottom; the bookkeeping (URL on first load, presets, last valid configuration,
the live run in session state) lives here so the next page can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from core.data.csvdata import load_csv
from core.experiment.config import MAX_DRAWN_POINTS, DataConfig, ExperimentConfig, dataset_task, output_units
from core.experiment.io import BUNDLE_MIME, load_model, model_to_bytes
from core.experiment.presets import PRESETS
from playground import state, urlstate, widgets
from playground.export_buttons import export_buttons
from playground.i18n import t
from playground.live import loop as live_loop
from playground.live import playground as live
from playground.markdown_text import escape_markdown
from playground.training_messages import core_problem, training_message

PAGE = state.PageState("pg")


def _flag(value) -> bool:
    text = value[-1] if isinstance(value, list) else value
    return str(text).lower() in ("1", "true", "yes", "on")


def starting_config() -> tuple[ExperimentConfig, list[str]]:
    """On a session's first run, the URL's experiment (with warnings for bad values); afterwards, the state."""
    if "started" not in PAGE:
        PAGE["started"] = True
        query = st.query_params.to_dict()
        base = urlstate.default_config()
        warnings = []
        preset = query.get("preset")
        if preset:
            if preset in PRESETS and PRESETS[preset].data.name in widgets.PLAYGROUND_DATASETS:
                base = PRESETS[preset]
                PAGE["preset"] = preset  # the picker names the example the link starts from
            else:
                warnings.append(t("playground.unknown_preset", preset=escape_markdown(str(preset)[:40])))
        if query.get("ds") == "drawn" and "pts" not in query:  # an empty drawing starts from the XOR points
            query["pts"] = urlstate.FIELDS["pts"].show(tuple(XOR_CORNERS))
        if query.get("ds") == "uploaded" and "rows" not in query:  # too many rows travelled as a file, not here
            del query["ds"]
            warnings.append(t("playground.uploaded_not_in_link"))
        config, more = urlstate.config_from_query(query, base)
        if config.data.name not in (*widgets.PLAYGROUND_DATASETS, "uploaded"):  # digits have their own page
            more.append(t("playground.dataset_elsewhere", name=escape_markdown(config.data.name)))
            config = replace(config, data=urlstate.default_config().data)
        show, unknown_controls = urlstate.visible_controls(query)
        PAGE["show"] = show
        PAGE["presenter"] = _flag(query.get("presenter", "0"))
        load(config)
        PAGE["warnings"] = warnings + more + unknown_controls
        return config, PAGE["warnings"]
    # The run that draws the controls the first run left out shows the link's warnings again.
    warnings = PAGE.pop("warnings", [])
    return PAGE.config(urlstate.default_config()), (warnings if live_loop.controls_due(PAGE) else [])


def picture_first() -> bool:
    """A browser's first run draws the picture before the controls (see :func:`playground.live.loop.picture_first`)."""
    return live_loop.picture_first(PAGE)


def load(config: ExperimentConfig) -> None:
    """Make ``config`` the session's experiment: widgets, drawn points and the stored configuration.

    Uploaded regression rows stay in the session when another experiment is loaded, so the dataset list
    still offers them; a configuration that brings its own rows replaces them.
    """
    widgets.load_config(PAGE, config)
    PAGE["points"] = list(config.data.points)
    if config.data.rows:
        PAGE["rows"] = config.data.rows
        PAGE["row_labels"] = config.data.label_names
    PAGE.store_config(config)


def _apply_preset() -> None:
    name = PAGE.get("preset")
    if name in PRESETS:
        load(PRESETS[name])


def preset_picker() -> None:
    """The sidebar's first control: start from one of the notes' examples (its description under it)."""
    if PAGE.get("show") is not None:
        return  # a classroom link fixes the experiment
    names = [name for name, preset in PRESETS.items() if preset.data.name in widgets.PLAYGROUND_DATASETS]
    st.sidebar.selectbox(
        t("playground.preset"),
        [None, *names],
        key=PAGE.key("preset"),
        on_change=_apply_preset,
        format_func=lambda name: t("playground.preset_none") if name is None else t(f"presets.{name}.title"),
        help=t("playground.preset_help"),
    )
    name = PAGE.get("preset")
    if name in PRESETS:
        st.sidebar.caption(t(f"presets.{name}.description"))


# Presenter mode: everything a projector audience reads is larger, Streamlit's own buttons and labels too.
PRESENTER_CSS = """<style>
    section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
    .stMainBlockContainer, .block-container { max-width: 100%; padding-top: 1rem; font-size: 1.25rem; }
    h1 { font-size: 2.6rem !important; }
    h2 { font-size: 2.1rem !important; }
    h3 { font-size: 1.7rem !important; }
    .stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.25rem; }
    [data-testid="stWidgetLabel"] p { font-size: 1.2rem !important; }
    [data-baseweb="select"] div, .stNumberInput input, .stTextInput input { font-size: 1.2rem; }
    .stButton button, .stDownloadButton button, .stLinkButton a, .stFormSubmitButton button {
        font-size: 1.3rem; min-height: 3rem; padding: 0.5rem 1.3rem;
    }
    .stButton button p, .stDownloadButton button p, .stLinkButton a p, .stFormSubmitButton button p {
        font-size: 1.3rem !important;
    }
</style>"""


def _leave_presenter() -> None:
    PAGE["presenter"] = False


def presenter_mode(toggle: bool = True) -> bool:
    """The presenter-mode toggle (sidebar); when on, the sidebar is hidden, so the page offers the way back.

    ``toggle=False`` (a first run that draws the picture before the controls) leaves the toggle out and keeps the
    mode the link or the session asked for."""
    if toggle:
        on = st.sidebar.toggle(
            t("playground.presenter"), key=PAGE.key("presenter"), help=t("playground.presenter_help")
        )
    else:
        on = bool(PAGE.get("presenter"))
    if on:
        st.html(PRESENTER_CSS)
        st.button(
            t("playground.presenter_leave"),
            key=PAGE.key("presenter_leave"),
            on_click=_leave_presenter,
            icon=":material/close_fullscreen:",
            help=t("playground.presenter_leave_help"),
        )
    return on


def validated(config: ExperimentConfig) -> ExperimentConfig:
    """The configuration if it is valid, else the last valid one with the reason shown."""
    try:
        config.validate()
    except ValueError as exc:
        st.error(t("playground.invalid_config", reason=escape_markdown(core_problem(exc))))
        return PAGE.config(urlstate.default_config())
    PAGE.store_config(config)
    return config


def sync_url(config: ExperimentConfig, presenter: bool) -> None:
    query = urlstate.query_from_config(config)
    if presenter:
        query["presenter"] = "1"
    show = PAGE.get("show")
    if show is not None:
        query["show"] = ",".join(g for g in urlstate.CONTROL_GROUPS if g in show) or "-"
    for kept in ("lang", "palette"):  # the language and palette switches keep their own parameters
        if kept in st.query_params:
            query[kept] = st.query_params[kept]
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


@dataclass
class RunSlot:
    """The session's current run, for download buttons: they read it when clicked.

    A button drawn by the last full run must not hand out a run that the live fragment has since replaced (Reset,
    or a drawn point, makes a new run without rerunning the page); the fragment updates the slot on every rerun.
    """

    run: live.LiveRun | None = None


def _run_slot() -> RunSlot:
    return PAGE.setdefault("slot", RunSlot())


def current_run(config: ExperimentConfig) -> live.LiveRun:
    """The session's run; a new one (paused or still playing) when the configuration changed."""
    run: live.LiveRun | None = PAGE.get("run")
    if run is not None and run.config != config and only_points_changed(run.config, config):
        run = live.with_new_data(run, config, state.prepared_data(config))
        PAGE["run"] = run
    if run is None or run.config != config:
        version = (run.version + 1) if run else 1
        playing = run.playing if run else False
        run = live.new_run(config, state.prepared_data(config), version)
        run.playing = playing
        PAGE["run"] = run
    return run


def only_points_changed(old: ExperimentConfig, new: ExperimentConfig) -> bool:
    return replace(old, data=replace(old.data, points=())) == replace(new, data=replace(new.data, points=()))


def _session_run() -> live.LiveRun | None:
    return PAGE.get("run")


@st.fragment
def live_panel(config: ExperimentConfig, presenter: bool) -> None:
    """Transport (Play/Pause, Step, Reset, speed, log scale) and the live view, rerun on their own."""
    # A fragment rerun gets the arguments of the last full run; points drawn since then live in the stored
    # configuration, so start from that one or the next Step would train on the data without them.
    config = PAGE.config(config)
    run = current_run(config)
    bar = live_loop.transport_bar(PAGE, "playground", "run")
    log_y = bar.extra.toggle(t("playground.log_scale"), key=PAGE.key("log"), help=t("playground.log_scale_help"))

    reported = live_loop.reported(PAGE)  # from the browser: every field is checked on use
    before = config
    config, run = handle_events(reported.get("events"), config, run)
    if config != before:
        sync_url(config, presenter)  # drawn points belong to the link
    draw = draw_controls(config)
    if draw.changed:
        config = draw.config
        run = current_run(config)
        sync_url(config, presenter)
    # Before the scene is built: switching the layer view on while paused shows it at once.
    run.layer_view = layer_view_control(run)
    options = {
        "draw": draw.on,
        "selected": PAGE.get("selected"),
        "handled": PAGE.get("handled", 0),
    }
    # weight_editor before the view: an edit shows at once (a paused view draws ``now``, a playing one the next
    # frames).
    run = live_loop.serve(
        bar,
        run,
        height=(1000 if presenter else 800),
        options=options,
        scene_options={"log_y": log_y, "presenter": presenter},
        before_view=weight_editor,
    )
    _run_slot().run = run  # after any restart or replacement this rerun made
    if run.trainer.history.diverged:
        st.error(training_message(run.trainer.history))


@dataclass
class DrawState:
    on: bool
    changed: bool
    config: ExperimentConfig


def handle_events(events, config: ExperimentConfig, run: live.LiveRun) -> tuple[ExperimentConfig, live.LiveRun]:
    """Apply clicks from the live view that were not handled yet: drawn points and network selections."""
    if not isinstance(events, list):
        return config, run
    handled = PAGE.get("handled", 0)
    points = PAGE.setdefault("points", [])
    added = False
    for event in events[-50:]:  # the view keeps at most 50 unconfirmed events; more is not from our view
        if not isinstance(event, dict) or not _valid_id(event.get("id")) or event["id"] <= handled:
            continue
        handled = max(handled, event["id"])
        if event.get("kind") == "point" and PAGE.get("draw") and len(points) < MAX_DRAWN_POINTS:
            try:
                x1, x2 = float(event["x"]), float(event["y"])
            except (KeyError, TypeError, ValueError):
                continue
            if -10 <= x1 <= 10 and -10 <= x2 <= 10:
                points.append((round(x1, 2), round(x2, 2), int(PAGE.get("draw_class", 0))))
                added = True
        elif event.get("kind") == "select" and widgets.shown(PAGE, "weights"):
            PAGE["selected"] = _selection(event, run)
    PAGE["handled"] = handled
    if added:
        config = replace(config, data=replace(config.data, points=tuple(points)))
        PAGE.store_config(config)
        run = current_run(config)
    return config, run


def _valid_id(value) -> bool:
    """An event id from the browser: a finite number (a NaN would make every later event look handled)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and bool(np.isfinite(value))


def _selection(event: dict, run: live.LiveRun) -> dict | None:
    """A validated {target, layer, j[, i]} naming a weight or bias of the current network, else None."""
    sizes = run.trainer.network.layer_sizes
    try:
        layer, j = int(event["layer"]), int(event["j"])
        target = event["target"]
        if not 0 <= layer < len(sizes) - 1 or not 0 <= j < sizes[layer + 1]:
            return None
        if target == "edge":
            i = int(event["i"])
            return {"kind": "edge", "layer": layer, "j": j, "i": i} if 0 <= i < sizes[layer] else None
        return {"kind": "node", "layer": layer, "j": j} if target == "node" else None
    except (KeyError, TypeError, ValueError):
        return None


def draw_controls(config: ExperimentConfig) -> DrawState:
    """Draw mode: click the plane to add points of the chosen class; undo and clear."""
    if (
        not widgets.shown(PAGE, "draw")
        or dataset_task(config.data) in ("regression", "multilabel")
        or config.data.name == "sine"
    ):  # a drawn point has one label
        return DrawState(False, False, config)
    left, middle, undo_col, clear_col = st.columns([1.2, 2.2, 1, 1], vertical_alignment="center")
    on = left.toggle(t("playground.draw"), key=PAGE.key("draw"), help=t("playground.draw_help"))
    # Two classes share one sigmoid output unit, so the number of output units alone would offer only class 0.
    classes = list(range(max(2, output_units(config.data))))
    points = PAGE.setdefault("points", [])
    changed = False
    if on:
        middle.radio(
            t("playground.draw_class"),
            classes,
            key=PAGE.key("draw_class"),
            horizontal=True,
            format_func=lambda c: t("playground.class_name", number=c),
            help=t("playground.draw_class_help"),
        )
    if undo_col.button(
        t("playground.undo_point"),
        key=PAGE.key("undo"),
        disabled=not points,
        width="stretch",
        help=t("playground.undo_point_help"),
    ):
        points.pop()
        changed = True
    if clear_col.button(
        t("playground.clear_points"),
        key=PAGE.key("clear"),
        disabled=not points,
        width="stretch",
        help=t("playground.clear_points_help"),
    ):
        points.clear()
        changed = True
    if on:
        hint = "playground.draw_hint_drawn" if config.data.name == "drawn" else "playground.draw_hint"
        st.caption(t(hint, count=len(points)))
    if changed:
        data = config.data if config.data.name != "drawn" or len(points) >= 4 else replace(config.data, name="xor")
        config = replace(config, data=replace(data, points=tuple(points)))
        PAGE.store_config(config)
    return DrawState(on, changed, config)


def layer_view_control(run: live.LiveRun) -> int | None:
    """Which hidden layer the layer view shows (None: the view is off); only for 2-D inputs."""
    n_hidden = len(run.trainer.network.layers) - 1
    if not run.two_d or n_hidden == 0:
        return None
    left, right = st.columns([1.2, 3.2], vertical_alignment="center")
    on = left.toggle(t("playground.layer_view"), key=PAGE.key("layer_view"), help=t("playground.layer_view_help"))
    if not on:
        return None
    if run.task == "multilabel":  # a point has a yes/no per label: the layer view colours it by one of them
        right, label_column = right.columns(2, vertical_alignment="center")
        names = live.label_names(run)
        label = label_column.selectbox(
            t("playground.layer_view_colour_by"),
            range(len(names)),
            key=PAGE.key("layer_view_label"),
            format_func=names.__getitem__,
            help=t("playground.layer_view_colour_by_help"),
        )
        run.layer_view_label = int(label) if label is not None and label < len(names) else 0
    choice = right.selectbox(
        t("playground.layer_view_layer"),
        range(n_hidden),
        key=PAGE.key("layer_view_index"),
        format_func=lambda i: t("playground.layer_view_option", layer=i + 1, units=run.trainer.network.layers[i].units),
    )
    return int(choice) if choice is not None and choice < n_hidden else 0


def weight_editor(run: live.LiveRun) -> bool:
    """A slider for the weight or bias picked on the network diagram; returns True when it changed the network."""
    if not widgets.shown(PAGE, "weights"):  # a classroom link that does not keep hand-editing
        return False
    selected = PAGE.get("selected")
    if not selected:
        st.caption(t("playground.edit_hint"))
        return False
    net = run.trainer.network
    layer, j = selected["layer"], selected["j"]
    if selected["kind"] == "edge":
        current = float(net.weights[layer][j, selected["i"]])
        label = t("playground.edit_weight", layer=layer + 1, j=j + 1, i=selected["i"] + 1)
    else:
        current = float(net.biases[layer][j, 0])
        label = t("playground.edit_bias", layer=layer + 1, j=j + 1)
    bound = max(3.0, round(abs(current) * 2, 1))
    name = f"edit.{run.version}.{selected['kind']}.{layer}.{j}.{selected.get('i', '')}"  # new network, new slider
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    value = left.slider(
        label, -bound, bound, value=round(current, 3), step=0.01, key=PAGE.key(name), help=t("playground.edit_help")
    )
    if right.button(t("playground.edit_done"), key=PAGE.key("edit_done"), width="stretch"):
        PAGE["selected"] = None
        return False
    applied = PAGE.get(f"{name}.applied")
    if applied is None:
        PAGE[f"{name}.applied"] = round(current, 3)
        return False
    if value == applied:
        return False
    PAGE[f"{name}.applied"] = value
    params = net.parameters()
    index = net.parameter_names().index(f"{'W' if selected['kind'] == 'edge' else 'b'}{layer + 1}")
    if selected["kind"] == "edge":
        params[index][j, selected["i"]] = value
    else:
        params[index][j, 0] = value
    net.set_parameters(params)
    return True


@st.dialog(" ", width="large")
def classroom_dialog(config: ExperimentConfig) -> None:
    """Build a link for a class: the experiment, which controls stay, and presenter mode."""
    st.subheader(t("playground.share_title"))
    st.caption(t("playground.share_intro"))
    keep = st.multiselect(
        t("playground.share_keep"),
        urlstate.CONTROL_GROUPS,
        default=["learning_rate", "activation"],
        format_func=lambda g: t(f"playground.controls.{g}"),
        key=PAGE.key("share_keep"),
    )
    presenter = st.checkbox(t("playground.share_presenter"), key=PAGE.key("share_presenter"))
    query = urlstate.classroom_query(config, set(keep), presenter)
    base = (st.context.url or "").split("?")[0] or "/"
    st.code(base + "?" + urlencode(query), language=None, wrap_lines=True)
    st.caption(t("playground.share_note"))


def share_button(config: ExperimentConfig) -> None:
    """A link for a class (sidebar): the experiment, which controls stay, presenter mode."""
    if PAGE.get("show") is None and st.sidebar.button(
        t("playground.share"), key=PAGE.key("share"), icon=":material/school:", help=t("playground.share_help")
    ):
        classroom_dialog(config)


def save_and_load() -> None:
    """Download the trained model and the data; upload a model to continue or data to train on."""
    if not widgets.shown(PAGE, "files"):  # a classroom link fixes the experiment: no uploads replacing it
        return
    run, slot = _session_run(), _run_slot()
    with st.expander(t("playground.files_header"), icon=":material/folder_open:"):
        left, right = st.columns(2)
        if run is not None:
            left.download_button(
                t("playground.download_model"),
                lambda: model_to_bytes(slot.run.trainer.network, slot.run.config),
                file_name="model.zip",
                mime=BUNDLE_MIME,
                key=PAGE.key("dl_model"),
                icon=":material/download:",
                help=t("playground.download_model_help"),
                on_click="ignore",
            )
            export_buttons(
                run.trainer.network,
                run.config,
                PAGE,
                left,
                current=lambda: (slot.run.trainer.network, slot.run.config),
            )
            if run.data.dataset.input_dim <= 2:
                right.download_button(
                    t("playground.download_points"),
                    lambda: points_csv(slot.run),
                    file_name="points.csv",
                    mime="text/csv",
                    key=PAGE.key("dl_points"),
                    icon=":material/download:",
                    help=t("playground.download_points_help"),
                    on_click="ignore",
                )
        left.file_uploader(
            t("playground.upload_model"),
            type=["zip"],
            key=PAGE.key("upload_model"),
            on_change=_load_uploaded_model,
            help=t("playground.upload_model_help"),
        )
        right.file_uploader(
            t("playground.upload_points"),
            type=["csv", "txt"],
            key=PAGE.key("upload_points"),
            on_change=_load_uploaded_points,
            help=t("playground.upload_points_help"),
        )
        for kind, message in PAGE.pop("upload_messages", []):
            (st.error if kind == "error" else st.success)(message)


def points_csv(run: live.LiveRun) -> str:
    """All the data as CSV in the layout the upload reads back: x1,x2,label / x,y / x1,x2,y.

    Every point, not only the training part, so that uploading the file gives the same dataset (its split
    follows from the seed and the test share); points drawn on top of a generated set are included.
    """
    dataset, drawn = run.data.dataset, run.config.data.points
    X, y = dataset.X, dataset.y
    if drawn and run.config.data.name != "drawn":
        extra = np.asarray(drawn, dtype=np.float64).reshape(-1, 3)
        X, y = np.vstack([X, extra[:, :2]]), np.concatenate([y, extra[:, 2].astype(y.dtype)])
    if run.task == "multilabel":  # x1, x2, then one 0/1 column per label: read back as multi-label
        names = dataset.label_names or tuple(f"label{i}" for i in range(1, y.shape[1] + 1))
        lines = [",".join(["x1", "x2", *names])]
        lines += [
            ",".join([f"{a:.4f}", f"{b:.4f}", *(str(int(v)) for v in labels)])
            for (a, b), labels in zip(X, y, strict=True)
        ]
        return "\n".join(lines) + "\n"
    regression = run.task == "regression"
    inputs = ["x"] if X.shape[1] == 1 else ["x1", "x2"]
    lines = [",".join([*inputs, "y" if regression else "label"])]
    for x, target in zip(X, y, strict=True):
        last = f"{float(target):.6g}" if regression else str(int(target))
        lines.append(",".join([*(f"{value:.4f}" for value in x), last]))
    return "\n".join(lines) + "\n"


def _upload_message(kind: str, message: str) -> None:
    PAGE.setdefault("upload_messages", []).append((kind, message))


def _load_uploaded_model() -> None:
    upload = PAGE.get("upload_model")
    if upload is None:
        return
    try:
        network, config = load_model(upload.getvalue())
        config = config or PAGE.config(urlstate.default_config())
        run = live.new_run(config, state.prepared_data(config), (_session_run().version + 1) if _session_run() else 1)
        run.trainer.network.set_parameters(network.parameters())
    except ValueError as exc:
        _upload_message("error", t("playground.upload_model_failed", reason=escape_markdown(exc)))
        return
    load(config)
    PAGE["run"] = run
    _upload_message("success", t("playground.upload_model_done"))


def _load_uploaded_points() -> None:
    upload = PAGE.get("upload_points")
    if upload is None:
        return
    try:
        config, message = config_with_upload(PAGE.config(urlstate.default_config()), upload.getvalue())
    except ValueError as exc:
        _upload_message("error", t("playground.upload_points_failed", reason=escape_markdown(exc)))
        return
    load(config)
    _upload_message("success", message)


def config_with_upload(current: ExperimentConfig, csv_bytes: bytes) -> tuple[ExperimentConfig, str]:
    """``current`` training on an uploaded CSV, and what to tell the user; ValueError says why a file is refused.

    Two classes become drawn points (the user can keep drawing); a regression table, (x, y) or (x1, x2, y),
    becomes the "uploaded" dataset. An output or loss chosen for the old task is reset to auto when it no
    longer fits the new one.
    """
    parsed = load_csv(csv_bytes, task="multilabel" if _columns(csv_bytes) >= 4 else "auto")
    dataset = parsed.dataset
    if dataset.task == "multilabel":  # x1, x2 and one 0/1 column per label: N sigmoid outputs
        rows = tuple(
            (round(float(x[0]), 4), round(float(x[1]), 4), *(int(v) for v in labels))
            for x, labels in zip(dataset.X, dataset.y, strict=True)
        )
        names = tuple(
            name.replace(",", " ").strip()[:40] or f"label{i}" for i, name in enumerate(dataset.label_names, start=1)
        )
        data = replace(current.data, name="uploaded", rows=rows, points=(), label_names=names)
        done = t(
            "playground.multilabel.upload_done",
            count=len(rows),
            labels=dataset.n_classes,
            names=escape_markdown(", ".join(dataset.label_names)),
        )
    elif dataset.task == "regression":
        rows = tuple(
            (*(round(float(v), 4) for v in x), round(float(y), 4)) for x, y in zip(dataset.X, dataset.y, strict=True)
        )
        data = replace(current.data, name="uploaded", rows=rows, points=())
        layout = escape_markdown(", ".join([*dataset.feature_names, "y"]))
        done = t("playground.upload_rows_done", count=len(rows), layout=layout)
    else:
        if dataset.n_classes != 2:
            raise ValueError(t("playground.upload_points_two_classes", classes=dataset.n_classes))
        points = tuple(
            (round(float(x1), 4), round(float(x2), 4), int(label))
            for (x1, x2), label in zip(dataset.X, dataset.y, strict=True)
        )
        data = replace(current.data, name="drawn", points=points, rows=())
        done = t("playground.upload_points_done", count=len(points))
    config = replace(current, data=data, model=_model_for(current, data))
    config.validate()
    return config, " ".join([done, *map(escape_markdown, parsed.notes)])


def _columns(csv_bytes: bytes) -> int:
    """How many columns the first non-blank line of an upload has (a multi-label file has 4 or more); 0 if none.

    Only chooses how core.data.csvdata reads the file, which checks every line itself."""
    text = csv_bytes[:4096].decode("utf-8", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in (";", "\t") if d in first), ",")
    return len(first.split(delimiter)) if first else 0


def _model_for(config: ExperimentConfig, data: DataConfig):
    """The current model, with an explicit output or loss that no longer suits the new data's task reset to auto."""
    candidate = replace(config, data=data)
    try:
        candidate.validate()
    except ValueError:
        return replace(config.model, output_activation="auto", loss="auto")
    return config.model


def downloads() -> None:
    """The training history and the experiment, under the live view.

    Drawn by the full run, outside the live fragment: a button redrawn by every fragment rerun gets a new file id
    each time, and a click in between asks for an id the server has just dropped. The files are built when
    clicked, from the run the session has then.
    """
    slot = _run_slot()
    if slot.run is None:
        return
    left, right = st.columns(2)
    left.download_button(
        t("playground.download_history"),
        lambda: slot.run.trainer.history.to_csv(),
        file_name="history.csv",
        mime="text/csv",
        key=PAGE.key("dl_history"),
        help=t("playground.download_history_help"),
        on_click="ignore",
    )
    right.download_button(
        t("playground.download_config"),
        lambda: slot.run.config.to_json(),
        file_name="experiment.json",
        mime="application/json",
        key=PAGE.key("dl_config"),
        help=t("playground.download_config_help"),
        on_click="ignore",
    )


def edit_config(config: ExperimentConfig) -> ExperimentConfig:
    """Sidebar (data, training) and main-area (network) controls; returns the configuration they describe."""
    with st.sidebar:
        data_box, network_box, training_box = st.container(), st.container(), st.container()
    heads = [box.empty() for box in (data_box, network_box, training_box)]
    with data_box:
        data, seed = widgets.dataset_controls(
            config.data,
            PAGE,
            widgets.PLAYGROUND_DATASETS,
            seed=config.seed,
            validation=True,
            rows=tuple(PAGE.get("rows", ())),
            label_names=tuple(PAGE.get("row_labels", ())),
        )
    with network_box:
        model = widgets.network_controls(config.model, PAGE, widgets.task_of(data))
    with training_box:
        train = widgets.training_controls(
            config.train, PAGE, task=widgets.task_of(data), validation_fraction=data.validation_fraction
        )
    # Section headers only over sections that still show a control (a classroom link may hide them all).
    sections = (("data_header", DATA_GROUPS), ("network_header", NETWORK_GROUPS), ("training_header", TRAINING_GROUPS))
    for head, (header, groups) in zip(heads, sections, strict=True):
        if any(widgets.shown(PAGE, group) for group in groups):
            head.header(t(f"playground.{header}"))
    return replace(config, data=with_drawn_points(data), model=model, train=train, seed=seed)


def with_drawn_points(data: DataConfig) -> DataConfig:
    """The data section with the session's drawn points (the notes' four XOR points start an empty drawing)."""
    points = PAGE.setdefault("points", [])
    if data.name == "drawn" and not points:
        points.extend(XOR_CORNERS)
    if dataset_task(data) in ("regression", "multilabel"):  # one-label points fit neither target
        return replace(data, points=())
    return replace(data, points=tuple(points))


DATA_GROUPS = ("dataset", "noise", "n_samples", "test_fraction", "validation", "features", "seed")
NETWORK_GROUPS = ("layers", "activation", "dropout", "output", "init")
TRAINING_GROUPS = (
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "schedule",
    "regularization",
    "clipping",
    "class_weight",
    "early_stopping",
)
XOR_CORNERS = [(-1.0, -1.0, 0), (1.0, 1.0, 0), (-1.0, 1.0, 1), (1.0, -1.0, 1)]
