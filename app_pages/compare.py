"""Compare: two to four runs on the same data and seed, trained side by side, then replayed and exported."""

import streamlit as st

from playground.i18n import t
from playground.pages.compare import page

st.title(t("compare.title"))
st.caption(t("compare.intro"))

base, spec, warnings = page.starting_state()
for warning in warnings:
    st.warning(warning)
base = page.edit_base(base)
st.subheader(t("compare.what_differs"))
spec = page.edit_comparison(base, spec)
page.sync_url(base, spec)
runs = page.build(base, spec)
if runs is not None:
    if spec.mode == "custom":
        page.describe_runs(runs)
    page.live_panel(runs, spec.target_loss)
