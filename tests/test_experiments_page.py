"""The Experiments page in-process (AppTest): renders, runs a sweep, cross-validation and a search."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/experiments.py"
TIMEOUT = 240


@pytest.fixture
def page():
    at = render_page(PAGE, timeout=TIMEOUT)
    assert_no_exception(at)
    return at


def test_page_renders_every_tab_without_missing_strings(page):
    assert page.title[0].value == t("experiments.title")
    assert missing_keys(page) == []
    assert [tab.label for tab in page.tabs] == [
        t("experiments.tabs.sweeps"),
        t("experiments.tabs.range"),
        t("experiments.tabs.cv"),
        t("experiments.tabs.search"),
    ]
    # The LR range test needs no button: its figure is there on arrival.
    assert any(t("experiments.range.intro")[:40] in md.value for md in page.markdown)


def test_grid_search_fills_the_table_and_links_the_best_to_the_playground(page):
    page.button(key="exp.search.job.start").click().run(timeout=TIMEOUT)
    assert_no_exception(page)
    assert missing_keys(page) == []
    table = page.dataframe[0].value
    assert len(table) == 4
    # Layer sizes read as such: "8" alone was taken for eight hidden layers.
    assert "hidden layer sizes = (8,), learning rate = 0.3" in page.success[0].value
    assert page.get("link_button")[0].proto.url.startswith("./?")
    assert not page.button(key="exp.search.job.start").disabled
    assert page.button(key="exp.search.job.stop").disabled


def test_random_search_draws_and_finishes_its_candidates(page):
    page.radio(key="exp.search.kind").set_value("random").run(timeout=TIMEOUT)
    page.slider(key="exp.search.n_iter").set_value(3).run(timeout=TIMEOUT)
    page.slider(key="exp.search.folds").set_value(2).run(timeout=TIMEOUT)
    page.button(key="exp.search.job.start").click().run(timeout=TIMEOUT)
    assert_no_exception(page)
    assert t("experiments.search.log_uniform") in [caption.value for caption in page.caption]
    assert len(page.dataframe[0].value) == 3  # the log-uniform learning rate must not make the job look stale
    assert t("experiments.runner.stale") not in [info.value for info in page.info]


def test_empty_search_space_explains_instead_of_failing(page):
    page.multiselect(key="exp.search.params").set_value([]).run(timeout=TIMEOUT)
    page.button(key="exp.search.job.start").click().run(timeout=TIMEOUT)
    assert_no_exception(page)
    assert t("experiments.search.no_values") in page.warning[0].value


def test_cross_validation_shows_fold_scores_with_mean_and_spread(page):
    page.slider(key="exp.cv.folds").set_value(3).run(timeout=TIMEOUT)
    page.button(key="exp.cv.job.start").click().run(timeout=TIMEOUT)
    assert_no_exception(page)
    labels = [metric.label for metric in page.metric]
    assert t("experiments.scores.accuracy") in labels and t("experiments.cv.std") in labels


def test_learning_rate_sweep_labels_its_curves(page):
    page.button(key="exp.sweep.job.start").click().run(timeout=TIMEOUT)
    assert_no_exception(page)
    assert missing_keys(page) == []
    assert any(t("experiments.sweep.verdict_note") == caption.value for caption in page.caption)


def test_changing_settings_marks_old_results_stale(page):
    page.button(key="exp.cv.job.start").click().run(timeout=TIMEOUT)
    page.slider(key="exp.data.noise").set_value(0.3).run(timeout=TIMEOUT)
    assert_no_exception(page)
    assert t("experiments.runner.stale") in [info.value for info in page.info]
