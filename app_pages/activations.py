"""Activation gallery: every activation and its slope, their properties, one up close, and the output choice."""

import streamlit as st

from playground.i18n import t
from playground.pages.activations import page

st.title(t("activations.title"))
st.write(t("activations.intro"))

names, z_max, slope, elu_alpha = page.controls()  # with none picked, the page says so and stops
profiles = page.gallery(names, z_max, slope, elu_alpha)

st.header(t("activations.properties_header"))
st.caption(t("activations.properties_intro"))
page.properties_table(profiles)

st.header(t("activations.detail_header"))
page.up_close(names, profiles)

st.header(t("activations.output_header"))
st.write(t("activations.output_intro"))
page.output_table()

st.header(t("activations.softmax.header"))
st.write(t("activations.softmax.intro"))
page.softmax_explorer()
