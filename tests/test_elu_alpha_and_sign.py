"""ELU's adjustable α (a layer key, like leaky_relu's slope) and the perceptron's sign unit in the gallery."""

from __future__ import annotations

import numpy as np
import pytest

from core import Network, get_activation
from core.labs.compare import GALLERY_ACTIVATIONS, activation_curves, activation_profile
from tests.reference_impl import numerical_gradient, relative_error


@pytest.mark.parametrize("alpha", [0.3, 1.0, 2.5])
def test_elu_alpha_sets_the_floor_and_the_derivative(alpha):
    z = np.array([-30.0, -1.0, -0.2, 0.5])
    a, da = activation_curves("elu", z, alpha=alpha)
    np.testing.assert_allclose(a, [alpha * np.expm1(-30.0), alpha * np.expm1(-1.0), alpha * np.expm1(-0.2), 0.5])
    np.testing.assert_allclose(da, [alpha * np.exp(-30.0), alpha * np.exp(-1.0), alpha * np.exp(-0.2), 1.0], atol=1e-12)
    assert get_activation("elu", alpha=alpha).value_range == (-alpha, np.inf)
    eps = 1e-6
    zs = np.array([-1.3, -0.4, 0.7])
    numeric = (
        get_activation("elu", alpha=alpha).forward(zs + eps) - get_activation("elu", alpha=alpha).forward(zs - eps)
    ) / (2 * eps)
    np.testing.assert_allclose(activation_curves("elu", zs, alpha=alpha)[1], numeric, rtol=1e-7)


def test_a_network_layer_takes_elu_alpha_and_its_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    net = Network.from_spec(
        input_dim=2,
        layers=[{"units": 5, "activation": "elu", "alpha": 0.4}, {"units": 1, "activation": "sigmoid"}],
        loss="bce",
    )
    assert net.spec()["layers"][0]["alpha"] == 0.4
    net.set_parameters([rng.normal(0, 1, p.shape) for p in net.parameters()])
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 2, 8)
    hidden = net.hidden_activations(X)[0]
    z = X @ net.parameters()[0].T + net.parameters()[1].T
    np.testing.assert_allclose(hidden, np.where(z > 0, z, 0.4 * np.expm1(np.minimum(z, 0))))
    _, grads = net.loss_and_grads(X, y)
    params = net.parameters()

    def loss_of(candidate):
        net.set_parameters(candidate)
        return net.loss_and_grads(X, y)[0]

    assert relative_error(grads, numerical_gradient(loss_of, params)) < 1e-6
    default = Network.from_spec(input_dim=2, layers=[{"units": 5, "activation": "elu"}, {"units": 1}])
    assert "alpha" not in default.spec()["layers"][0]


def test_alpha_on_another_activation_or_out_of_range_is_refused_by_name():
    with pytest.raises(ValueError, match=r"alpha=0.5 is ELU's α.*'tanh'"):
        Network.from_spec(input_dim=2, layers=[{"units": 3, "activation": "tanh", "alpha": 0.5}, {"units": 1}])
    with pytest.raises(ValueError, match=r"alpha=-1.*\[0.0, 10.0\]"):
        Network.from_spec(input_dim=2, layers=[{"units": 3, "activation": "elu", "alpha": -1}, {"units": 1}])


def test_the_sign_unit_is_in_the_gallery_with_zero_slope_but_not_a_network_activation():
    assert "sign" in GALLERY_ACTIVATIONS
    a, da = activation_curves("sign", np.array([-2.0, -1e-9, 0.0, 3.0]))
    np.testing.assert_array_equal(a, [-1, -1, 1, 1])
    np.testing.assert_array_equal(da, 0)  # no gradient anywhere: gradient descent cannot move its weights
    profile = activation_profile("sign")
    assert profile.max_derivative == 0 and profile.dead_zone
    with pytest.raises(ValueError, match="'sign' is not valid"):
        Network.from_spec(input_dim=2, layers=[{"units": 3, "activation": "sign"}, {"units": 1}])
