"""Playground: build a network, press Play, watch it learn."""

import streamlit as st

from playground.i18n import t
from playground.pages.playground import page

st.title(t("playground.title"))
st.caption(t("playground.intro"))

config, warnings = page.starting_config()
for warning in warnings:
    st.warning(warning)
presenter = page.presenter_mode()
page.preset_picker()
page.share_button(config)
# A browser's first run shows the picture first; the controls follow as soon as it is painted.
controls_later = page.picture_first()
config = page.validated(config if controls_later else page.edit_config(config))
page.sync_url(config, presenter)
page.live_panel(config, presenter)
if not controls_later:
    page.downloads()
    page.save_and_load()
