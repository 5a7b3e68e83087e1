"""Compare page (being built)."""

import streamlit as st

from playground.i18n import t

st.title(t("compare.title"))
