"""Each optimizer and learning-rate schedule against its textbook formula, written out plainly here.

The core's update rules work in place on flat buffers with scratch arrays; these references are the formulas
of the notes (and of the papers) step by step, so a slip in the in-place arithmetic shows up as a mismatch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.engine.optimizers import (
    EXPONENTIAL_DECAY,
    STEP_EVERY,
    STEP_FACTOR,
    Optimizer,
    clip_by_norm,
    clip_by_value,
    scheduled_learning_rate,
)

RNG = np.random.default_rng(7)
START = RNG.normal(size=6)
GRADS = [RNG.normal(size=6) for _ in range(6)]
LR = 0.05


def reference(name: str, mu=0.9, beta1=0.9, beta2=0.999, rho=0.9, eps=1e-8) -> np.ndarray:
    theta = START.copy()
    v = np.zeros_like(theta)
    m = np.zeros_like(theta)
    for t, g in enumerate(GRADS, start=1):
        if name == "sgd":
            theta = theta - LR * g
        elif name == "momentum":
            v = mu * v - LR * g
            theta = theta + v
        elif name == "nesterov":  # the look-ahead form: θ ← θ + μ·v_new − η·g
            v = mu * v - LR * g
            theta = theta + mu * v - LR * g
        elif name == "adagrad":
            v = v + g**2
            theta = theta - LR * g / (np.sqrt(v) + eps)
        elif name == "rmsprop":
            v = rho * v + (1 - rho) * g**2
            theta = theta - LR * g / (np.sqrt(v) + eps)
        elif name == "adam":
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            theta = theta - LR * m_hat / (np.sqrt(v_hat) + eps)
    return theta


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_each_optimizer_follows_its_formula_over_several_steps(name):
    theta = START.copy()
    optimizer = Optimizer(name)
    for g in GRADS:
        optimizer.step([theta], [g.copy()], LR)
    np.testing.assert_allclose(theta, reference(name), rtol=1e-12, atol=1e-14)
    assert optimizer.t == len(GRADS)


def test_an_optimizer_updates_several_arrays_each_with_its_own_state():
    a, b = START[:3].copy(), START[3:].copy()
    optimizer = Optimizer("adam")
    for g in GRADS:
        optimizer.step([a, b], [g[:3].copy(), g[3:].copy()], LR)
    np.testing.assert_allclose(np.concatenate([a, b]), reference("adam"), rtol=1e-12, atol=1e-14)


def test_schedules_give_the_documented_learning_rates():
    assert [scheduled_learning_rate("constant", 0.1, e, 300) for e in (0, 150, 299)] == [0.1, 0.1, 0.1]
    assert scheduled_learning_rate("step", 0.1, STEP_EVERY - 1, 1000) == 0.1
    assert scheduled_learning_rate("step", 0.1, STEP_EVERY, 1000) == pytest.approx(0.1 * STEP_FACTOR)
    assert scheduled_learning_rate("step", 0.1, 3 * STEP_EVERY + 5, 1000) == pytest.approx(0.1 * STEP_FACTOR**3)
    assert scheduled_learning_rate("exponential", 0.1, 10, 100) == pytest.approx(0.1 * EXPONENTIAL_DECAY**10)
    # Cosine: the full rate at the start, half way down at the middle, zero at the end (and after it).
    assert scheduled_learning_rate("cosine", 0.1, 0, 200) == pytest.approx(0.1)
    assert scheduled_learning_rate("cosine", 0.1, 100, 200) == pytest.approx(0.05)
    assert scheduled_learning_rate("cosine", 0.1, 50, 200) == pytest.approx(0.05 * (1 + math.cos(math.pi / 4)))
    assert scheduled_learning_rate("cosine", 0.1, 200, 200) == pytest.approx(0.0, abs=1e-15)
    assert scheduled_learning_rate("cosine", 0.1, 250, 200) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="schedule='linear' is not valid; choose one of: constant"):
        scheduled_learning_rate("linear", 0.1, 0, 10)


def test_clipping_by_value_and_by_global_norm():
    grads = [np.array([3.0, -4.0]), np.array([12.0])]
    norm = clip_by_norm(grads, 6.5)
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(np.concatenate(grads), np.array([3.0, -4.0, 12.0]) * 0.5)
    grads = [np.array([3.0, -4.0, 0.5])]
    clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(grads[0], [1.0, -1.0, 0.5])
    untouched = [np.array([0.3, 0.4])]
    assert clip_by_norm(untouched, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(untouched[0], [0.3, 0.4])


def test_an_unknown_optimizer_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="optimizer='adamw' is not valid; choose one of: sgd, momentum"):
        Optimizer("adamw")
