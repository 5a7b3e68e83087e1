"""core/ is the engine and must stand alone: importing it pulls in neither Streamlit nor Plotly."""

import subprocess
import sys

import pytest

from tests.apptest_helpers import REPO_ROOT


@pytest.mark.skipif(not (REPO_ROOT / "core").is_dir(), reason="core/ does not exist yet")
def test_core_and_every_core_module_import_without_streamlit_or_plotly():
    # A fresh interpreter: in this process pytest has long since imported Streamlit for other tests.
    check = (
        "import sys, core, pkgutil, importlib\n"
        "for module in pkgutil.walk_packages(core.__path__, 'core.'):\n"  # every module in every subpackage
        "    importlib.import_module(module.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')))\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---- the Playground's first picture waits for no heavy import --------------------------------------------------
# scikit-learn, imbalanced-learn and SciPy cost the first visit after a server start ~2 s and ~1,300 modules; the
# Playground's first run (default XOR link: data, split, untrained network, boundary) needs none of them.
# pandas (~350 modules) came with every list/dict argument of a v1 component (Streamlit asks whether it is a
# dataframe); the live view sends one JSON string instead. pyarrow is not asserted: components v1 imports it itself.
HEAVY = ("sklearn", "imblearn", "scipy", "pandas")


def _heavy_imports_after(code: str) -> str:
    """Run ``code`` in a fresh interpreter; the heavy packages it imported, as a printed sorted list."""
    check = code + f"\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_core_network_trains_and_predicts_without_scipy_or_scikit_learn():
    code = (
        "import numpy as np\n"
        "from core import Network\n"
        "from core.data.datasets import make_dataset, split_dataset\n"
        "from core.engine.training import Trainer\n"
        "ds = make_dataset('xor', n_samples=100, noise=0.2, seed=0)\n"
        "split = split_dataset(ds, test_fraction=0.3, seed=0)\n"
        "net = Network.from_spec(input_dim=2, layers=[{'units': 4, 'activation': 'tanh'},\n"
        "                        {'units': 1, 'activation': 'sigmoid'}], loss='bce', seed=0)\n"
        "trainer = Trainer(net, split.X_train, split.y_train, optimizer='sgd', batch_size=10, total_epochs=2)\n"
        "list(trainer.run(2))\n"
        "assert np.all(np.isfinite(net.predict(split.X_test)))\n"
    )
    assert _heavy_imports_after(code) == "[]"


def test_the_playgrounds_first_run_imports_no_scikit_learn_imblearn_scipy_or_pandas():
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(REPO_ROOT / 'streamlit_app.py')!r}, default_timeout=240)\n"
        "at.query_params.update({'ds': 'xor', 'hidden': '8:tanh,8:tanh', 'bs': '10', 'lr': '0.03', 'opt': 'sgd',\n"
        "                        'n': '500', 'test': '0.5', 'epochs': '5000'})\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.title and at.title[0].value, 'the Playground did not render'\n"
    )
    assert _heavy_imports_after(code) == "[]"


# ---- the engine knows nothing of the host ----------------------------------------------------------------------
ENGINE_MODULES = (
    "core.engine",
    "core.engine.activations",
    "core.engine.initializers",
    "core.engine.losses",
    "core.engine.network",
    "core.engine.convnet",
    "core.engine.layers",
    "core.engine.optimizers",
    "core.engine.training",
    "core.engine.gradcheck",
    "core.engine.validation",
)


def test_the_engine_imports_no_host_settings_no_config_files_and_no_streamlit():
    """Caps are read from the environment and ~/.streamlit/config.toml; the engine must not read them at import."""
    check = (
        "import builtins, sys\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "builtins.open = lambda file, *a, **k: opened.append(str(file)) or real_open(file, *a, **k)\n"
        f"import {', '.join(ENGINE_MODULES)}\n"
        # nothing from core's other packages (the host's caps live in core.experiment.settings), no TOML reader
        "outside = [m for m in sys.modules if m.startswith('core.') and m.split('.')[1] != 'engine']\n"
        "loaded = sorted(outside + [m for m in sys.modules if m in ('tomllib', 'streamlit', 'plotly')])\n"
        "print(loaded, [f for f in opened if f.endswith('.toml')])\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] []"
