"""The experiment in the URL: round trips, short links, and bad values that warn instead of breaking."""

from dataclasses import replace

import pytest

from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.presets import PRESETS
from playground import urlstate
from playground.urlstate import config_from_query, playground_url, query_from_config
from tests.apptest_helpers import shown_text


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_survives_a_round_trip_through_the_query_string(name):
    config = PRESETS[name]
    restored, warnings = config_from_query(query_from_config(config), ExperimentConfig())
    assert warnings == []
    assert restored == config


def test_defaults_make_an_empty_query():
    assert query_from_config(ExperimentConfig()) == {}
    # The Playground is the default page, served at the root: /playground is Streamlit's "Page not found".
    assert playground_url(ExperimentConfig()) == "./"
    assert playground_url(ExperimentConfig(seed=3)) == "./?seed=3"


def test_hidden_layers_use_the_compact_form():
    config = ExperimentConfig(model=ModelConfig(hidden=(LayerConfig(8, "relu", 0.2), LayerConfig(3, "tanh"))))
    assert query_from_config(config)["hidden"] == "8:relu:0.2,3:tanh"
    no_hidden = ExperimentConfig(model=ModelConfig(hidden=()))
    assert config_from_query(query_from_config(no_hidden), ExperimentConfig())[0].model.hidden == ()


def test_negative_learning_rate_is_rejected_by_name_and_the_default_kept():
    config, warnings = config_from_query({"lr": "-5"}, ExperimentConfig())
    assert config.train.learning_rate == TrainConfig().learning_rate
    assert len(warnings) == 1 and "lr=-5" in shown_text(warnings[0])


@pytest.mark.parametrize(
    "query",
    [
        {"ds": "mnist"},
        {"n": "1e9"},
        {"n": "abc"},
        {"hidden": "8:relux"},
        {"hidden": "999:tanh"},
        {"hidden": "0:tanh"},
        {"lr": "nan"},
        {"lr": "inf"},
        {"bs": "-1"},
        {"epochs": "10000000"},
        {"feat": "x1,x9"},
        {"seed": "-3"},
        {"out": "softmax"},
        {"loss": "softmax_ce"},
        {"noise": "1e400"},
        {"hidden": ",".join(["4:tanh"] * 30)},
        {"sched": "wild"},
        {"x" * 500: "1"},
        {"lr": "1" * 500},
    ],
)
def test_bad_values_warn_and_leave_a_valid_config(query):
    config, warnings = config_from_query(query, ExperimentConfig())
    config.validate()
    assert warnings, f"no warning for {query}"


def test_good_values_are_applied_alongside_bad_ones():
    config, warnings = config_from_query({"ds": "moons", "lr": "-1", "bs": "32"}, ExperimentConfig())
    assert config.data.name == "moons" and config.train.batch_size == 32
    assert len(warnings) == 1


def test_reserved_keys_are_not_reported_as_unknown():
    _, warnings = config_from_query({"lang": "zh", "presenter": "1", "preset": "xor_2_2_1"}, ExperimentConfig())
    assert warnings == []


def test_changing_one_field_changes_only_its_key():
    base = ExperimentConfig(DataConfig("spirals"))
    changed = replace(base, train=replace(base.train, learning_rate=0.1))
    assert query_from_config(changed, base) == {"lr": "0.1"}


def test_a_classroom_link_round_trips_the_experiment_the_kept_controls_and_presenter_mode():
    config = ExperimentConfig(
        DataConfig("spirals", noise=0.1),
        ModelConfig(hidden=(LayerConfig(8, "relu"),)),
        TrainConfig(learning_rate=0.1),
        seed=3,
    )
    query = urlstate.classroom_query(config, {"activation", "learning_rate", "bogus"}, presenter=True)
    assert query["show"] == "activation,learning_rate" and query["presenter"] == "1"
    restored, warnings = urlstate.config_from_query(query, urlstate.default_config())
    assert restored == config and warnings == []
    show, unknown = urlstate.visible_controls(query)
    assert show == frozenset({"activation", "learning_rate"}) and unknown == []
    assert urlstate.classroom_query(config, set(), presenter=False)["show"] == "-"
