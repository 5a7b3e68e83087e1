"""Wiring for the Compare page: the base experiment, what differs between runs, live training, summary, replay.

The page file reads top to bottom; the bookkeeping lives here. The comparison itself is in the URL:

    /compare?ds=moons&vary=activation&values=sigmoid,tanh,relu&target=0.2
    /compare?mode=custom&run=init:zeros&run=init:he,learning_rate:0.1

``vary``/``values`` sweep one parameter (names from ``core.labs.compare.VARY_OPTIONS``), ``run`` (repeated, custom mode)
lists each run's changes as ``name:value`` pairs, ``target`` is the loss the summary counts epochs to; the base
experiment uses the Playground's keys (``playground.urlstate``). Bad values become warnings naming them, and the
defaults are used instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig, within_limits
from core.experiment.settings import LIMITS
from core.labs.compare import (
    MAX_RUNS,
    MIN_RUNS,
    VARY_OPTIONS,
    CompareRun,
    build_runs,
    format_value,
    parse_value,
    sweep,
    value_at,
    with_value,
)
from playground import state, urlstate, widgets
from playground.export_buttons import export_buttons
from playground.i18n import t
from playground.live import compare as compare_live
from playground.live import loop as live_loop
from playground.markdown_text import escape_markdown
from playground.pages.compare import figures as figures_compare
from playground.training_messages import core_problem, training_message

PAGE = state.PageState("cmp")
DEFAULT_BASE = within_limits(
    ExperimentConfig(
        DataConfig("moons", n_samples=200, noise=0.2),
        ModelConfig(hidden=(LayerConfig(6, "tanh"), LayerConfig(6, "tanh"))),
        TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=10, epochs=200),
        seed=0,
    )
)
DEFAULT_VARY = "activation"
DEFAULT_TARGET_LOSS = 0.2
MIN_TARGET_LOSS, MAX_TARGET_LOSS = 0.0001, 10.0
MODES = ("vary", "custom")
# What a run may change in custom mode: the comparisons the notes motivate.
CUSTOM_FIELDS = ("activation", "init", "optimizer", "learning_rate", "depth", "l2", "sampler")
QUERY_KEYS = ("mode", "vary", "values", "run", "target")
DEFAULT_N_VALUES = 3  # a sweep's first values when none are chosen (fewer if the host caps runs lower)


# ---- what is compared -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompareSpec:
    """What differs between the runs: a sweep of one parameter, or explicit changes per run."""

    mode: str = "vary"
    vary: str = DEFAULT_VARY
    values: tuple = VARY_OPTIONS[DEFAULT_VARY].default_values[:DEFAULT_N_VALUES]
    custom: tuple[tuple[tuple[str, Any], ...], ...] = ((), (("activation", "relu"),))
    target_loss: float = DEFAULT_TARGET_LOSS


def default_values(vary: str) -> tuple:
    """The values a sweep of ``vary`` starts with: never more than the host lets one session train at once."""
    return VARY_OPTIONS[vary].default_values[: min(DEFAULT_N_VALUES, MAX_RUNS)]


def _last(raw) -> str:
    return str(raw[-1] if isinstance(raw, list) else raw)


def _all(raw) -> list[str]:
    return [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]


def _checked(name: str, text: str) -> Any:
    """``text`` as a value of ``name`` that a run can take (type, choices and range); ValueError otherwise."""
    value = parse_value(name, text)
    with_value(DEFAULT_BASE, name, value)  # the range checks of core.experiment.config
    return value


def parse_values(name: str, text: str) -> tuple[list, list[str]]:
    """Comma-separated values for vary-option ``name``: (the good ones, a warning per bad one)."""
    values, warnings = [], []
    if len(text) > urlstate.MAX_VALUE_LENGTH:
        return values, [t("compare.too_long", key=name)]
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            value = _checked(name, part)
        except ValueError as exc:
            warnings.append(
                t("compare.bad_value", value=escape_markdown(part[:40]), reason=escape_markdown(core_problem(exc)))
            )
            continue
        if value not in values:
            values.append(value)
    return values, warnings


def _parse_run(text: str) -> tuple[tuple[tuple[str, Any], ...], list[str]]:
    changes, warnings = [], []
    if len(text) > urlstate.MAX_VALUE_LENGTH:
        return (), [t("compare.too_long", key="run")]
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value_text = part.partition(":")
        if name not in CUSTOM_FIELDS:
            warnings.append(
                t("compare.bad_run_field", field=escape_markdown(name[:40]), allowed=", ".join(CUSTOM_FIELDS))
            )
            continue
        try:
            changes.append((name, _checked(name, value_text)))
        except ValueError as exc:
            warnings.append(
                t("compare.bad_value", value=escape_markdown(part[:40]), reason=escape_markdown(core_problem(exc)))
            )
    return tuple(changes), warnings


def spec_from_query(query: dict) -> tuple[CompareSpec, list[str]]:
    """The comparison described by the URL, with a warning naming every value that could not be used."""
    spec, warnings = CompareSpec(), []
    mode = _last(query.get("mode", "vary"))
    if mode not in MODES:
        warnings.append(t("compare.bad_mode", value=escape_markdown(mode[:40]), allowed=", ".join(MODES)))
        mode = "vary"
    vary = _last(query.get("vary", DEFAULT_VARY))
    if vary not in VARY_OPTIONS:
        warnings.append(t("compare.bad_vary", value=escape_markdown(vary[:40]), allowed=", ".join(VARY_OPTIONS)))
        vary = DEFAULT_VARY
    values = default_values(vary)
    if "values" in query:
        parsed, more = parse_values(vary, _last(query["values"]))
        warnings += more
        if len(parsed) > MAX_RUNS:
            warnings.append(t("compare.too_many_values", n=len(parsed), max=MAX_RUNS))
            parsed = parsed[:MAX_RUNS]
        if len(parsed) < MIN_RUNS:
            warnings.append(t("compare.too_few_values", min=MIN_RUNS))
        else:
            values = tuple(parsed)
    custom = spec.custom
    if "run" in query:
        runs = []
        texts = _all(query["run"])
        if len(texts) > MAX_RUNS:
            warnings.append(t("compare.too_many_runs", n=len(texts), max=MAX_RUNS))
        for text in texts[:MAX_RUNS]:
            changes, more = _parse_run(text)
            runs.append(changes)
            warnings += more
        if len(runs) >= MIN_RUNS:
            custom = tuple(runs)
        else:
            warnings.append(t("compare.too_few_runs", min=MIN_RUNS))
    target = spec.target_loss
    if "target" in query:
        text = _last(query["target"])
        try:
            target = float(text)
            if not (math.isfinite(target) and MIN_TARGET_LOSS <= target <= MAX_TARGET_LOSS):
                raise ValueError(text)
        except ValueError:
            warnings.append(
                t("compare.bad_target", value=escape_markdown(text[:40]), default=format_value(spec.target_loss))
            )
            target = spec.target_loss
    return CompareSpec(mode, vary, tuple(values), custom, target), warnings


def query_from_spec(spec: CompareSpec) -> dict[str, str | list[str]]:
    query: dict[str, str | list[str]] = {}
    if spec.mode == "custom":
        query["mode"] = "custom"
        query["run"] = [",".join(f"{n}:{format_value(v)}" for n, v in changes) for changes in spec.custom]
    else:
        query["vary"] = spec.vary
        query["values"] = ",".join(format_value(v) for v in spec.values)
    if spec.target_loss != DEFAULT_TARGET_LOSS:
        query["target"] = format_value(spec.target_loss)
    return query


# ---- first load, URL --------------------------------------------------------------------------------------
def starting_state() -> tuple[ExperimentConfig, CompareSpec, list[str]]:
    """On a session's first run, the URL's base experiment and comparison; afterwards what the session holds.

    Stops the page with a note when the host's cap on concurrent runs leaves no room for a comparison.
    """
    if MAX_RUNS < MIN_RUNS:
        st.info(t("compare.runs_capped", max=MAX_RUNS, min=MIN_RUNS))
        st.stop()
    if "started" not in PAGE:
        PAGE["started"] = True
        query = st.query_params.to_dict()
        for name in ("run",):
            if name in query:
                query[name] = st.query_params.get_all(name)
        base_query = {k: v for k, v in query.items() if k not in QUERY_KEYS}
        base, warnings = urlstate.config_from_query(base_query, DEFAULT_BASE)
        spec, more = spec_from_query(query)
        widgets.load_config(PAGE, base)
        _load_spec(spec, base)
        PAGE.store_config(base)
        return base, spec, warnings + more
    return PAGE.config(DEFAULT_BASE), PAGE.get("spec", CompareSpec()), []


def _load_spec(spec: CompareSpec, base: ExperimentConfig) -> None:
    """Write ``spec`` into the comparison widgets' keys (before they are drawn)."""
    PAGE["mode"] = spec.mode
    PAGE["vary"] = spec.vary
    PAGE["target"] = spec.target_loss
    option = VARY_OPTIONS[spec.vary]
    PAGE[f"values.{spec.vary}"] = (
        list(spec.values) if option.choices else ", ".join(format_value(v) for v in spec.values)
    )
    PAGE["n_runs"] = len(spec.custom)
    for i, changes in enumerate(spec.custom):
        explicit = dict(changes)
        for name in CUSTOM_FIELDS:
            value = explicit.get(name, value_at(base, name))
            if value is not None:
                PAGE[f"run{i}.{name}"] = value
    PAGE["spec"] = spec


def sync_url(base: ExperimentConfig, spec: CompareSpec) -> None:
    query: dict[str, str | list[str]] = dict(urlstate.query_from_config(base, DEFAULT_BASE))
    query |= query_from_spec(spec)
    for kept in ("lang", "palette"):  # the language and palette switches keep their own parameters
        if kept in st.query_params:
            query[kept] = st.query_params[kept]
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    wanted = {name: value if isinstance(value, list) else [value] for name, value in query.items()}
    if current != wanted:
        st.query_params.from_dict(query)


# ---- editing ----------------------------------------------------------------------------------------------
def edit_base(config: ExperimentConfig) -> ExperimentConfig:
    """Sidebar (data, training) and an expander (network) for what every run shares; invalid → last valid."""
    with st.sidebar:
        st.header(t("compare.data_header"))
        data, seed = widgets.dataset_controls(config.data, PAGE, seed=config.seed)
        st.header(t("compare.training_header"))
        train = widgets.training_controls(config.train, PAGE, task=widgets.task_of(data))
    with st.expander(t("compare.network_header"), expanded=False):
        model = widgets.network_controls(config.model, PAGE, widgets.task_of(data))
    candidate = replace(config, data=data, model=model, train=train, seed=seed)
    try:
        candidate.validate()
    except ValueError as exc:
        st.error(t("compare.invalid_base", reason=escape_markdown(core_problem(exc))))
        return config
    PAGE.store_config(candidate)
    return candidate


def _seed(name: str, value: Any) -> None:
    if name not in PAGE:
        PAGE[name] = value


def edit_comparison(base: ExperimentConfig, spec: CompareSpec) -> CompareSpec:
    """Mode, then either the parameter and its values or each run's changes; returns the new spec."""
    mode = (
        st.segmented_control(
            t("compare.mode"),
            MODES,
            key=PAGE.key("mode"),
            format_func=lambda m: t(f"compare.mode_{m}"),
            help=t("compare.mode_help"),
            selection_mode="single",
        )
        or "vary"
    )
    if mode == "vary":
        vary_col, values_col, target_col = st.columns([1, 2, 1])
        vary = vary_col.selectbox(
            t("compare.vary"),
            list(VARY_OPTIONS),
            key=PAGE.key("vary"),
            format_func=lambda name: t(f"compare.vary_options.{name}"),
            help=t("compare.vary_help"),
        )
        values = _values_input(values_col, vary)
        new = replace(spec, mode=mode, vary=vary, values=tuple(values))
    else:
        new = replace(spec, mode=mode, custom=_custom_runs(base))
        target_col = st.columns([1, 3])[0]
    target_loss = target_col.number_input(
        t("compare.target"),
        min_value=MIN_TARGET_LOSS,
        max_value=MAX_TARGET_LOSS,
        step=0.05,
        format="%.4g",
        key=PAGE.key("target"),
        help=t("compare.target_help"),
    )
    new = replace(new, target_loss=float(target_loss))
    PAGE["spec"] = new
    return new


def _values_input(column, vary: str) -> list:
    option = VARY_OPTIONS[vary]
    values_name = f"values.{vary}"
    key = PAGE.key(values_name)
    label = t("compare.values", min=MIN_RUNS, max=MAX_RUNS)
    if option.choices:
        _seed(values_name, list(default_values(vary)))
        return list(
            column.multiselect(label, option.choices, key=key, max_selections=MAX_RUNS, help=t("compare.values_help"))
        )
    _seed(values_name, ", ".join(format_value(v) for v in default_values(vary)))
    text = column.text_input(label, key=key, help=t("compare.values_numbers_help"))
    values, warnings = parse_values(vary, text)
    for warning in warnings:
        column.warning(warning)
    if len(values) > MAX_RUNS:
        column.warning(t("compare.too_many_values", n=len(values), max=MAX_RUNS))
        values = values[:MAX_RUNS]
    return values


def _custom_runs(base: ExperimentConfig) -> tuple[tuple[tuple[str, Any], ...], ...]:
    """One column per run with the fields of CUSTOM_FIELDS; a run keeps only what differs from the base."""
    n_runs = st.number_input(
        t("compare.n_runs"), MIN_RUNS, MAX_RUNS, step=1, key=PAGE.key("n_runs"), help=t("compare.n_runs_help")
    )
    task = base.task
    runs = []
    for i, column in enumerate(st.columns(int(n_runs))):
        with column:
            st.markdown(f"**{t('compare.run_label', n=i + 1)}**")
            changes = []
            for name in CUSTOM_FIELDS:
                if name == "sampler" and task == "regression":
                    continue
                field = f"run{i}.{name}"
                current = value_at(base, name)
                if current is None:  # no hidden layer, so no activation to change
                    continue
                _seed(field, current)
                value = _field_widget(name, field)
                if value != current:
                    changes.append((name, value))
            runs.append(tuple(changes))
    return tuple(runs)


def _field_widget(name: str, field: str) -> Any:
    """The widget for run field ``field`` (``run<i>.<name>``) of the page."""
    label, help_text = t(f"compare.vary_options.{name}"), t(f"compare.field_help.{name}")
    key, option = PAGE.key(field), VARY_OPTIONS[name]
    if option.choices:
        return st.selectbox(label, option.choices, key=key, help=help_text)
    if name == "learning_rate":
        options = tuple(sorted(set(widgets.LEARNING_RATES) | {PAGE[field]}))
        return st.select_slider(label, options=options, key=key, help=help_text)
    if name == "l2":
        options = tuple(sorted(set(widgets.PENALTIES) | {PAGE[field]}))
        return st.select_slider(label, options=options, key=key, help=help_text)
    return int(st.number_input(label, 0, LIMITS.max_hidden_layers, step=1, key=key, help=help_text))  # depth


def build(base: ExperimentConfig, spec: CompareSpec) -> tuple[CompareRun, ...] | None:
    """The runs of ``spec`` on ``base``, or None (with the reason shown) when they cannot be built."""
    try:
        if spec.mode == "vary":
            if len(spec.values) < MIN_RUNS:
                st.info(t("compare.too_few_values", min=MIN_RUNS))
                return None
            return sweep(base, spec.vary, spec.values)
        labels = [t("compare.run_label", n=i + 1) for i in range(len(spec.custom))]
        return build_runs(base, [dict(changes) for changes in spec.custom], labels=labels)
    except ValueError as exc:
        st.error(t("compare.invalid_runs", reason=escape_markdown(core_problem(exc))))
        return None


def describe_runs(runs: tuple[CompareRun, ...]) -> None:
    """In custom mode, say what each run changes (the labels are just "Run 1", "Run 2", ...)."""
    parts = []
    for run in runs:
        changes = ", ".join(f"{_short(path)} = {format_value(value)}" for path, value in run.changes)
        parts.append(f"**{run.label}**: {changes or t('compare.same_as_base')}")
    st.caption(" · ".join(parts))


def _short(path: str) -> str:
    for option in VARY_OPTIONS.values():
        if option.path == path:
            return t(f"compare.vary_options.{option.name}")
    return path


# ---- training live ----------------------------------------------------------------------------------------
def current_session(runs: tuple[CompareRun, ...]) -> compare_live.CompareSession:
    """The session's comparison; a new one (paused) when the runs changed."""
    session: compare_live.CompareSession | None = PAGE.get("session")
    if session is None or session.runs != runs:
        version = (session.version + 1) if session else 1
        session = compare_live.new_session(runs, version, state.prepared_data)
        PAGE["session"] = session
    return session


@st.fragment
def live_panel(runs: tuple[CompareRun, ...], target_loss: float) -> None:
    """Transport, the live grid of run pictures and curves, the summary table and the replay; reruns on its own."""
    session = current_session(runs)
    bar = live_loop.transport_bar(PAGE, "compare", "session")
    log_y = bar.extra.toggle(t("compare.log_scale"), key=PAGE.key("log"), help=t("compare.log_scale_help"))
    session = live_loop.serve(bar, session, scene_options={"log_y": log_y}, height=compare_live.view_height(session))
    for run, trainer in zip(session.runs, session.comparison.trainers, strict=True):
        if trainer.history.diverged:
            st.warning(f"**{run.label}**: {training_message(trainer.history)}")
    if not session.playing:  # tables and the replay would slow every batch down; the counters show progress
        summary(session, target_loss)
        if session.comparison.epoch > 0:
            replay(session)
            downloads(session)


def downloads(session: compare_live.CompareSession) -> None:
    """One compared network, as trained so far, as ONNX or a PyTorch script."""
    st.subheader(t("export.header"))
    index = st.selectbox(
        t("export.pick_run"),
        range(len(session.runs)),
        format_func=lambda i: session.runs[i].label,
        key=PAGE.key("export_run"),
        help=t("export.pick_run_help"),
    )
    export_buttons(session.comparison.trainers[index].network, session.runs[index].config, PAGE.child("export"))


def summary(session: compare_live.CompareSession, target_loss: float) -> None:
    st.subheader(t("compare.summary_header"))
    if session.comparison.epoch == 0:  # nothing measured yet: the numbers would read "None" in every cell
        st.dataframe({t("compare.col_run"): list(session.comparison.labels)}, hide_index=True, key=PAGE.key("summary"))
        st.caption(t("compare.summary_before_training"))
        return
    rows = session.comparison.summary(target_loss=target_loss)
    st.dataframe(figures_compare.summary_table(rows, target_loss), hide_index=True, key=PAGE.key("summary"))
    st.caption(t("compare.summary_caption"))


def _replay_figure(session: compare_live.CompareSession):
    comparison = session.comparison
    data = comparison.data
    two_d = data[0].dataset.input_dim == 2
    return figures_compare.replay_figure(
        comparison.replay(),
        session.task,
        n_classes=max(data[0].dataset.n_classes, 2),
        train_points=[(d.raw.X_train, d.raw.y_train) for d in data] if two_d else None,
        test_points=(data[0].raw.X_test, data[0].raw.y_test) if two_d else None,
        title=t("compare.replay_title", epochs=comparison.epoch),
    )


def replay(session: compare_live.CompareSession) -> None:
    """Scrub through the saved snapshots of every run in step, and export them as a page that plays offline."""
    st.subheader(t("compare.replay_header"))
    st.caption(t("compare.replay_caption"))
    show_col, download_col = st.columns([1, 1], vertical_alignment="center")
    show = show_col.toggle(t("compare.replay_show"), key=PAGE.key("replay"), help=t("compare.replay_show_help"))
    download_col.download_button(
        t("compare.replay_download"),
        data=lambda: figures_compare.replay_html(_replay_figure(session), t("compare.replay_page_title")),
        file_name="comparison-replay.html",
        mime="text/html",
        key=PAGE.key("download"),
        on_click="ignore",
        help=t("compare.replay_download_help"),
    )
    if show:
        st.plotly_chart(_replay_figure(session), key=PAGE.key("replay_chart"))
