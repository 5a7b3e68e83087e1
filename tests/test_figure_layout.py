"""Figure layout that a reader would trip over: legends covering curves, formulas clipped."""

from __future__ import annotations

from core.training import History
from playground.figures import loss_curves_figure


def _history(losses):
    return History(epoch=list(range(1, len(losses) + 1)), train_loss=list(losses), val_loss=list(losses))


def test_the_legend_of_several_runs_sits_under_the_plot_not_over_the_curves():
    runs = {"8 linear hidden units": _history([0.7, 0.69]), "2-2-1, sigmoid": _history([0.7, 0.01])}
    fig = loss_curves_figure(runs, height=240)
    assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"
    # The figure grows by the legend's rows, so the plot area keeps its height.
    assert fig.layout.height > 240 and fig.layout.margin.b > 36


def test_one_runs_legend_stays_above_the_plot():
    fig = loss_curves_figure({"run": _history([0.7, 0.5])}, height=240)
    assert fig.layout.legend.y > 1 and fig.layout.height == 240
