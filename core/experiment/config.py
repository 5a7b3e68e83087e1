"""One experiment = one tree of frozen dataclasses: data, model, training, seed.

The same object drives the UI, the URL query string, saved runs (JSON), the CLI and the tests. Frozen and
made of tuples, so it is hashable and can key caches. ``validate()`` names the bad field and the allowed values:

    >>> ExperimentConfig.from_dict({"train": {"learning_rate": -5}})
    ValueError: train.learning_rate=-5 is not valid; allowed range is (0, 10]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from core.data.datasets import IMBALANCED_SHAPES as DATASET_IMBALANCED_SHAPES
from core.data.features import FEATURES
from core.data.sampling import CLASS_WEIGHT_MODES, SAMPLERS
from core.data.sampling import MIN_RATIO as MIN_SAMPLING_RATIO
from core.engine.activations import ACTIVATIONS, OUTPUT_ONLY
from core.engine.initializers import INITIALIZERS
from core.engine.losses import LOSSES
from core.engine.numbers import json_int, shown
from core.engine.optimizers import OPTIMIZERS, SCHEDULES
from core.engine.validation import Constraint, Interval, Options, check, validate
from core.experiment.settings import LIMITS, Limits

DATASET_NAMES = (
    "xor",
    "circles",
    "moons",
    "gaussians",
    "spirals",
    "checkerboard",
    "multiclass",
    "imbalanced",
    "sine",
    "plane",
    "multi_gaussian",
    "digits",
    "drawn",
    "uploaded",
    "circle_diagonal",
    "three_discs",
)
# Multi-label sets (core.data.datasets.MULTILABEL_DATASETS): several yes/no labels per point, N sigmoid outputs.
MULTILABEL_NAMES = ("circle_diagonal", "three_discs")
MULTILABEL_UNITS = {"circle_diagonal": 2, "three_discs": 3}
MAX_UPLOADED_LABELS = 8  # label columns of an uploaded multi-label table (core.data.csvdata.MAX_LABELS)
MAX_DRAWN_POINTS = LIMITS.max_samples  # drawn or uploaded points; links carry only small sets
# The names below are owned by the modules that implement them; config only validates against them.
FEATURE_NAMES = FEATURES
SAMPLER_NAMES = SAMPLERS
IMBALANCED_SHAPES = DATASET_IMBALANCED_SHAPES
OUTPUT_ACTIVATIONS = ("auto", *ACTIVATIONS)
LOSS_CHOICES = ("auto", *LOSSES)
DTYPE_CHOICES = ("float64", "float32")
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in OUTPUT_ONLY)


@dataclass(frozen=True)
class DataConfig:
    name: str = "xor"
    n_samples: int = 200
    noise: float = 0.2
    test_fraction: float = 0.3
    validation_fraction: float = 0.0
    features: tuple[str, ...] = ("x1", "x2")
    minority_ratio: float = 0.1  # imbalanced only: minority / majority
    shape: str = "blobs"  # imbalanced only
    arms: int = 2  # spirals only
    n_classes: int = 3  # multiclass only
    sampler: str = "none"  # applied to the training split only
    sampling_ratio: float = 1.0  # minority : majority the sampler aims for (below 1: binary data only)
    # Points placed by hand, (x1, x2, label) in plot coordinates. With name "drawn" they are the whole
    # dataset (split like any other); with a generated dataset they are extra training points.
    points: tuple[tuple[float, float, int], ...] = ()
    # Rows of an uploaded regression table, (x, y) or (x1, x2, y) in plot coordinates, or of a multi-label table,
    # (x1, x2, label1, ..., labelN) with 0/1 labels. With name "uploaded" they are the whole dataset (split like
    # any other); every other dataset leaves them empty.
    rows: tuple[tuple[float, ...], ...] = ()
    # Multi-label sets only: one label per point instead (class 0 = no label, class j = label j; a point with
    # several labels keeps one of them), so softmax can be trained on the same points
    # (core.data.datasets.single_labels).
    single_label: bool = False
    # Uploaded multi-label rows only: the label columns' names from the file's header (else label1, label2, ...).
    label_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerConfig:
    units: int = 4
    activation: str = "tanh"
    dropout: float = 0.0


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[LayerConfig, ...] = (LayerConfig(4), LayerConfig(2))
    output_activation: str = "auto"  # auto: sigmoid (binary), softmax (multiclass), linear (regression)
    loss: str = "auto"  # auto: bce, softmax_ce or mse to match
    init: str = "xavier"
    leaky_slope: float = 0.1


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"
    learning_rate: float = 0.03
    batch_size: int = 10
    epochs: int = 500
    momentum: float = 0.9
    schedule: str = "constant"
    l1: float = 0.0
    l2: float = 0.0
    clip_value: float = 0.0  # 0 = off
    clip_norm: float = 0.0  # 0 = off
    early_stopping_patience: int = 0  # 0 = off; needs validation_fraction > 0
    class_weight: str = "none"
    dtype: str = "float64"


@dataclass(frozen=True)
class ExperimentConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    seed: int = 0

    # ---- (de)serialisation --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["data"]["features"] = list(self.data.features)
        out["data"]["points"] = [list(p) for p in self.data.points]
        out["data"]["rows"] = [list(r) for r in self.data.rows]
        out["data"]["label_names"] = list(self.data.label_names)
        out["model"]["hidden"] = [asdict(layer) for layer in self.model.hidden]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExperimentConfig:
        """Build and validate from plain data; missing fields take their defaults, unknown ones are errors."""
        if not isinstance(raw, dict):
            raise ValueError(f"an experiment configuration must be a JSON object; got {type(raw).__name__}")
        _reject_unknown("", raw, ("data", "model", "train", "seed"))
        data = _section(DataConfig, raw.get("data", {}), "data")
        if "points" in raw.get("data", {}):
            data = replace(data, points=_points(raw["data"]["points"]))
        if "rows" in raw.get("data", {}):
            data = replace(data, rows=_rows(raw["data"]["rows"]))
        if "features" in raw.get("data", {}):
            feats = raw["data"]["features"]
            if isinstance(feats, str) or not isinstance(feats, (list, tuple)):
                raise ValueError(f"data.features={shown(feats)} is not valid; expected a list of feature names")
            data = replace(data, features=tuple(feats))
        if "label_names" in raw.get("data", {}):
            names = raw["data"]["label_names"]
            if isinstance(names, str) or not isinstance(names, (list, tuple)):
                raise ValueError(f"data.label_names={shown(names)} is not valid; expected a list of label names")
            data = replace(data, label_names=tuple(names))
        model_raw = raw.get("model", {})
        model = _section(ModelConfig, model_raw, "model")
        if isinstance(model_raw, dict) and "hidden" in model_raw:
            hidden = model_raw["hidden"]
            if not isinstance(hidden, (list, tuple)):
                raise ValueError(f"model.hidden={shown(hidden)} is not valid; expected a list of layers")
            model = replace(
                model,
                hidden=tuple(_section(LayerConfig, layer, f"model.hidden[{i}]") for i, layer in enumerate(hidden)),
            )
        train = _section(TrainConfig, raw.get("train", {}), "train")
        config = cls(data, model, train, raw.get("seed", 0))
        config.validate()
        return config

    @classmethod
    def from_json(cls, text: str) -> ExperimentConfig:
        try:
            raw = json.loads(text, parse_int=json_int)  # a 5,000-digit integer: named by its field, not a crash
        except json.JSONDecodeError as exc:
            raise ValueError(f"the configuration is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        except RecursionError as exc:
            raise ValueError("the configuration is nested too deeply to be an experiment") from exc
        return cls.from_dict(raw)

    # ---- derived ------------------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return dataset_task(self.data)

    def output_units(self) -> int:
        return output_units(self.data)

    def resolved_output(self) -> tuple[str, str]:
        """(output activation, loss) with "auto" replaced by the natural choice for the task."""
        natural = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear", "multilabel": "sigmoid"}[
            self.task
        ]
        activation = natural if self.model.output_activation == "auto" else self.model.output_activation
        loss = self.model.loss
        if loss == "auto":
            if activation == "softmax":
                loss = "softmax_ce"
            elif activation == "sigmoid" and self.task in ("binary", "multilabel"):
                loss = "bce"
            else:
                loss = "mse"
        return activation, loss

    def layer_dicts(self) -> list[dict]:
        """Layers in the form ``Network.from_spec`` takes (hidden layers, then the output layer)."""
        activation, _ = self.resolved_output()
        layers = []
        for layer in self.model.hidden:
            entry: dict = {"units": layer.units, "activation": layer.activation}
            if layer.dropout:
                entry["dropout"] = layer.dropout
            if layer.activation in ("leaky_relu",):
                entry["slope"] = self.model.leaky_slope
            layers.append(entry)
        layers.append({"units": self.output_units(), "activation": activation})
        return layers

    def validate(self) -> None:
        _validate(self)


def within_limits(config: ExperimentConfig) -> ExperimentConfig:
    """``config`` scaled down to the host's caps (``core.experiment.settings.LIMITS``), for the app's built-in
    experiments.

    Presets, lessons and page defaults are written for the default caps; a host who lowers a cap still gets
    working pages: fewer points, epochs, layers or units, never a configuration that fails to validate.
    Values already within the caps are kept as they are.
    """
    d, m, tr = config.data, config.model, config.train
    data = replace(
        d,
        n_samples=min(d.n_samples, LIMITS.max_samples),
        points=d.points[:MAX_DRAWN_POINTS],
        rows=d.rows[:MAX_DRAWN_POINTS],
    )
    hidden = tuple(
        replace(layer, units=min(layer.units, LIMITS.max_units)) for layer in m.hidden[: LIMITS.max_hidden_layers]
    )
    train = replace(
        tr,
        epochs=min(tr.epochs, LIMITS.max_epochs),
        batch_size=min(tr.batch_size, LIMITS.max_samples),
        early_stopping_patience=min(tr.early_stopping_patience, LIMITS.max_epochs),
    )
    return replace(config, data=data, model=replace(m, hidden=hidden), train=train)


def dataset_task(data: DataConfig) -> str:
    if data.name in MULTILABEL_NAMES:
        return "multiclass" if data.single_label else "multilabel"
    if data.name == "uploaded" and _multilabel_rows(data.rows):
        return "multilabel"
    if data.name in ("sine", "plane", "multi_gaussian", "uploaded"):
        return "regression"
    if data.name in ("multiclass", "digits") or (data.name == "spirals" and data.arms > 2):
        return "multiclass"
    return "binary"


def _multilabel_rows(rows) -> bool:
    """Uploaded rows of 4 or more values are x1, x2 and one 0/1 value per label."""
    return bool(rows) and isinstance(rows[0], tuple) and len(rows[0]) >= 4


def output_units(data: DataConfig) -> int:
    task = dataset_task(data)
    if data.name in MULTILABEL_UNITS and data.single_label:
        return MULTILABEL_UNITS[data.name] + 1  # "no label" and one class per label
    if task == "multilabel":
        return MULTILABEL_UNITS[data.name] if data.name in MULTILABEL_UNITS else len(data.rows[0]) - 2
    if task == "binary" or task == "regression":
        return 1
    if data.name == "digits":
        return 10
    return data.arms if data.name == "spirals" else data.n_classes


def input_dim(data: DataConfig) -> int:
    if data.name == "digits":
        return 64
    if data.name == "sine" or (data.name == "uploaded" and data.rows and len(data.rows[0]) == 2):
        return 1
    return len(data.features)


# ---- validation helpers -----------------------------------------------------------------------------------
def _reject_unknown(prefix: str, raw: dict, allowed) -> None:
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        where = f"{prefix}." if prefix else ""
        raise ValueError(f"unknown field(s) {', '.join(where + k for k in unknown)}; allowed: {', '.join(allowed)}")


def _section(cls, raw, prefix: str):
    if not isinstance(raw, dict):
        raise ValueError(f"{prefix}={shown(raw)} is not valid; expected an object")
    names = [f.name for f in fields(cls)]
    _reject_unknown(prefix, raw, names)
    simple = {k: v for k, v in raw.items() if k not in ("features", "hidden", "points", "rows", "label_names")}
    return cls(**simple)


def _points(raw) -> tuple[tuple[float, float, int], ...]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (list, tuple)):
        raise ValueError("data.points must be a list of [x1, x2, label] triples")
    points = []
    for i, item in enumerate(raw):
        if isinstance(item, (str, bytes)) or not isinstance(item, (list, tuple)) or len(item) != 3:
            raise ValueError(f"data.points[{i}]={shown(item)} is not valid; expected [x1, x2, label]")
        points.append((item[0], item[1], item[2]))
    return tuple(points)


def _rows(raw) -> tuple[tuple[float, ...], ...]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (list, tuple)):
        raise ValueError("data.rows must be a list of [x, y], [x1, x2, y] or [x1, x2, label1, ...] rows")
    rows = []
    for i, item in enumerate(raw):
        if (
            isinstance(item, (str, bytes))
            or not isinstance(item, (list, tuple))
            or not 2 <= len(item) <= 2 + MAX_UPLOADED_LABELS
        ):
            raise ValueError(
                f"data.rows[{i}]={shown(item)} is not valid; expected [x, y], [x1, x2, y] or "
                f"[x1, x2, label1, ..., labelN] (N ≤ {MAX_UPLOADED_LABELS})"
            )
        rows.append(tuple(item))
    return tuple(rows)


def field_constraints(limits: Limits | None = None) -> dict[str, Constraint]:
    """What every scalar setting may be, by dotted path; sizes and counts follow the host's caps (``limits``).

    Built per call because the caps may be a test's own (``core.experiment.config.LIMITS`` patched) or a host's.
    """
    caps = LIMITS if limits is None else limits
    return {
        "data.name": Options(DATASET_NAMES),
        "data.n_samples": Interval(4, caps.max_samples, integer=True),
        "data.noise": Interval(0.0, 2.0),
        "data.test_fraction": Interval(0.0, 0.9),
        "data.validation_fraction": Interval(0.0, 0.5),
        "data.features": Options(FEATURE_NAMES),  # each listed feature
        "data.minority_ratio": Interval(0.01, 0.5),
        "data.shape": Options(IMBALANCED_SHAPES),
        "data.arms": Interval(2, 5, integer=True),
        "data.n_classes": Interval(2, 6, integer=True),
        "data.sampler": Options(SAMPLER_NAMES),
        "data.sampling_ratio": Interval(MIN_SAMPLING_RATIO, 1.0),
        "data.points.x": Interval(-10.0, 10.0),  # a drawn point's coordinates, an uploaded row's values
        "model.hidden.units": Interval(1, caps.max_units, integer=True),
        "model.hidden.activation": Options(HIDDEN_ACTIVATIONS),
        "model.hidden.dropout": Interval(0.0, 0.9),
        "model.output_activation": Options(OUTPUT_ACTIVATIONS),
        "model.loss": Options(LOSS_CHOICES),
        "model.init": Options(INITIALIZERS),
        "model.leaky_slope": Interval(0.0, 1.0),
        "train.optimizer": Options(OPTIMIZERS),
        "train.learning_rate": Interval(0.0, 10.0, closed="right"),
        "train.batch_size": Interval(1, caps.max_samples, integer=True),
        "train.epochs": Interval(1, caps.max_epochs, integer=True),
        "train.momentum": Interval(0.0, 0.999),
        "train.schedule": Options(SCHEDULES),
        "train.l1": Interval(0.0, 10.0),
        "train.l2": Interval(0.0, 10.0),
        "train.clip_value": Interval(0.0, 1e6),
        "train.clip_norm": Interval(0.0, 1e6),
        "train.early_stopping_patience": Interval(0, caps.max_epochs, integer=True),
        "train.class_weight": Options(CLASS_WEIGHT_MODES),
        "train.dtype": Options(DTYPE_CHOICES),
        "seed": Interval(0, 2**31 - 1, integer=True),
    }


def _fields(section, prefix: str, names: str) -> dict:
    """``{"data.noise": cfg.data.noise, ...}`` for the space-separated ``names`` of one section."""
    return {f"{prefix}{name}": getattr(section, name) for name in names.split()}


def _validate(cfg: ExperimentConfig) -> None:
    d, m, t = cfg.data, cfg.model, cfg.train
    allowed = field_constraints()
    validate(_fields(d, "data.", "name n_samples noise test_fraction validation_fraction"), allowed)
    if d.test_fraction + d.validation_fraction > 0.9:
        raise ValueError("data.test_fraction + data.validation_fraction must leave at least 10% for training")
    if not isinstance(d.features, tuple) or not d.features:
        raise ValueError("data.features must list at least one of: " + ", ".join(FEATURE_NAMES))
    for feature in d.features:
        check("data.features", feature, allowed["data.features"])
    if len(set(d.features)) != len(d.features):
        raise ValueError(f"data.features={shown(list(d.features))} is not valid; a feature is listed twice")
    validate(_fields(d, "data.", "minority_ratio shape arms n_classes sampler sampling_ratio"), allowed)
    if d.sampling_ratio < 1.0 and d.sampler != "none" and dataset_task(d) == "multiclass":
        raise ValueError(
            f"data.sampling_ratio={shown(d.sampling_ratio)} is not valid for a multiclass dataset; "
            "a ratio below 1 needs two classes"
        )
    _validate_points(d, allowed)
    _validate_rows(d, allowed)
    _validate_multilabel(cfg)
    _validate_label_names(d)
    if not isinstance(d.single_label, bool):
        raise ValueError(f"data.single_label={shown(d.single_label)} is not valid; expected true or false")
    if d.single_label and d.name not in MULTILABEL_NAMES:
        raise ValueError(
            f"data.single_label=true needs a multi-label dataset ({', '.join(MULTILABEL_NAMES)}); "
            f"data.name={shown(d.name)}"
        )
    if not isinstance(m.hidden, tuple):
        raise ValueError("model.hidden must be a list of layers")
    if len(m.hidden) > LIMITS.max_hidden_layers:
        raise ValueError(f"model.hidden has {len(m.hidden)} layers; at most {LIMITS.max_hidden_layers} are allowed")
    for i, layer in enumerate(m.hidden):
        if not isinstance(layer, LayerConfig):
            raise ValueError(f"model.hidden[{i}] must be a layer with units, activation and dropout")
        check(f"model.hidden[{i}].units", layer.units, allowed["model.hidden.units"])
        if layer.activation == "softmax":
            raise ValueError(f"model.hidden[{i}].activation='softmax' is only valid on the output layer")
        check(f"model.hidden[{i}].activation", layer.activation, allowed["model.hidden.activation"])
        check(f"model.hidden[{i}].dropout", layer.dropout, allowed["model.hidden.dropout"])
    validate(_fields(m, "model.", "output_activation loss init leaky_slope"), allowed)
    validate(
        _fields(
            t,
            "train.",
            "optimizer learning_rate batch_size epochs momentum schedule l1 l2 clip_value "
            "clip_norm early_stopping_patience class_weight dtype",
        ),
        allowed,
    )
    check("seed", cfg.seed, allowed["seed"])
    _check_output_pairing(cfg)


def _validate_points(d: DataConfig, allowed: dict[str, Constraint]) -> None:
    if not isinstance(d.points, tuple):
        raise ValueError("data.points must be a list of [x1, x2, label] triples")
    if len(d.points) > MAX_DRAWN_POINTS:
        raise ValueError(f"data.points has {len(d.points)} points; at most {MAX_DRAWN_POINTS} can be drawn")
    classes = output_units(d) if dataset_task(d) != "regression" else 0
    for i, point in enumerate(d.points):
        if not isinstance(point, tuple) or len(point) != 3:
            raise ValueError(f"data.points[{i}]={shown(point)} is not valid; expected (x1, x2, label)")
        check(f"data.points[{i}].x1", point[0], allowed["data.points.x"])
        check(f"data.points[{i}].x2", point[1], allowed["data.points.x"])
        check(f"data.points[{i}].label", point[2], Interval(0, max(classes - 1, 1), integer=True))
    if d.name == "drawn" and len(d.points) < 4:
        raise ValueError(f"data.name='drawn' needs at least 4 drawn points; there are {len(d.points)}")
    if d.points and d.name in ("sine", "digits"):
        raise ValueError(f"data.points cannot be added to data.name={shown(d.name)}; it is not a 2-D dataset")
    if d.points and dataset_task(d) == "regression":
        raise ValueError(f"data.points are class labels; data.name={shown(d.name)} is a regression dataset")


def _validate_rows(d: DataConfig, allowed: dict[str, Constraint]) -> None:
    if not isinstance(d.rows, tuple):
        raise ValueError("data.rows must be a list of [x, y] or [x1, x2, y] rows")
    if d.name != "uploaded":
        if d.rows:
            raise ValueError(f"data.rows belong to data.name='uploaded'; data.name={shown(d.name)} generates its own")
        return
    if len(d.rows) < 4:
        raise ValueError(f"data.name='uploaded' needs at least 4 rows of data; there are {len(d.rows)}")
    if len(d.rows) > MAX_DRAWN_POINTS:
        raise ValueError(f"data.rows has {len(d.rows)} rows; at most {MAX_DRAWN_POINTS} are allowed")
    width = len(d.rows[0]) if isinstance(d.rows[0], tuple) else 0
    for i, row in enumerate(d.rows):
        if not isinstance(row, tuple) or len(row) != width or not 2 <= width <= 2 + MAX_UPLOADED_LABELS:
            expected = (
                f"(x, y), (x1, x2, y) or (x1, x2, label1, ..., labelN) with up to {MAX_UPLOADED_LABELS} 0/1 labels"
                if i == 0
                else f"{width} values like data.rows[0]"
            )
            raise ValueError(f"data.rows[{i}]={shown(row)} is not valid; expected {expected}")
        for j, value in enumerate(row):
            if width >= 4 and j >= 2:  # a multi-label row: yes/no labels after x1, x2
                if isinstance(value, bool) or value not in (0, 1):
                    raise ValueError(f"data.rows[{i}][{j}]={shown(value)} is not valid; a label is 0 or 1")
            else:
                check(f"data.rows[{i}][{j}]", value, allowed["data.points.x"])


def _validate_label_names(d: DataConfig) -> None:
    """Names of uploaded label columns: one per label, 1 to 40 characters, no comma (a link joins them by commas)."""
    if not isinstance(d.label_names, tuple):
        raise ValueError("data.label_names must be a list of label names")
    if not d.label_names:
        return
    if d.name != "uploaded" or dataset_task(d) != "multilabel":
        raise ValueError(
            f"data.label_names name the label columns of uploaded multi-label rows; data.name={shown(d.name)} has none"
        )
    if len(d.label_names) != output_units(d):
        raise ValueError(f"data.label_names has {len(d.label_names)} names for {output_units(d)} labels")
    for i, name in enumerate(d.label_names):
        if not isinstance(name, str) or not 1 <= len(name) <= 40 or "," in name:
            raise ValueError(
                f"data.label_names[{i}]={shown(name)} is not valid; expected 1 to 40 characters without a comma"
            )


def _validate_multilabel(cfg: ExperimentConfig) -> None:
    """Settings that assume one label per point, named when they meet a multi-label dataset."""
    d = cfg.data
    if dataset_task(d) != "multilabel":
        return
    if d.points:
        raise ValueError(f"data.points carry one label each; data.name={shown(d.name)} is a multi-label dataset")
    if d.sampler != "none":
        raise ValueError(f"data.sampler={shown(d.sampler)} is not valid for a multi-label dataset; use 'none'")
    if cfg.train.class_weight != "none":
        raise ValueError(
            f"train.class_weight={shown(cfg.train.class_weight)} is not valid for a multi-label dataset; use 'none'"
        )


def _check_output_pairing(cfg: ExperimentConfig) -> None:
    """Explain output/loss mismatches in terms of the fields a user can change."""
    activation, loss = cfg.resolved_output()
    task = cfg.task
    units = cfg.output_units()
    if loss in ("bce", "softmax_ce") and task == "regression":
        raise ValueError(
            f"model.loss={shown(loss)} is for classification; a regression dataset needs mse, mae or huber"
        )
    if task == "multilabel" and (activation != "sigmoid" or loss != "bce"):
        raise ValueError(
            f"a multi-label dataset needs {units} sigmoid outputs with model.loss='bce' (one yes/no per label); "
            f"got output activation {shown(activation)} and loss {shown(loss)}"
        )
    if loss == "bce" and (activation != "sigmoid" or (units != 1 and task != "multilabel")):
        raise ValueError(
            "model.loss='bce' needs a single sigmoid output (binary data); "
            f"this dataset has {units} output(s) and the output activation is {shown(activation)}"
        )
    if loss == "softmax_ce" and (activation != "softmax" or units < 2):
        raise ValueError(
            "model.loss='softmax_ce' needs a softmax output over 2 or more classes; "
            f"this dataset has {units} output(s) and the output activation is {shown(activation)}"
        )
    if activation == "softmax" and loss != "softmax_ce":
        raise ValueError(f"model.output_activation='softmax' needs model.loss='softmax_ce'; got {shown(loss)}")
    if activation == "softmax" and units < 2:
        raise ValueError("model.output_activation='softmax' needs at least 2 classes; use 'sigmoid' for binary data")
