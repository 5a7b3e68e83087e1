"""Evaluate a network over a grid of the input plane: the decision boundary and what each neuron computes.

The grid's feature matrix is built once (``GridInput``) and reused for every frame of an animation, so each
redraw costs one forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.datasets import DOMAIN
from core.data.features import transform_features
from core.engine.network import Network
from core.engine.validation import Interval, check
from core.experiment.settings import LIMITS


def capped_resolution(preferred: int) -> int:
    """A view's preferred grid resolution, lowered to the host's cap (``LIMITS.max_grid_resolution``)."""
    return max(2, min(preferred, LIMITS.max_grid_resolution))


DEFAULT_RESOLUTION = capped_resolution(60)


@dataclass(frozen=True)
class GridInput:
    """Grid coordinates ``xs`` (nx,), ``ys`` (ny,) and the network inputs for every cell, row-major (ny·nx, f)."""

    xs: np.ndarray
    ys: np.ndarray
    inputs: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)


@dataclass(frozen=True)
class BoundaryGrid:
    """Network output over the grid: ``values`` is (ny, nx) for one output, (ny, nx, k) for k classes."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray


def grid_input(
    features: tuple[str, ...], resolution: int = DEFAULT_RESOLUTION, domain: tuple[float, float] = DOMAIN
) -> GridInput:
    """A ``resolution × resolution`` grid over ``domain``², featurised like the training data."""
    resolution = check("resolution", resolution, Interval(2, LIMITS.max_grid_resolution, strict=True))
    xs = np.linspace(domain[0], domain[1], resolution)
    ys = np.linspace(domain[0], domain[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    return GridInput(xs, ys, transform_features(points, features))


def boundary_values(network: Network, grid: GridInput) -> np.ndarray:
    """(ny, nx) for a single output (P(class 1) or the predicted value), (ny, nx, k) for k classes."""
    out = network.predict(grid.inputs)
    ny, nx = grid.shape
    return out[:, 0].reshape(ny, nx) if out.shape[1] == 1 else out.reshape(ny, nx, out.shape[1])


def boundary_grid(
    network: Network,
    features: tuple[str, ...],
    resolution: int = DEFAULT_RESOLUTION,
    domain: tuple[float, float] = DOMAIN,
) -> BoundaryGrid:
    grid = grid_input(features, resolution, domain)
    return BoundaryGrid(grid.xs, grid.ys, boundary_values(network, grid))


def neuron_values(network: Network, grid: GridInput) -> list[np.ndarray]:
    """For each layer, its activations over the grid: a list of (units_l, ny, nx) arrays (hidden layers, output)."""
    ny, nx = grid.shape
    return [a.T.reshape(a.shape[1], ny, nx) for a in network.hidden_activations(grid.inputs)]
