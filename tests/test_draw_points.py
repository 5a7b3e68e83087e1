"""Draw mode offers every class of the data, and its hint fits the dataset chosen."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.apptest_helpers import assert_no_exception, render_page

PAGE = "app_pages/playground.py"


@pytest.mark.parametrize(("dataset", "n_classes"), [("spirals", 2), ("xor", 2), ("multiclass", 3)])
def test_draw_mode_offers_every_class(dataset, n_classes):
    at = render_page(PAGE, query={"ds": dataset}, state={"pg.draw": True})
    assert_no_exception(at)
    radio = at.radio(key="pg.draw_class")
    assert list(radio.options) == [t("playground.class_name", number=c) for c in range(n_classes)]


def test_the_draw_hint_does_not_ask_for_the_dataset_already_chosen():
    at = render_page(PAGE, query={"ds": "drawn"}, state={"pg.draw": True})
    captions = [c.value for c in at.caption]
    assert any(c.startswith(t("playground.draw_hint_drawn", count=4)[:12]) for c in captions), captions
    assert not any(t("widgets.datasets.drawn") in c for c in captions if "drawn" in c or "画" in c)
    other = render_page(PAGE, query={"ds": "spirals"}, state={"pg.draw": True})
    assert any(t("widgets.datasets.drawn") in c.value for c in other.caption)
