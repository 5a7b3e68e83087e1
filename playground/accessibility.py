"""What the app can fix for screen readers and keyboards that Streamlit itself leaves open.

- ``<html lang>``: Streamlit 1.67 hard-codes ``lang="en"`` (streamlit/streamlit#15726, no API yet), so a screen
  reader reads the Chinese interface with English pronunciation rules. A script sets it to the active language.
- Wide formulas: KaTeX's display blocks scroll sideways (``overflow-x: auto``) but cannot take keyboard focus,
  so keyboard users cannot scroll them (axe: scrollable-region-focusable). Every one that overflows gets
  ``tabindex="0"``, now, whenever Streamlit draws new ones, and whenever a formula's size changes (KaTeX's fonts
  arriving late widen a formula without any DOM change: checking only on DOM changes missed one in CI).
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
  const check = (el) => {
    if (el.scrollWidth > el.clientWidth) el.setAttribute('tabindex', '0');
    else el.removeAttribute('tabindex');
  };
  // A formula's width changes without any DOM change when KaTeX's fonts arrive or the window is resized:
  // watch each formula's size as well as new formulas.
  const sizes = new ResizeObserver((entries) => entries.forEach((e) => {
    const display = e.target.closest('.katex-display');
    if (display) check(display);
  }));
  const watched = new WeakSet();
  const focusable = () => document.querySelectorAll('.katex-display').forEach((el) => {
    check(el);
    if (!watched.has(el)) {
      watched.add(el);
      sizes.observe(el);
      if (el.firstElementChild) sizes.observe(el.firstElementChild);
    }
  });
  new MutationObserver(focusable).observe(document.body, {childList: true, subtree: true});
  document.fonts.ready.then(focusable);
  focusable();
}
</script>"""


def page_accessibility(lang: str) -> None:
    """Run once per page run, after the language is known (``lang`` is a code such as "en" or "zh")."""
    st.html(_SCRIPT % json.dumps(lang), unsafe_allow_javascript=True)
