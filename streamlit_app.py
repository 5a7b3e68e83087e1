"""Entry point (`streamlit run streamlit_app.py`): page config and navigation; pages live in pages/."""

import streamlit as st

from playground.i18n import t

st.set_page_config(page_title=t("app.name"), page_icon="🧠", layout="wide")

# Keep each url_path equal to the file's stem: AppTest finds pages by file name before the first run.
navigation = st.navigation(
    [
        st.Page("pages/playground.py", title=t("app.nav.playground"), url_path="playground", default=True),
    ]
)
navigation.run()
