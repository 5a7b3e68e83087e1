"""Regression lab: fit a curve, see how the hidden neurons add up to it, and watch under- and over-fitting."""

import streamlit as st

from playground.i18n import t
from playground.pages.regression import page as lab

st.title(t("regression.title"))
st.caption(t("regression.intro"))

with st.sidebar:
    st.header(t("regression.target_header"))
    target, seed = lab.target_controls()
data = lab.target_data(target, seed)
model, train = lab.network_and_training(data.target, seed)

st.header(t("regression.live_header"))
st.markdown(t("regression.live_intro" if data.target.input_dim == 1 else "regression.live_intro_2d"))
lab.current_run(data, model, train, seed)
lab.live_section()

st.header(t("regression.polynomial_header"))
st.markdown(t("regression.polynomial_intro"))
lab.polynomial_section(data)

st.header(t("regression.losses_header"))
st.markdown(t("regression.losses_intro"))
lab.loss_comparison(data, model, train, seed)

st.header(t("regression.fitting_header"))
st.markdown(t("regression.fitting_intro"))
lab.fitting_section(data.target, model)
