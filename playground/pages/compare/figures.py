"""Figures and tables for comparing runs and activations: pure builders, plain data in, ``go.Figure`` out.

Colours, heatmaps and data points come from :mod:`playground.figures`, so a run's colour and a class's colour mean
the same here as on the Playground. The replay figure carries Plotly animation frames and a slider, and
:func:`replay_html` turns it into one HTML file (plotly.js embedded) that plays without a network connection.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.data.datasets import DOMAIN
from core.engine.training import History
from core.labs.compare import ActivationProfile, Replay, SummaryRow
from playground.figures import (
    NEGATIVE,
    POSITIVE,
    base_layout,
    binary_scale,
    boundary_heatmap,
    held_out_name,
    points_traces,
    run_colour,
    run_colours,
)
from playground.i18n import t

REPLAY_MARGIN_TOP = 56
REPLAY_MARGIN_BOTTOM = 170  # room for the epoch axis title, the legend, and the Play button with the slider
REPLAY_FRAME_MS = 120  # about eight snapshots a second: smooth enough for a talk, slow enough to follow
GALLERY_COLUMNS = 5
GALLERY_ROW_HEIGHT = 230
GALLERY_Y_LIMIT = 1.6  # panels show f and f′ within ±this: sigmoid's 0.25 and the ~1.1 peaks of GELU/swish fit


# ---- activation gallery -----------------------------------------------------------------------------------
def activation_gallery_figure(
    z: np.ndarray,
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    max_derivatives: Mapping[str, float] | None = None,
    dead_zones: Sequence[str] = (),
    columns: int = GALLERY_COLUMNS,
    title: str | None = None,
) -> go.Figure:
    """Small multiples: one panel per activation with f(z) (solid) and f′(z) (dashed) over ``z``.

    z : (n,) inputs; curves : name -> (f(z) (n,), f′(z) (n,)). ``max_derivatives`` draws a dotted line at the
    steepest slope with its value (sigmoid's 0.25); names in ``dead_zones`` get z < 0 shaded, where the slope is 0.
    """
    names = list(curves)
    columns = max(1, min(columns, len(names)))
    rows = max(1, math.ceil(len(names) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=names,
        horizontal_spacing=0.04,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )
    for index, name in enumerate(names):
        row, col = index // columns + 1, index % columns + 1
        a, da = curves[name]
        first = index == 0
        fig.add_trace(
            go.Scatter(
                x=z,
                y=a,
                mode="lines",
                name=t("activations.value"),
                legendgroup="value",
                showlegend=first,
                line=dict(color=POSITIVE, width=2.5),
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=z,
                y=da,
                mode="lines",
                name=t("activations.derivative"),
                legendgroup="derivative",
                showlegend=first,
                line=dict(color=NEGATIVE, width=2, dash="dash"),
            ),
            row=row,
            col=col,
        )
        if name in dead_zones:
            fig.add_vrect(
                x0=float(np.min(z)),
                x1=0,
                fillcolor="#d62728",
                opacity=0.08,
                line_width=0,
                row=row,
                col=col,
                annotation_text=t("activations.dead_zone_label"),
                annotation_position="top left",
                annotation_font=dict(size=10, color="#d62728"),
            )
        peak = (max_derivatives or {}).get(name)
        if peak is not None and abs(peak - 1.0) > 0.01:  # a slope of exactly 1 is the unremarkable case
            fig.add_hline(y=peak, line=dict(color=NEGATIVE, width=1, dash="dot"), row=row, col=col)
            fig.add_annotation(
                x=float(np.min(z)),
                y=peak,
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                text=t("activations.max_slope_label", value=f"{peak:.2f}"),
                font=dict(size=11, color=NEGATIVE),
                row=row,
                col=col,
            )
    fig.update_xaxes(zeroline=True, zerolinecolor="#bbb", showgrid=False, range=[float(np.min(z)), float(np.max(z))])
    fig.update_yaxes(zeroline=True, zerolinecolor="#bbb", gridcolor="#eee", range=_gallery_y_range(curves))
    fig.update_layout(
        **base_layout(
            title,
            GALLERY_ROW_HEIGHT * rows + 60,
            showlegend=True,
            # Below the panels: above them it would cover the first subplot title.
            legend=dict(orientation="h", y=-40 / (GALLERY_ROW_HEIGHT * rows), yanchor="top", x=0, font=dict(size=13)),
            margin=dict(l=36, r=12, t=40, b=70),
        )
    )
    return fig


def _gallery_y_range(curves: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list[float]:
    """One y range for every panel so heights compare, tall enough for sigmoid, tanh and every slope.

    Unbounded curves (ReLU, ELU, ...) leave the panel at the top: fitting them would squash sigmoid's 0.25 flat.
    """
    values = np.concatenate([np.concatenate([a, da]) for a, da in curves.values()])
    finite = values[np.isfinite(values)]
    low = max(float(finite.min()), -GALLERY_Y_LIMIT) if finite.size else -1.0
    high = min(float(finite.max()), GALLERY_Y_LIMIT) if finite.size else 1.0
    pad = 0.08 * (high - low or 1.0)
    return [low - pad, high + pad]


def activation_overlay_figure(
    z: np.ndarray,
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    derivative: bool = False,
    title: str | None = None,
    height: int = 360,
) -> go.Figure:
    """Every activation on one chart (f(z), or f′(z) when ``derivative``), one colour each, for direct comparison."""
    palette = (*run_colours(), "#17becf", "#bcbd22", "#7f7f7f", "#e377c2")
    fig = go.Figure()
    for index, (name, (a, da)) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=z,
                y=da if derivative else a,
                mode="lines",
                name=name,
                line=dict(color=palette[index % len(palette)], width=2.5),
            )
        )
    fig.update_layout(
        **base_layout(
            title,
            height,
            showlegend=True,
            legend=dict(orientation="v", x=1.01, y=1),
            xaxis=dict(title="z", zeroline=True, zerolinecolor="#bbb"),
            yaxis=dict(
                title=t("activations.derivative") if derivative else t("activations.value"),
                zeroline=True,
                zerolinecolor="#bbb",
            ),
        )
    )
    return fig


def softmax_figure(z: np.ndarray, probabilities: np.ndarray, jacobian: np.ndarray, *, height: int = 300) -> go.Figure:
    """Left: the scores z and the probabilities softmax(z) per class. Right: the Jacobian ∂ŷ_i/∂z_j as a heatmap.

    z, probabilities : (k,);  jacobian : (k, k) from ``core.engine.activations.softmax_jacobian``
    """
    k = len(z)
    names = [t("activations.softmax.class_name", number=i + 1) for i in range(k)]
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.14,
        subplot_titles=(t("activations.softmax.bars_title"), t("activations.softmax.jacobian_title")),
    )
    fig.add_trace(
        go.Bar(x=names, y=z, name="z", marker_color="#b0b0b0", text=[f"{v:.2f}" for v in z], textposition="outside"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=probabilities,
            name="ŷ = softmax(z)",
            marker_color=POSITIVE,
            text=[f"{p:.3f}" for p in probabilities],
            textposition="outside",
        ),
        row=1,
        col=1,
    )
    limit = max(float(np.abs(jacobian).max()), 1e-12)
    fig.add_trace(
        go.Heatmap(
            z=jacobian,
            x=[f"z{j + 1}" for j in range(k)],
            y=[f"ŷ{i + 1}" for i in range(k)],
            zmin=-limit,
            zmax=limit,
            colorscale=binary_scale(),
            text=[[f"{v:+.3f}" for v in row] for row in jacobian],
            texttemplate="%{text}",
            showscale=False,
            hovertemplate="∂ŷ%{y}/∂%{x} = %{z:.4f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_layout(
        **base_layout(None, height, showlegend=True),
        barmode="group",
        legend=dict(orientation="h", y=-0.15, x=0.0, font=dict(size=11)),
    )
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    return fig


def _bound(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else ("−" if value < 0 else "") + t("activations.infinity")


def activation_table(profiles: Sequence[ActivationProfile]) -> list[dict[str, str]]:
    """One row of display strings per activation, columns named in the reader's language."""
    rows = []
    for p in profiles:
        low, high = p.value_range
        saturates = {
            (True, True): "saturates_both",
            (True, False): "saturates_left",
            (False, True): "saturates_right",
            (False, False): "saturates_none",
        }[(p.saturates_left, p.saturates_right)]
        rows.append(
            {
                t("activations.col_name"): p.name,
                t("activations.col_range"): f"({_bound(low)}, {_bound(high)})",
                t("activations.col_zero_centred"): t(f"activations.zero_centred_{p.zero_centred}"),
                t("activations.col_saturates"): t(f"activations.{saturates}"),
                t("activations.col_dead_zone"): t("activations.yes" if p.dead_zone else "activations.no"),
                t("activations.col_max_slope"): f"{p.max_derivative:.2f}",
                t("activations.col_learned"): t("activations.yes" if p.learned_slope else "activations.no"),
            }
        )
    return rows


def summary_table(rows: Sequence[SummaryRow], target_loss: float | None) -> list[dict[str, object]]:
    """The comparison's summary as display rows: numbers stay numbers so the table sorts them."""
    out = []
    # Train loss is the training objective; when a penalty or class weights add to it, the column says so.
    objective = any(row.objective_differs for row in rows)
    train_column = t("compare.col_train_objective" if objective else "compare.col_train_loss")
    for row in rows:
        metric = t(f"compare.col_{row.metric_name}")
        if row.diverged:
            status = t("compare.status_diverged")
        elif row.stopped_early:
            status = t("compare.status_stopped_early")
        else:
            status = ""
        reached = t("compare.not_reached") if row.epochs_to_target is None else str(row.epochs_to_target)
        out.append(
            {
                t("compare.col_run"): row.label,
                t("compare.col_epochs"): row.epochs,
                train_column: _rounded(row.final_train_loss),
                t("compare.col_test_loss"): _rounded(row.final_test_loss),
                t("compare.col_train_metric", metric=metric): _rounded(row.train_metric),
                t("compare.col_test_metric", metric=metric): _rounded(row.test_metric),
                t("compare.col_to_target", target=f"{target_loss:g}" if target_loss else "–"): reached,
                t("compare.col_ms_per_epoch"): _rounded(row.seconds_per_epoch * 1000, 2),
                t("compare.col_status"): status,
            }
        )
    return out


def _rounded(value: float, digits: int = 4) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


# ---- replay of a comparison -------------------------------------------------------------------------------
def run_title(label: str, index: int) -> str:
    """A run's label after a square in its curve colour, tying its picture to its lines in the loss chart."""
    return f'<span style="color:{run_colour(index)}">■</span> {label}'


def _finite_or_none(values: Sequence[float]) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def _loss_range(replay: Replay) -> list[float]:
    losses = [v for h in replay.histories for v in (*h.train_loss, *h.val_loss) if math.isfinite(v)]
    high = max(losses) if losses else 1.0
    return [0.0, high * 1.05 or 1.0]


def curves_title(name: str, history: History) -> str:
    """Title of the Compare loss or metric panel, naming the data the dashed curves are on (test or validation)."""
    held_out = "_validation" if history.held_out == "validation" else ""
    if name == "loss":
        return t(f"compare.loss_title{held_out}")
    metric = t(f"figures.{history.metric_name}")
    return t(f"compare.metric_title{held_out}", metric=metric[:1].upper() + metric[1:])  # a title: "Accuracy (…"


def _loss_traces(replay: Replay, upto: int) -> list[go.Scatter]:
    """Train (solid) and test (dashed) loss of every run up to epoch ``upto``: two traces per run."""
    traces = []
    for i, (label, history) in enumerate(zip(replay.labels, replay.histories, strict=True)):
        n = int(np.searchsorted(np.asarray(history.epoch), upto, side="right"))
        colour = run_colour(i)
        x = list(history.epoch[:n])
        traces.append(
            go.Scatter(
                x=x,
                y=_finite_or_none(history.train_loss[:n]),
                mode="lines",
                legendgroup=label,
                name=label,
                line=dict(color=colour, width=2.5),
            )
        )
        traces.append(
            go.Scatter(
                x=x,
                y=_finite_or_none(history.val_loss[:n]),
                mode="lines",
                legendgroup=label,
                showlegend=False,  # one legend entry per run; the panel title says dashed means test
                name=f"{label} · {held_out_name(history)}",
                line=dict(color=colour, width=2, dash="dash"),
            )
        )
    return traces


def replay_figure(
    replay: Replay,
    task: str,
    *,
    n_classes: int = 2,
    train_points: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    test_points: tuple[np.ndarray, np.ndarray] | None = None,
    title: str | None = None,
    height: int = 640,
    frame_ms: int = REPLAY_FRAME_MS,
    domain: tuple[float, float] = DOMAIN,
) -> go.Figure:
    """Boundary heatmaps of every run side by side over shared loss curves, animated through the snapshots.

    replay : from ``Comparison.replay()``; one frame per entry of ``replay.epochs``, every run in step.
    train_points : per run (X (n, 2), y (n,)) raw training inputs (runs may differ by their sampler);
    test_points : the shared test split. Without grids (data that is not 2-D) only the loss curves animate.
    The figure opens on the first snapshot; the Play button plays from the slider's position, Pause stops.
    """
    n_runs = len(replay.labels)
    has_grids = all(grid is not None for row in replay.grids for grid in row)
    loss_title = curves_title("loss", replay.histories[0])
    if has_grids:
        fig = make_subplots(
            rows=2,
            cols=n_runs,
            specs=[[{}] * n_runs, [{"colspan": n_runs}] + [None] * (n_runs - 1)],
            row_heights=[0.58, 0.42],
            subplot_titles=[*(run_title(label, i) for i, label in enumerate(replay.labels)), loss_title],
            horizontal_spacing=0.03,
            vertical_spacing=0.1,
        )
    else:
        fig = make_subplots(rows=1, cols=1, subplot_titles=[loss_title])
    heatmap_indices: list[int] = []
    if has_grids:
        for i in range(n_runs):
            heatmap_indices.append(len(fig.data))
            heatmap = boundary_heatmap(replay.grids[i][0], task, n_classes)
            # "fast" lets the browser scale the image; "best" interpolates every pixel in JavaScript and makes
            # each animation frame several times slower to paint.
            heatmap.zsmooth = "fast"
            fig.add_trace(heatmap, row=1, col=i + 1)
            points = []
            if train_points is not None:
                points += points_traces(*train_points[i], task, name=t("figures.train"))
            if test_points is not None:
                points += points_traces(*test_points, task, test=True, name=t("figures.test"))
            for trace in points:
                trace.showlegend = False  # the legend explains the loss curves; points read as on the Playground
                fig.add_trace(trace, row=1, col=i + 1)
            axis = dict(range=list(domain), showgrid=False, zeroline=False, showticklabels=False, ticks="")
            fig.update_xaxes(axis, row=1, col=i + 1)
            fig.update_yaxes(axis, scaleanchor=f"x{i + 1 if i else ''}", scaleratio=1, row=1, col=i + 1)
    loss_row = 2 if has_grids else 1
    loss_indices = list(range(len(fig.data), len(fig.data) + 2 * n_runs))
    for trace in _loss_traces(replay, replay.epochs[-1]):
        fig.add_trace(trace, row=loss_row, col=1)
    last_epoch = max(replay.epochs[-1], 1)
    fig.update_xaxes(range=[0, last_epoch], title=t("figures.epoch"), row=loss_row, col=1)
    fig.update_yaxes(range=_loss_range(replay), title=t("figures.loss"), row=loss_row, col=1)

    plot_height = height - REPLAY_MARGIN_TOP - REPLAY_MARGIN_BOTTOM
    # Frames change only the heatmaps; the curves are drawn whole and a veil hides the epochs not reached yet.
    # Frames that also replaced the curve traces made plotly.js blank every boundary panel, points and all,
    # for most of the playback (scatter traces take its transition path, which clears the other subplots).
    loss_axes = fig.data[loss_indices[0]].xaxis, fig.data[loss_indices[0]].yaxis
    frames = []
    for f, epoch in enumerate(replay.epochs):
        data = [_frame_heatmap(replay.grids[i][f], task, n_classes) for i in range(len(heatmap_indices))]
        frames.append(
            go.Frame(
                data=data,
                traces=heatmap_indices,
                name=str(epoch),
                layout=dict(shapes=[_future_veil(epoch, last_epoch, *loss_axes)]),
            )
        )
    fig.frames = frames
    fig.update_layout(shapes=[_future_veil(replay.epochs[0], last_epoch, *loss_axes)])
    _plain_lists(fig)
    fig.update_layout(
        **base_layout(
            title,
            height,
            showlegend=True,
            legend=dict(orientation="h", x=0, y=-_below(48, plot_height), yanchor="top", font=dict(size=12)),
            updatemenus=[_play_pause(frame_ms, -_below(84, plot_height))],
            sliders=[_slider(replay.epochs, -_below(84, plot_height))],
            margin=dict(l=48, r=16, t=REPLAY_MARGIN_TOP, b=REPLAY_MARGIN_BOTTOM),
        )
    )
    return fig


def _future_veil(epoch: int, last_epoch: int, xaxis: str, yaxis: str) -> dict:
    """A white rectangle over the loss panel right of ``epoch``: the curves appear to grow as the replay plays."""
    return dict(
        type="rect",
        xref=xaxis,
        yref=f"{yaxis} domain",
        x0=epoch,
        x1=last_epoch,
        y0=0,
        y1=1,
        fillcolor="white",
        opacity=0.92,
        line_width=0,
        layer="above",
    )


def _below(pixels: float, plot_height: float) -> float:
    """Paper units for ``pixels`` under the plot area: legend and controls keep their spacing at any height."""
    return pixels / plot_height


def _plain_lists(fig: go.Figure) -> None:
    """Replace NumPy arrays in ``fig``'s traces by rounded lists, in place.

    plotly.py writes NumPy data as base64 typed arrays; plotly.js draws those on the first render but loses
    them when an animation frame redraws the figure, so every trace holding one went blank during playback.
    """
    for trace in fig.data:
        for name in ("x", "y", "z"):
            value = getattr(trace, name, None)
            if isinstance(value, np.ndarray):
                trace[name] = np.round(value.astype(float), 4).tolist()
        marker = getattr(trace, "marker", None)
        if marker is not None and isinstance(marker.color, np.ndarray):
            marker.color = np.round(marker.color.astype(float), 4).tolist()


def _frame_heatmap(grid, task: str, n_classes: int) -> go.Heatmap:
    """The heatmap of one animation frame: only z changes, as plain nested lists (see ``_plain_lists``)."""
    heatmap = boundary_heatmap(grid, task, n_classes)
    return go.Heatmap(z=np.round(np.asarray(heatmap.z, dtype=float), 3).tolist())


def _play_pause(frame_ms: int, y: float) -> dict:
    play = dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True, transition=dict(duration=0))
    pause = dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))
    return dict(
        type="buttons",
        direction="left",
        showactive=False,
        x=0,
        y=y,
        xanchor="left",
        yanchor="top",
        pad=dict(t=0, r=10),
        buttons=[
            dict(label=t("compare.replay_play"), method="animate", args=[None, play]),
            dict(label=t("compare.replay_pause"), method="animate", args=[[None], pause]),
        ],
    )


def _slider(epochs: Sequence[int], y: float) -> dict:
    jump = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    return dict(
        active=0,
        x=0.2,
        y=y,
        len=0.8,
        xanchor="left",
        yanchor="top",
        pad=dict(t=0, b=0),
        currentvalue=dict(prefix=t("compare.replay_epoch") + " ", font=dict(size=13)),
        steps=[dict(label=str(epoch), method="animate", args=[[str(epoch)], jump]) for epoch in epochs],
    )


def replay_html(fig: go.Figure, title: str) -> str:
    """A standalone page holding ``fig`` with plotly.js embedded: opens from a file and plays offline."""
    page = fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False, config={"displaylogo": False})
    return page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)
