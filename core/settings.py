"""Resource caps a host may tune, read once from the environment.

Every cap is enforced in ``core`` (so a script or a crafted URL cannot exceed it) and mirrored by the UI.
Set e.g. ``PLAYGROUND_MAX_UNITS=128`` in the environment before starting the app to raise a cap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Limits:
    max_hidden_layers: int = 8
    max_units: int = 64
    max_input_dim: int = 1024
    max_outputs: int = 64
    max_samples: int = 5000
    max_epochs: int = 5000
    max_grid_resolution: int = 200
    max_parameters: int = 200_000


def _read_limits() -> Limits:
    base = Limits()
    return Limits(
        max_hidden_layers=_env_int("PLAYGROUND_MAX_LAYERS", base.max_hidden_layers),
        max_units=_env_int("PLAYGROUND_MAX_UNITS", base.max_units),
        max_input_dim=_env_int("PLAYGROUND_MAX_INPUT_DIM", base.max_input_dim),
        max_outputs=_env_int("PLAYGROUND_MAX_OUTPUTS", base.max_outputs),
        max_samples=_env_int("PLAYGROUND_MAX_POINTS", base.max_samples),
        max_epochs=_env_int("PLAYGROUND_MAX_EPOCHS", base.max_epochs),
        max_grid_resolution=_env_int("PLAYGROUND_MAX_GRID", base.max_grid_resolution),
        max_parameters=_env_int("PLAYGROUND_MAX_PARAMETERS", base.max_parameters),
    )


LIMITS = _read_limits()
