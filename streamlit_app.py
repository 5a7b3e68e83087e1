"""Entry point (`streamlit run streamlit_app.py`): page config and navigation; pages live in pages/."""

import streamlit as st

from playground.i18n import t
from playground.language import language_switch

st.set_page_config(page_title=t("app.name"), page_icon="🧠", layout="wide")
language_switch()  # before the navigation, so page titles and every page use the chosen language

# Keep each url_path equal to the file's stem: AppTest finds pages by file name before the first run.
navigation = st.navigation(
    [
        st.Page("pages/playground.py", title=t("app.nav.playground"), url_path="playground", default=True),
        st.Page("pages/compare.py", title=t("app.nav.compare"), icon=":material/compare_arrows:", url_path="compare"),
        st.Page(
            "pages/activations.py", title=t("app.nav.activations"), icon=":material/show_chart:", url_path="activations"
        ),
        st.Page("pages/imbalanced.py", title=t("app.nav.imbalanced"), icon=":material/balance:", url_path="imbalanced"),
        st.Page("pages/under_the_hood.py", title=t("app.nav.under_the_hood"), icon="🔧", url_path="under_the_hood"),
        st.Page(
            "pages/experiments.py", title=t("app.nav.experiments"), icon=":material/science:", url_path="experiments"
        ),
        st.Page("pages/digits.py", title=t("app.nav.digits"), icon=":material/pin:", url_path="digits"),
        st.Page("pages/regression.py", title=t("app.nav.regression"), icon=":material/timeline:", url_path="regression"),
        st.Page("pages/lessons.py", title=t("app.nav.lessons"), icon=":material/school:", url_path="lessons"),
    ]
)
navigation.run()
