"""Random query strings never break the Playground: bad values become warnings, the page always renders.

Two levels: ``urlstate.config_from_query`` alone (fast, many examples) and the real page through AppTest
(slow, a handful of examples, deterministic so CI runs the same ones).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from core.engine.activations import ACTIVATIONS
from core.engine.initializers import INITIALIZERS
from core.engine.optimizers import OPTIMIZERS, SCHEDULES
from core.experiment.config import (
    DATASET_NAMES,
    FEATURE_NAMES,
    HIDDEN_ACTIVATIONS,
    IMBALANCED_SHAPES,
    LOSS_CHOICES,
    OUTPUT_ACTIVATIONS,
    SAMPLER_NAMES,
    ExperimentConfig,
    LayerConfig,
)
from core.experiment.presets import PRESETS
from core.experiment.settings import LIMITS
from playground import urlstate
from playground.markdown_text import escape_markdown
from tests.apptest_helpers import assert_no_exception, render_page

GARBAGE = st.text(max_size=12) | st.sampled_from(
    ["", "nan", "inf", "-inf", "1e400", "-5", "0", "1e-320", "9" * 30, "None", "[]", "{}", "💥", "\x00", "a" * 250]
)


def _number_text(low: float, high: float) -> st.SearchStrategy[str]:
    """Numbers a little past both ends of a field's range, written as a link would write them."""
    span = high - low
    return st.floats(low - 0.2 * span, high + 0.2 * span, allow_nan=False).map(lambda v: f"{v:g}")


def _int_text(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low - 5, high + 5).map(str)


def _choice_text(choices) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(choices))


def _hidden_text() -> st.SearchStrategy[str]:
    layer = st.tuples(
        st.integers(-1, LIMITS.max_units + 2),
        _choice_text((*ACTIVATIONS, "relux")),
        st.none() | st.floats(-0.1, 1.0, allow_nan=False),
    )
    return st.lists(layer, max_size=LIMITS.max_hidden_layers + 1).map(
        lambda layers: ",".join(f"{u}:{a}" + ("" if d is None else f":{d:g}") for u, a, d in layers) or "-"
    )


def _points_text() -> st.SearchStrategy[str]:
    point = st.tuples(st.floats(-12, 12, allow_nan=False), st.floats(-12, 12, allow_nan=False), st.integers(-1, 7))
    return st.lists(point, max_size=12).map(lambda points: ";".join(f"{a:.2f}:{b:.2f}:{c}" for a, b, c in points))


def _rows_text() -> st.SearchStrategy[str]:
    value = st.floats(-12, 12, allow_nan=False)
    row = st.lists(value, min_size=1, max_size=4)
    return st.lists(row, max_size=12).map(lambda rows: ";".join(":".join(f"{v:.3g}" for v in r) for r in rows))


PLAUSIBLE = {
    "ds": _choice_text((*DATASET_NAMES, "made_up")),
    "pts": _points_text(),
    "rows": _rows_text(),
    "n": _int_text(4, LIMITS.max_samples),
    "noise": _number_text(0, 2),
    "test": _number_text(0, 0.9),
    "val": _number_text(0, 0.5),
    "patience": _int_text(0, LIMITS.max_epochs),
    "feat": st.lists(_choice_text(FEATURE_NAMES), max_size=4).map(",".join),
    "ratio": _number_text(0.01, 0.5),
    "shape": _choice_text(IMBALANCED_SHAPES),
    "arms": _int_text(2, 5),
    "k": _int_text(2, 6),
    "sampler": _choice_text(SAMPLER_NAMES),
    "hidden": _hidden_text(),
    "out": _choice_text(OUTPUT_ACTIVATIONS),
    "loss": _choice_text(LOSS_CHOICES),
    "init": _choice_text(INITIALIZERS),
    "slope": _number_text(0, 1),
    "opt": _choice_text(OPTIMIZERS),
    "lr": _number_text(0, 10),
    "bs": _int_text(1, LIMITS.max_samples),
    "epochs": _int_text(1, LIMITS.max_epochs),
    "sched": _choice_text(SCHEDULES),
    "l1": _number_text(0, 10),
    "l2": _number_text(0, 10),
    "clipv": _number_text(0, 1e6),
    "clipn": _number_text(0, 1e6),
    "cw": _choice_text(("none", "balanced")),
    "labels": _choice_text(("a,b", "cat,dog,bird", "", ",,", "x" * 50)),
    "single": _choice_text(("0", "1", "true", "no")),
    "seed": _int_text(0, 2**31 - 1),
}
assert set(urlstate.FIELDS) <= set(PLAUSIBLE), "a new URL field needs a value strategy here"


@st.composite
def queries(draw, max_keys: int = 8) -> dict[str, str]:
    """Query dicts like ``st.query_params.to_dict()`` returns: field keys with plausible or garbage values,
    now and then an unknown key or a key other parts of the app own."""
    keys = draw(
        st.lists(
            st.sampled_from(sorted(urlstate.FIELDS)) | st.text(min_size=1, max_size=45), max_size=max_keys, unique=True
        )
    )
    query = {}
    for key in keys:
        query[key] = draw(PLAUSIBLE[key] | GARBAGE) if key in PLAUSIBLE else draw(GARBAGE)
    return query


def _applied(config: ExperimentConfig, key: str, text: str) -> bool:
    field = urlstate.FIELDS[key]
    try:
        value = field.parse(text)
    except (ValueError, TypeError, OverflowError):
        return False
    return urlstate._get(config, field) == value


def _mentions(warnings: list[str], key: str) -> bool:
    # Warnings show the key as escape_markdown writes it (Markdown escaped, control characters as spaces).
    return any(f"“{escape_markdown(key[:40])}”" in w or f"{escape_markdown(key)}=" in w for w in warnings)


# ---- config_from_query alone --------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_any_query_gives_a_valid_config_and_a_warning_for_every_value_not_applied(query):
    base = urlstate.default_config()
    config, warnings = urlstate.config_from_query(query, base)
    config.validate()
    for key, text in query.items():
        if key in urlstate.RESERVED:
            continue
        if key not in urlstate.FIELDS:
            assert _mentions(warnings, key), f"unknown key {key!r} was ignored without a warning"
        elif not _applied(config, key, text):
            assert _mentions(warnings, key), f"{key}={text!r} was dropped without a warning: {warnings}"
    assert len(warnings) <= len(query)


@st.composite
def valid_configs(draw) -> ExperimentConfig:
    base = draw(st.sampled_from([urlstate.default_config(), *PRESETS.values()]))
    keys = draw(st.lists(st.sampled_from(sorted(urlstate.FIELDS)), max_size=6))
    changed = {key: draw(PLAUSIBLE[key]) for key in keys}
    config, _ = urlstate.config_from_query(changed, base)
    hidden = draw(
        st.lists(
            st.tuples(
                st.integers(1, LIMITS.max_units),
                st.sampled_from(HIDDEN_ACTIVATIONS),
                st.sampled_from((0.0, 0.1, 0.25, 0.5)),
            ),
            max_size=3,
        )
    )
    candidate = replace(config, model=replace(config.model, hidden=tuple(LayerConfig(*layer) for layer in hidden)))
    try:
        candidate.validate()
    except ValueError:
        return config
    return candidate


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs())
def test_link_of_a_valid_config_reopens_the_same_config_without_warnings(config):
    again, warnings = urlstate.config_from_query(urlstate.query_from_config(config), urlstate.default_config())
    assert warnings == []
    assert again == config


def test_list_values_use_the_last_one_as_streamlit_does():
    config, warnings = urlstate.config_from_query({"ds": ["moons", "circles"]}, urlstate.default_config())
    assert (config.data.name, warnings) == ("circles", [])


# ---- the real page ------------------------------------------------------------------------------------------
def _widget_cannot_show(config: ExperimentConfig) -> bool:
    """Digits have their own page: the Playground warns and opens its default data instead (tested below)."""
    return config.data.name == "digits"


# Each render takes seconds: few examples, no shrinking (a failure is reported as found), same examples every run.
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    queries(max_keys=5),
    st.sampled_from([None, "xor_2_2_1", "sine_1_3_1", "no_such_preset"]),
    st.sampled_from([None, "0", "1", "yes"]),
)
def test_playground_renders_any_query_and_shows_every_warning(query, preset, presenter):
    if preset:
        query["preset"] = preset
    if presenter:
        query["presenter"] = presenter
    base = PRESETS.get(preset, urlstate.default_config())
    expected_config, expected_warnings = urlstate.config_from_query(query, base)
    assume(not _widget_cannot_show(expected_config))
    at = render_page("app_pages/playground.py", query=query)
    assert_no_exception(at)
    shown = [warning.value.strip() for warning in at.warning]
    for warning in expected_warnings:
        assert warning.strip() in shown
    assert at.session_state["pg.config"] == expected_config, "the page changed a value from the link silently"


@pytest.mark.parametrize(
    "query",
    [{"n": "5000"}, {"n": "4"}, {"noise": "1.5"}, {"test": "0.85"}, {"ds": "digits"}],
    ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()),
)
def test_extreme_but_valid_link_values_render_or_warn(query):
    at = render_page("app_pages/playground.py", query=query)
    assert_no_exception(at)
    config, _ = urlstate.config_from_query(query, urlstate.default_config())
    assert at.session_state["pg.config"] == config or len(at.warning) > 0
