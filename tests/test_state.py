"""playground/state.py is the one place session state is read and written: pages go through a PageState.

The source checks keep it so: a module that touches ``st.session_state`` itself, passes a widget a key it spelled
or formatted by hand, or formats a key from a ``KEY``/``key`` prefix fails here, with the file and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.state import APP, PageState
from tests.apptest_helpers import assert_no_exception

ROOT = Path(__file__).resolve().parents[1]
STATE_MODULE = ROOT / "playground" / "state.py"
# A name that holds a key prefix by the old convention: KEY, key, PLAYGROUND_KEY, chart_key, tag.
PREFIX_NAME = re.compile(r"(^|_)key$|^tag$", re.IGNORECASE)


def app_modules() -> list[Path]:
    """Every Python module of the app: the playground package, the page files and the entry point."""
    return sorted([*(ROOT / "playground").rglob("*.py"), *(ROOT / "app_pages").glob("*.py"), ROOT / "streamlit_app.py"])


def hand_built_keys(source: str) -> list[tuple[int, str]]:
    """(line, reason) for each place ``source`` reads session state or builds a session-state key by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "session_state":
            found.append((node.lineno, "st.session_state outside playground/state.py"))
        elif isinstance(node, ast.keyword) and node.arg == "key" and _spelled_key(node.value):
            found.append((node.lineno, f"widget key spelled by hand: key={ast.unparse(node.value)}"))
        elif isinstance(node, ast.JoinedStr) and _formats_from_prefix(node):
            found.append((node.lineno, f"key formatted from a prefix: {ast.unparse(node)}"))
    return found


def _spelled_key(value: ast.expr) -> bool:
    """A key that is not a PageState's: an f-string, a concatenation, or a dotted literal such as "pg.run"."""
    if isinstance(value, (ast.JoinedStr, ast.BinOp)):
        return True
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and "." in value.value


def _formats_from_prefix(node: ast.JoinedStr) -> bool:
    """``f"{KEY}.name"``, ``f"{key}.start"``, ``f"{chart_key}.loss"``: what PageState.key does."""
    if len(node.values) < 2:
        return False
    first, second = node.values[0], node.values[1]
    return (
        isinstance(first, ast.FormattedValue)
        and isinstance(first.value, ast.Name)
        and PREFIX_NAME.search(first.value.id) is not None
        and isinstance(second, ast.Constant)
        and str(second.value).startswith(".")
    )


@pytest.mark.parametrize(
    "line",
    [
        'st.session_state[f"{KEY}.run"] = run',
        'run = st.session_state.get(f"{KEY}.run")',
        'if "pg.started" not in st.session_state: pass',
        'st.button("Step", key=f"{key}.step")',
        'st.button("Step", key=KEY + ".step")',
        'st.button("Step", key="pg.step")',
        'name = f"{PLAYGROUND_KEY}.config"',
        'tag = f"{chart_key}.loss"',
    ],
)
def test_the_check_finds_a_hand_built_key(line):
    assert hand_built_keys(line), line


@pytest.mark.parametrize(
    "line",
    [
        'st.button("Step", key=PAGE.key("step"))',
        'run = PAGE.get("run")',
        'PAGE[f"run{i}.{name}"] = value',
        'label = t(f"{strings}.step")',  # a string-table key, not session state
        'text = t("compare.too_long", key="run")',  # a format argument named key
        "rows = sorted(rows, key=lambda row: row[0])",
    ],
)
def test_the_check_lets_page_state_calls_through(line):
    assert hand_built_keys(line) == [], line


def test_no_module_but_state_reads_session_state_or_builds_a_key_by_hand():
    modules = app_modules()
    assert STATE_MODULE in modules and len(modules) > 30  # the scan sees the whole app
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {reason}"
        for path in modules
        if path != STATE_MODULE
        for line, reason in hand_built_keys(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "\n".join(problems)


def test_keys_are_prefix_dot_name():
    page = PageState("pg")
    assert page.key("step") == "pg.step"
    assert page.child("export").key("dl_onnx") == "pg.export.dl_onnx"
    assert APP.key("lang") == "lang" and APP.key("palette.url_read") == "palette.url_read"
    with pytest.raises(AttributeError):
        page.prefix = "cmp"  # frozen: a page's prefix never changes under it


def _page_state_script():
    import streamlit as st

    from playground.state import PageState

    page = PageState("t")
    page["count"] = page.get("count", 0) + 1
    page.setdefault("first", page["count"])
    st.toggle("on", key=page.key("on"))
    st.write(f"count={page['count']} in={'count' in page} missing={'nothing' in page} popped={page.pop('gone', 'd')}")


def test_page_state_reads_and_writes_prefixed_session_state_keys():
    at = AppTest.from_function(_page_state_script).run(timeout=30)
    assert_no_exception(at)
    assert at.markdown[0].value == "count=1 in=True missing=False popped=d"
    at.toggle(key="t.on").set_value(True).run(timeout=30)  # the widget is found by its full key
    assert at.session_state["t.count"] == 2 and at.session_state["t.first"] == 1
    assert at.session_state["t.on"] is True
