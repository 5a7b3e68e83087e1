"""core.engine.validation: one declarative way to check a parameter, with messages that name the value and the
allowed ones."""

import numpy as np
import pytest

from core.engine.validation import Interval, Nullable, Options, check, validate
from playground.training_messages import core_problem


@pytest.mark.parametrize(
    ("constraint", "value", "message"),
    [
        (Interval(1, 64, integer=True), 65, "units=65 is not valid; allowed range is [1, 64]"),
        (Interval(1, 64, integer=True), 0, "units=0 is not valid; allowed range is [1, 64]"),
        (Interval(1, 64, integer=True), 2.5, "units=2.5 is not valid; expected a whole number in [1, 64]"),
        (Interval(1, 64, integer=True), "8", "units='8' is not valid; expected a whole number in [1, 64]"),
        (Interval(1, 64, integer=True), True, "units=True is not valid; expected a whole number in [1, 64]"),
        (Interval(0.0, 1.0, closed="left"), 1.0, "units=1.0 is not valid; allowed range is [0.0, 1.0)"),
        (Interval(0.0, 10.0, closed="right"), 0.0, "units=0.0 is not valid; allowed range is (0.0, 10.0]"),
        (Interval(0.0, None, closed="neither"), float("nan"), "units=nan is not valid; expected a number in (0.0, ∞)"),
        (Interval(1, None, integer=True), 10**400, None),  # huge but finite and whole: no upper bound, accepted
        (Interval(1, 64, strict=True), 3.0, "units=3.0 is not valid; expected an integer in [1, 64]"),
        (Interval(1, 64, strict=True), True, "units=True is not valid; expected an integer in [1, 64]"),
        (Interval(1, 64, strict=True), np.int32(65), "units=np.int32(65) is not valid; allowed range is [1, 64]"),
        (Interval(0, None, strict=True), 10**400, None),
        (Options(("tanh", "relu")), "relux", "units='relux' is not valid; choose one of: tanh, relu"),
        (Options(("tanh", "relu")), ["tanh"], "units=['tanh'] is not valid; choose one of: tanh, relu"),
        (Options((1, 2)), True, "units=True is not valid; choose one of: 1, 2"),
    ],
)
def test_a_refusal_names_the_value_and_the_allowed_ones(constraint, value, message):
    if message is None:
        assert check("units", value, constraint) == value
        return
    with pytest.raises(ValueError) as info:
        check("units", value, constraint)
    assert str(info.value) == message


def test_values_come_back_normalised():
    assert check("n", np.int64(3), Interval(1, 5, integer=True)) == 3
    assert type(check("n", 3.0, Interval(1, 5, integer=True))) is int
    assert type(check("x", np.float32(0.5), Interval(0, 1))) is float
    assert check("x", None, Nullable(Interval(0, 1))) is None
    assert validate({"a": 2, "b": "relu"}, {"a": Interval(0, 3), "b": Options(("relu",))}) == {"a": 2.0, "b": "relu"}


def test_a_strict_interval_takes_python_and_numpy_ints_only():
    assert Interval(1, 5, strict=True).integer
    assert type(check("n", np.uint8(3), Interval(1, 5, strict=True))) is int
    assert check("n", 3.0, Interval(1, 5, integer=True)) == 3  # the lenient one, for JSON and URLs


def test_validate_names_the_parameter_with_its_prefix_and_a_huge_value_stays_short():
    with pytest.raises(ValueError, match=r"^model\.units=999999…\(400 digits\)|^model\.units=.{0,80} is not valid"):
        validate({"units": 10**399 * 9}, {"units": Interval(1, 64, integer=True)}, prefix="model.")


@pytest.mark.parametrize(
    ("constraint", "value"),
    [
        (Interval(1, 64, integer=True), 65),
        (Interval(0.0, 2.0), float("inf")),
        (Options(("a", "b")), "c"),
        (Interval(0, None, strict=True), -1),
        (Interval(0, None, strict=True), 1.5),
        (Interval(0.0, 1.0, closed="left"), 1.0),
        (Interval(0.0, 10.0, closed="right"), float("nan")),
        (Interval(0, 2**32, closed="left", integer=True, high_text="2**32"), 2.5),
    ],
)
def test_every_message_shape_is_one_the_app_translates(constraint, value):
    with pytest.raises(ValueError) as info:
        check("data.noise", value, constraint)
    assert core_problem(info.value, lang="zh") != str(info.value)


def _network():
    from core import Network

    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    return Network.from_spec(input_dim=2, layers=layers, loss="bce", seed=0)


def _set_history_limit(limit):
    from core.engine.training import Trainer

    Trainer(_network(), np.zeros((4, 2)), np.array([0, 1, 0, 1])).history_limit = limit


def _labs_calls():
    from core.experiment.boundary import grid_input
    from core.labs.digits import make_bars
    from core.labs.imbalanced import operating_point
    from core.labs.layerview import layer_activations, layer_map
    from core.labs.stepthrough import first_minibatch

    xy = (np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    return {
        "make_bars(2.5)": lambda: make_bars(2.5),
        "grid_input(resolution=1)": lambda: grid_input(("x1", "x2"), 1),
        "layer_activations(layer=1.5)": lambda: layer_activations(_network(), ("x1", "x2"), 1.5, xy[0]),
        "layer_activations(layer=True)": lambda: layer_activations(_network(), ("x1", "x2"), True, xy[0]),
        "layer_map(dims=4)": lambda: layer_map(_network(), ("x1", "x2"), 0, xy[0], dims=4),
        "first_minibatch(batch_size=0)": lambda: first_minibatch(*xy, 0),
        "history_limit=2": lambda: _set_history_limit(2),
        "operating_point(threshold=nan)": lambda: operating_point(xy[1], np.full(4, 0.5), float("nan")),
    }


@pytest.mark.parametrize("call", list(_labs_calls()))
def test_the_labs_refuse_a_bad_parameter_in_a_shape_the_app_translates(call):
    # Each used to word its own refusal ("choose a whole number in", "it must be a whole number ≥ 1", ...) that a
    # Chinese page showed in English; a layer of 1.5 got as far as a list index (TypeError) and True passed as 1.
    with pytest.raises(ValueError) as info:
        _labs_calls()[call]()
    assert core_problem(info.value, lang="zh") != str(info.value), str(info.value)
