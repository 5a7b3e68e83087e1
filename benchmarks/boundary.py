"""Decision-boundary evaluation: our predictions over a grid against a bare NumPy matmul chain (the floor).

Ours is ``core.experiment.boundary.boundary_values`` (input checks, the network's forward pass, the reshape to the
grid); the floor is the same arithmetic written as plainly as NumPy allows, ``expit(tanh(tanh(X·W1ᵀ + b1)·W2ᵀ + b2)·W3ᵀ
+ b3)``, with the weights already at hand. The ratio is floor time / our time (1.0 = no overhead at all).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from benchmarks.measure import Row, interleaved, median
from core.engine.network import Network
from core.experiment.boundary import boundary_values, grid_input

AREA = "boundary"
TARGET = "within 1.5× of the floor"
RESOLUTIONS = (100, 200)


def _network() -> Network:
    """The Playground's 2-8-8-1 tanh network, with random (non-trivial) weights."""
    layers = [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"}]
    return Network.from_spec(input_dim=2, layers=layers + [{"units": 1, "activation": "sigmoid"}], loss="bce", seed=0)


def _floor(net: Network):
    (W1, W2, W3), (b1, b2, b3) = net.parameters()[0::2], [b.ravel() for b in net.parameters()[1::2]]

    def evaluate(X: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        return expit(np.tanh(np.tanh(X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3)[:, 0].reshape(shape)

    return evaluate


def rows(quick: bool = False) -> list[Row]:
    net = _network()
    floor = _floor(net)
    out = []
    for resolution in RESOLUTIONS:
        grid = grid_input(("x1", "x2"), resolution)
        np.testing.assert_allclose(boundary_values(net, grid), floor(grid.inputs, grid.shape), rtol=1e-12)
        calls = max(1, (20 if quick else 60) * 100**2 // max(resolution, 100) ** 2)

        def ours(grid=grid, calls=calls):
            for _ in range(calls):
                boundary_values(net, grid)

        def bare(grid=grid, calls=calls):
            for _ in range(calls):
                floor(grid.inputs, grid.shape)

        seconds = interleaved({"ours": ours, "floor": bare}, 5 if quick else 7)
        ratio = median([f / o for o, f in zip(seconds["ours"], seconds["floor"], strict=True)])
        ours_ms, floor_ms = 1e3 * median(seconds["ours"]) / calls, 1e3 * median(seconds["floor"]) / calls
        out.append(
            Row(
                AREA,
                f"2-8-8-1 predictions over a {resolution}×{resolution} grid",
                ours=f"{ours_ms:.2f} ms per grid",
                baseline=f"bare NumPy matmul chain: {floor_ms:.2f} ms",
                ratio=ratio,
                ratio_text=f"{1 / ratio:.2f}× the floor's time",
                target=TARGET,
                met=ratio >= 1 / 1.5,
                values={
                    "resolution": resolution,
                    "calls": calls,
                    "ours_seconds": seconds["ours"],
                    "floor_seconds": seconds["floor"],
                },
            )
        )
    return out
