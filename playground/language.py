"""The language switch: English / 简体中文 in the sidebar, kept in ``st.session_state["lang"]`` and the URL.

``streamlit_app.py`` calls :func:`choose_language` before building the navigation, so every page (and the
page titles in the navigation) is drawn in the chosen language, and draws the switch (:func:`language_switch`) under
the navigation; a browser's first visit to the Playground draws it with the page's controls, after the first
picture. The URL carries ``lang=zh`` so a copied link
opens in the same language; English, the default, leaves the URL alone.
"""

from __future__ import annotations

import streamlit as st

from playground.i18n import DEFAULT_LANGUAGE, available_languages, t
from playground.markdown_text import escape_markdown
from playground.state import APP

KEY = "lang"  # the session-state key (in playground.state.APP) playground.i18n.t() reads
_URL_READ = "lang.url_read"
_UNKNOWN = "lang.unknown"  # a lang= value from the link the app has no strings for
# The language of the last full run, in a plain key: what playground.i18n.t() reads. A fragment rerun right after a
# page switch could read the widget's key as unset and speak English (the Regression lab's live counters turned
# English half a second after a Chinese page opened); a plain key is never cleaned up with widget state.
ACTIVE = "lang.active"


def _choices() -> tuple[str, ...]:
    """Languages with strings, English first."""
    return (DEFAULT_LANGUAGE, *(lang for lang in available_languages() if lang != DEFAULT_LANGUAGE))


def _from_url() -> str | None:
    value = st.query_params.get(KEY)
    return value if value in _choices() else None


def first_run() -> bool:
    """Whether this is the session's first run (no language chosen yet)."""
    return _URL_READ not in APP


def choose_language() -> str:
    """The language of this run, without drawing anything: the link's ``lang=`` on a session's first run, else the
    session's (the switch's value, already in its state when the user changed it)."""
    choices = _choices()
    if _URL_READ not in APP:
        # A session's first run: the URL decides; without lang= in it, whatever the session already holds.
        APP[_URL_READ] = True
        from_url = _from_url()
        if from_url:
            APP[KEY] = from_url
        elif KEY in st.query_params:
            APP[_UNKNOWN] = st.query_params[KEY][:20]
    if APP.get(KEY) not in choices:
        APP[KEY] = APP.get(ACTIVE) if APP.get(ACTIVE) in choices else DEFAULT_LANGUAGE
    APP[ACTIVE] = APP[KEY]  # the widget's value for this run (a change in the box is already in its state)
    return APP[KEY]


def language_switch() -> str:
    """Draw the sidebar language picker and return the active language code (``"en"``, ``"zh"``)."""
    choose_language()
    lang = st.sidebar.selectbox(
        t("language.label"),
        _choices(),
        key=APP.key(KEY),
        help=t("language.help"),
        format_func=lambda code: t(f"language.names.{code}"),
    )
    if _UNKNOWN in APP:
        code = escape_markdown(APP.pop(_UNKNOWN))
        st.sidebar.warning(t("language.unknown", code=code), icon=":material/translate:")
    _mirror_in_url(lang)
    return lang


def _mirror_in_url(lang: str) -> None:
    if lang == DEFAULT_LANGUAGE:
        if KEY in st.query_params:
            del st.query_params[KEY]
    elif st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang


def with_language(url: str) -> str:
    """``url`` with ``lang=<active language>`` appended when it is not English (for links between pages)."""
    lang = APP.get(KEY, DEFAULT_LANGUAGE)
    if lang == DEFAULT_LANGUAGE or lang not in _choices():
        return url
    return f"{url}{'&' if '?' in url else '?'}{KEY}={lang}"
