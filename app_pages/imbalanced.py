"""Imbalanced data lab: samplers and class weights, judged on an untouched test split by honest scores."""

import streamlit as st

from playground.i18n import t
from playground.pages.imbalanced import page

st.title(t("imbalanced.title"))
st.caption(t("imbalanced.intro"))

config = page.lab_config()  # the sidebar; a configuration core refuses stops the page here

st.header(t("imbalanced.sampler.header"))
config, strategy, run = page.sampler_section(config)

st.header(t("imbalanced.test.header"))  # sections 2 and 3 move with the threshold: one fragment
st.markdown(t("imbalanced.test.explain", major=run.counts_test[0], minor=run.counts_test[1]))
page.at_a_threshold(config, strategy, run)

st.header(t("imbalanced.cv.header"))
st.markdown(t("imbalanced.cv.explain"))
page.cv_section(config)
