"""The Playground page in AppTest: renders for every dataset and activation, Step trains, URLs restore."""

import pytest

from core.activations import ACTIVATIONS
from core.config import DATASET_NAMES
from tests.apptest_helpers import assert_no_exception, missing_keys, render_page

PAGE = "app_pages/playground.py"


def rendered(query=None):
    at = render_page(PAGE, query=query)
    assert_no_exception(at)
    assert missing_keys(at) == []
    return at


@pytest.mark.parametrize("name", [n for n in DATASET_NAMES if n != "digits"])
def test_page_renders_every_dataset(name):
    at = rendered({"ds": name})
    assert at.session_state["pg.run"].config.data.name == name
    assert not at.warning


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "softmax"])
def test_page_renders_every_hidden_activation(activation):
    at = rendered({"hidden": f"3:{activation},2:{activation}"})
    assert {layer.activation for layer in at.session_state["pg.run"].config.model.hidden} == {activation}


def test_step_advances_the_epoch_and_lowers_the_training_loss_on_xor():
    at = rendered({"ds": "xor"})
    run = at.session_state["pg.run"]
    start = run.trainer.network.loss_value(run.trainer.X, run.trainer.y)
    for expected in (1, 2, 3):
        at.button(key="pg.step").click().run()
        assert_no_exception(at)
        assert at.session_state["pg.run"].trainer.epoch == expected
    history = at.session_state["pg.run"].trainer.history
    assert history.train_loss[-1] < start


def test_play_starts_training_and_pause_stops_it():
    at = rendered()
    at.button(key="pg.play").click().run()
    run = at.session_state["pg.run"]
    assert run.playing and run.trainer.epoch > 0
    at.button(key="pg.play").click().run()
    assert not at.session_state["pg.run"].playing


def test_reset_goes_back_to_epoch_zero_with_new_scene_version():
    at = rendered()
    at.button(key="pg.step").click().run()
    version = at.session_state["pg.run"].version
    at.button(key="pg.reset").click().run()
    assert at.session_state["pg.run"].trainer.epoch == 0
    assert at.session_state["pg.run"].version == version + 1


def test_url_restores_dataset_network_and_settings():
    at = rendered({"ds": "spirals", "hidden": "8:relu,6:tanh", "lr": "0.01", "bs": "32", "seed": "7"})
    config = at.session_state["pg.run"].config
    assert config.data.name == "spirals" and config.seed == 7
    assert [(layer.units, layer.activation) for layer in config.model.hidden] == [(8, "relu"), (6, "tanh")]
    assert config.train.learning_rate == 0.01 and config.train.batch_size == 32
    assert at.selectbox(key="pg.data.name").value == "spirals"


def test_bad_url_shows_a_warning_naming_the_value_and_still_works():
    at = rendered({"lr": "-5", "ds": "nonsense"})
    texts = " ".join(w.value for w in at.warning)
    assert "lr=-5" in texts and "nonsense" in texts
    at.button(key="pg.step").click().run()
    assert_no_exception(at)
    assert at.session_state["pg.run"].trainer.epoch == 1


def test_picking_a_preset_loads_all_its_settings():
    at = rendered()
    at.selectbox(key="pg.preset").select("xor_2_2_1").run()
    assert_no_exception(at)
    config = at.session_state["pg.run"].config
    assert [(layer.units, layer.activation) for layer in config.model.hidden] == [(2, "sigmoid")]
    assert config.seed == 1


def test_mismatched_output_and_loss_are_explained_and_the_last_valid_setup_kept():
    at = rendered({"ds": "xor"})
    at.selectbox(key="pg.model.output_activation").select("softmax").run()
    assert_no_exception(at)
    assert any("softmax" in e.value for e in at.error)
    assert at.session_state["pg.run"].config.model.output_activation == "auto"


def test_presenter_mode_from_the_url():
    at = rendered({"presenter": "1"})
    assert at.toggle(key="pg.presenter").value is True
