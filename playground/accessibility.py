"""What the app can fix for screen readers and keyboards that Streamlit itself leaves open.

- ``<html lang>``: Streamlit 1.67 hard-codes ``lang="en"`` (streamlit/streamlit#15726, no API yet), so a screen
  reader reads the Chinese interface with English pronunciation rules. A script sets it to the active language.
- Wide formulas: KaTeX's display blocks scroll sideways (``overflow-x: auto``) but cannot take keyboard focus,
  so keyboard users cannot scroll them (axe: scrollable-region-focusable). Whether a formula overflows depends on
  the window's width, the zoom and when KaTeX's fonts arrive (a formula 2 pixels too wide at one moment fits at
  the next: checking for overflow at load missed it twice in CI), so every display formula gets ``tabindex="0"``,
  now and whenever Streamlit draws new ones. Focused, a screen reader reads its MathML.
"""

from __future__ import annotations

import json

import streamlit as st

# The marker span and the style take this element's own container out of the layout: no gap above the title.
_SCRIPT = """<span id="playground-a11y" hidden></span>
<style>[data-testid="stElementContainer"]:has(#playground-a11y) { display: none; }</style>
<script>
document.documentElement.lang = %s;
if (!window.__playgroundA11y) {
  window.__playgroundA11y = true;
  // Every display formula takes keyboard focus, not only those that overflow now: whether one overflows changes
  // with the window's width, the zoom and when KaTeX's fonts arrive (a 2-pixel overflow came and went between runs).
  const focusable = () => document.querySelectorAll('.katex-display:not([tabindex])').forEach((el) => {
    el.setAttribute('tabindex', '0');
  });
  new MutationObserver(focusable).observe(document.body, {childList: true, subtree: true});
  focusable();
}
</script>"""


def page_accessibility(lang: str) -> None:
    """Run once per page run, after the language is known (``lang`` is a code such as "en" or "zh")."""
    st.html(_SCRIPT % json.dumps(lang), unsafe_allow_javascript=True)
