"""Streamlit glue for the Neural Network Playground: state, widgets, URL state, figure builders."""
