"""Presenter mode hides the sidebar, so the page itself must offer the way back."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.apptest_helpers import assert_no_exception, render_page

PAGE = "app_pages/playground.py"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_mode_can_be_left_from_the_page(lang):
    query = {"presenter": "1", "seed": "3"} | ({"lang": lang} if lang != "en" else {})
    at = render_page(PAGE, query=query)
    assert at.toggle(key="pg.presenter").value is True
    leave = at.button(key="pg.presenter_leave")
    assert leave.label == t("playground.presenter_leave", lang=lang)
    if lang != "en":
        return  # AppTest cannot rerun a page whose selectboxes show translated options; the browser test clicks
    leave.click().run()
    assert_no_exception(at)
    assert at.toggle(key="pg.presenter").value is False
    assert "presenter" not in at.query_params and at.query_params["seed"] == "3"
    assert not [b for b in at.button if b.key == "pg.presenter_leave"]


def test_without_presenter_mode_there_is_nothing_to_leave():
    at = render_page(PAGE)
    assert not [b for b in at.button if b.key == "pg.presenter_leave"]
