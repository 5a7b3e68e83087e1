"""The Imbalanced data page and its figure builders."""

import base64
import json
import re

import numpy as np
import pytest

from core.experiment.boundary import BoundaryGrid
from core.experiment.metrics import roc_pr_curves
from core.labs.imbalanced import ENSEMBLE_MEMBERS, STRATEGIES, CVComparison, operating_point, threshold_sweep
from playground.figures import decision_boundary_figure
from playground.i18n import t
from playground.pages.imbalanced import figures as fig
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/imbalanced.py"
ADDS_POINTS = ("random_over", "attribute_wise", "smote", "adasyn", "smote_tomek", "over_under")
ADDS_NOTHING = ("none", "random_under", "class_weight", "balanced_bagging")
MY_CONTROLS = {
    "selectbox": ("imb.strategy", "imb.cv_strategy"),
    "slider": ("imb.threshold", "imb.epochs", "imb.cv_folds"),
    "select_slider": ("imb.learning_rate", "imb.ratio"),
    "multiselect": ("imb.compare",),
    "toggle": ("imb.cv_on",),
}

Y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 0])
SCORES = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.6, 0.4, 0.7, 0.9, 0.8])


# ---- figure builders ---------------------------------------------------------------------------------------
def test_points_figure_draws_synthetic_points_as_hollow_diamonds_only_when_there_are_some():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.1, 0.9]])
    y = np.array([0, 1, 1])
    with_added = fig.resampled_points_figure(X, y, np.array([False, False, True]))
    synthetic = [trace for trace in with_added.data if trace.name == t("figures.synthetic")]
    assert len(synthetic) == 1
    assert synthetic[0].marker.symbol == "diamond-open"
    assert list(synthetic[0].x) == [1.1]
    without = fig.resampled_points_figure(X, y, np.zeros(3, dtype=bool))
    assert [trace.name for trace in without.data] == [t("imbalanced.fig.majority"), t("imbalanced.fig.minority")]


def test_member_boundaries_are_half_lines_drawn_between_the_heatmap_and_the_points():
    xs = ys = np.linspace(-1.0, 1.0, 5)
    members = tuple(BoundaryGrid(xs, ys, np.full((5, 5), level)) for level in (0.2, 0.8))
    base = decision_boundary_figure(members[0], "binary", train=(np.zeros((2, 2)), np.array([0, 1])))
    names = [trace.name for trace in base.data]
    drawn = fig.with_member_boundaries(base, members)
    assert [trace.type for trace in drawn.data][:3] == ["heatmap", "contour", "contour"]
    assert [trace.name for trace in drawn.data[3:]] == names[1:]  # the points, unchanged and on top
    assert all(trace.contours.start == trace.contours.end == 0.5 for trace in drawn.data[1:3])
    assert len(fig.with_member_boundaries(decision_boundary_figure(members[0], "binary"), ()).data) == 1


def test_confusion_figure_shows_counts_and_shades_by_share_of_the_true_class():
    figure = fig.confusion_matrix_figure(np.array([[90, 5], [3, 2]]))
    heatmap = figure.data[0]
    np.testing.assert_allclose(heatmap.z, [[90 / 95, 5 / 95], [3 / 5, 2 / 5]])
    counts = [[int(re.search(r"<b>(\d+)</b>", cell).group(1)) for cell in row] for row in heatmap.text]
    assert counts == [[90, 5], [3, 2]]
    with pytest.raises(ValueError, match="shape"):
        fig.confusion_matrix_figure(np.zeros((3, 3)))


def test_roc_figure_marks_the_operating_point_on_the_curve_and_names_the_auc():
    curves = roc_pr_curves(Y, SCORES)
    point = operating_point(Y, SCORES, 0.5)
    figure = fig.roc_figure({"smote": curves}, {"smote": point})
    names = [trace.name for trace in figure.data]
    assert t("imbalanced.fig.auc_label", label="smote", auc=curves["roc_auc"]) in names
    marker = figure.data[-1]
    assert (marker.x[0], marker.y[0]) == pytest.approx((point.fpr, point.tpr))
    assert any(
        np.isclose(x, point.fpr) and np.isclose(y, point.tpr) for x, y in zip(curves["fpr"], curves["tpr"], strict=True)
    )


def test_pr_figure_skips_the_marker_where_nothing_is_predicted_minority():
    curves = roc_pr_curves(Y, SCORES)
    marked = fig.pr_figure({"a": curves}, {"a": operating_point(Y, SCORES, 0.5)}, prevalence=0.3)
    unmarked = fig.pr_figure({"a": curves}, {"a": operating_point(Y, SCORES, 0.99)}, prevalence=0.3)
    assert len(marked.data) == len(unmarked.data) + 1
    no_skill = marked.data[0]
    assert list(no_skill.y) == [0.3, 0.3]


def test_curves_of_a_test_split_with_one_class_are_left_out_without_error():
    undefined = roc_pr_curves(np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]))
    assert len(fig.roc_figure({"none": undefined}).data) == 1  # only the chance line
    assert len(fig.pr_figure({"none": undefined}).data) == 0


def test_threshold_sweep_figure_draws_recall_precision_f1_and_the_threshold_line():
    figure = fig.threshold_sweep_figure(threshold_sweep(Y, SCORES), 0.3)
    assert [trace.name for trace in figure.data] == [
        t("imbalanced.scores.recall"),
        t("imbalanced.scores.precision"),
        t("imbalanced.scores.f1"),
    ]
    assert figure.layout.shapes[0].x0 == 0.3


def test_strategy_scores_figure_has_one_bar_series_per_strategy():
    scores = dict.fromkeys(fig.SCORE_NAMES, 0.5)
    figure = fig.strategy_scores_figure({"none": scores, "SMOTE": scores | {"recall": 0.9}})
    assert [trace.name for trace in figure.data] == ["none", "SMOTE"]
    assert figure.data[1].y[0] == 0.9


def test_cv_figure_shows_right_leaky_and_the_test_split():
    folds = {name: np.array([0.4, 0.6]) for name in fig.SCORE_NAMES}
    comparison = CVComparison(
        "smote", 2, right=folds, leaky={k: v + 0.3 for k, v in folds.items()}, holdout=dict.fromkeys(folds, 0.5)
    )
    figure = fig.cv_comparison_figure(comparison)
    assert [trace.name for trace in figure.data] == [
        t("imbalanced.fig.cv_right", k=2),
        t("imbalanced.fig.cv_leaky", k=2),
        t("imbalanced.fig.cv_holdout"),
    ]
    assert figure.data[0].y[0] == pytest.approx(0.5)
    assert figure.data[1].y[0] == pytest.approx(0.8)
    assert list(figure.data[0].error_y.array) == pytest.approx([0.1] * len(fig.SCORE_NAMES))


# ---- the page ----------------------------------------------------------------------------------------------
def chart(at, key: str) -> dict:
    """The Plotly JSON of the chart with widget key ``key``."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")


def values(data) -> np.ndarray:
    """A Plotly JSON array: a plain list, or a typed array ({"dtype": "f8", "bdata": base64})."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data)


def trace_names(spec: dict) -> list:
    return [trace.get("name") for trace in spec["data"]]


def markdown_texts(at) -> list[str]:
    return [element.value for element in at.markdown]


@pytest.fixture(scope="module")
def app():
    at = render_page(PAGE, timeout=300)
    assert_no_exception(at)
    return at


def test_page_opens_with_every_string_found_and_synthetic_points_shown(app):
    assert app.title[0].value == t("imbalanced.title")
    assert missing_keys(app) == []
    assert app.selectbox(key="imb.strategy").value == "smote"
    assert t("figures.synthetic") in trace_names(chart(app, "imb.points"))


def test_accuracy_is_shown_beside_the_always_majority_baseline_with_a_warning(app):
    tiles = {metric.label: metric.value for metric in app.metric}
    accuracy = float(tiles[t("imbalanced.test.accuracy")].rstrip("%")) / 100
    baseline = float(tiles[t("imbalanced.test.baseline")].rstrip("%")) / 100
    assert baseline > 0.9  # 1 : 20 data
    assert 0 <= accuracy <= 1
    notes = [info.value for info in app.info]
    assert any(f"{baseline:.1%}" in note and "misleads" in note for note in notes)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_renders_and_draws_exactly_its_synthetic_points(app, strategy):
    app.selectbox(key="imb.strategy").set_value(strategy).run()
    assert_no_exception(app)
    assert missing_keys(app) == []
    synthetic = [tr for tr in chart(app, "imb.points")["data"] if tr.get("name") == t("figures.synthetic")]
    added = [text for text in markdown_texts(app) if "synthetic points" in text and "added" in text]
    if strategy in ADDS_POINTS:
        assert synthetic and added
    if strategy in ADDS_NOTHING:
        assert not synthetic and t("imbalanced.sampler.no_synthetic") in markdown_texts(app)
    if synthetic and strategy != "cluster_centroids":  # the count in the sentence is the count on the chart
        assert added == [t("imbalanced.sampler.synthetic", n=len(values(synthetic[0]["x"])))]
    assert t(f"imbalanced.notes.{strategy}") in markdown_texts(app)


def test_the_ensemble_draws_each_members_boundary_under_the_points_and_explains_its_draws(app):
    app.selectbox(key="imb.strategy").set_value("balanced_bagging").run()
    assert_no_exception(app)
    traces = chart(app, "imb.boundary")["data"]
    lines = [trace for trace in traces if trace["type"] == "contour"]
    assert len(lines) == ENSEMBLE_MEMBERS
    assert traces[0]["type"] == "heatmap" and all(trace["type"] == "contour" for trace in traces[1:6])
    assert any(f"{ENSEMBLE_MEMBERS} networks" in text for text in markdown_texts(app))
    assert t("imbalanced.sampler.ensemble_members") in [caption.value for caption in app.caption]
    app.selectbox(key="imb.strategy").set_value("smote").run()
    assert not [trace for trace in chart(app, "imb.boundary")["data"] if trace["type"] == "contour"]


def test_the_ratio_control_sets_the_balance_the_sampler_reaches(app):
    app.selectbox(key="imb.strategy").set_value("random_over").run()
    app.select_slider(key="imb.ratio").set_value(0.5).run()
    assert_no_exception(app)
    [counts] = [text for text in markdown_texts(app) if text.startswith(t("imbalanced.sampler.counts")[:14])]
    before, after = re.findall(r"\*\*(\d+) : (\d+)\*\*", counts)
    assert int(after[1]) * 2 == int(after[0]) and after[0] == before[0]  # the minority copied up to half
    app.selectbox(key="imb.strategy").set_value("class_weight").run()
    assert t("imbalanced.sampler.ratio_ignored") in [caption.value for caption in app.caption]
    app.select_slider(key="imb.ratio").set_value(1.0).run()
    app.selectbox(key="imb.strategy").set_value("smote").run()


def test_cluster_centroids_say_the_majority_became_centres_drawn_as_diamonds(app):
    app.selectbox(key="imb.strategy").set_value("cluster_centroids").run()
    assert_no_exception(app)
    synthetic = [tr for tr in chart(app, "imb.points")["data"] if tr.get("name") == t("figures.synthetic")]
    n = sum(len(values(trace["x"])) for trace in synthetic)
    assert n > 0 and t("imbalanced.sampler.centroids", n=n) in markdown_texts(app)
    app.selectbox(key="imb.strategy").set_value("smote").run()


def test_the_ensemble_is_not_offered_for_leaky_cross_validation(app):
    assert "balanced_bagging" not in app.selectbox(key="imb.cv_strategy").options


def test_the_threshold_moves_the_operating_point_and_the_confusion_matrix(app):
    app.selectbox(key="imb.strategy").set_value("none").run()

    def state_at(threshold):
        app.slider(key="imb.threshold").set_value(threshold).run()
        assert_no_exception(app)
        marker = chart(app, "imb.roc")["data"][-1]
        confusion = chart(app, "imb.confusion")["data"][0]["text"]
        predicted_minority = sum(int(re.search(r"<b>(\d+)</b>", row[1]).group(1)) for row in confusion)
        return (values(marker["x"])[0], values(marker["y"])[0]), predicted_minority

    (fpr_low, tpr_low), flagged_low = state_at(0.02)
    (fpr_high, tpr_high), flagged_high = state_at(0.9)
    assert flagged_low > flagged_high
    assert fpr_low >= fpr_high and tpr_low >= tpr_high
    assert (fpr_low, tpr_low) != (fpr_high, tpr_high)
    app.slider(key="imb.threshold").set_value(0.5).run()


def test_side_by_side_shows_one_boundary_per_chosen_strategy(app):
    chosen = app.multiselect(key="imb.compare").value
    assert len(chosen) >= 2
    for name in chosen:
        spec = chart(app, f"imb.side.{name}")
        assert spec["layout"]["title"]["text"] == t(f"imbalanced.strategies.{name}")
    roc_names = trace_names(chart(app, "imb.side.roc"))
    for name in chosen:
        assert any(str(n).startswith(t(f"imbalanced.short.{name}") + " · AUC") for n in roc_names)


def test_comparing_fewer_than_two_strategies_asks_for_another(app):
    previous = app.multiselect(key="imb.compare").value
    app.multiselect(key="imb.compare").set_value(["none"]).run()
    assert_no_exception(app)
    assert t("imbalanced.compare.too_few") in [info.value for info in app.info]
    app.multiselect(key="imb.compare").set_value(previous).run()


def test_my_controls_all_have_tooltips(app):
    for kind, keys in MY_CONTROLS.items():
        for key in keys:
            widget = getattr(app, kind)(key=key)
            assert widget.help, f"{kind} {key!r} has no help text"


def test_cross_validation_compares_right_leaky_and_the_test_split(app):
    app.toggle(key="imb.cv_on").set_value(True).run()
    assert_no_exception(app)
    assert len(chart(app, "imb.cv")["data"]) == 3
    assert any(text.startswith("Leaky CV promised an F1") for text in markdown_texts(app))
    app.toggle(key="imb.cv_on").set_value(False).run()


def test_too_few_minority_points_for_a_sampler_give_a_warning_not_a_traceback():
    at = render_page(
        PAGE,
        state={"imb.data.n_samples": 40, "imb.data.minority_ratio": 0.02},
        timeout=300,
    )
    assert_no_exception(at)
    warnings = [warning.value for warning in at.warning]
    assert any(text.startswith(t("imbalanced.failed", error="").strip()) for text in warnings)


def test_moving_the_threshold_rebuilds_no_decision_boundary(monkeypatch):
    # The boundaries do not depend on the threshold; rebuilding the four of them on every slider step made each
    # step take about half a second. Count the builds instead of timing them (timings fail under load).
    import playground.figures as figures_module

    at = render_page("app_pages/imbalanced.py", timeout=300)
    built = []
    original = figures_module.decision_boundary_figure
    counting = lambda *args, **kwargs: built.append(1) or original(*args, **kwargs)  # noqa: E731
    monkeypatch.setattr(figures_module, "decision_boundary_figure", counting)
    at.slider(key="imb.threshold").set_value(0.3).run()
    assert_no_exception(at)
    assert built == []
    assert "0.30" in " ".join(str(c.proto) for c in at.get("plotly_chart"))  # the threshold did reach the figures


def test_a_threshold_step_trains_resamples_and_draws_no_boundary_and_shows_sklearns_numbers(monkeypatch):
    # The slider's part of the page is an st.fragment; whether Streamlit reruns only it or (as AppTest does) the
    # whole script, a step must cost no training, no resampling and no boundary. Count the calls, never time them.
    from sklearn.metrics import (
        balanced_accuracy_score,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    import core.data.sampling
    import core.experiment.run
    import core.labs.imbalanced
    import playground.figures as figures_module
    import playground.pages.imbalanced.page as lab_page

    at = render_page(PAGE, timeout=300)
    assert_no_exception(at)
    calls = []

    def counted(module, name):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, **k: calls.append(name) or original(*a, **k))

    for module, name in (
        (core.labs.imbalanced, "train_strategy"),
        (core.labs.imbalanced, "cross_validate_strategy"),
        (core.labs.imbalanced, "resample"),
        (core.labs.imbalanced, "run"),
        (core.data.sampling, "resample"),
        (core.experiment.run, "run"),
        (figures_module, "decision_boundary_figure"),
        # The page module imported these names once (``from core.labs.imbalanced import ...``): count its copies.
        (lab_page, "train_strategy"),
        (lab_page, "cross_validate_strategy"),
    ):
        counted(module, name)
    scored = []  # (run, threshold) of every scores_at call: the runs whose numbers the page shows
    original_scores_at = core.labs.imbalanced.scores_at
    for module in (core.labs.imbalanced, lab_page):
        monkeypatch.setattr(module, "scores_at", lambda r, th: scored.append((r, th)) or original_scores_at(r, th))
    threshold = 0.27
    at.slider(key="imb.threshold").set_value(threshold).run()
    assert_no_exception(at)
    assert calls == []

    # The selected strategy's test scores, scored by scikit-learn at the new threshold, give the numbers shown.
    run, shown_at = scored[0]
    assert shown_at == threshold
    y, y_pred = run.y_test, (run.test_scores >= threshold).astype(int)
    expected = {
        "recall": recall_score(y, y_pred, zero_division=0),
        "precision": precision_score(y, y_pred, zero_division=0),
        "f1": f1_score(y, y_pred, zero_division=0),
        "balanced_accuracy": balanced_accuracy_score(y, y_pred),
        "roc_auc": roc_auc_score(y, run.test_scores),
    }
    tiles = {tile.label: tile.value for tile in at.metric}
    for name, value in expected.items():
        assert tiles[t(f"imbalanced.scores.{name}")] == f"{value:.2f}", name
    assert tiles[t("imbalanced.test.accuracy")] == f"{np.mean(y_pred == y):.1%}"
    cells = chart(at, "imb.confusion")["data"][0]["text"]
    shown = [[int(re.search(r"<b>(\d+)</b>", cell).group(1)) for cell in row] for row in cells]
    assert shown == confusion_matrix(y, y_pred, labels=[0, 1]).tolist()
    assert shown[1][1] > 0 and shown[0][1] > 0  # a threshold where both kinds of flagged points exist

    # Every strategy side by side: its line under its boundary carries sklearn's recall and precision too.
    lines = markdown_texts(at)
    for other, _ in scored[1:]:
        other_pred = (other.test_scores >= threshold).astype(int)
        line = t(
            "imbalanced.compare.scores_line",
            recall=recall_score(other.y_test, other_pred, zero_division=0),
            precision=precision_score(other.y_test, other_pred, zero_division=0),
            f1=f1_score(other.y_test, other_pred, zero_division=0),
            roc_auc=roc_auc_score(other.y_test, other.test_scores),
        )
        assert line in lines
    assert len(scored) == 1 + len(at.multiselect(key="imb.compare").value)
