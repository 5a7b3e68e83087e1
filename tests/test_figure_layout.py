"""Figure layout that a reader would trip over: legends covering curves, formulas clipped."""

from __future__ import annotations

from core.engine.training import History
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


def test_first_layer_weight_images_are_large_and_titles_clear_the_row_above():
    import numpy as np

    from playground.pages.digits.figures import TITLE_GAP, weights_figure

    fig = weights_figure(np.random.default_rng(0).normal(size=(16, 8, 8)))
    rows = 2
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    # Each image row is at least 110 px tall (it was 80), and the gap between rows holds a title line.
    first, second = fig.layout.yaxis.domain, fig.layout[f"yaxis{8 + 1}"].domain
    gap_px = (first[0] - second[1]) * plot_height
    row_px = (first[1] - first[0]) * plot_height
    assert row_px >= 110 and gap_px >= TITLE_GAP - 1 and rows == 2


def test_log_axes_label_only_powers_of_ten_when_they_span_decades():
    from playground.pages.under_the_hood.figures import log_axis

    wide = log_axis([1e-6, 3e-4, 0.5])
    assert wide["dtick"] == 1 and wide["minor"]["dtick"] == "D1"  # 2 and 5 become unlabelled minor ticks
    assert "dtick" not in log_axis([0.2, 0.9])  # inside one decade Plotly's own labels are the only ones there


def test_the_3d_landscape_has_few_short_z_labels():
    import numpy as np

    from core.labs.landscape import LossGrid
    from playground.pages.under_the_hood.figures import landscape_figure

    a = b = np.linspace(-1, 1, 5)
    grid = LossGrid(plane=None, a=a, b=b, loss=np.exp(np.add.outer(b, a)), requested=5)
    fig = landscape_figure(grid, {}, axis_titles=("a", "b"), surface=True)
    assert fig.layout.scene.zaxis.nticks <= 5 and fig.layout.scene.aspectratio.z >= 0.8


def test_the_regression_intro_typesets_its_notation_instead_of_showing_underscores():
    import re

    from playground.i18n import t

    for lang, key in [(lang, key) for lang in ("en", "zh") for key in ("live_intro", "live_intro_2d")]:
        text = t(f"regression.{key}", lang=lang)
        outside_maths = re.sub(r"\$[^$]+\$", "", text)
        assert "_j" not in outside_maths and "Σ" not in outside_maths, outside_maths
