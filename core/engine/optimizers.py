"""Optimizers, learning-rate schedules and gradient clipping. Updates happen in place on the parameter arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.engine.validation import Options, check

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
SCHEDULES = ("constant", "step", "exponential", "cosine")
STEP_EVERY = 100  # epochs between halvings of the "step" schedule
STEP_FACTOR = 0.5
EXPONENTIAL_DECAY = 0.99  # per epoch


def check_optimizer(name: str) -> str:
    check("optimizer", name, Options(OPTIMIZERS))
    return name


def scheduled_learning_rate(schedule: str, base: float, epoch: int, total_epochs: int) -> float:
    """Learning rate for ``epoch`` (0-based) under ``schedule``."""
    if schedule == "constant":
        return base
    if schedule == "step":
        return base * STEP_FACTOR ** (epoch // STEP_EVERY)
    if schedule == "exponential":
        return base * EXPONENTIAL_DECAY**epoch
    if schedule == "cosine":
        return 0.5 * base * (1.0 + math.cos(math.pi * min(epoch, total_epochs) / max(total_epochs, 1)))
    check("schedule", schedule, Options(SCHEDULES))
    raise AssertionError(f"schedule {schedule!r} is listed in SCHEDULES but has no rule")


def global_norm(grads: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def clip_by_value(grads: list[np.ndarray], limit: float) -> None:
    """Clip every gradient component into [-limit, limit], in place (clipping by value).

    :func:`clip_by_norm` is the other method, which keeps the gradient's direction.
    """
    for g in grads:
        np.clip(g, -limit, limit, out=g)


def clip_by_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Rescale all gradients together so their global L2 norm is at most ``max_norm``; returns the norm before."""
    norm = global_norm(grads)
    if norm > max_norm > 0:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm


@dataclass
class Optimizer:
    """Gradient-descent update rules. ``step`` changes ``params`` in place.

    sgd:      θ ← θ − η·g
    momentum: v ← μv − η·g;            θ ← θ + v
    nesterov: v ← μv − η·g;            θ ← θ + μv − η·g     (look-ahead form)
    adagrad:  G ← G + g²;              θ ← θ − η·g / (√G + ε)
    rmsprop:  s ← ρs + (1 − ρ)g²;      θ ← θ − η·g / (√s + ε)
    adam:     m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − η·m̂ / (√v̂ + ε)

    Each rule is a few in-place operations per array with two reused scratch arrays, so the cost per step is
    set by the number of arrays: the trainer passes the network's whole flat parameter buffer as one array.
    """

    name: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9
    eps: float = 1e-8
    t: int = 0
    _state: list[list[np.ndarray]] = field(default_factory=list, repr=False)
    _scratch: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        check_optimizer(self.name)

    def _buffers(self, params: list[np.ndarray], count: int) -> list[list[np.ndarray]]:
        if not self._state:
            self._state = [[np.zeros_like(p) for _ in range(count)] for p in params]
        return self._state

    def _work(self, params: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        if not self._scratch:
            self._scratch = [(np.empty_like(p), np.empty_like(p)) for p in params]
        return self._scratch

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], learning_rate: float) -> None:
        lr = learning_rate
        self.t += 1
        work = self._work(params)
        if self.name == "sgd":
            for p, g, (s, _) in zip(params, grads, work, strict=True):
                np.multiply(g, lr, out=s)
                p -= s
        elif self.name in ("momentum", "nesterov"):
            mu = self.momentum
            for p, g, (v,), (s, s2) in zip(params, grads, self._buffers(params, 1), work, strict=True):
                v *= mu
                np.multiply(g, lr, out=s)
                v -= s
                if self.name == "momentum":
                    p += v
                else:
                    np.multiply(v, mu, out=s2)
                    s2 -= s
                    p += s2
        elif self.name in ("adagrad", "rmsprop"):
            for p, g, (acc,), (s, s2) in zip(params, grads, self._buffers(params, 1), work, strict=True):
                if self.name == "adagrad":
                    np.multiply(g, g, out=s)
                else:
                    acc *= self.rho
                    np.multiply(g, 1.0 - self.rho, out=s)
                    s *= g
                acc += s
                np.sqrt(acc, out=s)
                s += self.eps
                np.multiply(g, lr, out=s2)
                s2 /= s
                p -= s2
        else:
            b1, b2 = self.beta1, self.beta2
            # m̂ = m/(1 − β₁ᵗ) and √v̂ = √v/√(1 − β₂ᵗ) as scalars on the buffers; ε is added to √v̂ exactly as in the
            # paper's algorithm (and PyTorch), not folded into the step size.
            m_scale = lr / (1.0 - b1**self.t)
            v_scale = 1.0 / math.sqrt(1.0 - b2**self.t)
            for p, g, (m, v), (s, s2) in zip(params, grads, self._buffers(params, 2), work, strict=True):
                m *= b1
                np.multiply(g, 1.0 - b1, out=s)
                m += s
                v *= b2
                np.multiply(g, 1.0 - b2, out=s)
                s *= g
                v += s
                np.sqrt(v, out=s)
                s *= v_scale
                s += self.eps
                np.multiply(m, m_scale, out=s2)
                s2 /= s
                p -= s2
