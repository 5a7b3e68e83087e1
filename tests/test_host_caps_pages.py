"""Every page still works when a host lowers the resource caps far below the defaults.

Presets, lessons and page defaults are written for the default caps; ``core.experiment.config.within_limits`` scales
them down, and sliders whose end is a cap adapt. The caps are read once at import, so the pages are rendered in a
fresh interpreter with the caps in its environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.apptest_helpers import REPO_ROOT

RENDER_EVERY_PAGE = """
import json
from tests.apptest_helpers import registered_pages, render_page

problems = []
for path in registered_pages():
    at = render_page(path, timeout=240)
    problems += [f"{path}: {shown.message}" for shown in at.exception]
print("RESULT " + json.dumps(problems))
"""

TIGHT = {
    "PLAYGROUND_MAX_GRID": "12",
    "PLAYGROUND_MAX_UNITS": "3",
    "PLAYGROUND_MAX_LAYERS": "1",
    "PLAYGROUND_MAX_EPOCHS": "20",
    "PLAYGROUND_MAX_POINTS": "50",
    "PLAYGROUND_MAX_RUNS": "2",
}
CLASSROOM = {
    "PLAYGROUND_MAX_GRID": "30",
    "PLAYGROUND_MAX_UNITS": "16",
    "PLAYGROUND_MAX_LAYERS": "3",
    "PLAYGROUND_MAX_EPOCHS": "100",
    "PLAYGROUND_MAX_POINTS": "300",
    "PLAYGROUND_MAX_RUNS": "1",
}


@pytest.mark.parametrize("caps", [TIGHT, CLASSROOM], ids=["tight", "classroom"])
def test_every_page_renders_without_an_exception_under_lowered_caps(caps):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLAYGROUND_MAX_")} | caps
    done = subprocess.run(
        [sys.executable, "-c", RENDER_EVERY_PAGE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    assert json.loads(lines[-1][len("RESULT ") :]) == []


def test_within_limits_scales_a_configuration_down_and_keeps_what_fits():
    code = """
from core.experiment.config import ExperimentConfig, DataConfig, LayerConfig, ModelConfig, TrainConfig, within_limits
big = ExperimentConfig(DataConfig("moons", n_samples=400), ModelConfig(hidden=(LayerConfig(8), LayerConfig(6),
      LayerConfig(2))), TrainConfig(epochs=500, batch_size=128, early_stopping_patience=300))
small = within_limits(big)
small.validate()
print(small.data.n_samples, [l.units for l in small.model.hidden], small.train.epochs, small.train.batch_size,
      small.train.early_stopping_patience)
fits = ExperimentConfig(DataConfig("moons", n_samples=30), ModelConfig(hidden=(LayerConfig(2),)), TrainConfig(epochs=10,
      batch_size=5))
print(within_limits(fits) == fits)
"""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLAYGROUND_MAX_")} | TIGHT
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:2] == ["50 [3] 20 50 20", "True"]
