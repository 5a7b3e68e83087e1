"""Wiring for the Lessons page: which lesson and step are open (and the URL that says so), the step's text,
and its run: the settings the learner may change, the cached training, the figures and the checked claims.

Lessons themselves are data in ``core.labs.lessons``; their words are in ``playground/i18n/<lang>/lessons.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import streamlit as st

from core.engine.initializers import INITIALIZERS
from core.engine.optimizers import OPTIMIZERS
from core.engine.training import History
from core.experiment.boundary import BoundaryGrid, boundary_grid, capped_resolution
from core.experiment.config import HIDDEN_ACTIVATIONS, LOSS_CHOICES, SAMPLER_NAMES, ExperimentConfig
from core.experiment.run import run
from core.experiment.settings import LIMITS
from core.labs.digits import evaluate, first_layer_images
from core.labs.lessons import (
    LESSONS,
    OPERATORS,
    PERCENT_MEASURES,
    ClaimCheck,
    Lesson,
    Step,
    check_measured,
    cross_validation,
    measure,
    measured_names,
    uses_cross_validation,
)
from core.labs.regression import curve_grid
from playground import figures, state, widgets
from playground.i18n import t
from playground.language import with_language
from playground.live.playground import label_display_name
from playground.markdown_text import escape_markdown
from playground.pages.digits import figures as figures_digits
from playground.training_messages import core_problem
from playground.urlstate import playground_url

PAGE = state.PageState("lessons")
GRID_RESOLUTION = capped_resolution(50)
CURVE_POINTS = 200
FIGURE_HEIGHT = 330
OP_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
# Verdict marks in front of each claim: Streamlit's bundled icon font, so they draw even where no emoji font is.
HOLDS = ":green[:material/check_circle:]"
FAILS = ":red[:material/cancel:]"
CHANGED = ":orange[:material/change_circle:]"  # fails after the learner's change: expected, not broken


# ---- which lesson and step ---------------------------------------------------------------------------------
def _step_name(lesson_id: str) -> str:
    """Where the page keeps the open step of lesson ``lesson_id`` (also its step picker's key)."""
    return f"step.{lesson_id}"


def _read_url_once() -> None:
    """On a session's first run, open the lesson and step named in the URL (``?lesson=…&step=…``)."""
    if "url_read" in PAGE:
        return
    PAGE["url_read"] = True
    lesson_id = st.query_params.get("lesson")
    if lesson_id not in LESSONS:
        if lesson_id is not None:
            st.warning(t("lessons.unknown_lesson", lesson=escape_markdown(lesson_id[:40])), icon=":material/link_off:")
        return
    PAGE["lesson"] = lesson_id
    step_id = st.query_params.get("step")
    if step_id in [step.id for step in LESSONS[lesson_id].steps]:
        PAGE[_step_name(lesson_id)] = step_id
    elif step_id is not None:
        st.warning(t("lessons.unknown_step", step=escape_markdown(step_id[:40])), icon=":material/link_off:")


def lesson_picker() -> Lesson:
    """The lesson selectbox (numbered like the chapters); returns the chosen lesson."""
    _read_url_once()
    ids = list(LESSONS)
    if PAGE.get("lesson") not in ids:
        PAGE["lesson"] = ids[0]
    lesson_id = st.selectbox(
        t("lessons.lesson"),
        ids,
        key=PAGE.key("lesson"),
        help=t("lessons.lesson_help"),
        format_func=lambda i: t("lessons.lesson_option", number=ids.index(i) + 1, title=t(f"lessons.{i}.title")),
    )
    st.caption(t(f"lessons.{lesson_id}.summary"))
    return LESSONS[lesson_id]


def _move(lesson: Lesson, offset: int) -> None:
    ids = [step.id for step in lesson.steps]
    current = ids.index(PAGE.get(_step_name(lesson.id), ids[0]))
    PAGE[_step_name(lesson.id)] = ids[max(0, min(len(ids) - 1, current + offset))]


def step_navigation(lesson: Lesson) -> Step:
    """Step picker with Previous / Next; returns the open step."""
    ids = [step.id for step in lesson.steps]
    name = _step_name(lesson.id)
    if PAGE.get(name) not in ids:
        PAGE[name] = ids[0]
    index = ids.index(PAGE[name])
    pick_col, back_col, next_col = st.columns([4, 1, 1], vertical_alignment="bottom")
    step_id = pick_col.selectbox(
        t("lessons.step"),
        ids,
        key=PAGE.key(name),
        help=t("lessons.step_help"),
        format_func=lambda i: t(
            "lessons.step_option", number=ids.index(i) + 1, title=t(f"lessons.{lesson.id}.{i}.title")
        ),
    )
    back_col.button(
        t("lessons.previous"),
        key=PAGE.key("previous"),
        on_click=_move,
        args=(lesson, -1),
        disabled=index == 0,
        width="stretch",
        icon=":material/arrow_back:",
        help=t("lessons.previous_help"),
    )
    next_col.button(
        t("lessons.next"),
        key=PAGE.key("next"),
        on_click=_move,
        args=(lesson, 1),
        type="primary",
        disabled=index == len(ids) - 1,
        width="stretch",
        icon=":material/arrow_forward:",
        help=t("lessons.next_help"),
    )
    return lesson.step(step_id)


def sync_url(lesson: Lesson, step: Step) -> None:
    """Keep ``lesson`` and ``step`` in the address bar (other parameters, such as ``lang``, stay)."""
    if st.query_params.get("lesson") != lesson.id:
        st.query_params["lesson"] = lesson.id
    if st.query_params.get("step") != step.id:
        st.query_params["step"] = step.id


# ---- the step's text -------------------------------------------------------------------------------------
def step_text(lesson: Lesson, step: Step) -> None:
    """Counter and title, the explanation with its formulas, what to try, what to expect, a link deeper."""
    prefix = f"lessons.{lesson.id}.{step.id}"
    number = [s.id for s in lesson.steps].index(step.id) + 1
    st.caption(t("lessons.step_counter", number=number, total=len(lesson.steps)))
    st.subheader(t(f"{prefix}.title"))
    st.markdown(t(f"{prefix}.body"))
    for formula in step.formulas:
        st.latex(formula)
    with st.container(border=True):
        st.markdown(f"**{t('lessons.try_header')}**")
        st.markdown(t(f"{prefix}.try"))
    with st.container(border=True):
        st.markdown(f"**{t('lessons.see_header')}**")
        st.markdown(t(f"{prefix}.see"))
    if step.link:
        st.page_link(
            f"app_pages/{step.link}.py",
            label=t("lessons.go_deeper", page=t(f"app.nav.{step.link}")),
            icon=":material/arrow_outward:",
            query_params={"tab": step.link_tab} if step.link_tab else None,
        )


# ---- settings the learner may change ----------------------------------------------------------------------
def _knob_value(config: ExperimentConfig, knob: str) -> Any:
    d, m, tr = config.data, config.model, config.train
    first = m.hidden[0] if m.hidden else None
    return {
        "units": first.units if first else 1,
        "activation": first.activation if first else "tanh",
        "dropout": first.dropout if first else 0.0,
        "init": m.init,
        "loss": m.loss,
        "optimizer": tr.optimizer,
        "learning_rate": tr.learning_rate,
        "batch_size": tr.batch_size,
        "epochs": tr.epochs,
        "l1": tr.l1,
        "l2": tr.l2,
        "clip_norm": tr.clip_norm,
        "n_samples": d.n_samples,
        "noise": d.noise,
        "sampler": d.sampler,
        "class_weight": tr.class_weight,
    }[knob]


def _with_knob(config: ExperimentConfig, knob: str, value: Any) -> ExperimentConfig:
    """``config`` with one knob set; units/activation/dropout apply to every hidden layer."""
    d, m, tr = config.data, config.model, config.train
    if knob in ("units", "activation", "dropout"):
        return replace(config, model=replace(m, hidden=tuple(replace(layer, **{knob: value}) for layer in m.hidden)))
    if knob in ("init", "loss"):
        return replace(config, model=replace(m, **{knob: value}))
    if knob in ("n_samples", "noise", "sampler"):
        return replace(config, data=replace(d, **{knob: value}))
    return replace(config, train=replace(tr, **{knob: value}))


def _knob_widget(knob: str, key: str, value: Any) -> Any:
    """One widget for ``knob``, labelled and explained with the Playground's own strings."""
    label, help_text = t(f"widgets.{knob}"), t(f"widgets.{knob}_help")
    if knob == "units":
        return st.number_input(label, 1, LIMITS.max_units, step=1, key=key, help=help_text)
    if knob == "activation":
        return st.selectbox(label, HIDDEN_ACTIVATIONS, key=key, help=help_text)
    if knob == "init":
        return st.selectbox(label, INITIALIZERS, key=key, help=help_text)
    if knob == "loss":
        return st.selectbox(
            label,
            LOSS_CHOICES,
            key=key,
            help=help_text,
            format_func=lambda v: t("widgets.auto") if v == "auto" else t(f"widgets.losses.{v}"),
        )
    if knob == "optimizer":
        return st.selectbox(
            label, OPTIMIZERS, key=key, help=help_text, format_func=lambda o: t(f"widgets.optimizers.{o}")
        )
    if knob == "learning_rate":
        return st.select_slider(
            label, options=tuple(sorted({*widgets.LEARNING_RATES, 10.0, value})), key=key, help=help_text
        )
    if knob == "batch_size":
        return st.select_slider(label, options=tuple(sorted({*widgets.BATCH_SIZES, value})), key=key, help=help_text)
    if knob == "epochs":
        return st.number_input(label, 1, LIMITS.max_epochs, step=10, key=key, help=help_text)
    if knob in ("l1", "l2"):
        return st.select_slider(label, options=tuple(sorted({*widgets.PENALTIES, value})), key=key, help=help_text)
    if knob == "dropout":
        return st.select_slider(label, options=DROPOUTS, key=key, help=help_text)
    if knob == "clip_norm":
        return st.number_input(label, 0.0, 1e6, step=0.5, key=key, help=help_text)
    if knob == "n_samples":
        return st.slider(label, 20, 1000, step=10, key=key, help=help_text)
    if knob == "noise":
        return st.slider(label, 0.0, 1.0, step=0.05, key=key, help=help_text)
    if knob == "sampler":
        return st.selectbox(
            label, SAMPLER_NAMES, key=key, help=help_text, format_func=lambda s: t(f"widgets.samplers.{s}")
        )
    return st.selectbox(
        label, ("none", "balanced"), key=key, help=help_text, format_func=lambda v: t(f"widgets.class_weights.{v}")
    )


def _knob_name(lesson: Lesson, step: Step, knob: str) -> str:
    return f"{lesson.id}.{step.id}.{knob}"


def _reset(lesson: Lesson, step: Step) -> None:
    for knob in step.knobs:
        PAGE[_knob_name(lesson, step, knob)] = _knob_value(step.config, knob)


def edit_settings(lesson: Lesson, step: Step) -> ExperimentConfig:
    """The step's knobs in a form with a Run button; returns the configuration to train (validated)."""
    config = step.config
    if not step.knobs:
        st.caption(t("lessons.no_knobs"))
        return config
    with st.form(key=PAGE.key(f"{lesson.id}.{step.id}.form")):
        columns = st.columns(min(3, len(step.knobs)))
        for i, knob in enumerate(step.knobs):
            name = _knob_name(lesson, step, knob)
            value = _knob_value(step.config, knob)
            if name not in PAGE:
                PAGE[name] = value
            with columns[i % len(columns)]:
                config = _with_knob(config, knob, _knob_widget(knob, PAGE.key(name), value))
        run_col, reset_col = st.columns([1, 1])
        run_col.form_submit_button(
            t("lessons.run"), type="primary", icon=":material/play_arrow:", help=t("lessons.run_help"), width="stretch"
        )
        # A submit button too (a form allows no other callbacks): the reset runs after the form's values land.
        reset_col.form_submit_button(
            t("lessons.reset"),
            on_click=_reset,
            args=(lesson, step),
            icon=":material/restart_alt:",
            help=t("lessons.reset_help"),
            width="stretch",
        )
    try:
        config.validate()
    except ValueError as error:
        st.warning(t("lessons.invalid_settings", reason=escape_markdown(core_problem(error))))
        return step.config
    return config


# ---- training (cached) and what it shows ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RunView:
    """What the page shows of one finished run: plain data, so it caches and pickles cheaply."""

    task: str
    n_classes: int
    history: History
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    synthetic: np.ndarray
    grid: BoundaryGrid | None  # 2-D inputs
    curve: tuple[np.ndarray, np.ndarray] | None  # 1-D inputs: x (n,), prediction (n,)
    confusion: np.ndarray | None  # digits
    first_layer: np.ndarray | None  # digits: (units, 8, 8)
    fold_scores: np.ndarray | None  # steps that cross-validate: (K,) score of each fold
    measured: dict[str, float]
    label_names: tuple[str, ...] = ()  # multi-label runs: one name per label (grid values has one layer each)


@st.cache_data(max_entries=128, show_spinner=False)
def run_view(config: ExperimentConfig, measures: tuple[str, ...]) -> RunView:
    """Train ``config`` to the end and keep what the page draws and the ``measures`` its claims need."""
    result = run(config)
    data, network = result.data, result.network
    raw = data.raw
    grid = curve = confusion = first_layer = None
    if data.dataset.name == "digits":
        confusion = evaluate(network, data.split.X_test, data.split.y_test).confusion
        first_layer = first_layer_images(network)
    elif raw.X_train.shape[1] == 1:
        xs = curve_grid(CURVE_POINTS)
        curve = (xs[:, 0], network.predict(xs)[:, 0])
    else:
        grid = boundary_grid(network, data.features, resolution=GRID_RESOLUTION)
    return RunView(
        task=data.task,
        n_classes=max(2, data.dataset.n_classes),
        history=result.history,
        train=(raw.X_train, raw.y_train),
        test=(raw.X_test, raw.y_test),
        synthetic=data.synthetic,
        grid=grid,
        curve=curve,
        confusion=confusion,
        first_layer=first_layer,
        fold_scores=cross_validation(config).fold_scores if uses_cross_validation(measures) else None,
        measured=measure(result, measures),
        label_names=data.dataset.label_names if data.task == "multilabel" else (),
    )


def _run_figure(view: RunView, label: str, key: str) -> None:
    if view.grid is not None:
        fig = figures.decision_boundary_figure(
            view.grid,
            view.task,
            n_classes=view.n_classes,
            train=view.train,
            test=view.test,
            synthetic=view.synthetic,
            title=label,
            height=FIGURE_HEIGHT,
        )
    elif view.curve is not None:
        fig = figures.curve_fit_figure(*view.curve, view.train, view.test, title=label, height=FIGURE_HEIGHT)
    else:
        fig = figures_digits.confusion_figure(view.confusion, height=FIGURE_HEIGHT + 60)
    st.plotly_chart(fig, key=key, width="stretch")


def _multilabel_figures(
    view: RunView, label: str, compare: RunView | None, prefix: str, charts: state.PageState
) -> dict[str, History]:
    """A multi-label run's pictures side by side, one per label (that label's sigmoid, points coloured by that
    label), and the compare run's picture next to them; returns the histories for the loss curves."""
    # Two to a row, as a compare step shows its two runs: three pictures in one row are too small to read.
    cells = len(view.label_names) + (compare is not None)
    columns = [column for _ in range(0, cells, 2) for column in st.columns(2)]
    for j, (column, name) in enumerate(zip(columns, view.label_names, strict=False)):
        title = t(f"{prefix}.label", label=label_display_name(name))
        grid = BoundaryGrid(view.grid.xs, view.grid.ys, view.grid.values[:, :, j])
        fig = figures.decision_boundary_figure(
            grid,
            "binary",
            train=(view.train[0], view.train[1][:, j]),
            test=(view.test[0], view.test[1][:, j]),
            title=title,
            height=FIGURE_HEIGHT,
        )
        column.plotly_chart(fig, key=charts.key(f"label_{j}"), width="stretch")
    histories = {label: view.history}
    if compare is not None:
        compare_label = t(f"{prefix}.compare")
        with columns[len(view.label_names)]:
            _run_figure(compare, compare_label, charts.key("compare_figure"))
        histories[compare_label] = compare.history
    return histories


def step_run(lesson: Lesson, step: Step) -> None:
    """The step's run, in a fragment so changing a setting and pressing Run redraws only this part."""
    st.fragment(_step_run_body)(lesson.id, step.id)


def _step_run_body(lesson_id: str, step_id: str) -> None:
    lesson = LESSONS[lesson_id]
    step = lesson.step(step_id)
    prefix = f"lessons.{lesson.id}.{step.id}"
    st.subheader(t("lessons.run_header"))
    config = edit_settings(lesson, step)
    names = measured_names(step)
    with st.spinner(t("lessons.training")):
        view = run_view(config, names)
        compare = run_view(step.compare, names) if step.compare is not None else None
    label = run_label(lesson, step, config)
    if view.history.diverged:
        st.error(t("lessons.diverged", epoch=len(view.history.epoch)))
    charts = PAGE.child(f"chart.{lesson.id}.{step.id}")
    if view.task == "multilabel":  # one picture per label, then the compare run's
        histories = _multilabel_figures(view, label, compare, prefix, charts)
    elif compare is None:
        _run_figure(view, label, charts.key("figure"))
        histories = {label: view.history}
    else:
        compare_label = t(f"{prefix}.compare")
        left, right = st.columns(2)
        with left:
            _run_figure(view, label, charts.key("figure"))
        with right:
            _run_figure(compare, compare_label, charts.key("compare_figure"))
        histories = {label: view.history, compare_label: compare.history}
    if view.first_layer is not None:
        st.plotly_chart(figures_digits.weights_figure(view.first_layer), key=charts.key("weights"), width="stretch")
    st.plotly_chart(figures.loss_curves_figure(histories, height=240), key=charts.key("loss"), width="stretch")
    if view.fold_scores is not None:
        st.markdown(fold_scores_text(view.fold_scores))
    claims(lesson, step, config, view, compare)
    if config.data.name != "digits":
        st.link_button(
            t("lessons.open_playground"),
            with_language(playground_url(config)),
            help=t("lessons.open_playground_help"),
            icon=":material/open_in_new:",
        )


def fold_scores_text(scores: np.ndarray) -> str:
    """The K folds' scores, then their mean ± standard deviation (scores: (K,) accuracies)."""
    return t(
        "lessons.fold_scores",
        k=len(scores),
        scores=" · ".join(f"{s:.1%}" for s in scores),
        mean=f"{np.mean(scores):.1%}",
        std=f"{np.std(scores):.1%}",
    )


# ---- the claims, checked on this run ------------------------------------------------------------------------
def _number(measure_name: str, value: float, decimals: int | None = None) -> str:
    """``value`` as the page shows it; ``decimals`` (None: the measure's usual precision) for finer detail."""
    if measure_name in PERCENT_MEASURES:
        return f"{value:.{decimals or 0}%}"
    if decimals is not None:
        return f"{value:.{decimals}f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.{decimals}e}"
    if measure_name in ("diverged", "epochs_run"):
        return f"{value:.0f}"
    return f"{value:.3g}"


def _shown_value(text: str) -> float:
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def shown_pair(check: ClaimCheck, compare_value: float | None = None) -> tuple[str, str]:
    """The measured number and the right-hand side as shown, precise enough that they read as the verdict.

    Rounded to the usual precision, 99.6 % < 100 % would read "100% < 100%" next to a tick; one more decimal
    at a time until the two shown numbers compare as the unrounded ones do. ``compare_value`` is the compare
    run's own value (the right-hand side is ``factor`` × it).
    """
    name, claim = check.claim.measure, check.claim
    factor = claim.factor if claim.versus_compare else 1.0
    right = compare_value if claim.versus_compare and compare_value is not None else check.target
    for decimals in (None, 1, 2, 3, 4, 6):
        measured, target = _number(name, check.measured, decimals), _number(name, right, decimals)
        try:
            agrees = OPERATORS[claim.op](_shown_value(measured), factor * _shown_value(target))
        except ValueError:  # nan or inf: nothing to refine
            break
        if agrees == check.holds:
            break
    return measured, target


def run_label(lesson: Lesson, step: Step, config: ExperimentConfig) -> str:
    """The name of the run shown: the step's own name, or the learner's changes when they made some."""
    changes = changed_knobs(step, config)
    if not changes:
        return t(f"lessons.{lesson.id}.{step.id}.run")
    return t("lessons.your_run", changes=changes)


def changed_knobs(step: Step, config: ExperimentConfig) -> str:
    """The knobs the learner changed from the step's settings, e.g. "Activation = tanh" ("" when none)."""
    changed = [knob for knob in step.knobs if _knob_value(config, knob) != _knob_value(step.config, knob)]
    return ", ".join(f"{t(f'widgets.{knob}')} = {_knob_value(config, knob)}" for knob in changed)


def claim_line(check: ClaimCheck, compare: RunView | None, labels: tuple[str, str], changes: str = "") -> str:
    """One claim with both sides named: "measure: <run> **50%** < <compare run> **100%**" and its verdict.

    ``labels`` are the run's and the compare run's names. A claim that fails after the learner changed the
    step's settings (``changes``, e.g. "Activation = tanh") is the expected outcome of "what to try": the
    line says in words that it no longer holds with that change, instead of a bare red cross.
    """
    name = check.claim.measure
    versus = check.claim.versus_compare and compare is not None
    measured, target = shown_pair(check, compare.measured[name] if versus else None)
    if versus:
        factor = "" if check.claim.factor == 1.0 else f"{check.claim.factor:g} × "
        right = t("lessons.claim_versus", factor=factor, value=target, label=labels[1])
    else:
        right = f"**{target}**"
    text = t(
        "lessons.claim_text",
        measure=t(f"lessons.measures.{name}"),
        label=labels[0],
        measured=measured,
        op=OP_SYMBOLS[check.claim.op],
        target=right,
    )
    if check.holds:
        return f"{HOLDS} {text}"
    if changes:
        return f"{CHANGED} {text} — {t('lessons.claim_changed', changes=changes)}"
    return f"{FAILS} {text}"


def claims(lesson: Lesson, step: Step, config: ExperimentConfig, view: RunView, compare: RunView | None) -> None:
    """Every claim of the step, measured on the run just shown, with a verdict."""
    if not step.claims:
        return
    checks = check_measured(step, view.measured, None if compare is None else compare.measured)
    compare_label = t(f"lessons.{lesson.id}.{step.id}.compare") if compare is not None else ""
    changes = changed_knobs(step, config)
    with st.container(border=True):
        st.markdown(f"**{t('lessons.checks_header')}**")
        for check in checks:
            st.markdown(claim_line(check, compare, (run_label(lesson, step, config), compare_label), changes))
        if all(check.holds for check in checks):
            st.caption(t("lessons.claims_all_hold"))
        elif changes:
            st.caption(t("lessons.claims_changed"))
        else:
            st.caption(t("lessons.claims_some_fail"))
