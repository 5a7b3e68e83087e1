"""Host caps: where they come from (environment > config files > defaults), bad values, and their enforcement."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import core.experiment.config
import core.labs.compare
from core.experiment.config import ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.settings import CAPS, Limits, LimitsWarning, default_config_paths, read_limits
from core.labs.compare import build_runs, sweep
from playground.i18n import t
from playground.pages.compare import page as compare_page
from tests.apptest_helpers import REPO_ROOT, assert_no_exception, missing_keys, render_page

DEFAULTS = Limits()
COMPARE_PAGE = "app_pages/compare.py"


def _config(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def user_file(tmp_path) -> Path:
    return tmp_path / "home" / ".streamlit" / "config.toml"


@pytest.fixture
def project_file(tmp_path) -> Path:
    return tmp_path / "project" / ".streamlit" / "config.toml"


def _read_quietly(environ, paths) -> Limits:
    """read_limits, failing the test if it warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_limits(environ, paths)


def _read_warning(environ, paths) -> tuple[Limits, str]:
    """read_limits and the text of the one LimitsWarning it must issue."""
    with pytest.warns(LimitsWarning) as caught:
        limits = read_limits(environ, paths)
    assert len(caught) == 1, [str(w.message) for w in caught]
    return limits, str(caught[0].message)


# ---- where a cap comes from ---------------------------------------------------------------------------------
def test_every_limits_field_has_one_config_key_and_one_environment_variable():
    assert sorted(cap.field for cap in CAPS) == sorted(f.name for f in dataclasses.fields(Limits))
    assert len({cap.key for cap in CAPS}) == len({cap.env for cap in CAPS}) == len(CAPS)


def test_nothing_set_gives_the_defaults_without_a_warning(user_file, project_file):
    assert _read_quietly({}, [user_file, project_file]) == DEFAULTS


def test_environment_beats_project_file_beats_user_file_beats_default(user_file, project_file):
    _config(user_file, "[playground]\nmax_units = 10\nmax_epochs = 20\nmax_points = 30\n")
    _config(project_file, "[playground]\nmax_units = 11\nmax_epochs = 21\n")
    limits = _read_quietly({"PLAYGROUND_MAX_UNITS": "12"}, [user_file, project_file])
    assert (limits.max_units, limits.max_epochs, limits.max_samples) == (12, 21, 30)
    assert limits.max_hidden_layers == DEFAULTS.max_hidden_layers


@pytest.mark.parametrize("cap", CAPS, ids=lambda cap: cap.key)
def test_each_cap_is_read_from_its_key_and_its_variable(cap, project_file):
    _config(project_file, f"[playground]\n{cap.key} = 3\n")
    assert getattr(_read_quietly({}, [project_file]), cap.field) == 3
    assert getattr(_read_quietly({cap.env: "5"}, [project_file]), cap.field) == 5


def test_other_sections_and_a_missing_file_are_ignored_quietly(user_file, project_file):
    _config(project_file, '[server]\nheadless = true\n[theme]\nbase = "light"\n')
    assert _read_quietly({"PATH": "/bin", "PLAYGROUND_CHROMIUM": "/x"}, [user_file, project_file]) == DEFAULTS


def test_default_paths_are_streamlits_user_then_project_then_the_apps_own_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert default_config_paths() == [
        tmp_path / "home" / ".streamlit" / "config.toml",
        tmp_path / ".streamlit" / "config.toml",
        REPO_ROOT / ".streamlit" / "config.toml",
    ]
    monkeypatch.chdir(REPO_ROOT)  # the project file is the app's own: read once
    assert default_config_paths()[1:] == [REPO_ROOT / ".streamlit" / "config.toml"]


# ---- what cannot be used is ignored with one warning ----------------------------------------------------------
@pytest.mark.parametrize(
    ("toml_value", "shown"),
    [('"64"', '"64"'), ("0", "0"), ("-3", "-3"), ("2.5", "2.5"), ("true", "true"), ("[1, 2]", "[1, 2]")],
    ids=["quoted", "zero", "negative", "fraction", "boolean", "list"],
)
def test_a_bad_file_value_falls_back_with_a_warning_naming_file_key_and_value(toml_value, shown, project_file):
    _config(project_file, f"[playground]\nmax_units = {toml_value}\nmax_epochs = 7\n")
    limits, message = _read_warning({}, [project_file])
    assert (limits.max_units, limits.max_epochs) == (DEFAULTS.max_units, 7)
    assert str(project_file) in message
    assert f"max_units = {shown}" in message
    assert "positive whole number" in message
    assert f"using {DEFAULTS.max_units} (the default)" in message


def test_a_bad_project_value_falls_back_to_the_user_files_value(user_file, project_file):
    _config(user_file, "[playground]\nmax_units = 16\n")
    _config(project_file, '[playground]\nmax_units = "lots"\n')
    limits, message = _read_warning({}, [user_file, project_file])
    assert limits.max_units == 16
    assert f"using 16 (from {user_file})" in message


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "", "3.5"])
def test_a_bad_environment_value_falls_back_with_a_warning_naming_variable_and_value(raw, project_file):
    _config(project_file, "[playground]\nmax_concurrent_runs = 3\n")
    limits, message = _read_warning({"PLAYGROUND_MAX_RUNS": raw}, [project_file])
    assert limits.max_concurrent_runs == 3
    assert f"PLAYGROUND_MAX_RUNS={raw!r}" in message
    assert "positive whole number" in message


def test_an_environment_value_with_spaces_around_it_is_accepted():
    assert _read_quietly({"PLAYGROUND_MAX_EPOCHS": " 250\n"}, []).max_epochs == 250


def test_an_unknown_key_is_ignored_with_a_warning_that_suggests_the_right_one(project_file):
    _config(project_file, "[playground]\nmax_unit = 8\nmax_epochs = 9\n")
    limits, message = _read_warning({}, [project_file])
    assert (limits.max_units, limits.max_epochs) == (DEFAULTS.max_units, 9)
    assert str(project_file) in message
    assert "max_unit is not a known cap" in message
    assert "did you mean max_units?" in message


def test_an_unknown_playground_max_variable_is_named_in_a_warning():
    limits, message = _read_warning({"PLAYGROUND_MAX_LAYER": "2"}, [])
    assert limits == DEFAULTS
    assert "PLAYGROUND_MAX_LAYER is not a Playground cap" in message
    assert "did you mean PLAYGROUND_MAX_LAYERS?" in message


def test_a_file_that_is_not_toml_is_ignored_with_a_warning_and_other_sources_still_apply(user_file, project_file):
    _config(user_file, "[playground]\nmax_units = 16\n")
    _config(project_file, "[playground\nmax_units = 4\n")
    limits, message = _read_warning({"PLAYGROUND_MAX_EPOCHS": "99"}, [user_file, project_file])
    assert (limits.max_units, limits.max_epochs) == (16, 99)
    assert str(project_file) in message
    assert "is not valid TOML" in message
    assert re.search(r"line \d+", message)


def test_a_file_that_is_not_utf8_is_ignored_with_a_warning(project_file):
    project_file.parent.mkdir(parents=True)
    project_file.write_bytes(b"[playground]\nmax_units = 4 # \xff\n")
    limits, message = _read_warning({}, [project_file])
    assert limits == DEFAULTS
    assert str(project_file) in message


def test_a_playground_key_that_is_not_a_table_is_named_in_a_warning(project_file):
    _config(project_file, "playground = 3\n")
    limits, message = _read_warning({}, [project_file])
    assert limits == DEFAULTS
    assert "playground = 3" in message


# ---- the shipped files --------------------------------------------------------------------------------------
SHIPPED_CONFIG = REPO_ROOT / ".streamlit" / "config.toml"


def test_the_shipped_config_sets_no_cap_and_reads_without_a_warning():
    assert _read_quietly({}, [SHIPPED_CONFIG]) == DEFAULTS


def test_the_shipped_config_lists_every_cap_commented_out_with_its_default_and_variable():
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    listed = {
        key: (int(default), env)
        for key, default, env in re.findall(r"^# (\w+) = (\d+)\s+# (PLAYGROUND_MAX_\w+)", text, re.MULTILINE)
    }
    assert listed == {cap.key: (getattr(DEFAULTS, cap.field), cap.env) for cap in CAPS}


def test_the_readme_documents_every_cap_with_its_default_variable_and_key():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for cap in CAPS:
        row = re.search(rf"^\|[^|\n]+\| (\d+) \| `{cap.env}` \| `{cap.key}` \|$", readme, re.MULTILINE)
        assert row, f"README has no 'Limits for hosts' row for {cap.key}"
        assert int(row.group(1)) == getattr(DEFAULTS, cap.field)


def test_limits_are_read_from_the_environment_and_config_files_when_the_app_starts(tmp_path):
    """A fresh interpreter, as `streamlit run` starts one: the caps reach core.labs.compare and
    core.experiment.config."""
    _config(tmp_path / "home" / ".streamlit" / "config.toml", "[playground]\nmax_epochs = 70\nmax_units = 5\n")
    _config(tmp_path / ".streamlit" / "config.toml", "[playground]\nmax_units = 6\nmax_concurrent_runs = 3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYGROUND_MAX_")}
    env |= {"HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO_ROOT), "PLAYGROUND_MAX_LAYERS": "2"}
    script = (
        "from core.experiment.settings import LIMITS; import core.labs.compare as c; "
        "print(LIMITS.max_hidden_layers, LIMITS.max_units, LIMITS.max_epochs, LIMITS.max_concurrent_runs, c.MAX_RUNS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["2", "6", "70", "3", "3"]
    assert "LimitsWarning" not in done.stderr
    env["PLAYGROUND_MAX_RUNS"] = "9"  # above what the Compare page lays out
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split()[-2:] == ["9", str(core.labs.compare.LAYOUT_MAX_RUNS)]


# ---- the caps are enforced -----------------------------------------------------------------------------------
def _experiment(units: int = 4, epochs: int = 10) -> ExperimentConfig:
    return ExperimentConfig(model=ModelConfig(hidden=(LayerConfig(units, "tanh"),)), train=TrainConfig(epochs=epochs))


def test_a_host_cap_from_a_config_file_is_enforced_by_experiment_validation(project_file, monkeypatch):
    _config(project_file, "[playground]\nmax_units = 4\nmax_epochs = 50\n")
    monkeypatch.setattr(core.experiment.config, "LIMITS", _read_quietly({}, [project_file]))
    _experiment(units=4, epochs=50).validate()
    with pytest.raises(ValueError, match=r"model\.hidden\[0\]\.units"):
        _experiment(units=5).validate()
    with pytest.raises(ValueError, match=r"train\.epochs"):
        _experiment(epochs=51).validate()


def test_a_comparison_larger_than_the_cap_is_rejected(monkeypatch):
    monkeypatch.setattr(core.labs.compare, "MAX_RUNS", 2)
    base = _experiment()
    assert len(sweep(base, "activation", ["tanh", "relu"])) == 2
    with pytest.raises(ValueError, match="2 to 2 runs; got 3"):
        sweep(base, "activation", ["tanh", "relu", "sigmoid"])


def test_a_cap_of_one_run_turns_comparisons_off_with_a_reason(monkeypatch):
    monkeypatch.setattr(core.labs.compare, "MAX_RUNS", 1)
    with pytest.raises(ValueError, match="comparisons are turned off.*max_concurrent_runs"):
        build_runs(_experiment(), [{}, {"activation": "relu"}])


# ---- the Compare page under a cap ----------------------------------------------------------------------------
def _cap_compare(monkeypatch, runs: int) -> None:
    monkeypatch.setattr(core.labs.compare, "MAX_RUNS", runs)
    monkeypatch.setattr(compare_page, "MAX_RUNS", runs)


def test_compare_page_with_one_run_allowed_says_so_instead_of_failing(monkeypatch):
    _cap_compare(monkeypatch, 1)
    at = render_page(COMPARE_PAGE, query={"vary": "activation", "values": "tanh,relu"})
    assert_no_exception(at)
    assert missing_keys(at) == []
    assert [info.value for info in at.info] == [t("compare.runs_capped", max=1, min=2)]
    assert not at.multiselect and not at.button  # nothing to compare, nothing to train


def test_compare_page_with_two_runs_allowed_starts_with_two_and_trims_a_longer_link(monkeypatch):
    _cap_compare(monkeypatch, 2)
    at = render_page(COMPARE_PAGE)
    assert_no_exception(at)
    assert not at.warning
    assert at.multiselect(key="cmp.values.activation").value == ["sigmoid", "tanh"]
    assert at.multiselect(key="cmp.values.activation").label == t("compare.values", min=2, max=2)

    at = render_page(COMPARE_PAGE, query={"vary": "activation", "values": "sigmoid,tanh,relu"})
    assert [w.value for w in at.warning] == [t("compare.too_many_values", n=3, max=2)]
    assert at.multiselect(key="cmp.values.activation").value == ["sigmoid", "tanh"]

    at = render_page(COMPARE_PAGE, query={"mode": "custom", "run": ["init:zeros", "init:he", "init:xavier"]})
    assert_no_exception(at)
    assert [w.value for w in at.warning] == [t("compare.too_many_runs", n=3, max=2)]
    assert at.number_input(key="cmp.n_runs").value == 2
