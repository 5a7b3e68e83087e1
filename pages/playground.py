"""Playground page (placeholder until the live-training page lands)."""

import streamlit as st

from playground.i18n import t

st.title(t("playground.title"))
st.write(t("playground.intro"))
