"""Under the hood: gradient flow, backprop step by step, the gradient check, the initialization explorer and the
loss landscape. ``?tab=<flow|step|check|init|landscape>`` in the URL opens that tab."""

import streamlit as st

from playground.i18n import t
from playground.pages.under_the_hood import page

st.title(t("under_the_hood.title"))
st.write(t("under_the_hood.intro"))

config, prepared, network = page.your_network()  # the sidebar
flow_tab, step_tab, check_tab, init_tab, landscape_tab = page.tabs()
with flow_tab:
    page.gradient_flow_view(config)
with step_tab:
    page.step_through_view(network, prepared, config.seed)
with check_tab:
    page.gradient_check_view(config, network, prepared)
with init_tab:
    page.init_explorer_view()
with landscape_tab:
    page.landscape_view(config)
