"""The loss over a 2-D slice of parameter space, and how gradient-descent optimizers move on it.

A network with P parameters has a loss surface in P + 1 dimensions; we can only look at a slice. A
:class:`Plane` picks one: θ(a, b) = centre + (a − a₀)·u + (b − b₀)·v, where ``centre`` is the network's current
flat parameter vector (``parameters()`` order, each array raveled in C order) and (a₀, b₀) its coordinates.

- :func:`parameter_plane`: u and v are two single parameters (``"W1[0,0]"``, ``"W2[0,1]"``: the step-through's
  names with a row and a column; biases are ``"b1[0]"``), so a and b are those parameters' actual values.
- :func:`random_plane`: u and v are random directions, filter-normalized as in Li et al. 2018 ("Visualizing the
  Loss Landscape of Neural Nets"): each unit's incoming weights in the direction get the norm of that unit's
  weights in the network, so the slice is equally "wide" for every layer; bias (and prelu slope) entries are 0.
  Coordinates start at (0, 0) = the network's weights.

:func:`loss_grid` evaluates the loss on a grid over the plane; :func:`optimizer_path` runs one of the core's
optimizers **inside the plane only**: the two coordinates are the free parameters, every other parameter stays
frozen at ``centre``, and the gradient is the full-batch gradient projected onto u and v (∂L/∂a = ∇L·u). That is
an honest picture of the slice you see, not of real training, which moves all P parameters at once, uses
mini-batches and may change its learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.engine.activations import DEFAULT_LEAKY_SLOPE, get_activation
from core.engine.losses import encode_targets, loss_and_output_grad
from core.engine.network import Network
from core.engine.optimizers import OPTIMIZERS, Optimizer
from core.engine.validation import Interval, Options, check, validate
from core.experiment.config import ExperimentConfig
from core.experiment.run import build_network, build_trainer, prepare_data

PLANE_KINDS = ("parameters", "directions")
PATH_OPTIMIZERS = ("sgd", "momentum", "adam")  # the three the page compares by default
DEFAULT_AXES = ("W1[0,0]", "W2[0,1]")
MIN_RESOLUTION, MAX_RESOLUTION = 5, 101
MAX_SPAN = 100.0
MAX_STEPS = 2000
MAX_LEARNING_RATE = 100.0
PATH_CONSTRAINTS = {
    "optimizer": Options(OPTIMIZERS),
    "learning_rate": Interval(0.0, MAX_LEARNING_RATE, closed="right"),
    "steps": Interval(1, MAX_STEPS, integer=True),
}
# Multiply-adds allowed for one grid (about a second of NumPy on one core); bigger networks or datasets get a
# coarser grid instead of a slower page. Each grid point also costs a fixed overhead, counted as PER_POINT_WORK.
MAX_GRID_WORK = 1.5e8
PER_POINT_WORK = 20_000
CHUNK_FLOATS = 2_000_000  # values of one layer's activations held at once by the batched forward pass
DIVERGED_LOSS = 1e8
CENTRE_MOMENTS = ("init", "trained")
CENTRE_MAX_EPOCHS = 300
CENTRE_MAX_SAMPLES = 500  # the landscape's loss is measured on at most this many training points


# ---- names and the flat layout ----------------------------------------------------------------------------
def scalar_parameter_names(network: Network) -> list[str]:
    """Every scalar parameter's name, in flat order: ``W1[0,0], W1[0,1], ..., b1[0], ..., W2[0,0], ...``.

    ``W{l}[i,j]`` is row i (unit i of layer l), column j (input j) of W_l, 0-based; ``b{l}[i]`` is unit i's bias;
    a prelu layer's learned slope is ``alpha{l}``.
    """
    names = []
    for name, array in zip(network.parameter_names(), network.parameters(), strict=True):
        if name.startswith("W"):
            names += [f"{name}[{i},{j}]" for i, j in np.ndindex(array.shape)]
        elif name.startswith("b"):
            names += [f"{name}[{i}]" for i in range(array.shape[0])]
        else:
            names.append(name)
    return names


def flat_parameters(network: Network) -> np.ndarray:
    """The network's parameters as one float64 vector, ``(n_parameters,)``, in ``scalar_parameter_names`` order."""
    return np.concatenate([p.ravel() for p in network.parameters()]).astype(float)


def _unflatten(network: Network, flat: np.ndarray) -> list[np.ndarray]:
    shapes = [p.shape for p in network.parameters()]
    bounds = np.cumsum([0] + [math.prod(s) for s in shapes])
    return [flat[start:stop].reshape(shape) for start, stop, shape in zip(bounds[:-1], bounds[1:], shapes, strict=True)]


# ---- validation -------------------------------------------------------------------------------------------
def _check_data(network: Network, X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != network.input_dim or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples ≥ 1, {network.input_dim}); got {X.shape}")
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}")
    return X, y


# ---- planes -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plane:
    """θ(a, b) = centre + (a − origin[0])·u + (b − origin[1])·v; centre, u, v are ``(n_parameters,)``.

    ``kind`` is "parameters" (a, b are the values of the parameters ``axis_names``) or "directions" (a, b are
    distances along two random filter-normalized directions, origin (0, 0)).
    """

    kind: str
    axis_names: tuple[str, str]
    centre: np.ndarray
    u: np.ndarray
    v: np.ndarray
    origin: tuple[float, float]

    def points(self, a, b) -> np.ndarray:
        """Flat parameter vectors at coordinates a, b (broadcast together): shape ``broadcast(a, b).shape + (P,)``."""
        da = np.asarray(a, dtype=float)[..., None] - self.origin[0]
        db = np.asarray(b, dtype=float)[..., None] - self.origin[1]
        return self.centre + da * self.u + db * self.v


def parameter_plane(network: Network, first: str = DEFAULT_AXES[0], second: str = DEFAULT_AXES[1]) -> Plane:
    """The plane in which only the two named scalar parameters change (see :func:`scalar_parameter_names`)."""
    names = scalar_parameter_names(network)
    validate({"first": first, "second": second}, dict.fromkeys(("first", "second"), Options(names)))
    if first == second:
        raise ValueError(f"first={first!r} and second={second!r} are the same parameter; choose two different ones")
    centre = flat_parameters(network)
    u, v = np.zeros_like(centre), np.zeros_like(centre)
    i, j = names.index(first), names.index(second)
    u[i], v[j] = 1.0, 1.0
    return Plane("parameters", (first, second), centre, u, v, (float(centre[i]), float(centre[j])))


def filter_normalized_direction(network: Network, rng: np.random.Generator) -> np.ndarray:
    """A random direction ``(n_parameters,)``: each row of each W_l (one unit's incoming weights) is a Gaussian
    vector rescaled to the norm of that row in the network (Li et al. 2018); biases and slopes get 0.

    A row whose weights are all 0 (zero initialization) keeps a unit-norm random row, so the slice is not flat.
    """
    parts = []
    for name, array in zip(network.parameter_names(), network.parameters(), strict=True):
        if name.startswith("W"):
            d = rng.standard_normal(array.shape)
            row_norms = np.linalg.norm(array, axis=1, keepdims=True)
            d_norms = np.linalg.norm(d, axis=1, keepdims=True)
            d *= np.where(row_norms > 0, row_norms, 1.0) / np.maximum(d_norms, 1e-12)
            parts.append(d.ravel())
        else:
            parts.append(np.zeros(array.size))
    return np.concatenate(parts)


def random_plane(network: Network, seed: int = 0) -> Plane:
    """Two filter-normalized random directions around the network's weights, drawn with ``default_rng(seed)``."""
    seed = check("seed", seed, Interval(0, None, integer=True))
    rng = np.random.default_rng(seed)
    u = filter_normalized_direction(network, rng)
    v = filter_normalized_direction(network, rng)
    return Plane("directions", ("d1", "d2"), flat_parameters(network), u, v, (0.0, 0.0))


# ---- the loss over a grid ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LossGrid:
    """The loss on a ``resolution × resolution`` grid over a plane.

    a : (resolution,) coordinates along the first axis; b : (resolution,) along the second;
    loss : (resolution, resolution) with ``loss[j, i]`` the loss at (a[i], b[j]) — rows follow b, as in a heatmap.
    ``requested`` is the resolution asked for; the work budget may have lowered it (``reduced``).
    """

    plane: Plane
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    requested: int

    @property
    def resolution(self) -> int:
        return int(self.a.size)

    @property
    def reduced(self) -> bool:
        return self.resolution < self.requested


def affordable_resolution(network: Network, n_samples: int, requested: int) -> int:
    """The largest resolution ≤ ``requested`` whose grid fits the work budget (never below MIN_RESOLUTION)."""
    per_point = n_samples * sum(w.size for w in network.weights) + PER_POINT_WORK
    fits = int(math.isqrt(int(MAX_GRID_WORK // per_point)))
    return max(MIN_RESOLUTION, min(requested, fits))


def _batched_losses(network: Network, X: np.ndarray, targets: np.ndarray, weights, thetas: np.ndarray) -> np.ndarray:
    """Loss (with penalty) at each row of ``thetas`` ``(G, P)``: one batched forward pass per chunk of points."""
    sizes = [p.size for p in network.parameters()]
    bounds = np.cumsum([0] + sizes)
    layers = []  # (W slice, W shape, b slice, activation) per layer; parameters() is W1, b1, W2, b2, ...
    for index, (W, spec) in enumerate(zip(network.weights, network.layers, strict=True)):
        w_at, b_at = 2 * index, 2 * index + 1
        layers.append((slice(bounds[w_at], bounds[w_at + 1]), W.shape, slice(bounds[b_at], bounds[b_at + 1]), spec))
    activations = [
        get_activation(s.activation, DEFAULT_LEAKY_SLOPE if s.slope is None else s.slope) for *_, s in layers
    ]
    widest = max(s.units for *_, s in layers)
    chunk = max(1, CHUNK_FLOATS // (X.shape[0] * widest))
    out = np.empty(len(thetas))
    for start in range(0, len(thetas), chunk):
        part = thetas[start : start + chunk]
        A = X[None, :, :]
        Z = A
        for (w_slice, shape, b_slice, _), activation in zip(layers, activations, strict=True):
            W = part[:, w_slice].reshape(len(part), *shape)
            Z = np.matmul(A, W.transpose(0, 2, 1)) + part[:, None, b_slice]
            A = activation.forward(Z)
        penalty = np.zeros(len(part))
        for w_slice, *_ in layers:
            if network.l1:
                penalty += network.l1 * np.abs(part[:, w_slice]).sum(axis=1)
            if network.l2:
                penalty += 0.5 * network.l2 * (part[:, w_slice] ** 2).sum(axis=1)
        for k in range(len(part)):
            out[start + k] = loss_and_output_grad(network.loss, Z[k], A[k], targets, activations[-1], weights).value
        out[start : start + len(part)] += penalty
    return out


def _looped_losses(network: Network, X: np.ndarray, y: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    probe = network.copy()
    losses = np.empty(len(thetas))
    for k, theta in enumerate(thetas):
        probe.set_parameters(_unflatten(probe, theta))
        losses[k] = probe.loss_value(X, y)
    return losses


def losses_at(network: Network, X, y, thetas: np.ndarray) -> np.ndarray:
    """The network's loss (with penalty, dropout off) at each flat parameter vector: ``(G, P)`` -> ``(G,)``.

    Plain dense networks go through a batched forward pass; prelu (whose slope is itself a parameter) and
    non-float64 networks take one ``loss_value`` per point. Non-finite points (overflow) come back as inf.
    """
    X, y = _check_data(network, X, y)
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    if thetas.shape[1] != network.n_parameters:
        raise ValueError(f"thetas must have shape (n_points, {network.n_parameters}); got {thetas.shape}")
    finite = np.all(np.isfinite(thetas), axis=1)
    losses = np.full(len(thetas), np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if any(s.activation == "prelu" for s in network.layers) or network.dtype != np.float64:
            losses[finite] = _looped_losses(network, X, y, thetas[finite])
        else:
            targets = encode_targets(network.loss, y, network.n_outputs)
            losses[finite] = _batched_losses(network, X, targets, network.sample_weights(y), thetas[finite])
    losses[~np.isfinite(losses)] = np.inf
    return losses


def loss_grid(network: Network, X, y, plane: Plane, *, span: float = 1.0, resolution: int = 41) -> LossGrid:
    """The loss on a square grid of ``resolution`` points per side over ``origin ± span`` in ``plane``.

    X : (n_samples, n_features); y : labels (n_samples,) or targets (n_samples, n_outputs). The resolution is
    lowered to :func:`affordable_resolution` when the network and data are large.
    """
    span = check("span", span, Interval(0.0, MAX_SPAN, closed="right"))
    requested = check("resolution", resolution, Interval(MIN_RESOLUTION, MAX_RESOLUTION, integer=True))
    X, y = _check_data(network, X, y)
    if plane.centre.shape != (network.n_parameters,):
        raise ValueError(f"plane has {plane.centre.size} parameters but the network has {network.n_parameters}")
    size = affordable_resolution(network, X.shape[0], requested)
    a = np.linspace(plane.origin[0] - span, plane.origin[0] + span, size)
    b = np.linspace(plane.origin[1] - span, plane.origin[1] + span, size)
    A, B = np.meshgrid(a, b)  # (size, size), rows follow b
    losses = losses_at(network, X, y, plane.points(A.ravel(), B.ravel()))
    return LossGrid(plane, a, b, losses.reshape(size, size), requested)


# ---- optimizer paths --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptimizerPath:
    """Where ``optimizer`` went in the plane: a, b, loss are ``(n_points,)``, point 0 is the start.

    ``diverged`` is true when the loss became non-finite or above DIVERGED_LOSS; the path stops there.
    """

    optimizer: str
    learning_rate: float
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    diverged: bool

    @property
    def steps(self) -> int:
        return int(self.a.size) - 1


def optimizer_path(
    network: Network,
    X,
    y,
    plane: Plane,
    optimizer: str,
    *,
    start: Sequence[float],
    learning_rate: float = 0.1,
    steps: int = 100,
) -> OptimizerPath:
    """Run ``steps`` full-batch updates of ``optimizer`` on the two plane coordinates from ``start`` = (a, b).

    Only a and b move; every other parameter stays at ``plane.centre`` (see the module docstring). The update
    is the core's :class:`~core.engine.optimizers.Optimizer` with its default momentum and Adam constants.
    """
    optimizer, learning_rate, steps = validate(
        {"optimizer": optimizer, "learning_rate": learning_rate, "steps": steps}, PATH_CONSTRAINTS
    ).values()
    if isinstance(start, (str, bytes)) or len(start) != 2:
        raise ValueError(f"start={start!r} is not valid; expected two coordinates (a, b)")
    a0, b0 = (check(f"start[{i}]", start[i], Interval(-1e6, 1e6)) for i in (0, 1))
    X, y = _check_data(network, X, y)
    probe = network.copy()
    update = Optimizer(optimizer)
    coordinates = np.array([a0, b0])
    a_path, b_path, losses = [], [], []
    diverged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(steps + 1):
            theta = plane.points(coordinates[0], coordinates[1])
            if not np.all(np.isfinite(theta)):
                diverged = True
                break
            probe.set_parameters(_unflatten(probe, theta))
            loss, grads = probe.loss_and_grads(X, y)
            if not math.isfinite(loss) or loss > DIVERGED_LOSS:
                diverged = True
                break
            a_path.append(coordinates[0])
            b_path.append(coordinates[1])
            losses.append(loss)
            if step == steps:
                break
            gradient = np.concatenate([g.ravel() for g in grads])
            plane_gradient = np.array([gradient @ plane.u, gradient @ plane.v])  # chain rule: ∂L/∂a = ∇L·u
            update.step([coordinates], [plane_gradient], learning_rate)
    return OptimizerPath(optimizer, learning_rate, np.array(a_path), np.array(b_path), np.array(losses), diverged)


def optimizer_paths(
    network: Network,
    X,
    y,
    plane: Plane,
    optimizers: Sequence[str] = PATH_OPTIMIZERS,
    *,
    start: Sequence[float],
    learning_rate: float = 0.1,
    steps: int = 100,
) -> dict[str, OptimizerPath]:
    """:func:`optimizer_path` for each optimizer, same start, learning rate and number of steps."""
    if isinstance(optimizers, str):
        raise ValueError(f"optimizers={optimizers!r} is not valid; expected a list such as {list(PATH_OPTIMIZERS)}")
    return {
        name: optimizer_path(network, X, y, plane, name, start=start, learning_rate=learning_rate, steps=steps)
        for name in optimizers
    }


# ---- the network to centre on -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Centre:
    """The network the landscape is centred on and the points its loss is measured on (≤ CENTRE_MAX_SAMPLES).

    X : (n, n_features) training inputs after feature engineering; y : their labels or targets.
    """

    network: Network
    X: np.ndarray
    y: np.ndarray
    epochs: int


def centre_network(config: ExperimentConfig, moment: str = "trained", max_epochs: int = CENTRE_MAX_EPOCHS) -> Centre:
    """``config``'s network at initialization, or after training it for at most ``max_epochs`` epochs."""
    moment = check("moment", moment, Options(CENTRE_MOMENTS))
    max_epochs = check("max_epochs", max_epochs, Interval(1, 100_000, integer=True))
    config.validate()
    data = prepare_data(config)
    X, y = data.split.X_train, data.split.y_train
    if moment == "init":
        network, epochs = build_network(config, y), 0
    else:
        short = replace(config, train=replace(config.train, epochs=min(config.train.epochs, max_epochs)))
        trainer = build_trainer(short, data, record_stats=False)
        for _ in trainer.run(short.train.epochs):
            pass
        network, epochs = trainer.network, len(trainer.history)
    if len(X) > CENTRE_MAX_SAMPLES:
        rows = np.random.default_rng(config.seed).choice(len(X), size=CENTRE_MAX_SAMPLES, replace=False)
        X, y = X[np.sort(rows)], y[np.sort(rows)]
    return Centre(network, np.asarray(X, dtype=float), np.asarray(y), epochs)
