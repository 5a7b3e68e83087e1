"""English and Chinese string tables match key for key and placeholder for placeholder, every page renders in
both languages, and the sidebar language switch follows (and writes) ``lang=zh`` in the URL.

Run as a script to list what the Chinese tables lack: ``python -m tests.test_translations``.
"""

from __future__ import annotations

import re
import string
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.i18n import t
from playground.training_messages import core_problem
from tests.apptest_helpers import (
    assert_no_exception,
    missing_keys,
    registered_pages,
    render_app,
    render_page,
    shown_text,
)

STRINGS = Path(__file__).resolve().parent.parent / "playground" / "i18n"
LANGUAGES = ("en", "zh")
AREAS = sorted(path.stem for path in (STRINGS / "en").glob("*.toml"))
# {name}, {name:spec} or {name!r}, but not the doubled braces {{ }} that str.format turns into literal ones.
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]\w*(?:[:!][^{}]*)?)\}(?!\})")
# Three lowercase English words in a row: a sign that a "translation" is the English text copied over.
ENGLISH_PHRASE = re.compile(r"\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b")


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat


def strings(lang: str, area: str) -> dict[str, str]:
    """``{key: text}`` of one string file (keys without the area prefix); empty if the file is missing."""
    path = STRINGS / lang / f"{area}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as file:
        return _flatten(tomllib.load(file))


def missing_translations() -> dict[str, list[str]]:
    """``{area: [keys English has and Chinese lacks]}`` for every area with gaps."""
    gaps = {}
    for area in AREAS:
        missing = sorted(set(strings("en", area)) - set(strings("zh", area)))
        if missing:
            gaps[area] = missing
    return gaps


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


# ---- the tables -------------------------------------------------------------------------------------------
def test_every_string_file_exists_in_both_languages():
    assert sorted(path.stem for path in (STRINGS / "zh").glob("*.toml")) == AREAS


@pytest.mark.parametrize("area", AREAS)
def test_chinese_has_exactly_the_english_keys(area):
    english, chinese = set(strings("en", area)), set(strings("zh", area))
    assert sorted(english - chinese) == [], f"zh/{area}.toml lacks these keys"
    assert sorted(chinese - english) == [], f"zh/{area}.toml has keys English does not"


@pytest.mark.parametrize("area", AREAS)
def test_placeholders_are_the_same_in_both_languages(area):
    english, chinese = strings("en", area), strings("zh", area)
    different = {
        key: (sorted(placeholders(text).elements()), sorted(placeholders(chinese[key]).elements()))
        for key, text in english.items()
        if key in chinese and placeholders(text) != placeholders(chinese[key])
    }
    assert different == {}, "placeholders (en, zh) differ"


@pytest.mark.parametrize("area", AREAS)
def test_chinese_strings_with_placeholders_parse_as_format_strings(area):
    broken = []
    for key, text in strings("zh", area).items():
        if placeholders(text):
            try:
                list(string.Formatter().parse(text))
            except ValueError as error:  # a stray single brace
                broken.append(f"{key}: {error}")
    assert broken == []


@pytest.mark.parametrize("area", AREAS)
def test_chinese_strings_are_not_english_copies(area):
    english, chinese = strings("en", area), strings("zh", area)
    copied = [
        key
        for key, text in chinese.items()
        if text == english.get(key) and "\\" not in text and ENGLISH_PHRASE.search(text)
    ]
    assert copied == [], f"zh/{area}.toml repeats the English text"


def test_the_placeholder_check_notices_a_renamed_or_dropped_placeholder():
    assert placeholders("Epoch {epoch} of {total}") != placeholders("第 {n} 轮，共 {total} 轮")
    assert placeholders("{delta:+.1%} vs baseline") == placeholders("比基线 {delta:+.1%}")
    assert placeholders("{delta:+.1%}") != placeholders("{delta:.1%}")
    assert placeholders("\\text{{relative error}} {pass_below}") == placeholders("\\text{{相对误差}} {pass_below}")


# ---- every page in both languages -------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", registered_pages())
def test_every_page_renders_in_both_languages_without_a_missing_string(page, lang):
    at = render_page(page, state={"lang": lang}, timeout=180)
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert at.title[0].value == t(f"{Path(page).stem}.title", lang=lang)


# ---- the language switch ----------------------------------------------------------------------------------
def test_lang_zh_in_the_url_opens_the_app_in_chinese():
    at = render_app(query={"lang": "zh"}, timeout=180)
    assert_no_exception(at)
    assert at.session_state["lang"] == "zh"
    assert at.sidebar.selectbox(key="lang").value == "zh"
    assert at.title[0].value == t("playground.title", lang="zh")
    assert at.query_params["lang"] == "zh"


def test_an_unknown_language_in_the_url_falls_back_to_english():
    at = render_app(query={"lang": "xx"}, timeout=180)
    assert_no_exception(at)
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == t("playground.title", lang="en")
    assert "lang" not in at.query_params


def _switch_script():
    import streamlit as st

    from playground.i18n import t
    from playground.language import language_switch

    language_switch()
    st.title(t("lessons.title"))


def test_switching_the_language_changes_the_text_and_the_url():
    at = AppTest.from_function(_switch_script, default_timeout=60).run()
    assert at.title[0].value == t("lessons.title", lang="en")
    assert "lang" not in at.query_params
    switch = at.sidebar.selectbox(key="lang")
    assert switch.options == [t("language.names.en"), t("language.names.zh")]
    switch.set_value("zh").run()
    assert at.title[0].value == t("lessons.title", lang="zh")
    assert at.sidebar.selectbox(key="lang").label == t("language.label", lang="zh")
    assert at.query_params["lang"] == "zh"
    at.sidebar.selectbox(key="lang").set_value("en").run()
    assert at.title[0].value == t("lessons.title", lang="en")
    assert "lang" not in at.query_params


def test_the_url_decides_only_on_a_sessions_first_run():
    at = AppTest.from_function(_switch_script, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == t("lessons.title", lang="zh")
    at.sidebar.selectbox(key="lang").set_value("en").run()
    # The switch wins over the link the session started from, and the link follows the switch.
    assert at.title[0].value == t("lessons.title", lang="en")
    assert "lang" not in at.query_params


if __name__ == "__main__":
    gaps = missing_translations()
    for area, keys in gaps.items():
        print(f"zh/{area}.toml lacks {len(keys)} key(s):")
        for key in keys:
            print(f"  {key} = {strings('en', area)[key]!r}")
    print("every English key has a Chinese string" if not gaps else f"{sum(map(len, gaps.values()))} missing")
    sys.exit(1 if gaps else 0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_how_a_run_ended_is_worded_in_the_users_language(lang):
    import numpy as np

    from core.engine.training import History
    from core.experiment.run import build_trainer, prepare_data
    from playground.training_messages import training_message
    from playground.urlstate import config_from_query, default_config

    assert training_message(History(), lang=lang) == ""
    # A learning rate of 10 with plain SGD on a ReLU net blows up within a few epochs.
    config, _ = config_from_query(
        {"opt": "sgd", "lr": "10", "hidden": "16:relu,16:relu", "loss": "mse", "out": "linear", "ds": "sine"},
        default_config(),
    )
    trainer = build_trainer(config, prepare_data(config))
    for _ in trainer.run(200):
        pass
    history = trainer.history
    assert history.diverged and history.message_args["epoch"] >= 1
    worded = training_message(history, lang=lang)
    loss = history.message_args["loss"]
    shown = t("training.not_finite", lang=lang) if loss is None else f"{loss:.3g}"
    assert worded == t("training.diverged", lang=lang, epoch=history.message_args["epoch"], loss=shown)
    assert (re.search(r"[\u4e00-\u9fff]", worded) is not None) == (lang == "zh")
    stopped = History(stopped_early=True, best_epoch=40, message_args={"epoch": 70, "patience": 30, "best_epoch": 40})
    assert training_message(stopped, lang=lang) == t(
        "training.stopped_early", lang=lang, epoch=70, patience=30, best_epoch=40
    )
    assert np.isfinite(trainer.network.parameters()[0]).all()  # the last good weights were restored


BAD_FORMULAS = [
    "",
    "x" * 500,
    "sin(",
    "'a'",
    "1j",
    "sin",
    "foo",
    "x ^ 2",
    "x % 2",
    "x(2)",
    "bar(x)",
    "sin(x=1)",
    "sin(x, x)",
    "__import__",
    "lambda: 1",
    "-" * 150 + "x",
    "x < 1",
    "x.real",
    "sqrt(-1 - x*x)",
    "exp(50*x)",
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_refused_formula_is_worded_in_the_users_language(lang):
    from core.data.formula import FormulaError
    from core.labs.regression import compile_target_formula
    from playground.training_messages import formula_problem

    codes = set()
    for text in BAD_FORMULAS:
        with pytest.raises(FormulaError) as caught:
            compile_target_formula(text)
        codes.add(caught.value.code)
        worded = formula_problem(caught.value, lang=lang)
        assert "⟦" not in worded and "{" not in worded, (text, worded)
        assert (re.search(r"[\u4e00-\u9fff]", worded) is not None) == (lang == "zh"), (text, worded)
    assert "invalid" not in codes and len(codes) >= 15, codes


# ---- core's validation messages, worded in the user's language --------------------------------------------
@pytest.mark.parametrize(
    ("message", "zh"),
    [
        (
            "train.batch_size=0 is not valid; allowed range is [1, 5000]",
            "train.batch_size=0 无效；允许的范围是 [1, 5000]",
        ),
        ("strategy='smoat' is not valid; choose one of: none, smote", "strategy='smoat' 无效；可选：none, smote"),
        ("degree=2.5 is not valid; expected a whole number in [1, 12]", "degree=2.5 无效；请填 [1, 12] 之间的整数"),
        ("noise=nan is not valid; expected a number in [0, 2]", "noise=nan 无效；请填 [0, 2] 之间的数"),
        # Half-open and unbounded intervals, and the strict integers of core.data (seeds, counts).
        ("seed=-1 is not valid; allowed range is [0, ∞)", "seed=-1 无效；允许的范围是 [0, ∞)"),
        (
            "random_state=-1 is not valid; expected a whole number in [0, 2**32)",
            "random_state=-1 无效；请填 [0, 2**32) 之间的整数",
        ),
        (
            "n_samples=10.0 is not valid; expected an integer in [4, 5000]",
            "n_samples=10.0 无效；请填 [4, 5000] 之间的整数",
        ),
        (
            "train.learning_rate=0 is not valid; allowed range is (0.0, 10.0]",
            "train.learning_rate=0 无效；允许的范围是 (0.0, 10.0]",
        ),
    ],
)
def test_core_validation_messages_are_worded_in_chinese_and_unchanged_in_english(message, zh):
    assert core_problem(message, lang="en") == message
    assert core_problem(ValueError(message), lang="zh") == zh


def test_a_core_message_of_another_shape_is_left_as_it_is():
    odd = "ratio=0.5 is not valid for 3 classes; a ratio below 1 needs two"
    assert core_problem(odd, lang="zh") == odd
    assert core_problem("the CSV has no rows", lang="zh") == "the CSV has no rows"


def test_a_bad_link_value_is_explained_in_chinese_on_a_chinese_page():
    at = render_app(query={"lang": "zh", "bs": "0"}, timeout=180)
    assert_no_exception(at)
    warnings = shown_text(" ".join(warning.value for warning in at.warning))
    assert "train.batch_size=0 无效；允许的范围是 [1," in warnings
    assert "is not valid" not in warnings


def test_dropout_is_named_in_chinese_wherever_it_is_a_label():
    # "Dropout" stayed English in the Chinese sidebar, search and lesson titles.
    untranslated = [
        f"{area}: {key} = {text}"
        for area in AREAS
        for key, text in strings("zh", area).items()
        if "dropout" in key.lower().split(".")[-1] and not re.search(r"[\u4e00-\u9fff]", text)
    ]
    assert untranslated == []
