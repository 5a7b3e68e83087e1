"""Text from a link or an upload never becomes a link, an image or HTML in the page (issue 19, item 1).

Every query key every page reads (and an unknown key made of the payload itself) carries Markdown and HTML
payloads aimed at an address no one serves (127.0.0.1:9); so does every upload path (a CSV header and cells,
a model.json field). Each element's Markdown (message bodies, captions, labels, help) is rendered with a
CommonMark + GFM-autolink parser, and no ``<a>`` or ``<img>`` may point at that address.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from markdown_it import MarkdownIt

from core.labs.lessons import LESSONS
from playground import urlstate
from playground.markdown_text import escape_markdown
from playground.pages.compare.page import QUERY_KEYS as COMPARE_KEYS
from tests.apptest_helpers import assert_no_exception, registered_pages, render_page

HOST = "127.0.0.1:9"
# Each at most 40 characters up to the end of its first link (values are cut at 40 or 60 before they are
# shown), the shortest fitting lang='s 20.
PAYLOADS = (
    f"[x](//{HOST}/a)![](//{HOST}/b)",
    f"<img src=//{HOST}/c><a href=//{HOST}/d>x</a>",
    f"<a href=http://{HOST}/e>x</a> http://{HOST}/f",
    f"[Session expired: log in](http://{HOST}/g)",
)
PAGE_KEYS = ("lesson", "step", "tab")  # the Lessons and Under-the-hood pages' own keys
EVERY_KEY = (*urlstate.FIELDS, *urlstate.RESERVED, *COMPARE_KEYS, *PAGE_KEYS)

_MARKDOWN = MarkdownIt("gfm-like", {"linkify": True, "html": True})
_POINTING = re.compile(r"<(?:a|img)\b[^>]*\b(?:href|src)=\"?[^\">]*" + re.escape(HOST))
# Streamlit's remark-gfm finds bare URLs in the text after escapes are resolved (markdown-it does not), so the
# text as shown must not hold one either: its pattern, from mdast-util-gfm-autolink-literal.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _resolved(markdown: str) -> str:
    """The text remark-gfm searches for bare URLs: backslash escapes resolved (zero-width spaces kept)."""
    return _ESCAPE.sub(r"\1", markdown)


_BARE_URL = re.compile(r"(?i)(?:https?://|www(?=\.))[-.\w]*" + re.escape(HOST.split(":")[0]))
# Fields of element protos Streamlit renders as Markdown, and elements that show their text verbatim.
_MARKDOWN_FIELDS = {"body", "label", "help", "caption", "options", "placeholder", "text"}
_VERBATIM = {"Text", "Code", "Json", "PlotlyChart", "ArrowVegaLiteChart", "Exception", "Arrow", "Html"}


def _markdown_texts(message, out: list[str]) -> None:
    if message.DESCRIPTOR.name in _VERBATIM:
        return
    for field, value in message.ListFields():
        single = isinstance(value, (str, bytes, int, float, bool)) or hasattr(value, "ListFields")
        values = [value] if single else list(value)
        if field.type == field.TYPE_MESSAGE:
            for item in values:
                _markdown_texts(item, out)
        elif field.type == field.TYPE_STRING and field.name in _MARKDOWN_FIELDS:
            out.extend(values)


def hostile_elements(at) -> list[str]:
    """Every Markdown text on the page that renders to a link or image pointing at HOST."""
    texts: list[str] = []
    for node in at:
        proto = getattr(node, "proto", None)
        if proto is not None:
            _markdown_texts(proto, texts)
    return [text for text in texts if _POINTING.search(_MARKDOWN.render(text)) or _BARE_URL.search(_resolved(text))]


def payloads_shown(at, payload: str = HOST) -> int:
    """How many texts show ``payload`` (escaped, as typed): proves the payload reached the page."""
    texts: list[str] = []
    for node in at:
        if getattr(node, "proto", None) is not None:
            _markdown_texts(node.proto, texts)
    return sum(escape_markdown(payload) in text for text in texts)


def test_the_checker_sees_an_unescaped_payload_and_passes_an_escaped_one():
    for payload in PAYLOADS:
        assert _POINTING.search(_MARKDOWN.render(payload)), payload
        assert not _POINTING.search(_MARKDOWN.render(escape_markdown(payload))), payload
        assert not _BARE_URL.search(_resolved(escape_markdown(payload))), payload
        assert not _POINTING.search(_MARKDOWN.render("“" + escape_markdown(payload[:40]) + "” was ignored"))
    assert _BARE_URL.search(_resolved("see http\\://127\\.0\\.0\\.1\\:9/x"))  # escapes alone do not stop it


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("page", list(registered_pages()))
def test_every_query_key_of_every_page_shows_payloads_as_text(page, payload):
    query = {key: payload for key in EVERY_KEY} | {payload: "1"}
    at = render_page(page, query=query)
    assert_no_exception(at)
    assert hostile_elements(at) == []
    if page != "app_pages/digits.py":  # AppTest keeps only the digits page's last fragment run, not its sidebar
        assert payloads_shown(at, payload[:20]) >= 1  # at least the unknown-language warning shows it, escaped


@pytest.mark.parametrize("payload", PAYLOADS[:2])
@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("app_pages/lessons.py", {"lesson": next(iter(LESSONS)), "step": "{p}"}),
        ("app_pages/compare.py", {"mode": "custom", "run": ["{p}", "lr:{p}", "{p}:1"]}),
        ("app_pages/compare.py", {"vary": "lr", "values": "{p},0.1"}),
        ("app_pages/compare.py", {"vary": "activation", "values": "tanh,{p}", "target": "{p}"}),
        ("app_pages/playground.py", {"ds": "drawn", "pts": "{p}"}),
        ("app_pages/playground.py", {"ds": "{p}"}),
        ("app_pages/playground.py", {"preset": "{p}", "show": "layers,{p}"}),
        ("app_pages/playground.py", {"hidden": "4:{p}"}),
    ],
)
def test_keys_read_only_beside_valid_ones_show_payloads_as_text(page, query, payload):
    def fill(value):
        return [fill(v) for v in value] if isinstance(value, list) else value.replace("{p}", payload)

    at = render_page(page, query={key: fill(value) for key, value in query.items()})
    assert_no_exception(at)
    assert hostile_elements(at) == []
    assert payloads_shown(at, "127.0") >= 1


# ---- uploads -------------------------------------------------------------------------------------------
class _Upload(io.BytesIO):
    """What st.file_uploader hands a callback: bytes with a name."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def _upload_script(kind: str, data: bytes, name: str) -> None:
    """Run in AppTest: the Playground's upload callback on ``data``, then the Files section that shows its result."""
    import streamlit as st

    from playground.pages.playground import page as playground_page
    from tests.test_markdown_injection import _Upload

    key = playground_page.PAGE.key(f"upload_{kind}")
    if "done" not in st.session_state:
        st.session_state.done = True
        st.session_state[key] = _Upload(data, name)
        (playground_page._load_uploaded_model if kind == "model" else playground_page._load_uploaded_points)()
        del st.session_state[key]  # the widget below owns this key again
    with st.expander("files", expanded=True):
        for kind_, message in playground_page.PAGE.pop("upload_messages", []):
            (st.error if kind_ == "error" else st.success)(message)


def _run_upload(kind: str, data: bytes, name: str = "data.csv"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_upload_script, args=(kind, data, name), default_timeout=60).run()
    assert_no_exception(at)
    return at


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


UPLOADS = [
    # A header naming a link and an image; classification and regression layouts.
    _csv(f"![p](http://{HOST}/hdr),[CLICK](http://{HOST}/l),label", ["0,0,0", "1,1,1", "0,1,1", "1,0,0"]),
    _csv(f"[x](http://{HOST}/x),<img src=http://{HOST}/y>", ["0,0.5", "1,1.5", "2,2.5", "3,0.25"]),
    # Cells that are not numbers, a wrong column count, labels that are text.
    _csv("x1,x2,label", [f"[a](http://{HOST}/cell),1,0", "1,1,1"]),
    _csv("a,b,c,d", [f"1,2,3,<img src=http://{HOST}/cols>"]),
    _csv("x1,x2,label", ["0,0,cat", "1,1,dog", f"0,1,[z](http://{HOST}/lab)"]),
]


@pytest.mark.parametrize("data", UPLOADS, ids=range(len(UPLOADS)))
def test_a_hostile_csv_upload_shows_as_text(data):
    at = _run_upload("points", data)
    assert hostile_elements(at) == []
    assert len(at.error) + len(at.success) == 1


def _model_zip(changes: dict[tuple[str, ...], object]) -> bytes:
    from core.experiment.config import ExperimentConfig
    from core.experiment.io import model_to_bytes
    from core.experiment.run import build_network

    config = ExperimentConfig()
    network = build_network(config)
    bundle = zipfile.ZipFile(io.BytesIO(model_to_bytes(network, config)))
    files = {name: bundle.read(name) for name in bundle.namelist()}
    document = json.loads(files["model.json"])
    for path, value in changes.items():
        target = document
        *parents, last = path
        for parent in parents:
            target = target[parent]
        target[last] = value
    files["model.json"] = json.dumps(document).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "changes",
    [
        {("format",): f"[x](http://{HOST}/fmt)"},
        {("format",): f"<img src=http://{HOST}/fmt2>"},
        {("network", "loss"): f"![](http://{HOST}/act)"},
        {("config", "data", "name"): f"[ds](http://{HOST}/ds)"},
        {("config", "model", "loss"): f"<a href=http://{HOST}/loss>x</a>"},
        {(f"[k](http://{HOST}/key)",): 1},
        {("network", f"![](http://{HOST}/nk)"): 1},
    ],
    ids=lambda changes: ".".join(next(iter(changes))),
)
def test_a_hostile_model_upload_shows_as_text(changes):
    at = _run_upload("model", _model_zip(changes), name=f"[f](http://{HOST}/name).zip")
    assert hostile_elements(at) == []
    assert len(at.error) == 1 and payloads_shown(at, "127.0.0.1") >= 1
