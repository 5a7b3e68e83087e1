"""The smallest Streamlit page: what the host itself needs before any app draws (benchmarks/side_by_side.py).

Served with the app's own settings (.streamlit/config.toml); the side-by-side run times navigation → this title.
"""

import streamlit as st

st.title("Streamlit floor")
