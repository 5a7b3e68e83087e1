"""`python -m core.cli run|search`: progress, files written, clear errors and exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main, parse_value
from core.experiment.config import DataConfig, ExperimentConfig, LayerConfig, ModelConfig, TrainConfig
from core.experiment.io import load_model
from tests.apptest_helpers import REPO_ROOT


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    cfg = ExperimentConfig(
        DataConfig("xor", n_samples=80, noise=0.1),
        ModelConfig(hidden=(LayerConfig(4, "tanh"),)),
        TrainConfig(learning_rate=0.1, batch_size=10, epochs=20),
        seed=3,
    )
    path = tmp_path / "experiment.json"
    path.write_text(cfg.to_json(), encoding="utf-8")
    return path


def test_run_prints_progress_and_writes_history_config_and_model(config_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(config_file), "--out", str(out), "--every", "5"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert [line.split()[1] for line in printed.splitlines() if line.startswith("epoch")] == [
        "5/20",
        "10/20",
        "15/20",
        "20/20",
    ]
    with (out / "history.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20 and rows[-1]["epoch"] == "20"
    assert ExperimentConfig.from_json((out / "config.json").read_text()) == ExperimentConfig.from_json(
        config_file.read_text()
    )


def test_saved_model_bundle_loads_back_with_its_configuration(config_file, tmp_path):
    out = tmp_path / "run"
    main(["run", str(config_file), "--out", str(out), "--fast"])
    network, config = load_model(out / "model.zip")
    assert config == ExperimentConfig.from_json(config_file.read_text())
    assert network.parameter_names() == ["W1", "b1", "W2", "b2"]
    assert network.predict(np.array([[0.5, 0.5], [-0.5, 0.5]])).shape == (2, 1)


def test_run_accepts_a_preset_name(capsys):
    assert main(["run", "xor_2_2_1", "--every", "150", "--fast"]) == EXIT_OK
    assert "epoch   300/300" in capsys.readouterr().out


def test_diverged_run_says_so_and_exits_1(tmp_path, capsys):
    cfg = ExperimentConfig(
        DataConfig("sine", n_samples=60, features=("x1",)),
        ModelConfig(hidden=(LayerConfig(8, "relu"),)),
        TrainConfig(optimizer="sgd", learning_rate=10.0, epochs=50),
    )
    path = tmp_path / "bad.json"
    path.write_text(cfg.to_json())
    assert main(["run", str(path)]) == EXIT_FAILED
    assert "diverged" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "missing.json"], "neither a configuration file nor a preset"),
        (["search", "xor_2_2_1"], "at least one --param"),
        (["search", "xor_2_2_1", "--param", "colour=red"], "'colour' cannot be searched"),
        (["search", "xor_2_2_1", "--param", "learning_rate"], "name=value1,value2"),
        (["search", "xor_2_2_1", "--param", "learning_rate=-1"], "train.learning_rate=-1"),
        (["search", "xor_2_2_1", "--param", "learning_rate=log:0.1:1"], "needs a random search"),
        (["search", "xor_2_2_1", "--param", "learning_rate=0.1", "--folds", "1"], "n_splits=1"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(argv, message, capsys):
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_invalid_configuration_file_names_the_field(tmp_path, capsys):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"train": {"learning_rate": -5}}))
    assert main(["run", str(path)]) == EXIT_USAGE
    assert "train.learning_rate=-5" in capsys.readouterr().err


def test_search_ranks_candidates_and_writes_a_table(config_file, tmp_path, capsys):
    out = tmp_path / "search"
    code = main(
        [
            "search",
            str(config_file),
            "--param",
            "train.learning_rate=0.0001,0.1",
            "--param",
            "hidden_layer_sizes=1,4x4",
            "--folds",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_OK
    captured = capsys.readouterr()
    assert "fit 8/8" in captured.err
    assert "best: hidden_layer_sizes=4x4, learning_rate=0.1" in captured.out
    with (out / "search.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert {"rank", "hidden_layer_sizes", "learning_rate", "mean_accuracy", "fold_1", "fold_2"} <= set(rows[0])


def test_random_search_through_grid_search_cv_when_n_jobs_is_given(config_file, capsys):
    code = main(
        [
            "search",
            str(config_file),
            "--param",
            "learning_rate=log:0.001:0.3",
            "--random",
            "3",
            "--folds",
            "2",
            "--n-jobs",
            "1",
        ]
    )
    assert code == EXIT_OK
    table = [line for line in capsys.readouterr().out.splitlines() if "learning_rate=" in line]
    assert len(table) == 4  # three candidates and the best


@pytest.mark.parametrize(
    ("text", "value"), [("8", 8), ("0.1", 0.1), ("8x4", (8, 4)), ("-", ()), ("relu", "relu"), ("1e-3", 0.001)]
)
def test_parse_value_reads_numbers_layer_widths_and_names(text, value):
    assert parse_value(text) == value


def test_module_runs_as_a_script():
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "run", "nonexistent.json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("error: ")
