"""Wiring for the Under the hood page: the sidebar's network (or the Playground's), the tab a link opens, and
the five tabs: gradient flow, step-through, gradient check, initialization explorer, loss landscape. Each tab
is a fragment, so its own buttons rerun only that tab.
"""

import streamlit as st

from core.engine import gradcheck
from core.engine.initializers import INITIALIZERS
from core.engine.optimizers import OPTIMIZERS
from core.experiment.config import ExperimentConfig
from core.experiment.presets import PRESETS
from core.experiment.run import build_network
from core.experiment.settings import LIMITS
from core.labs import diagnostics, landscape, stepthrough
from playground import state, widgets
from playground.i18n import t
from playground.markdown_text import escape_markdown
from playground.pages.under_the_hood import figures as fig
from playground.training_messages import core_problem

PAGE = state.PageState("uth")
DEFAULT = PRESETS["xor_2_2_1"]  # the lecture notes' 2-2-1 XOR network: small enough to read every matrix
PLAYGROUND = state.PageState("pg")  # the Playground page's state: its configuration and run
STEP_BATCH_MAX = 8
CHECK_BATCH = 32
EXPLORER_SCHEMES = ("zeros", "small_random", "xavier", "he", "normal", "large_random")
SATURATING, RECTIFIED = ("sigmoid", "tanh"), ("relu",)
TAB_IDS = ("flow", "step", "check", "init", "landscape")  # the values ?tab= accepts, in page order
LANDSCAPE_SPANS = {"parameters": (1.0, 2.0, 4.0, 8.0, 16.0), "directions": (0.25, 0.5, 1.0, 2.0, 4.0)}
LANDSCAPE_DEFAULT_SPAN = {"parameters": 8.0, "directions": 1.0}
LANDSCAPE_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
LANDSCAPE_RESOLUTION = 41

flow_report = st.cache_data(max_entries=32, show_spinner=False)(diagnostics.flow_report)
init_activations = st.cache_data(max_entries=64, show_spinner=False)(diagnostics.activations_at_init)
# cache_resource, not cache_data: pickling a Network would cut its weight arrays loose from its flat buffer.
# The cached network is only read (the landscape works on copies), so sharing it is safe.
landscape_centre = st.cache_resource(max_entries=16, show_spinner=False)(landscape.centre_network)


@st.cache_data(max_entries=32, show_spinner=False)
def landscape_slice(
    config: ExperimentConfig,
    moment: str,
    axes: tuple[str, str] | None,
    seed: int,
    span: float,
    optimizers: tuple[str, ...],
    learning_rate: float,
    steps: int,
    start: tuple[float, float],
):
    """The loss grid and the optimizer paths of one slice; ``axes`` None means two random directions."""
    centre = landscape_centre(config, moment)
    network = centre.network
    plane = landscape.random_plane(network, seed) if axes is None else landscape.parameter_plane(network, *axes)
    grid = landscape.loss_grid(network, centre.X, centre.y, plane, span=span, resolution=LANDSCAPE_RESOLUTION)
    origin_a, origin_b = plane.origin
    paths = landscape.optimizer_paths(
        network,
        centre.X,
        centre.y,
        plane,
        optimizers,
        learning_rate=learning_rate,
        steps=steps,
        start=(origin_a + start[0] * span, origin_b + start[1] * span),
    )
    return grid, paths, centre.epochs


def tab_from_url() -> str | None:
    """The tab named by ``?tab=``, or None; an unknown value is named in a warning and otherwise ignored."""
    requested = st.query_params.get("tab")
    if requested is None or requested in TAB_IDS:
        return requested
    st.warning(
        t("under_the_hood.unknown_tab", tab=escape_markdown(requested[:40]), allowed=", ".join(TAB_IDS)),
        icon=":material/link_off:",
    )
    return None


def remember_tab(labels: dict[str, str]) -> None:
    """After the reader switches tab, put it in the URL so that copying the address opens the same tab."""
    chosen = {label: tab_id for tab_id, label in labels.items()}.get(PAGE.get("tab"))
    if chosen is not None:
        st.query_params["tab"] = chosen


def use_playground_network() -> None:
    """Copy the Playground's settings into the sidebar and, when it has trained, its weights too."""
    widgets.load_config(PAGE, PLAYGROUND["config"])
    run = PLAYGROUND.get("run")
    if run is not None and run.trainer.epoch > 0:
        PAGE["trained"] = (run.config, run.trainer.network.parameters(), run.trainer.epoch)


def with_playground_weights(network, config: ExperimentConfig):
    """``network`` with the Playground's trained weights while the settings are still the ones copied from it."""
    trained = PAGE.get("trained")
    if trained is None:
        return network
    trained_config, parameters, epoch = trained
    # Drawn points and the URL-only fields are not sidebar controls here: compare what builds the network.
    same = (trained_config.model, trained_config.data.features, trained_config.seed) == (
        config.model,
        config.data.features,
        config.seed,
    )
    if not same:
        return network
    try:
        network.set_parameters(parameters)
    except ValueError:
        return network
    st.sidebar.caption(t("under_the_hood.sidebar.trained_weights", epoch=epoch))
    return network


def move_step(delta: int, count: int) -> None:
    PAGE["step"] = min(max(PAGE.get("step", 0) + delta, 0), count - 1)


def run_label(label: str) -> str:
    return t(f"under_the_hood.runs.{label}")


# Each tab is a fragment: pressing "Next step" or changing a demo reruns that tab only, not the whole page.
@st.fragment
def gradient_flow_view(config: ExperimentConfig) -> None:
    """1 · Per-layer gradient norms, update sizes, saturation and activations of your network or a demo."""
    source = st.selectbox(
        t("under_the_hood.flow.source"),
        ("yours", *diagnostics.DEMOS),
        key=PAGE.key("source"),
        format_func=lambda name: t(f"under_the_hood.demos.{name}.title"),
        help=t("under_the_hood.flow.source_help"),
    )
    st.markdown(t(f"under_the_hood.demos.{source}.explain", epochs=diagnostics.FLOW_MAX_EPOCHS))
    configs = (
        {run_label("yours"): config}
        if source == "yours"
        else {run_label(label): cfg for label, cfg in diagnostics.DEMOS[source].runs.items()}
    )
    with st.spinner(t("under_the_hood.flow.training")):
        reports = {label: flow_report(cfg) for label, cfg in configs.items()}
    st.dataframe(fig.flow_summary_rows(reports), hide_index=True, key=PAGE.key("summary"))
    for label, report in reports.items():
        if report.history.diverged:
            st.warning(t("under_the_hood.flow.diverged", run=label, epoch=len(report.history) + 1))

    histories = {label: report.history for label, report in reports.items()}
    epochs = {label: h.epoch for label, h in histories.items()}
    st.plotly_chart(
        fig.per_layer_curves_figure(
            {label: h.grad_norms for label, h in histories.items()},
            epochs,
            title=t("under_the_hood.flow.grad_norms_title"),
            y_title=t("under_the_hood.fig.gradient_norm"),
        ),
        key=PAGE.key("grad_norms"),
    )
    st.caption(t("under_the_hood.flow.grad_norms_caption"))
    left, right = st.columns(2)
    left.plotly_chart(
        fig.depth_profile_figure(
            {label: report.trace.grad_norms[0] for label, report in reports.items() if len(report.trace)},
            title=t("under_the_hood.flow.profile_title"),
            y_title=t("under_the_hood.fig.gradient_norm"),
        ),
        key=PAGE.key("profile"),
    )
    left.caption(t("under_the_hood.flow.profile_caption"))
    right.plotly_chart(
        fig.step_norms_figure(
            {label: report.trace for label, report in reports.items()}, title=t("under_the_hood.flow.steps_title")
        ),
        key=PAGE.key("steps"),
    )
    right.caption(t("under_the_hood.flow.steps_caption"))
    st.plotly_chart(
        fig.per_layer_curves_figure(
            {label: h.update_ratios for label, h in histories.items()},
            epochs,
            title=t("under_the_hood.flow.update_ratio_title"),
            y_title=t("under_the_hood.fig.update_ratio"),
        ),
        key=PAGE.key("update_ratios"),
    )
    st.caption(t("under_the_hood.flow.update_ratio_caption"))

    activations_used = {a for report in reports.values() for a in report.hidden_activations}
    for kind, names, attribute in (
        ("saturated", SATURATING, "saturated_fraction"),
        ("dead", RECTIFIED, "dead_fraction"),
    ):
        if activations_used & set(names):
            st.plotly_chart(
                fig.per_layer_curves_figure(
                    {label: [row[:-1] for row in getattr(h, attribute)] for label, h in histories.items()},
                    epochs,
                    title=t(f"under_the_hood.flow.{kind}_title"),
                    y_title=t(f"under_the_hood.fig.{kind}"),
                    log_y=False,
                    y_range=(-0.02, 1.02),
                    output_last=False,
                ),
                key=PAGE.key(kind),
            )
            st.caption(t(f"under_the_hood.flow.{kind}_caption"))

    st.subheader(t("under_the_hood.flow.histograms_header"))
    pick_col, moment_col = st.columns(2)
    shown = pick_col.selectbox(
        t("under_the_hood.flow.histogram_run"),
        list(reports),
        key=PAGE.key("histogram_run"),
        help=t("under_the_hood.flow.histogram_run_help"),
    )
    moment = moment_col.radio(
        t("under_the_hood.flow.moment"),
        ("init", "trained"),
        horizontal=True,
        key=PAGE.key("moment"),
        format_func=lambda m: t(f"under_the_hood.flow.moments.{m}"),
        help=t("under_the_hood.flow.moment_help"),
    )
    report = reports[shown]
    layers = report.activations_init if moment == "init" else report.activations_trained
    if layers:
        st.plotly_chart(
            fig.activation_histograms_figure(layers, title=t("under_the_hood.flow.histograms_title", run=shown)),
            key=PAGE.key("histograms"),
        )
    else:
        st.info(t("under_the_hood.flow.no_hidden_layers"))


@st.fragment
def step_through_view(network, prepared, seed: int) -> None:
    """2 · One mini-batch forward and backward, one matrix per step, with previous/next buttons."""
    st.markdown(t("under_the_hood.step.intro"))
    batch_size = st.slider(
        t("under_the_hood.step.batch"),
        1,
        STEP_BATCH_MAX,
        4,
        key=PAGE.key("step_batch"),
        help=t("under_the_hood.step.batch_help"),
    )
    X_batch, y_batch = stepthrough.first_minibatch(
        prepared.split.X_train, prepared.split.y_train, batch_size, seed=seed
    )
    walk = stepthrough.step_through(network, X_batch, y_batch)
    count = len(walk)
    PAGE["step"] = min(PAGE.get("step", 0), count - 1)
    prev_col, next_col, where_col = st.columns([1.4, 1.4, 3])
    prev_col.button(
        t("under_the_hood.step.previous"),
        key=PAGE.key("previous"),
        on_click=move_step,
        args=(-1, count),
        disabled=PAGE["step"] == 0,
        icon=":material/arrow_back:",
        help=t("under_the_hood.step.previous_help"),
        width="stretch",
    )
    next_col.button(
        t("under_the_hood.step.next"),
        key=PAGE.key("next"),
        on_click=move_step,
        args=(1, count),
        disabled=PAGE["step"] == count - 1,
        icon=":material/arrow_forward:",
        help=t("under_the_hood.step.next_help"),
        width="stretch",
        type="primary",
    )
    step = walk[PAGE["step"]]
    where_col.progress(
        (step.index + 1) / count,
        text=t(
            "under_the_hood.step.position",
            number=step.index + 1,
            count=count,
            phase=t(f"under_the_hood.step.phases.{step.phase}"),
        ),
    )
    st.latex(step.formula)
    rows, cols = step.shape
    st.markdown(
        t("under_the_hood.step.shape", rows=rows, cols=cols)
        + " · "
        + t(
            f"under_the_hood.step.explain.{'input' if step.layer == 0 else step.name}",
            layer=step.layer,
            previous=step.layer - 1,
            next=step.layer + 1,
        )
    )
    st.plotly_chart(fig.step_matrix_figure(step), key=PAGE.key("matrix"))
    st.caption(t("under_the_hood.step.loss", loss=walk.loss, n=walk.n_samples))


@st.fragment
def gradient_check_view(config: ExperimentConfig, network, prepared) -> None:
    """3 · Finite differences against backprop, per parameter tensor, on demand."""
    st.markdown(
        t(
            "under_the_hood.check.intro",
            pass_below=f"{gradcheck.PASS_BELOW:.0e}",
            fail_above=f"{gradcheck.FAIL_ABOVE:.0e}",
        )
    )
    if st.button(
        t("under_the_hood.check.run"),
        key=PAGE.key("run_check"),
        type="primary",
        help=t("under_the_hood.check.run_help"),
    ):
        X_check, y_check = stepthrough.first_minibatch(
            prepared.split.X_train, prepared.split.y_train, CHECK_BATCH, seed=config.seed
        )
        with st.spinner(t("under_the_hood.check.running")):
            PAGE["check"] = (config, gradcheck.gradient_check(network, X_check, y_check))
    checked = PAGE.get("check")
    if checked is None:
        st.info(t("under_the_hood.check.not_run"))
    elif checked[0] != config:
        st.info(t("under_the_hood.check.stale"))
    else:
        result = checked[1]
        worst = result.worst
        verdict = {"pass": st.success, "warning": st.warning, "fail": st.error}[worst.status]
        verdict(
            t(
                f"under_the_hood.check.verdict_{worst.status}",
                name=worst.name,
                error=worst.relative_error,
                n=result.n_samples,
            )
        )
        st.plotly_chart(
            fig.gradcheck_figure(result, title=t("under_the_hood.check.figure_title")), key=PAGE.key("check_figure")
        )
        st.dataframe(fig.gradcheck_table(result), hide_index=True, key=PAGE.key("check_table"))


@st.fragment
def init_explorer_view() -> None:
    """4 · Activations per layer of a fresh deep network, for a scheme, activation, depth and width."""
    st.markdown(t("under_the_hood.init.intro"))
    scheme_col, activation_col, depth_col, units_col = st.columns(4)
    scheme = scheme_col.selectbox(
        t("under_the_hood.init.scheme"),
        INITIALIZERS,
        index=INITIALIZERS.index("xavier"),
        key=PAGE.key("init_scheme"),
        help=t("under_the_hood.init.scheme_help"),
    )
    activation = activation_col.selectbox(
        t("under_the_hood.init.activation"),
        diagnostics.HIDDEN_ACTIVATIONS,
        index=diagnostics.HIDDEN_ACTIVATIONS.index("tanh"),
        key=PAGE.key("init_activation"),
        help=t("under_the_hood.init.activation_help"),
    )
    depth = widgets.capped_slider(
        depth_col,
        t("under_the_hood.init.depth"),
        1,
        LIMITS.max_hidden_layers,
        6,
        key=PAGE.key("init_depth"),
        help=t("under_the_hood.init.depth_help"),
    )
    units = widgets.capped_slider(
        units_col,
        t("under_the_hood.init.units"),
        4,
        diagnostics.EXPLORER_MAX_UNITS,
        32,
        step=4,
        key=PAGE.key("init_units"),
        help=t("under_the_hood.init.units_help"),
    )
    explored = init_activations(scheme, depth, activation=activation, units=units)
    st.plotly_chart(
        fig.activation_histograms_figure(
            explored.activations, title=t("under_the_hood.init.histograms_title", scheme=scheme, activation=activation)
        ),
        key=PAGE.key("init_histograms"),
    )
    st.markdown(t(f"under_the_hood.init.schemes.{scheme}"))
    spreads = {
        name: init_activations(name, depth, activation=activation, units=units).stds() for name in EXPLORER_SCHEMES
    }
    st.plotly_chart(
        fig.depth_profile_figure(
            spreads,
            title=t("under_the_hood.init.spread_title", activation=activation),
            y_title=t("under_the_hood.init.spread_axis"),
            output_last=False,
        ),
        key=PAGE.key("init_spread"),
    )
    st.caption(t("under_the_hood.init.spread_caption"))


@st.fragment
def landscape_view(config: ExperimentConfig) -> None:
    """5 · The loss over a 2-D slice of parameter space, with SGD, momentum and Adam walking on it."""
    st.markdown(t("under_the_hood.landscape.intro"))
    centre_col, kind_col, first_col, second_col = st.columns(4)
    moment = centre_col.radio(
        t("under_the_hood.landscape.centre"),
        landscape.CENTRE_MOMENTS,
        index=1,
        key=PAGE.key("land_centre"),
        help=t("under_the_hood.landscape.centre_help"),
        format_func=lambda m: t(f"under_the_hood.landscape.centres.{m}"),
    )
    kind = kind_col.radio(
        t("under_the_hood.landscape.kind"),
        landscape.PLANE_KINDS,
        key=PAGE.key("land_kind"),
        help=t("under_the_hood.landscape.kind_help"),
        format_func=lambda k: t(f"under_the_hood.landscape.kinds.{k}"),
    )
    network = landscape_centre(config, moment).network
    if kind == "parameters":
        names = landscape.scalar_parameter_names(network)
        defaults = [name if name in names else names[i] for i, name in enumerate(landscape.DEFAULT_AXES)]
        first = first_col.selectbox(
            t("under_the_hood.landscape.first"),
            names,
            index=names.index(defaults[0]),
            key=PAGE.key("land_first"),
            help=t("under_the_hood.landscape.parameter_help"),
        )
        others = [name for name in names if name != first]
        second = second_col.selectbox(
            t("under_the_hood.landscape.second"),
            others,
            index=others.index(defaults[1]) if defaults[1] in others else 0,
            key=PAGE.key("land_second"),
            help=t("under_the_hood.landscape.parameter_help"),
        )
        axes, seed = (first, second), 0
        axis_titles = (first, second)
    else:
        seed = int(
            first_col.number_input(
                t("under_the_hood.landscape.seed"),
                0,
                10_000,
                0,
                step=1,
                key=PAGE.key("land_seed"),
                help=t("under_the_hood.landscape.seed_help"),
            )
        )
        axes = None
        axis_titles = (t("under_the_hood.fig.direction", n=1), t("under_the_hood.fig.direction", n=2))
    span_col, rate_col, steps_col, optimizer_col = st.columns([1, 1, 1, 1.6])
    span = span_col.select_slider(
        t("under_the_hood.landscape.span"),
        LANDSCAPE_SPANS[kind],
        value=LANDSCAPE_DEFAULT_SPAN[kind],
        key=PAGE.key(f"land_span_{kind}"),
        help=t(f"under_the_hood.landscape.span_help_{kind}"),
    )
    learning_rate = rate_col.select_slider(
        t("under_the_hood.landscape.learning_rate"),
        LANDSCAPE_RATES,
        value=0.3,
        key=PAGE.key("land_lr"),
        help=t("under_the_hood.landscape.learning_rate_help"),
    )
    steps = steps_col.slider(
        t("under_the_hood.landscape.steps"),
        10,
        500,
        100,
        step=10,
        key=PAGE.key("land_steps"),
        help=t("under_the_hood.landscape.steps_help"),
    )
    optimizers = optimizer_col.multiselect(
        t("under_the_hood.landscape.optimizers"),
        OPTIMIZERS,
        default=list(landscape.PATH_OPTIMIZERS),
        key=PAGE.key("land_optimizers"),
        help=t("under_the_hood.landscape.optimizers_help"),
    )
    start_a_col, start_b_col, log_col, surface_col = st.columns(4)
    start_a = start_a_col.slider(
        t("under_the_hood.landscape.start_a"),
        -1.0,
        1.0,
        -0.8,
        step=0.1,
        key=PAGE.key("land_start_a"),
        help=t("under_the_hood.landscape.start_help"),
    )
    start_b = start_b_col.slider(
        t("under_the_hood.landscape.start_b"),
        -1.0,
        1.0,
        0.8,
        step=0.1,
        key=PAGE.key("land_start_b"),
        help=t("under_the_hood.landscape.start_help"),
    )
    log_colour = log_col.toggle(
        t("under_the_hood.landscape.log_colour"),
        value=True,
        key=PAGE.key("land_log"),
        help=t("under_the_hood.landscape.log_colour_help"),
    )
    surface = surface_col.toggle(
        t("under_the_hood.landscape.surface"),
        value=False,
        key=PAGE.key("land_surface"),
        help=t("under_the_hood.landscape.surface_help"),
    )

    with st.spinner(t("under_the_hood.landscape.computing")):
        grid, paths, epochs = landscape_slice(
            config,
            moment,
            axes,
            seed,
            float(span),
            tuple(optimizers),
            float(learning_rate),
            int(steps),
            (float(start_a), float(start_b)),
        )
    st.plotly_chart(
        fig.landscape_figure(
            grid,
            paths,
            axis_titles=axis_titles,
            log_colour=log_colour,
            surface=surface,
            title=t("under_the_hood.landscape.figure_title"),
        ),
        key=PAGE.key("landscape"),
    )
    where = (
        t("under_the_hood.landscape.where_trained", epochs=epochs)
        if moment == "trained"
        else t("under_the_hood.landscape.where_init")
    )
    st.caption(t("under_the_hood.landscape.caption", where=where, resolution=grid.resolution))
    if grid.reduced:
        st.caption(t("under_the_hood.landscape.reduced", resolution=grid.resolution, requested=grid.requested))
    if paths:
        st.dataframe(
            [
                {
                    t("under_the_hood.fig.optimizer"): name,
                    t("under_the_hood.fig.start_loss"): f"{path.loss[0]:.4g}" if path.loss.size else "–",
                    t("under_the_hood.fig.end_loss"): f"{path.loss[-1]:.4g}" if path.loss.size else "–",
                    t("under_the_hood.fig.steps_taken"): str(path.steps),
                    t("under_the_hood.fig.diverged"): t(
                        "under_the_hood.fig.yes" if path.diverged else "under_the_hood.fig.no"
                    ),
                }
                for name, path in paths.items()
            ],
            hide_index=True,
            key=PAGE.key("land_table"),
        )
        for name, path in paths.items():
            if path.diverged:
                st.warning(t("under_the_hood.landscape.diverged", optimizer=name, step=path.steps + 1))
    else:
        st.info(t("under_the_hood.landscape.no_optimizers"))
    st.markdown(t("under_the_hood.landscape.read"))
    st.caption(t("under_the_hood.landscape.honest"))


# ---- the page's network (sidebar) and its tabs ---------------------------------------------------------------
def your_network():
    """The sidebar's experiment (or the Playground's, copied on request), its prepared data and its network.

    A configuration core refuses is named in an error and the last valid one is used instead."""
    with st.sidebar:
        st.header(t("under_the_hood.sidebar.header"))
        st.caption(t("under_the_hood.sidebar.intro"))
        st.button(
            t("under_the_hood.sidebar.use_playground"),
            key=PAGE.key("use_playground"),
            on_click=use_playground_network,
            disabled="config" not in PLAYGROUND,
            help=t("under_the_hood.sidebar.use_playground_help"),
        )
        start = PAGE.config(DEFAULT)
        with st.expander(t("under_the_hood.sidebar.data")):
            data, seed = widgets.dataset_controls(start.data, PAGE, seed=start.seed)
        with st.expander(t("under_the_hood.sidebar.network"), expanded=True):
            model = widgets.network_controls(start.model, PAGE, widgets.task_of(data))
        with st.expander(t("under_the_hood.sidebar.training")):
            train = widgets.training_controls(start.train, PAGE, widgets.task_of(data))
    config = ExperimentConfig(data, model, train, seed)
    try:
        config.validate()
    except ValueError as error:
        st.error(t("under_the_hood.invalid_config", error=escape_markdown(core_problem(error))))
        config = start
    PAGE.store_config(config)
    prepared = state.prepared_data(config)
    network = with_playground_weights(build_network(config, prepared.split.y_train), config)
    return config, prepared, network


def tabs():
    """The five tabs in TAB_IDS order; a link can open any of them (?tab=landscape)."""
    # st.tabs (Streamlit 1.67) takes the opening tab as ``default``.
    linked_tab = tab_from_url()
    tab_labels = {tab_id: t(f"under_the_hood.tabs.{tab_id}") for tab_id in TAB_IDS}
    return st.tabs(
        list(tab_labels.values()),
        default=tab_labels[linked_tab] if linked_tab else None,
        key=PAGE.key("tab"),
        on_change=remember_tab,
        args=(tab_labels,),
    )
