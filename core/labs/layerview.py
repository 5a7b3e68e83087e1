"""How a hidden layer transforms the input plane: images of grid lines and data points in the layer's space.

For a layer with 2 or 3 units the coordinates are the activations themselves. A wider layer is shown along
its first principal directions (PCA of the data's activations at that layer), so the picture is the best
2-D/3-D view of what the layer does. Seeing the warped grid makes "a layer bends the plane until the classes
are separable by a line" concrete (Olah, "Neural Networks, Manifolds, and Topology"; ConvNetJS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.datasets import DOMAIN
from core.data.features import transform_features
from core.engine.network import Network
from core.engine.validation import Interval, Options, check


@dataclass(frozen=True)
class LayerMap:
    """lines: images of the grid lines, each (n_steps, d); points: images of the data, (n_samples, d)."""

    lines: tuple[np.ndarray, ...]
    points: np.ndarray
    projected: bool  # True when the layer has more than 3 units and PCA directions are shown
    explained: tuple[float, ...]  # share of the activation variance along each shown direction
    basis: np.ndarray | None = None  # (units, d) the principal directions shown; None when not projected


def grid_lines(domain: tuple[float, float] = DOMAIN, n_lines: int = 13, n_steps: int = 41) -> list[np.ndarray]:
    """Horizontal then vertical lines over ``domain``², each (n_steps, 2)."""
    ticks = np.linspace(domain[0], domain[1], n_lines)
    along = np.linspace(domain[0], domain[1], n_steps)
    horizontal = [np.column_stack([along, np.full(n_steps, y)]) for y in ticks]
    vertical = [np.column_stack([np.full(n_steps, x), along]) for x in ticks]
    return horizontal + vertical


def layer_activations(network: Network, features: tuple[str, ...], layer: int, X: np.ndarray) -> np.ndarray:
    """Activations A_layer (n, units) of hidden layer ``layer`` (0-based) for raw 2-D inputs ``X``."""
    n_hidden = len(network.layers) - 1
    if n_hidden == 0:
        raise ValueError("the network has no hidden layer to show")
    layer = check("layer", layer, Interval(0, n_hidden - 1, strict=True))
    return network.hidden_activations(transform_features(np.asarray(X, dtype=float), features))[layer]


def layer_map(
    network: Network,
    features: tuple[str, ...],
    layer: int,
    X: np.ndarray,
    *,
    dims: int = 2,
    domain: tuple[float, float] = DOMAIN,
    n_lines: int = 13,
    n_steps: int = 41,
    previous_basis: np.ndarray | None = None,
) -> LayerMap:
    """The grid and the data points ``X`` (raw 2-D inputs) as seen by hidden layer ``layer``.

    dims : 2 or 3 coordinates to return. A layer with at most ``dims`` units is shown as it is (padded
    with zeros); a wider one along its first ``dims`` principal directions, fitted on the data points.
    previous_basis : (units, dims) the directions of the previous picture in an animation. A direction's sign
        is arbitrary and SVD flips it between nearby epochs, which would mirror the picture; each direction is
        turned to agree with the previous one (without it: its largest loading is made positive).
    """
    check("dims", dims, Options((2, 3)))
    lines = grid_lines(domain, n_lines, n_steps)
    data = layer_activations(network, features, layer, X)
    grid = layer_activations(network, features, layer, np.vstack(lines))
    units = data.shape[1]
    if units <= dims:
        pad = dims - units
        data_coords = np.pad(data, ((0, 0), (0, pad)))
        grid_coords = np.pad(grid, ((0, 0), (0, pad)))
        projected, explained = False, tuple([1.0 / units] * units + [0.0] * pad)
    else:
        centre = data.mean(axis=0)
        _, singular, directions = np.linalg.svd(data - centre, full_matrices=False)
        top = directions[:dims]
        if previous_basis is not None and previous_basis.shape == (units, dims):
            signs = np.sign(np.einsum("du,ud->d", top, previous_basis))
        else:
            signs = np.sign(top[np.arange(dims), np.abs(top).argmax(axis=1)])
        basis = (top * np.where(signs == 0, 1.0, signs)[:, None]).T  # (units, dims)
        data_coords = (data - centre) @ basis
        grid_coords = (grid - centre) @ basis
        variance = singular**2
        total = variance.sum()
        explained = tuple(float(v / total) if total > 0 else 0.0 for v in variance[:dims])
        projected = True
    split = np.cumsum([len(line) for line in lines])[:-1]
    return LayerMap(
        tuple(np.split(grid_coords, split)), data_coords, projected, explained, basis if projected else None
    )
