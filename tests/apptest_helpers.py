"""Render pages of the real app in-process with ``streamlit.testing.v1.AppTest`` and check what they show.

    from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

    at = render_page("app_pages/compare.py", query={"act": "relu"}, state={"lang": "zh"})
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert at.title[0].value == t("compare.title", lang="zh")

Pages are addressed by their file path relative to the repository root, as in ``st.Page(...)``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

__all__ = [
    "APP_FILE",
    "REPO_ROOT",
    "assert_no_exception",
    "missing_keys",
    "registered_pages",
    "render_app",
    "render_page",
    "shown_text",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_FILE = REPO_ROOT / "streamlit_app.py"

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a CommonMark backslash escape of ASCII punctuation
_MARKER = re.compile(r"⟦([^⟦⟧\s]+)⟧")
# Plotly figures travel as JSON with non-ASCII escaped, so a marker in an axis title looks like this.
_ESCAPED_MARKER = re.compile(r"\\u27e6([^\\\s\"]+)\\u27e7", re.IGNORECASE)


def registered_pages() -> dict[str, str]:
    """``{page path: url_path}`` for every ``st.Page("app_pages/...py", ...)`` in ``streamlit_app.py``, in order.

    Read from the source (not by running it) so a test can be parametrized over every page;
    a page without an explicit ``url_path`` gets its file stem, as Streamlit infers it.
    """
    tree = ast.parse(APP_FILE.read_text(encoding="utf-8"), filename=str(APP_FILE))
    pages: dict[str, str] = {}
    for node in ast.walk(tree):
        is_page_call = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        )
        is_page_helper_call = (  # streamlit_app.py's page("name", icon) shorthand for app_pages/name.py
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        )
        if is_page_helper_call:
            pages[f"app_pages/{node.args[0].value}.py"] = node.args[0].value
        elif is_page_call:
            path = node.args[0].value
            url_paths = [
                kw.value.value for kw in node.keywords if kw.arg == "url_path" and isinstance(kw.value, ast.Constant)
            ]
            pages[path] = url_paths[0] if url_paths else Path(path).stem
    if not pages:
        raise AssertionError(f"found no st.Page('app_pages/...py') call in {APP_FILE}")
    return pages


def _new_app_test(query: Mapping[str, Any] | None, state: Mapping[str, Any] | None, timeout: float) -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=timeout)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return at


def render_app(
    *, query: Mapping[str, Any] | None = None, state: Mapping[str, Any] | None = None, timeout: float = 60
) -> AppTest:
    """Run the app as someone opening its root URL sees it (the default page), once.

    ``query`` becomes the URL query string (values ``str`` or ``list[str]``), ``state`` is put into
    ``st.session_state`` before the run. ``timeout`` is in seconds for the run.
    """
    return _new_app_test(query, state, timeout).run()


def render_page(
    page: str,
    *,
    query: Mapping[str, Any] | None = None,
    state: Mapping[str, Any] | None = None,
    timeout: float = 60,
) -> AppTest:
    """Run the app once on ``page`` (e.g. ``"app_pages/compare.py"``) and return the AppTest to inspect.

    Runs the page only, not the default page first: before the first run AppTest finds a page by its
    file name, which matches because every ``st.Page`` keeps ``url_path`` equal to the file stem
    (checked by tests/test_app_smoke.py). ``query``/``state``/``timeout`` as in :func:`render_app`.
    Call ``at.run()`` again after interacting with widgets.
    """
    at = _new_app_test(query, state, timeout)
    at.switch_page(page)
    return at.run()


def assert_no_exception(at: AppTest) -> None:
    """Fail with every exception the page showed (type, message and stack trace)."""
    if not len(at.exception):
        return
    reports = []
    for shown in at.exception:
        trace = "\n".join(shown.stack_trace)
        reports.append(f"{shown.proto.type}: {shown.message}\n{trace}".rstrip())
    raise AssertionError(f"the page raised {len(reports)} exception(s):\n\n" + "\n\n".join(reports))


def missing_keys(at: AppTest) -> list[str]:
    """String-table keys rendered as ``⟦key⟧`` anywhere on the page, sorted and without duplicates.

    Looks at every element and container of the last run (text, labels, help, options, tab and
    expander labels, chart JSON), main area and sidebar alike.
    """
    found: set[str] = set()
    for node in at:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        text = text_format.MessageToString(proto, as_utf8=True)
        found.update(_MARKER.findall(text))
        found.update(_ESCAPED_MARKER.findall(text))
    return sorted(found)


def shown_text(markdown: str) -> str:
    """What a reader sees of a Markdown message source: backslash escapes (``\\[``, ``\\_``) shown as the character.

    User text in messages is escaped (playground.markdown_text.escape_markdown), so ``lr=-5`` travels as
    ``lr=\\-5``; compare what is shown, not the source.
    """
    return _ESCAPED.sub(r"\1", markdown).replace("\u200b", "")  # and the zero-width spaces that stop autolinks
