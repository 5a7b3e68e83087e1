"""Every page of the app renders in-process (AppTest) without an exception or a missing string."""

from pathlib import Path

import pytest

from playground.i18n import t
from tests.apptest_helpers import assert_no_exception, missing_keys, registered_pages, render_app, render_page


def test_root_url_opens_the_playground():
    at = render_app()
    assert_no_exception(at)
    assert [title.value for title in at.title] == [t("playground.title")]


@pytest.mark.parametrize("page", registered_pages())
def test_page_renders_without_exception_or_missing_string(page):
    at = render_page(page)
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert len(at.main.children) > 0


def test_every_page_url_path_matches_its_file_name():
    # render_page() relies on this: before its first run AppTest finds a page by file name.
    mismatched = {page: url for page, url in registered_pages().items() if url != Path(page).stem}
    assert mismatched == {}
