"""The one rule for text the user supplied that the page shows through Markdown: :func:`escape_markdown`.

``st.warning``, ``st.error``, ``st.success``, ``st.info``, ``st.markdown``, ``st.caption`` and widget labels
render their text as Markdown (GitHub flavour, with Streamlit's ``:red[…]`` and ``:material/…:`` on top).
A query value, a preset or lesson name from the link, a CSV header or cell, a field of an uploaded model
file or a file name is untrusted: shown as it is, ``[log in](http://…)`` becomes a link inside the app's own
warning box and ``![](http://…)`` makes the browser fetch an address as soon as the page loads. Every such
piece of text goes through :func:`escape_markdown` where it is put into a message, so it shows exactly as
typed and nothing in it is interpreted.
"""

from __future__ import annotations

import re

__all__ = ["escape_markdown"]

# CommonMark lets a backslash escape any ASCII punctuation character, and an escaped one is always shown as
# itself. Beyond links and images ([]()!) and HTML (<>&), escaping ":" stops Streamlit's ":red[…]" colours and
# ":material/…:" icons; "$" maths, "`" code, "*_~" emphasis, "#+-.|" headings, lists and tables. "=,;/'\"?"
# mean nothing in Markdown and stay as typed.
_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:&@"
_ESCAPES = str.maketrans({c: "\\" + c for c in _SPECIALS})
# A line break would let the rest of the text start a new block (a heading, a list, an indented code block).
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
# Streamlit (remark-gfm) finds bare "http://…", "www.…" and e-mail addresses in the text *after* escapes are
# resolved, so escaping cannot stop those: an invisible zero-width space after "http"/"www" and "@" does.
_ZERO_WIDTH = "\u200b"
_AUTOLINK_STARTS = re.compile(r"(?i)(https?(?=:)|www(?=\.)|@)")


def escape_markdown(text: object) -> str:
    r"""``text`` (``str()`` of anything) made safe to put into Markdown: shown as typed, on one line.

    >>> escape_markdown("see [x](http://a.io)") == "see \\[x\\]\\(http\u200b\\://a\\.io\\)"
    True
    """
    text = _AUTOLINK_STARTS.sub(lambda match: match[0] + _ZERO_WIDTH, _LINE_BREAKS.sub(" ", str(text)))
    return text.translate(_ESCAPES)
