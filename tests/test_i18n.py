"""The string table: namespacing, fallback, the missing-key marker and formatting."""

import logging
import string

import pytest
from streamlit.testing.v1 import AppTest

from playground import i18n
from playground.i18n import available_languages, keys, missing_marker, t
from tests.apptest_helpers import assert_no_exception, render_page

PLANNED_PAGES = (
    "playground",
    "compare",
    "under_the_hood",
    "imbalanced",
    "regression",
    "experiments",
    "digits",
    "lessons",
    "activations",
)


@pytest.fixture
def strings_dir(tmp_path, monkeypatch):
    """A private string directory with English and German tables, so tests do not depend on real wording."""
    (tmp_path / "en").mkdir()
    (tmp_path / "de").mkdir()
    (tmp_path / "en" / "demo.toml").write_text(
        'title = "Demo"\n'
        'epoch = "Epoch {n} of {total}"\n'
        'formula = "$\\\\frac{1}{2}$"\n'
        'only_en = "English only"\n'
        '[axis]\nx = "Input"\n[axis.deep]\ny = "Output"\n',
        encoding="utf-8",
    )
    (tmp_path / "en" / "other.toml").write_text('title = "Other"\n', encoding="utf-8")
    (tmp_path / "de" / "demo.toml").write_text('title = "Vorführung"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_STRINGS_DIR", tmp_path)
    i18n.available_languages.cache_clear()
    i18n._load.cache_clear()
    yield tmp_path
    i18n.available_languages.cache_clear()
    i18n._load.cache_clear()


def test_key_is_namespaced_by_file_stem(strings_dir):
    assert t("demo.title", lang="en") == "Demo"
    assert t("other.title", lang="en") == "Other"


def test_nested_tables_flatten_with_dots(strings_dir):
    assert t("demo.axis.x", lang="en") == "Input"
    assert t("demo.axis.deep.y", lang="en") == "Output"


def test_requested_language_wins_over_english(strings_dir):
    assert t("demo.title", lang="de") == "Vorführung"


def test_key_missing_in_language_falls_back_to_english(strings_dir):
    assert t("demo.only_en", lang="de") == "English only"


def test_unknown_language_falls_back_to_english(strings_dir):
    assert t("demo.title", lang="xx") == "Demo"


def test_key_missing_everywhere_returns_visible_marker_and_warns(strings_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="playground.i18n"):
        assert t("demo.no_such_key", lang="de") == "⟦demo.no_such_key⟧"
    assert "demo.no_such_key" in caplog.text
    assert missing_marker("demo.no_such_key") == "⟦demo.no_such_key⟧"


def test_format_arguments_fill_placeholders(strings_dir):
    assert t("demo.epoch", lang="en", n=3, total=10) == "Epoch 3 of 10"


def test_text_without_format_arguments_is_returned_verbatim(strings_dir):
    assert t("demo.epoch", lang="en") == "Epoch {n} of {total}"
    assert t("demo.formula", lang="en") == "$\\frac{1}{2}$"


def test_active_language_is_english_outside_streamlit(strings_dir):
    assert t("demo.title") == "Demo"


def _script_showing_app_name():
    import streamlit as st

    from playground.i18n import t

    st.write(t("app.name"))


def test_active_language_comes_from_session_state_in_a_running_app():
    at = AppTest.from_function(_script_showing_app_name, default_timeout=30)
    at.session_state["lang"] = "zh"
    at.run()
    assert [element.value for element in at.markdown] == [t("app.name", lang="zh")]
    assert t("app.name", lang="zh") != t("app.name", lang="en")


def test_available_languages_lists_directories_with_tables(strings_dir):
    (strings_dir / "empty").mkdir()
    i18n.available_languages.cache_clear()
    assert available_languages() == ("de", "en")


def test_keys_lists_one_language_without_fallback(strings_dir):
    assert keys("de") == frozenset({"demo.title"})
    assert "demo.axis.deep.y" in keys("en")


def test_keys_rejects_unknown_language_naming_the_choices(strings_dir):
    with pytest.raises(ValueError, match=r"lang='xx' is not valid; choose one of: de, en"):
        keys("xx")


def test_non_string_value_is_rejected_with_file_and_key(strings_dir):
    (strings_dir / "en" / "bad.toml").write_text("count = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml: 'bad\.count' is a int"):
        t("bad.count", lang="en")


def test_each_language_is_read_from_disk_once(strings_dir):
    t("demo.title", lang="en")
    (strings_dir / "en" / "demo.toml").write_text('title = "Changed"\n', encoding="utf-8")
    assert t("demo.title", lang="en") == "Demo"


# The real tables shipped with the app.


def test_every_planned_page_has_an_english_nav_label():
    assert {f"app.nav.{page}" for page in PLANNED_PAGES} <= keys("en")


def test_english_is_always_available():
    assert "en" in available_languages()


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_translations_define_no_key_english_lacks(lang):
    assert keys(lang) - keys("en") == frozenset()


def _placeholders(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:  # unbalanced LaTeX braces: a string that is never formatted
        return set()


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_translations_use_the_same_placeholders_as_english(lang):
    # Only strings that take arguments are formatted; a mistyped {name} in a translation would raise there.
    mismatched = {}
    for key in keys(lang):
        english, translated = t(key, lang="en"), t(key, lang=lang)
        if _placeholders(english) and _placeholders(translated) != _placeholders(english):
            mismatched[key] = (translated, english)
    assert mismatched == {}


def test_an_unknown_language_in_the_link_falls_back_to_english_with_a_note():
    at = render_page("app_pages/activations.py", query={"lang": "xx"})
    assert_no_exception(at)
    assert at.session_state["lang"] == "en"
    assert t("language.unknown", code="xx") in [w.value for w in at.sidebar.warning]
    assert "lang" not in at.query_params
