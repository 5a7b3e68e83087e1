"""Experiments: learning-rate and batch-size sweeps, the LR range test, cross-validation, grid and random search."""

import streamlit as st

from playground.i18n import t
from playground.pages.experiments import page

st.title(t("experiments.title"))
st.caption(t("experiments.intro"))

config = page.experiment_config()  # the sidebar; a configuration core refuses stops the page here
sweeps_tab, range_tab, cv_tab, search_tab = st.tabs(
    [t("experiments.tabs.sweeps"), t("experiments.tabs.range"), t("experiments.tabs.cv"), t("experiments.tabs.search")]
)
with sweeps_tab:
    page.sweep_section(config)
with range_tab:
    page.range_section(config)
with cv_tab:
    page.cv_section(config)
with search_tab:
    page.search_section(config)
