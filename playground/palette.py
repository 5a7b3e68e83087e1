"""Colour palettes: the standard one (TensorFlow Playground's orange/blue) and a colour-blind-safe one.

The safe palette takes its class colours from Okabe & Ito (2008), "Color Universal Design": vermillion and blue
for classes 0 and 1 stay apart for every common kind of colour blindness and in greyscale (one light, one dark),
and the heatmaps are blue–orange diverging scales between those two. Classes differ by marker shape as well
(:data:`CLASS_SYMBOLS`), so colour is never the only signal.

The choice sits in the sidebar next to the language switch (:func:`palette_switch`), is kept in
``st.session_state["palette"]`` and in the URL (``palette=safe``; the standard palette leaves the URL alone), and
every figure builder and the live view read it through :func:`active_palette`, the way ``t()`` reads the language.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

KEY = "palette"  # the session-state key (in playground.state.APP) and URL parameter
ACTIVE = "palette.active"  # the last full run's palette, a plain key: read in fragment reruns (see language.ACTIVE)
_URL_READ = "palette.url_read"  # set once a session's first run has read palette= from the URL
PALE = "#f7f7f7"


@dataclass(frozen=True)
class Palette:
    """Colours for classes (``class_colours[c]`` is class c's), compared runs' lines and the heatmaps' scales.

    binary_scale : P(class 1) from 0 to 1, class 0's colour through pale to class 1's.
    regression_scale : a diverging scale drawn reversed (``reversescale=True``, low values at its end), as
        Plotly's "RdBu" is in the standard palette.
    """

    name: str
    class_colours: tuple[str, ...]
    regression_scale: str | tuple[tuple[float, str], ...]
    run_colours: tuple[str, ...]  # one line colour per compared run (run i: run_colours[i % len])

    @property
    def negative(self) -> str:
        return self.class_colours[0]

    @property
    def positive(self) -> str:
        return self.class_colours[1]

    @property
    def binary_scale(self) -> list[list]:
        return [[0.0, self.negative], [0.5, PALE], [1.0, self.positive]]


STANDARD = Palette(
    name="standard",
    class_colours=("#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b"),
    regression_scale="RdBu",
    run_colours=("#0877bd", "#f59322", "#2ca02c", "#d62728", "#9467bd", "#8c564b"),
)
# Okabe–Ito: vermillion, blue, bluish green, reddish purple, orange, sky blue.
SAFE = Palette(
    name="safe",
    class_colours=("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"),
    regression_scale=((0.0, "#d55e00"), (0.25, "#eda36b"), (0.5, PALE), (0.75, "#6aa6d2"), (1.0, "#0072b2")),
    # No red next to green: blue, orange, bluish green, reddish purple, vermillion, sky blue.
    run_colours=("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"),
)
PALETTES = {palette.name: palette for palette in (STANDARD, SAFE)}

# Plotly marker symbols per class (class c uses CLASS_SYMBOLS[c % 6]); the live view's canvas draws the same
# shapes (frontend/shapes.js). Diamonds are left out: hollow diamonds mark resampled (synthetic) points.
CLASS_SYMBOLS = ("circle", "square", "triangle-up", "cross", "star", "x")


def palette_named(name: object) -> Palette:
    """The palette called ``name``; the standard one for anything else (a value from a link is not trusted)."""
    return PALETTES.get(name, STANDARD) if isinstance(name, str) else STANDARD


def active_palette() -> Palette:
    """The session's ``"palette"`` (:data:`playground.state.APP`) inside a running Streamlit script, the standard
    palette anywhere else."""
    if "streamlit" not in sys.modules:  # scripts and core tests never pay for importing Streamlit
        return STANDARD
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return STANDARD
    from playground.state import APP  # imported late, with Streamlit: scripts and core tests never need it

    return palette_named(APP.get(ACTIVE) or APP.get(KEY))


def choose_palette() -> Palette:
    """The palette of this run, without drawing anything: the URL's ``palette=`` on a session's first run, else the
    session's."""
    import streamlit as st

    from playground.state import APP

    if _URL_READ not in APP:
        APP[_URL_READ] = True
        if st.query_params.get(KEY) in PALETTES:
            APP[KEY] = st.query_params[KEY]
    if APP.get(KEY) not in PALETTES:
        APP[KEY] = APP.get(ACTIVE) if APP.get(ACTIVE) in PALETTES else STANDARD.name
    APP[ACTIVE] = APP[KEY]  # the widget's value for this run
    return PALETTES[APP[KEY]]


def palette_switch() -> Palette:
    """The sidebar's palette picker (under the language switch); the URL's ``palette=`` decides on a first run."""
    import streamlit as st

    from playground.i18n import t
    from playground.state import APP

    choose_palette()
    # The names in this run's language, looked up now: a format function is also called outside the script run
    # (streamlit.testing), where t() cannot see the session's language.
    names = {code: t(f"palette.names.{code}") for code in PALETTES}
    name = st.sidebar.selectbox(
        t("palette.label"), tuple(PALETTES), key=APP.key(KEY), help=t("palette.help"), format_func=names.__getitem__
    )
    if name == STANDARD.name:
        if KEY in st.query_params:
            del st.query_params[KEY]
    elif st.query_params.get(KEY) != name:
        st.query_params[KEY] = name
    return PALETTES[name]
