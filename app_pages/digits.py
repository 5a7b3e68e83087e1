"""Digits: the lecture notes' handwritten-digit network (784-64-16-10 there, 64-16-10 on 8×8 images here) or a
small CNN on scikit-learn's 8×8 digits, trained live and taken apart; then a toy where locality matters."""

import streamlit as st

from playground.i18n import t
from playground.pages.digits import page

st.title(t("digits.title"))
st.caption(t("digits.intro"))

model, config = page.chosen_run()  # the sidebar
st.markdown(t(f"digits.architecture.{model}"))
page.training_section(model, config)
page.locality_toy(config.seed)
