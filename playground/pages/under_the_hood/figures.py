"""Figures for the Under the hood page: gradient flow, activation histograms, step-through matrices, gradient check,
the loss landscape with optimizer paths.

Pure builders (plain data in, ``go.Figure`` out). Layers are coloured along one sequential scale from the first
hidden layer (dark) to the output layer (light), so "deep" and "shallow" read the same in every chart; runs keep
the shared run colours of :mod:`playground.figures`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from core.engine.gradcheck import FAIL_ABOVE, PASS_BELOW, GradientCheck
from core.labs.diagnostics import FlowReport, StepTrace
from core.labs.landscape import LossGrid, OptimizerPath
from core.labs.stepthrough import Step
from playground.figures import MARGIN, base_layout, run_colour
from playground.i18n import t

LAYER_SCALE = "Viridis"
STATUS_COLOURS = {"pass": "#2ca02c", "warning": "#f5a623", "fail": "#d62728"}
MATRIX_SCALE = "RdBu"
MAX_ANNOTATED_CELLS = 160  # beyond this the numbers in the cells would be too small to read
HISTOGRAM_BINS = 40
LANDSCAPE_SCALE = "Viridis"  # valleys (low loss) dark, ridges bright; paths get a white casing to stand out


def layer_colours(n_layers: int) -> list[str]:
    """One colour per layer, first hidden layer darkest."""
    if n_layers <= 1:
        return sample_colorscale(LAYER_SCALE, [0.0])
    return sample_colorscale(LAYER_SCALE, [0.9 * i / (n_layers - 1) for i in range(n_layers)])


def layer_names(n_layers: int, *, output_last: bool = True) -> list[str]:
    """Names "Layer 1", "Layer 2", ..., with the last one called the output layer when ``output_last``."""
    names = [t("under_the_hood.fig.layer", n=i + 1) for i in range(n_layers)]
    if output_last and n_layers:
        names[-1] = t("under_the_hood.fig.output_layer", n=n_layers)
    return names


def _positive_or_none(values: Sequence[float]) -> list[float | None]:
    """Zeros and non-finite values cannot sit on a log axis; leave a gap there instead."""
    return [v if v is not None and math.isfinite(v) and v > 0 else None for v in values]


# ---- gradient flow ------------------------------------------------------------------------------------------
def per_layer_curves_figure(
    series: Mapping[str, Sequence[Sequence[float]]],
    epochs: Mapping[str, Sequence[int]],
    *,
    title: str,
    y_title: str,
    log_y: bool = True,
    y_range: tuple[float, float] | None = None,
    output_last: bool = True,
    height: int = 300,
) -> go.Figure:
    """One panel per run, one line per layer: a per-epoch, per-layer statistic (gradient norm, update ratio, ...).

    series : run -> (n_epochs, n_layers) values; epochs : run -> the epoch numbers. Every panel gets the same y
    range so runs compare at a glance (``y_range`` in data units, or fitted to all runs). A run without epochs
    (it diverged in the first one) gets an empty panel that says so.
    """
    runs = list(series)
    fig = make_subplots(rows=1, cols=max(1, len(runs)), subplot_titles=runs or None, horizontal_spacing=0.05)
    shown_layers: set[int] = set()
    everything: list[float] = []
    for col, run in enumerate(runs, start=1):
        values = np.asarray(series[run], dtype=float)
        if values.ndim != 2 or values.shape[0] == 0:
            domain = fig.layout["xaxis" if col == 1 else f"xaxis{col}"].domain
            fig.add_annotation(
                text=t("under_the_hood.fig.no_epochs"),
                showarrow=False,
                xref="paper",
                yref="paper",
                x=(domain[0] + domain[1]) / 2,
                y=0.5,
                font=dict(color="#999"),
            )
            continue
        n_layers = values.shape[1]
        colours, names = layer_colours(n_layers), layer_names(n_layers, output_last=output_last)
        for layer in range(n_layers):
            column = values[:, layer].tolist()
            shown = _positive_or_none(column) if log_y else column
            everything += [v for v in shown if v is not None and math.isfinite(v)]
            fig.add_trace(
                go.Scatter(
                    x=list(epochs[run]),
                    y=shown,
                    mode="lines",
                    name=names[layer],
                    legendgroup=names[layer],
                    showlegend=layer not in shown_layers,
                    line=dict(color=colours[layer], width=2),
                    hovertemplate=f"{names[layer]}<br>%{{x}}: %{{y:.3g}}<extra>{run}</extra>",
                ),
                row=1,
                col=col,
            )
            shown_layers.add(layer)
    if y_range is None and everything:
        low, high = min(everything), max(everything)
        y_range = (low / 2, high * 2) if log_y else (low, high)
    fig.update_layout(
        **base_layout(title, height, showlegend=True, margin=dict(MARGIN, t=64)),
        legend=dict(orientation="h", y=-0.3, x=0, font=dict(size=11)),
    )
    fig.update_xaxes(title_text=t("figures.epoch"))
    if log_y:
        fig.update_yaxes(log_axis(everything))
    else:
        fig.update_yaxes(type="linear")
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    if y_range is not None:
        fig.update_yaxes(range=[math.log10(v) for v in y_range] if log_y else list(y_range))
    return fig


def log_axis(values: Sequence[float] = ()) -> dict:
    """A log axis labelled only at powers of ten (10⁻³, 10⁻²...) when the values span two decades or more.

    Plotly otherwise labels the 2 and 5 between decades in small print that runs together; those stay as
    unlabelled minor ticks and grid lines.
    """
    axis = dict(type="log", exponentformat="power")
    positive = [v for v in values if v is not None and np.isfinite(v) and v > 0]
    if not values or (positive and math.log10(max(positive) / min(positive)) >= 2):
        axis.update(dtick=1, minor=dict(dtick="D1", showgrid=True, gridcolor="#f2f2f2", ticks=""))
    return axis


def depth_profile_figure(
    profiles: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_title: str,
    log_y: bool = True,
    output_last: bool = True,
    height: int = 300,
) -> go.Figure:
    """A per-layer value across depth (x = layer 1 ... output), one line with markers per run."""
    fig = go.Figure()
    longest = max((len(v) for v in profiles.values()), default=0)
    names = layer_names(longest, output_last=output_last)
    for i, (run, values) in enumerate(profiles.items()):
        values = list(values)
        fig.add_trace(
            go.Scatter(
                x=names[: len(values)],
                y=_positive_or_none(values) if log_y else values,
                mode="lines+markers",
                name=run,
                line=dict(color=run_colour(i), width=2),
                marker=dict(size=8),
                hovertemplate="%{x}: %{y:.3g}<extra>" + run + "</extra>",
            )
        )
    fig.update_layout(
        **base_layout(title, height, showlegend=len(profiles) > 1),
        legend=dict(orientation="h", y=1.12, x=1, xanchor="right", font=dict(size=11)),
        xaxis=dict(title=t("under_the_hood.fig.depth"), categoryorder="array", categoryarray=names),
        yaxis=dict(
            title=y_title, **(log_axis([v for vs in profiles.values() for v in vs]) if log_y else dict(type="linear"))
        ),
    )
    return fig


def step_norms_figure(traces: Mapping[str, StepTrace], *, title: str, height: int = 380) -> go.Figure:
    """Global gradient norm per mini-batch step: before clipping (solid) and after (dotted), one colour per run."""
    fig = go.Figure()
    for i, (run, trace) in enumerate(traces.items()):
        colour = run_colour(i)
        steps = list(range(1, len(trace) + 1))
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=_positive_or_none(trace.global_norm),
                mode="lines",
                name=f"{run} · {t('under_the_hood.fig.before_clipping')}",
                line=dict(color=colour, width=2),
            )
        )
        if trace.clipped_norm != trace.global_norm:
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=_positive_or_none(trace.clipped_norm),
                    mode="lines",
                    name=f"{run} · {t('under_the_hood.fig.after_clipping')}",
                    line=dict(color=colour, width=2, dash="dot"),
                )
            )
    fig.update_layout(
        **base_layout(title, height, showlegend=True, margin=dict(MARGIN, b=120)),
        legend=dict(orientation="h", y=-0.25, yanchor="top", x=0, font=dict(size=11)),
        xaxis=dict(title=t("under_the_hood.fig.step")),
        yaxis=dict(
            title=t("under_the_hood.fig.gradient_norm"),
            **log_axis([v for trace in traces.values() for v in trace.global_norm]),
        ),
    )
    return fig


def flow_summary_rows(reports: Mapping[str, FlowReport]) -> list[dict[str, str]]:
    """One row of display strings per run: epochs, final loss and score, how much weaker W1's gradient is than the
    output layer's at the first step, and how alike the first hidden layer's units ended up."""
    rows = []
    for label, report in reports.items():
        h, trace = report.history, report.trace
        first_step = trace.grad_norms[0] if len(trace) else []
        ratio = first_step[-1] / first_step[0] if len(first_step) > 1 and first_step[0] > 0 else float("nan")
        spread = report.unit_spread_trained[0] if report.unit_spread_trained else float("nan")
        metric = h.train_metric[-1] if len(h) else float("nan")
        rows.append(
            {
                t("under_the_hood.fig.run"): label,
                t("under_the_hood.fig.epochs"): str(len(h)),
                t("under_the_hood.fig.final_loss"): f"{h.train_loss[-1]:.4g}" if len(h) else "–",
                t(f"under_the_hood.fig.final_{h.metric_name}"): "–" if math.isnan(metric) else f"{metric:.3f}",
                t("under_the_hood.fig.gradient_ratio"): "–" if math.isnan(ratio) else f"{ratio:.3g}×",
                t("under_the_hood.fig.unit_spread"): "–" if math.isnan(spread) else f"{spread:.3g}",
                t("under_the_hood.fig.diverged"): t(
                    "under_the_hood.fig.yes" if h.diverged else "under_the_hood.fig.no"
                ),
            }
        )
    return rows


# ---- activations --------------------------------------------------------------------------------------------
def activation_histograms_figure(
    activations: Sequence[np.ndarray],
    *,
    title: str,
    value_range: tuple[float, float] | None = None,
    height: int = 260,
) -> go.Figure:
    """One histogram per hidden layer, left to right by depth (the deeplearning.ai picture of an initialization).

    activations : per layer, an array of any shape (all its values are counted). Each panel's title gives the
    layer, the mean and the standard deviation. ``value_range`` fixes a shared x range (for example (-1, 1)).
    """
    n = max(1, len(activations))
    colours = layer_colours(n)
    titles = [
        # round first so that a mean of -0.001 reads 0.00, not -0.00
        t("under_the_hood.fig.histogram_panel", n=i + 1, mean=round(float(np.mean(a)), 2) + 0.0, std=float(np.std(a)))
        for i, a in enumerate(activations)
    ]
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles or None, horizontal_spacing=0.02, shared_yaxes=False)
    if value_range is None and activations:
        finite = [np.asarray(a)[np.isfinite(a)] for a in activations]
        low = min((float(f.min()) for f in finite if f.size), default=0.0)
        high = max((float(f.max()) for f in finite if f.size), default=1.0)
        value_range = (low, high) if high > low else (low - 0.5, high + 0.5)
    for i, a in enumerate(activations, start=1):
        values = np.asarray(a, dtype=float).ravel()
        fig.add_trace(
            go.Histogram(
                x=values[np.isfinite(values)],
                marker=dict(color=colours[i - 1]),
                nbinsx=HISTOGRAM_BINS,
                xbins=dict(
                    start=value_range[0], end=value_range[1], size=(value_range[1] - value_range[0]) / HISTOGRAM_BINS
                )
                if value_range
                else None,
                hovertemplate="%{x}: %{y}<extra></extra>",
            ),
            row=1,
            col=i,
        )
    fig.update_layout(**base_layout(title, height, margin=dict(MARGIN, t=84)), bargap=0.02)
    fig.update_annotations(font=dict(size=11))
    if value_range is not None:
        fig.update_xaxes(range=list(value_range))
    fig.update_yaxes(showticklabels=False)
    return fig


# ---- step-through -------------------------------------------------------------------------------------------
def _matrix_labels(step: Step, rows: int, cols: int) -> tuple[list[str], list[str]]:
    per_sample = step.name in ("A", "Z", "dA", "dZ")
    if step.name == "A" and step.layer == 0:
        row_labels = [t("under_the_hood.fig.feature", n=i + 1) for i in range(rows)]
    else:
        row_labels = [t("under_the_hood.fig.unit", n=i + 1) for i in range(rows)]
    if per_sample:
        col_labels = [t("under_the_hood.fig.sample", n=j + 1) for j in range(cols)]
    elif step.name in ("b", "db"):
        col_labels = [""]
    else:
        col_labels = [t("under_the_hood.fig.input", n=j + 1) for j in range(cols)]
    return row_labels, col_labels


def step_matrix_figure(step: Step, *, height: int | None = None) -> go.Figure:
    """The step's matrix as a heatmap (blue positive, red negative, white zero) with its numbers in the cells.

    Rows are units (features for A_0), columns are samples for per-sample matrices and inputs for W/dW.
    """
    value = np.atleast_2d(np.asarray(step.value, dtype=float))
    rows, cols = value.shape
    row_labels, col_labels = _matrix_labels(step, rows, cols)
    finite = value[np.isfinite(value)]
    limit = float(np.max(np.abs(finite))) if finite.size else 1.0
    annotate = rows * cols <= MAX_ANNOTATED_CELLS
    fig = go.Figure(
        go.Heatmap(
            z=value,
            x=col_labels,
            y=row_labels,
            colorscale=MATRIX_SCALE,
            zmid=0.0,
            # a colour bar squeezed next to one or two rows is unreadable; the numbers are in the cells anyway
            zmin=-limit or -1.0,
            zmax=limit or 1.0,
            showscale=rows > 2,
            colorbar=dict(thickness=10, len=0.9),
            texttemplate="%{z:.4g}" if annotate else None,
            textfont=dict(size=12),
            hovertemplate="%{y}, %{x}: %{z:.6g}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    cell = 44 if annotate else 18
    fig.update_layout(
        **base_layout(None, height or min(560, 70 + cell * rows)),
        yaxis=dict(autorange="reversed", type="category"),
        xaxis=dict(type="category", side="top"),
    )
    return fig


# ---- gradient check -----------------------------------------------------------------------------------------
def gradcheck_figure(result: GradientCheck, *, title: str, height: int = 300) -> go.Figure:
    """Relative error per parameter tensor on a log axis, coloured pass / warning / fail, thresholds dotted."""
    names = [c.name for c in result.tensors]
    errors = [c.relative_error if math.isfinite(c.relative_error) else 1.0 for c in result.tensors]
    floor = 1e-16  # an exact match (0) still gets a visible stub on the log axis
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[max(e, floor) for e in errors],
            marker=dict(color=[STATUS_COLOURS[c.status] for c in result.tensors]),
            text=[f"{e:.1e}" for e in errors],
            textposition="outside",
            hovertemplate="%{x}: %{y:.3e}<extra></extra>",
        )
    )
    for level, status in ((PASS_BELOW, "pass"), (FAIL_ABOVE, "fail")):
        fig.add_hline(y=level, line=dict(color=STATUS_COLOURS[status], dash="dot", width=1.5))
        # On a log axis an annotation's y is given in decades, so place the label ourselves.
        fig.add_annotation(
            x=1,
            xref="paper",
            xanchor="right",
            y=math.log10(level),
            yref="y",
            yanchor="bottom",
            text=t(f"under_the_hood.fig.threshold_{status}", value=f"{level:.0e}"),
            showarrow=False,
            font=dict(size=11, color=STATUS_COLOURS[status]),
        )
    fig.update_layout(
        **base_layout(title, height),
        xaxis=dict(title=t("under_the_hood.fig.tensor")),
        yaxis=dict(title=t("under_the_hood.fig.relative_error"), **log_axis(), range=[-16, 0.5]),
    )
    return fig


def gradcheck_table(result: GradientCheck):
    """A styled table (pandas Styler): tensor, shape, entries checked, relative error, status with its colour."""
    status_column = t("under_the_hood.fig.status")
    frame = pd.DataFrame(
        {
            t("under_the_hood.fig.tensor"): [c.name for c in result.tensors],
            t("under_the_hood.fig.shape"): [" × ".join(str(d) for d in c.shape) for c in result.tensors],
            t("under_the_hood.fig.checked"): [f"{c.checked} / {c.size}" for c in result.tensors],
            t("under_the_hood.fig.relative_error"): [f"{c.relative_error:.2e}" for c in result.tensors],
            status_column: [t(f"under_the_hood.fig.status_{c.status}") for c in result.tensors],
        }
    )
    colour_of = {t(f"under_the_hood.fig.status_{s}"): colour for s, colour in STATUS_COLOURS.items()}
    return frame.style.map(
        lambda text: f"background-color: {colour_of.get(text, 'white')}; color: white; font-weight: 600",
        subset=[status_column],
    )


# ---- loss landscape -----------------------------------------------------------------------------------------
def _display_loss(loss: np.ndarray, log_colour: bool) -> np.ndarray:
    """Loss as coloured: log10 of it on the log scale; overflowed (inf) points become gaps (NaN)."""
    values = np.where(np.isfinite(loss), loss, np.nan)
    if log_colour:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(np.where(values > 0, values, np.nan))
    return values


def landscape_figure(
    grid: LossGrid,
    paths: Mapping[str, OptimizerPath],
    *,
    axis_titles: tuple[str, str],
    title: str | None = None,
    log_colour: bool = True,
    surface: bool = False,
    height: int = 560,
) -> go.Figure:
    """The loss over the grid's plane with each optimizer's path on top, start (circle) and end (diamond) marked.

    grid.loss is ``(len(grid.b), len(grid.a))``; each path's a, b, loss are ``(n_points,)``, keyed by the name
    shown in the legend. ``log_colour`` colours by log10(loss) (hover still shows the loss); ``surface`` draws
    a 3-D surface with the paths lifted onto it instead of a contour map. Axes stay on the grid's extent even
    when a path leaves it, so a diverging path visibly runs off the map.
    """
    shown = _display_loss(grid.loss, log_colour)
    colour_title = t("under_the_hood.fig.log_loss" if log_colour else "under_the_hood.fig.loss")
    hover = (
        f"{axis_titles[0]} = %{{x:.3g}}<br>{axis_titles[1]} = %{{y:.3g}}<br>"
        + t("under_the_hood.fig.loss")
        + " = %{customdata:.4g}<extra></extra>"
    )
    colorbar = dict(title=dict(text=colour_title, side="right"), thickness=12, len=0.8)
    fig = go.Figure()
    if surface:
        fig.add_trace(
            go.Surface(
                x=grid.a,
                y=grid.b,
                z=shown,
                customdata=grid.loss,
                colorscale=LANDSCAPE_SCALE,
                colorbar=colorbar,
                hovertemplate=hover,
                opacity=0.95,
            )
        )
    else:
        fig.add_trace(
            go.Contour(
                x=grid.a,
                y=grid.b,
                z=shown,
                customdata=grid.loss,
                colorscale=LANDSCAPE_SCALE,
                colorbar=colorbar,
                hovertemplate=hover,
                ncontours=30,
                contours=dict(showlines=True),
                line=dict(width=0.5, color="rgba(255,255,255,0.35)"),
            )
        )
    for i, (name, path) in enumerate(paths.items()):
        colour = run_colour(i)
        if not path.a.size:
            continue
        label = name + (" · " + t("under_the_hood.fig.path_diverged") if path.diverged else "")
        path_hover = (
            f"{name}<br>"
            + t("under_the_hood.fig.path_step")
            + " %{customdata[0]}<br>"
            + t("under_the_hood.fig.loss")
            + " = %{customdata[1]:.4g}<extra></extra>"
        )
        customdata = np.column_stack([np.arange(path.a.size), path.loss])
        ends = [0, path.a.size - 1]
        if surface:
            lifted = _display_loss(path.loss, log_colour)
            fig.add_trace(
                go.Scatter3d(
                    x=path.a,
                    y=path.b,
                    z=lifted,
                    mode="lines",
                    name=label,
                    legendgroup=name,
                    line=dict(color=colour, width=6),
                    customdata=customdata,
                    hovertemplate=path_hover,
                )
            )
            fig.add_trace(
                go.Scatter3d(
                    x=path.a[ends],
                    y=path.b[ends],
                    z=lifted[ends],
                    mode="markers",
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                    marker=dict(
                        color=colour, size=[5, 7], symbol=["circle", "diamond"], line=dict(color="white", width=1)
                    ),
                )
            )
        else:
            fig.add_trace(
                go.Scatter(
                    x=path.a,
                    y=path.b,
                    mode="lines",
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                    line=dict(color="white", width=5),
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=path.a,
                    y=path.b,
                    mode="lines+markers",
                    name=label,
                    legendgroup=name,
                    line=dict(color=colour, width=2.5),
                    marker=dict(size=3, color=colour),
                    customdata=customdata,
                    hovertemplate=path_hover,
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=path.a[ends],
                    y=path.b[ends],
                    mode="markers",
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                    marker=dict(
                        color=colour, size=[11, 13], symbol=["circle", "diamond"], line=dict(color="white", width=1.5)
                    ),
                )
            )
    extent_a = [float(grid.a[0]), float(grid.a[-1])]
    extent_b = [float(grid.b[0]), float(grid.b[-1])]
    layout = base_layout(title, height, showlegend=bool(paths), margin=dict(MARGIN, t=48 if title else 16, b=96))
    legend = dict(orientation="h", y=-0.14, yanchor="top", x=0, font=dict(size=12))  # below: the title is on top
    if surface:
        fig.update_layout(
            **layout,
            legend=legend,
            scene=dict(
                xaxis=dict(title=axis_titles[0], range=extent_a),
                yaxis=dict(title=axis_titles[1], range=extent_b),
                # Few, short z labels on a taller box: a dozen long ones on a flat box overlapped each other.
                zaxis=dict(title=dict(text=colour_title, font=dict(size=12)), nticks=5, tickformat=".2~g"),
                aspectmode="manual",
                aspectratio=dict(x=1, y=1, z=0.8),
            ),
        )
    else:
        fig.update_layout(
            **layout,
            legend=legend,
            xaxis=dict(title=axis_titles[0], range=extent_a, constrain="domain"),
            yaxis=dict(title=axis_titles[1], range=extent_b),
        )
    return fig
