"""Playground: build a network, press Play, watch it learn."""

import streamlit as st

from playground.i18n import t
from playground.pages.playground import page

st.title(t("playground.title"))
st.caption(t("playground.intro"))

config, warnings = page.starting_config()
for warning in warnings:
    st.warning(warning)
# A browser's first run shows the picture first; the sidebar's controls and the files under the view follow as
# soon as it is painted.
controls_later = page.picture_first()
presenter = page.presenter_mode(toggle=not controls_later)
if not controls_later:
    page.preset_picker()
    page.share_button(config)
    config = page.edit_config(config)
config = page.validated(config)
page.sync_url(config, presenter)
page.live_panel(config, presenter)
if not controls_later:
    page.downloads()
    page.save_and_load()
