"""Entry point (`streamlit run streamlit_app.py`): page config, language and navigation.

Page files live in app_pages/, not pages/: Streamlit treats a folder named pages/ as its older multipage
mechanism until st.navigation has run once, so the first deep link to a fresh server (a bookmarked demo such
as /imbalanced) would otherwise get a sidebar of raw file names.
"""

from pathlib import Path

import streamlit as st
from threadpoolctl import threadpool_limits

from playground.accessibility import page_accessibility
from playground.host import admitted_or_busy, has_browser
from playground.i18n import t
from playground.language import choose_language, first_run, language_switch
from playground.palette import choose_palette, palette_switch

ICON = Path(__file__).parent / "playground" / "assets" / "icon.png"
# Our matrices are tiny: one BLAS thread is faster than two fighting over the cores (benchmarks/: a 10000x8 by 8x8
# product took 13 ms on two OpenBLAS threads and 0.09 ms on one on a busy 2-core machine).
threadpool_limits(limits=1, user_api="blas")
# Our own small PNG: the 🧠 emoji makes Streamlit import its emoji catalogue (a 0.4 s regex compile) on the first
# visit, and a Material icon makes every browser fetch the icon from a font CDN (the app must work offline).
st.set_page_config(page_title=t("app.name"), page_icon=str(ICON), layout="wide")
session_starts = first_run()
lang = choose_language()  # before the navigation, so page titles and every page use the chosen language
page_accessibility(lang)  # <html lang>, focusable wide formulas
choose_palette()  # standard or colour-blind-safe colours, read by every figure and the live view


def page(name: str, icon: str, *, default: bool = False) -> st.Page:
    # url_path equals the file's stem: AppTest finds pages by file name before the first run.
    return st.Page(f"app_pages/{name}.py", title=t(f"app.nav.{name}"), icon=icon, url_path=name, default=default)


playground = page("playground", ":material/hub:", default=True)
navigation = st.navigation(
    [
        playground,
        page("compare", ":material/compare_arrows:"),
        page("activations", ":material/show_chart:"),
        page("under_the_hood", ":material/build:"),
        page("regression", ":material/timeline:"),
        page("imbalanced", ":material/balance:"),
        page("experiments", ":material/science:"),
        page("digits", ":material/pin:"),
        page("lessons", ":material/school:"),
    ]
)
# The sidebar's switches (under the navigation). A browser's first visit to the Playground shows its picture before
# any control (playground.live.loop.picture_first): the two switches come with the page's controls, on the run the
# painted picture asks for (rendering them first cost later visits 85-180 ms, interleaved A/B).
if not (session_starts and navigation is playground and has_browser()):
    language_switch()
    palette_switch()
if admitted_or_busy():  # the host's cap on sessions served at once (PLAYGROUND_MAX_SESSIONS)
    navigation.run()
