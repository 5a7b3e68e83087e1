"""Experiments over many runs: learning-rate and batch-size sweeps, the LR range test, cross-validation and
hyperparameter search, as plain functions and small step-by-step objects a UI can draw between.

Cross-validation and searches go through scikit-learn with our estimator (:mod:`core.experiment.estimator`), so a script
can hand them ``n_jobs`` and a joblib backend (Dask, Ray) scales them out unchanged::

    from core.labs.search import grid_search
    result = grid_search(PlaygroundClassifier(epochs=100), {"learning_rate": [0.01, 0.1]}, X, y, n_jobs=-1)

A UI that must show progress and stop on request uses :class:`SearchRun`, which runs one fold per ``step()``
with the same folds and scorer, so its scores equal ``GridSearchCV``'s.

Configuration-level helpers (``*_config``) take an :class:`~core.experiment.config.ExperimentConfig`: the data is its
training part (train + validation; the test part stays untouched for a final check), the estimator is
sampler → input features → network, and searchable parameters are named as in :data:`SEARCH_PARAMETERS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from imblearn import FunctionSampler
from imblearn.pipeline import Pipeline
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    LeaveOneOut,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.preprocessing import FunctionTransformer

from core.data.features import transform_features
from core.data.sampling import resample
from core.engine.network import Network
from core.engine.training import History
from core.engine.validation import Interval, Options, check
from core.experiment.config import ExperimentConfig, LayerConfig
from core.experiment.estimator import estimator_from_config
from core.experiment.run import build_trainer, prepare_data
from core.experiment.settings import LIMITS

CV_METHODS = ("kfold", "stratified", "loo")
MAX_LOO_SAMPLES = 300  # leave-one-out trains one network per sample: only for small sets
MIN_FOLDS, MAX_FOLDS = 2, 20
SWEEP_FIELDS = ("learning_rate", "batch_size")
NET = "net__"  # the network's step name in the configuration-level pipeline

# Searchable parameter (the estimator's name) -> the configuration field it sets.
SEARCH_PARAMETERS: Mapping[str, str] = {
    "learning_rate": "train.learning_rate",
    "batch_size": "train.batch_size",
    "epochs": "train.epochs",
    "optimizer": "train.optimizer",
    "momentum": "train.momentum",
    "schedule": "train.schedule",
    "l1": "train.l1",
    "l2": "train.l2",
    "clip_value": "train.clip_value",
    "clip_norm": "train.clip_norm",
    "init": "model.init",
    "leaky_slope": "model.leaky_slope",
    "hidden_layer_sizes": "model.hidden",  # widths; each layer keeps the first hidden layer's activation
    "activation": "model.hidden.activation",  # one activation for every hidden layer
    "dropout": "model.hidden.dropout",  # one rate for every hidden layer
}

Progress = Callable[[int, int], None]
StopCheck = Callable[[], bool]


# ---- results ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CVScores:
    """One candidate's cross-validated scores. ``fold_scores``: (n_folds,), higher is better (sklearn scorers)."""

    params: dict[str, Any]
    fold_scores: np.ndarray
    scoring: str

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores)) if len(self.fold_scores) else float("nan")

    @property
    def std(self) -> float:
        return float(np.std(self.fold_scores)) if len(self.fold_scores) else float("nan")


@dataclass(frozen=True)
class SearchResult:
    """Finished candidates in the order they ran; ``cancelled`` when stopped before the last one."""

    candidates: tuple[CVScores, ...]
    scoring: str
    n_planned: int
    cancelled: bool = False

    @property
    def best(self) -> CVScores | None:
        """The highest mean score (the first one on ties, as GridSearchCV ranks)."""
        scored = [c for c in self.candidates if math.isfinite(c.mean)]
        return max(scored, key=lambda c: c.mean) if scored else None

    def ranks(self) -> list[int]:
        """1 for the best mean score, ties share a rank (GridSearchCV's ``rank_test_score``)."""
        means = [c.mean if math.isfinite(c.mean) else -math.inf for c in self.candidates]
        return [1 + sum(other > mean for other in means) for mean in means]


def score_matrix(result: SearchResult, x_param: str, y_param: str) -> tuple[list[Any], list[Any], np.ndarray]:
    """Mean score over two parameters for a heatmap: ``(x_values, y_values, Z)`` with Z (n_y, n_x).

    Values keep the order they first appear in. Where other parameters vary too, a cell holds the best mean
    score among the candidates with that pair; NaN where no candidate has it.
    """
    xs: list[Any] = []
    ys: list[Any] = []
    for c in result.candidates:
        if c.params.get(x_param) not in xs:
            xs.append(c.params.get(x_param))
        if c.params.get(y_param) not in ys:
            ys.append(c.params.get(y_param))
    Z = np.full((len(ys), len(xs)), np.nan)
    for c in result.candidates:
        i, j = ys.index(c.params.get(y_param)), xs.index(c.params.get(x_param))
        if math.isfinite(c.mean) and not c.mean <= Z[i, j]:
            Z[i, j] = c.mean
    return xs, ys, Z


# ---- cross-validation and searches on any estimator -------------------------------------------------------
def _scoring_name(estimator, scoring: str | None) -> str:
    if scoring is not None:
        return scoring
    return "accuracy" if is_classifier(estimator) else "r2"


class SearchRun:
    """Cross-validate ``candidates`` (parameter dicts for ``estimator.set_params``) one fold per :meth:`step`.

    X : (n_samples, n_features); y : (n_samples,) or (n_samples, n_targets); cv : a splitter or fold count
    (``check_cv`` rules, as in GridSearchCV); ``labels``: how results name each candidate (default: its
    parameters). A UI calls ``step()`` until ``finished`` and draws in between;
    ``cancel()`` (or simply not stepping) stops it, and ``result()`` holds every finished candidate.
    """

    def __init__(
        self,
        estimator,
        candidates: Iterable[Mapping[str, Any]],
        X,
        y,
        *,
        cv=5,
        scoring: str | None = None,
        labels: Sequence[Mapping[str, Any]] | None = None,
        config: ExperimentConfig | None = None,
    ):
        self.estimator = estimator
        self.config = config  # the configuration searched, for configuration-level runs
        self.candidates = [dict(c) for c in candidates]
        if not self.candidates:
            raise ValueError("the search has no candidates; give at least one value for each parameter")
        self.labels = [dict(c) for c in labels] if labels is not None else self.candidates
        if len(self.labels) != len(self.candidates):
            raise ValueError("labels must name every candidate")
        self.X, self.y = X, y
        self.scoring = _scoring_name(estimator, scoring)
        check_scoring(estimator, scoring=self.scoring)  # a bad scorer name fails here, before any training
        splitter = check_cv(cv, y, classifier=is_classifier(estimator))
        self.folds = list(splitter.split(X, y))
        self._scores: list[float] = []
        self._finished: list[CVScores] = []
        self.cancelled = False

    @property
    def total_fits(self) -> int:
        return len(self.candidates) * len(self.folds)

    @property
    def done_fits(self) -> int:
        return len(self._finished) * len(self.folds) + len(self._scores)

    @property
    def finished(self) -> bool:
        return self.cancelled or len(self._finished) == len(self.candidates)

    @property
    def progress(self) -> float:
        """Share of the fits done, in [0, 1]."""
        return self.done_fits / self.total_fits

    @property
    def partial_scores(self) -> np.ndarray:
        """Fold scores of the candidate in progress, so far: (n_done_folds,)."""
        return np.array(self._scores)

    def cancel(self) -> None:
        self.cancelled = True

    def step(self) -> CVScores | None:
        """Train and score the next fold; returns the candidate it completed, if it did."""
        if self.finished:
            return None
        params = self.candidates[len(self._finished)]
        fold = self.folds[len(self._scores)]
        estimator = clone(self.estimator).set_params(**params)
        # cross_val_score on one (train, test) pair: exactly scikit-learn's fit-and-score for that fold.
        score = cross_val_score(estimator, self.X, self.y, cv=[fold], scoring=self.scoring, error_score="raise")
        self._scores.append(float(score[0]))
        if len(self._scores) < len(self.folds):
            return None
        done = CVScores(self.labels[len(self._finished)], np.array(self._scores), self.scoring)
        self._finished.append(done)
        self._scores = []
        return done

    def result(self) -> SearchResult:
        return SearchResult(tuple(self._finished), self.scoring, len(self.candidates), self.cancelled)


def run_to_end(run: SearchRun, progress: Progress | None = None, should_stop: StopCheck | None = None) -> SearchResult:
    """Step ``run`` to the end, reporting ``progress(done_fits, total_fits)`` and stopping when asked."""
    while not run.finished:
        if should_stop is not None and should_stop():
            run.cancel()
            break
        run.step()
        if progress is not None:
            progress(run.done_fits, run.total_fits)
    return run.result()


def cross_validate_scores(
    estimator,
    X,
    y,
    *,
    cv=5,
    scoring: str | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> CVScores:
    """Per-fold scores of ``estimator`` (the values ``cross_val_score`` returns), mean and std on top."""
    result = run_to_end(SearchRun(estimator, [{}], X, y, cv=cv, scoring=scoring), progress, should_stop)
    return result.candidates[0] if result.candidates else CVScores({}, np.array([]), result.scoring)


def _from_search_cv(search, scoring: str, n_folds: int) -> SearchResult:
    results = search.cv_results_
    candidates = tuple(
        CVScores(
            dict(params),
            np.array([results[f"split{k}_test_score"][i] for k in range(n_folds)], dtype=np.float64),
            scoring,
        )
        for i, params in enumerate(results["params"])
    )
    return SearchResult(candidates, scoring, len(candidates))


def grid_search(
    estimator,
    param_grid: Mapping[str, Sequence] | Sequence[Mapping[str, Sequence]],
    X,
    y,
    *,
    cv=5,
    scoring: str | None = None,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    """Every combination of ``param_grid``, cross-validated.

    Without ``progress``/``should_stop`` this is ``GridSearchCV(..., n_jobs=n_jobs)`` (parallel, and through
    joblib's backends distributed); with them, candidates run one fold at a time (``n_jobs`` unused) in the
    same order with the same folds, so the scores are the same.
    """
    scoring = _scoring_name(estimator, scoring)
    if progress is None and should_stop is None:
        search = GridSearchCV(
            estimator, param_grid, cv=cv, scoring=scoring, n_jobs=n_jobs, refit=False, error_score="raise"
        )
        search.fit(X, y)
        return _from_search_cv(search, scoring, search.n_splits_)
    run = SearchRun(estimator, ParameterGrid(param_grid), X, y, cv=cv, scoring=scoring)
    return run_to_end(run, progress, should_stop)


def random_search(
    estimator,
    param_distributions: Mapping[str, Any],
    X,
    y,
    *,
    n_iter: int = 10,
    seed: int = 0,
    cv=5,
    scoring: str | None = None,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    """``n_iter`` candidates drawn from ``param_distributions`` (lists or scipy.stats distributions).

    Same two paths as :func:`grid_search`: ``RandomizedSearchCV`` or a stepwise run over the very same
    ``ParameterSampler(..., random_state=seed)`` draws.
    """
    scoring = _scoring_name(estimator, scoring)
    if progress is None and should_stop is None:
        search = RandomizedSearchCV(
            estimator,
            param_distributions,
            n_iter=n_iter,
            random_state=seed,
            cv=cv,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=False,
            error_score="raise",
        )
        search.fit(X, y)
        return _from_search_cv(search, scoring, search.n_splits_)
    sampler = ParameterSampler(param_distributions, n_iter, random_state=seed)
    run = SearchRun(estimator, sampler, X, y, cv=cv, scoring=scoring)
    return run_to_end(run, progress, should_stop)


# ---- the same on an experiment configuration ---------------------------------------------------------------
def _network_inputs(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Input features for 2-D points; other inputs (1-D x, 64 pixels) are used as they are."""
    return transform_features(X, names) if X.shape[1] == 2 else X


def _resampled(
    X: np.ndarray, y: np.ndarray, strategy: str, seed: int, ratio: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    out = resample(X, y, strategy, seed=seed, ratio=ratio)
    return out.X, out.y


@dataclass(frozen=True, eq=False)
class SearchSetup:
    """What cross-validation of a configuration runs on. X : (n, raw inputs); y : (n,) labels or targets."""

    config: ExperimentConfig
    estimator: Pipeline
    X: np.ndarray
    y: np.ndarray
    scoring: str


def search_setup(cfg: ExperimentConfig, scoring: str | None = None) -> SearchSetup:
    """The training part of ``cfg``'s data and its pipeline: [sampler →] input features → network.

    The sampler sits inside the pipeline so that each fold resamples only its own training part.
    """
    cfg.validate()
    plain = replace(cfg, data=replace(cfg.data, sampler="none"))
    raw = prepare_data(plain).raw
    X = np.concatenate([raw.X_train, raw.X_val]) if len(raw.y_val) else raw.X_train
    y = np.concatenate([raw.y_train, raw.y_val]) if len(raw.y_val) else raw.y_train
    steps = []
    if cfg.data.sampler != "none" and cfg.task != "regression":
        steps.append(
            (
                "sampler",
                FunctionSampler(
                    func=_resampled,
                    kw_args={"strategy": cfg.data.sampler, "seed": cfg.seed, "ratio": cfg.data.sampling_ratio},
                ),
            )
        )
    steps.append(("features", FunctionTransformer(_network_inputs, kw_args={"names": tuple(cfg.data.features)})))
    steps.append(("net", estimator_from_config(cfg)))
    pipeline = Pipeline(steps)
    return SearchSetup(cfg, pipeline, X, y, _scoring_name(pipeline, scoring))


def cv_splitter(method: str, n_splits: int, n_samples: int, seed: int):
    """K-fold (shuffled), stratified K-fold (class ratios kept in every fold) or leave-one-out."""
    check("method", method, Options(CV_METHODS))
    if method == "loo":
        if n_samples > MAX_LOO_SAMPLES:
            raise ValueError(
                f"leave-one-out would train {n_samples} networks; it is offered for at most {MAX_LOO_SAMPLES} "
                "training samples. Use K-fold, or fewer samples"
            )
        return LeaveOneOut()
    n_splits = check("n_splits", n_splits, Interval(MIN_FOLDS, MAX_FOLDS, strict=True))
    if n_splits > n_samples:
        raise ValueError(f"n_splits={n_splits} is more than the {n_samples} training samples")
    if method == "stratified":
        return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return KFold(n_splits=n_splits, shuffle=True, random_state=seed)


def _cv_for(setup: SearchSetup, method: str, n_splits: int):
    if method == "stratified" and setup.config.task == "regression":
        raise ValueError("method='stratified' needs class labels; use 'kfold' for a regression dataset")
    if method == "stratified":
        smallest = int(np.bincount(setup.y.astype(np.int64)).min())
        if smallest < n_splits:
            raise ValueError(
                f"n_splits={n_splits} is too many for stratified folds: the smallest class has {smallest} "
                "training samples"
            )
    return cv_splitter(method, n_splits, len(setup.y), setup.config.seed)


def check_search_params(space: Mapping[str, Any]) -> dict[str, Any]:
    """Accept estimator names or configuration paths (``train.learning_rate``); return estimator names."""
    by_path = {path: name for name, path in SEARCH_PARAMETERS.items()}
    out = {}
    for key, values in space.items():
        name = by_path.get(key, key)
        if name not in SEARCH_PARAMETERS:
            raise ValueError(f"parameter {key!r} cannot be searched; choose one of: {', '.join(SEARCH_PARAMETERS)}")
        out[name] = values
    return out


def config_with_params(cfg: ExperimentConfig, params: Mapping[str, Any]) -> ExperimentConfig:
    """``cfg`` with searched parameters applied (estimator names or configuration paths), validated."""
    params = check_search_params(params)
    train = {k: v for k, v in params.items() if SEARCH_PARAMETERS[k].startswith("train.")}
    model = {k: v for k, v in params.items() if k in ("init", "leaky_slope")}
    hidden = cfg.model.hidden
    if "hidden_layer_sizes" in params:
        sizes = params["hidden_layer_sizes"]
        sizes = (sizes,) if isinstance(sizes, int) else tuple(sizes)
        template = hidden[0] if hidden else LayerConfig()
        hidden = tuple(LayerConfig(int(units), template.activation, template.dropout) for units in sizes)
    if "activation" in params:
        hidden = tuple(replace(layer, activation=params["activation"]) for layer in hidden)
    if "dropout" in params:
        hidden = tuple(replace(layer, dropout=float(params["dropout"])) for layer in hidden)
    out = replace(
        cfg,
        model=replace(cfg.model, hidden=hidden, **model),
        train=replace(cfg.train, **{k: _plain(v) for k, v in train.items()}),
    )
    out.validate()
    return out


def _plain(value):
    """NumPy scalars (from distributions) as Python numbers, so configurations validate and serialise."""
    return value.item() if isinstance(value, np.generic) else value


def cross_validate_config(
    cfg: ExperimentConfig,
    method: str = "kfold",
    n_splits: int = 5,
    *,
    scoring: str | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> CVScores:
    """Cross-validate ``cfg`` on its training part; per-fold scores with mean ± std."""
    setup = search_setup(cfg, _loo_scoring_for(cfg, method, scoring))
    cv = _cv_for(setup, method, n_splits)
    return cross_validate_scores(
        setup.estimator, setup.X, setup.y, cv=cv, scoring=setup.scoring, progress=progress, should_stop=should_stop
    )


def _loo_scoring_for(cfg: ExperimentConfig, method: str, scoring: str | None) -> str | None:
    if scoring is None and method == "loo" and cfg.task == "regression":
        return "neg_mean_squared_error"
    return scoring


def search_candidates(space: Mapping[str, Any], kind: str = "grid", n_iter: int = 10, seed: int = 0) -> list[dict]:
    """The candidate parameter dicts of a grid (every combination) or random search (``n_iter`` draws)."""
    space = check_search_params(space)
    if kind == "grid":
        return [dict(c) for c in ParameterGrid(space)]
    if kind == "random":
        return [{k: _plain(v) for k, v in c.items()} for c in ParameterSampler(space, n_iter, random_state=seed)]
    check("kind", kind, Options(("grid", "random")))
    raise AssertionError(f"kind {kind!r} has no candidates")


def _network_params(cfg: ExperimentConfig, candidate: Mapping[str, Any]) -> dict[str, Any]:
    """The pipeline parameters (``net__...``) that make the network match ``config_with_params(cfg, candidate)``.

    Layer widths, activations and dropout travel together, so a candidate that changes the depth keeps the
    configuration's rule (every layer takes the first hidden layer's activation and dropout).
    """
    net = estimator_from_config(config_with_params(cfg, candidate)).get_params()
    names = set(candidate)
    if names & {"hidden_layer_sizes", "activation", "dropout"}:
        names |= {"hidden_layer_sizes", "activation", "dropout"}
    return {NET + name: net[name] for name in sorted(names)}


def config_search_run(
    cfg: ExperimentConfig,
    candidates: Sequence[Mapping[str, Any]],
    method: str = "kfold",
    n_splits: int = 5,
    scoring: str | None = None,
) -> SearchRun:
    """A step-by-step search of ``cfg`` over ``candidates`` (see :func:`search_candidates`), for a UI that
    shows each finished candidate and can stop. Results name parameters like ``candidates`` do."""
    setup = search_setup(cfg, _loo_scoring_for(cfg, method, scoring))
    return SearchRun(
        setup.estimator,
        [_network_params(cfg, c) for c in candidates],
        setup.X,
        setup.y,
        cv=_cv_for(setup, method, n_splits),
        scoring=setup.scoring,
        labels=candidates,
        config=cfg,
    )


def search_config(
    cfg: ExperimentConfig,
    space: Mapping[str, Any],
    *,
    kind: str = "grid",
    n_iter: int = 10,
    method: str = "kfold",
    n_splits: int = 5,
    scoring: str | None = None,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    """Grid or random search of ``cfg`` (``space``: parameter -> values, or a scipy distribution for random).

    Without ``progress``/``should_stop`` the candidates run through ``GridSearchCV`` with ``n_jobs`` (one
    single-point grid per candidate, so grid and random draws are the exact candidates listed); with them,
    one fold at a time. Parameters in the result are named as in ``space``'s estimator names.
    """
    candidates = search_candidates(space, kind, n_iter, cfg.seed)
    run = config_search_run(cfg, candidates, method, n_splits, scoring)
    if progress is not None or should_stop is not None:
        return run_to_end(run, progress, should_stop)
    grids = [{name: [value] for name, value in params.items()} for params in run.candidates]
    search = GridSearchCV(
        run.estimator, grids, cv=run.folds, scoring=run.scoring, n_jobs=n_jobs, refit=False, error_score="raise"
    )
    search.fit(run.X, run.y)
    result = _from_search_cv(search, run.scoring, len(run.folds))
    renamed = tuple(replace(c, params=run.labels[i]) for i, c in enumerate(result.candidates))
    return replace(result, candidates=renamed)


# ---- sweeps and the LR range test ---------------------------------------------------------------------------
class Sweep:
    """One run of ``cfg`` per value of ``parameter`` ("learning_rate" or "batch_size"), advanced by :meth:`step`.

    Every run shares the data and the seed (so the same initial weights): only ``parameter`` differs.
    ``histories`` maps each value to its :class:`~core.engine.training.History`, for overlaid loss curves.
    """

    def __init__(self, config: ExperimentConfig, parameter: str, values: Sequence):
        check("parameter", parameter, Options(SWEEP_FIELDS))
        values = tuple(dict.fromkeys(values))  # drop repeats, keep order
        if not values:
            raise ValueError("a sweep needs at least one value")
        if len(values) > LIMITS.max_concurrent_runs:  # every value is a network trained alongside the others
            raise ValueError(
                f"a sweep trains one network per value; {len(values)} values are more than the "
                f"{LIMITS.max_concurrent_runs} runs at once this server allows"
            )
        self.config, self.parameter, self.values = config, parameter, values
        self.cancelled = False
        data = prepare_data(config)
        self._trainers = {}
        self.histories: dict[Any, History] = {}
        for value in values:
            cfg = replace(config, train=replace(config.train, **{parameter: value}))
            cfg.validate()
            trainer = build_trainer(cfg, data, record_stats=False)
            self._trainers[value] = trainer
            self.histories[value] = trainer.history

    @property
    def total_epochs(self) -> int:
        return self.config.train.epochs * len(self.values)

    @property
    def done_epochs(self) -> int:
        return sum(self._epochs_done(v) for v in self.values)

    def _epochs_done(self, value) -> int:
        trainer = self._trainers[value]
        return self.config.train.epochs if trainer.done else trainer.epoch

    @property
    def finished(self) -> bool:
        return self.cancelled or self.done_epochs >= self.total_epochs

    @property
    def progress(self) -> float:
        return self.done_epochs / self.total_epochs

    def cancel(self) -> None:
        self.cancelled = True

    def step(self, epochs: int = 10) -> None:
        """Advance every unfinished run by up to ``epochs`` epochs."""
        if self.cancelled:
            return
        for value in self.values:
            trainer = self._trainers[value]
            remaining = self.config.train.epochs - trainer.epoch
            for _ in trainer.run(min(epochs, max(remaining, 0))):
                pass


class TrainingRun:
    """One run of ``cfg`` advanced a few epochs per :meth:`step`, for a page that draws while it trains."""

    def __init__(self, config: ExperimentConfig, record_stats: bool = False, network: Network | None = None):
        """``network``: train this one (e.g. an image network, which a configuration cannot describe) on ``config``'s
        data with its training settings, instead of the configuration's own layers."""
        config.validate()
        self.config = config
        self.data = prepare_data(config)
        self.trainer = build_trainer(config, self.data, network=network, record_stats=record_stats)
        self.cancelled = False

    @property
    def network(self):
        return self.trainer.network

    @property
    def history(self) -> History:
        return self.trainer.history

    @property
    def finished(self) -> bool:
        return self.cancelled or self.trainer.done or self.trainer.epoch >= self.config.train.epochs

    @property
    def progress(self) -> float:
        return 1.0 if self.trainer.done else self.trainer.epoch / self.config.train.epochs

    def cancel(self) -> None:
        self.cancelled = True

    def step(self, epochs: int = 1) -> None:
        if self.finished:
            return
        for _ in self.trainer.run(min(epochs, self.config.train.epochs - self.trainer.epoch)):
            pass


def run_sweep(
    cfg: ExperimentConfig,
    parameter: str,
    values: Sequence,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
    epochs_per_step: int = 10,
) -> dict:
    """``{value: History}`` for every value of ``parameter``; stops early (histories so far) when asked."""
    sweep = Sweep(cfg, parameter, values)
    while not sweep.finished:
        if should_stop is not None and should_stop():
            break
        sweep.step(epochs_per_step)
        if progress is not None:
            progress(sweep.done_epochs, sweep.total_epochs)
    return sweep.histories


def learning_rate_sweep(cfg: ExperimentConfig, rates: Sequence[float], **kwargs) -> dict[float, History]:
    """One history per learning rate: the classic "too small / just right / too large" picture
    (too small crawls, too large oscillates or diverges)."""
    return run_sweep(cfg, "learning_rate", rates, **kwargs)


def batch_size_sweep(cfg: ExperimentConfig, sizes: Sequence[int], **kwargs) -> dict[int, History]:
    """One history per batch size (1 = stochastic, n = full batch)."""
    return run_sweep(cfg, "batch_size", sizes, **kwargs)


SWEEP_VERDICTS = ("too_small", "good", "too_large")


def sweep_verdicts(histories: Mapping[Any, History]) -> dict[Any, str]:
    """Label each learning rate of a sweep "too_small", "good" or "too_large" from its training loss.

    Too large: it diverged, or it ended above its first loss, or it oscillated (the loss climbed, summed over
    the epochs where it went up, more than it fell overall and more than 10% of its first loss). Of the rest,
    the lowest final loss is "good", and so is any final loss within 5% of the first loss of it; a smaller rate
    that ends clearly higher is "too_small", a larger one "too_large".
    """
    verdicts: dict[Any, str] = {}
    final: dict[Any, float] = {}
    for value, h in histories.items():
        losses = np.asarray(h.train_loss, dtype=np.float64)
        if h.diverged or not len(losses) or not np.all(np.isfinite(losses)):
            verdicts[value] = "too_large"
            continue
        climbed = float(np.clip(np.diff(losses), 0, None).sum())
        if losses[-1] > losses[0] or climbed > max(losses[0] - losses[-1], 0.1 * losses[0]):
            verdicts[value] = "too_large"
        else:
            final[value] = float(losses[-1])
    if final:
        best = min(final, key=final.get)
        start = max(float(histories[best].train_loss[0]), 1e-12)
        for value, loss in final.items():
            if value == best or loss - final[best] <= 0.05 * start:
                verdicts[value] = "good"
            else:
                verdicts[value] = "too_small" if value < best else "too_large"
    return {value: verdicts[value] for value in histories}


@dataclass(frozen=True)
class RangeTest:
    """LR range test: ``learning_rates`` and ``losses`` per mini-batch step (both (n_steps,)).

    ``smoothed`` is an exponential moving average of the loss (bias-corrected). ``suggested`` is a tenth of the
    rate at the lowest smoothed loss: fast, and an order of magnitude away from where the loss turns up.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested: float
    stopped_early: bool


def lr_range_test(
    cfg: ExperimentConfig,
    lr_min: float = 1e-5,
    lr_max: float = 10.0,
    steps: int = 100,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
) -> RangeTest:
    """Train ``cfg``'s network for ``steps`` mini-batches with lr growing exponentially from lr_min to lr_max.

    Each step's loss is the mini-batch loss before its update. Stops once the smoothed loss exceeds
    ``stop_factor`` × its lowest value, or stops being finite: the rate has become too large.
    """
    if not (0 < lr_min < lr_max) or not math.isfinite(lr_max):
        raise ValueError(f"lr_min={lr_min!r}, lr_max={lr_max!r} is not valid; need 0 < lr_min < lr_max")
    steps = check("steps", steps, Interval(5, 10_000, strict=True))
    trainer = build_trainer(cfg, prepare_data(cfg), record_stats=False)
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    n, bs = trainer.X.shape[0], trainer.batch_size
    losses, smoothed = [], []
    average, best = 0.0, math.inf
    order, position = trainer.rng.permutation(n), 0
    stopped = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, lr in enumerate(rates):
            if position >= n:
                order, position = trainer.rng.permutation(n), 0
            idx = order[position : position + bs]
            position += bs
            weights = None if trainer.weights is None else trainer.weights[idx]
            loss = trainer.train_step(trainer.X[idx], trainer.targets[idx], weights, float(lr))
            if not math.isfinite(loss):
                stopped = True
                break
            average = smoothing * average + (1 - smoothing) * loss
            value = average / (1 - smoothing ** (i + 1))
            losses.append(loss)
            smoothed.append(value)
            best = min(best, value)
            if value > stop_factor * best:
                stopped = True
                break
    count = len(losses)
    lrs, smooth = rates[:count], np.array(smoothed)
    return RangeTest(lrs, np.array(losses), smooth, _below_minimum(lrs, smooth), stopped)


def _below_minimum(rates: np.ndarray, smoothed: np.ndarray) -> float:
    # A tenth of the rate at the lowest smoothed loss: at the minimum the rate is already about to become too
    # large, so one order of magnitude less still learns fast and stays stable (fastai's "minimum / 10" rule).
    # The first tenth of the steps is skipped: the moving average is still settling there.
    if not len(smoothed):
        return float("nan")
    skip = min(len(smoothed) // 10, len(smoothed) - 1)
    lowest = skip + int(np.argmin(smoothed[skip:]))
    return float(max(rates[lowest] / 10, rates[0]))
