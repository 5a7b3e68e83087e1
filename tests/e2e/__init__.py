"""Browser tests: Playwright + Chromium against a real `streamlit run` server."""
