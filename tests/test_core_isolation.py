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
        "for module in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module(f'core.{module.name}')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
