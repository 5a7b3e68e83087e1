"""Lessons: the lecture notes' chapters as short guided walk-throughs, each step next to a run the learner can
change."""

import streamlit as st

from playground.i18n import t
from playground.pages.lessons import page

st.title(t("lessons.title"))
st.caption(t("lessons.intro"))

lesson = page.lesson_picker()
step = page.step_navigation(lesson)
page.sync_url(lesson, step)

text_column, run_column = st.columns([1, 1.3], gap="large")
with text_column:
    page.step_text(lesson, step)
with run_column:
    page.step_run(lesson, step)
