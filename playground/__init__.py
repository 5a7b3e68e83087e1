"""Streamlit glue for the Neural Network Playground: one package per page (``pages``), the live loop and live runs
(``live``), the live-view component (``live_view``), and at this level what every page shares: state, widgets, URL
state, shared figure builders, string tables (``i18n``)."""
