"""Command line for the same runs without the browser.

    python -m core.cli run config.json --out runs/xor          # train, print progress, write history and model
                                                               # (model.zip: the app's model bundle, no pickle)
    python -m core.cli run xor_2_2_1                           # a preset name works in place of a file
    python -m core.cli search config.json --param train.learning_rate=0.01,0.1 --param hidden_layer_sizes=4,8x8
    python -m core.cli export runs/xor/model.zip --format onnx -o xor.onnx     # or --format pytorch -o xor.py

Exit codes: 0 done, 1 the run diverged or a file could not be written, 2 bad arguments or configuration,
130 interrupted (a search prints the candidates it finished first).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scipy.stats import loguniform, uniform

from core.engine.numbers import LongInteger, json_int, shown
from core.experiment.config import ExperimentConfig
from core.experiment.io import BUNDLE_FILE_NAME, load_model, save_model
from core.experiment.presets import PRESETS
from core.experiment.run import run
from core.export import EXPORT_FORMATS, export_bytes, features_of
from core.labs.search import (
    CV_METHODS,
    SEARCH_PARAMETERS,
    SearchResult,
    config_search_run,
    run_to_end,
    search_candidates,
    search_config,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit code 2."""


# ---- inputs -------------------------------------------------------------------------------------------------
def load_config(source: str) -> ExperimentConfig:
    """A JSON file written by the app (or by hand), or the name of a preset."""
    path = Path(source)
    if not path.exists():
        if source in PRESETS:
            return PRESETS[source]
        raise UsageError(f"{source!r} is neither a configuration file nor a preset ({', '.join(PRESETS)})")
    try:
        return ExperimentConfig.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {source}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{source}: {exc}") from exc


def parse_value(text: str) -> Any:
    """``8`` → 8, ``0.1`` → 0.1, ``8x4`` → (8, 4) (layer widths), ``-`` → () (no hidden layer), else the text."""
    if text == "-":
        return ()
    if "x" in text and all(part.isdigit() for part in text.split("x")):
        return tuple(json_int(part) for part in text.split("x"))  # a 5,000-digit width: refused by name later
    if text.lstrip("+-").isdigit():
        return json_int(text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_param(spec: str, random: bool) -> tuple[str, Any]:
    """``name=v1,v2,...``; in a random search also ``name=log:LO:HI`` or ``name=uniform:LO:HI``."""
    name, sep, values = spec.partition("=")
    name = name.strip()
    if not sep or not name or not values:
        raise UsageError(f"--param {shown(spec)} is not valid; write name=value1,value2 (e.g. learning_rate=0.01,0.1)")
    if values.startswith(("log:", "uniform:")):
        if not random:
            raise UsageError(f"--param {shown(spec)}: a distribution needs a random search (--random N)")
        kind, _, bounds = values.partition(":")
        try:
            low, high = (float(b) for b in bounds.split(":"))
        except ValueError as exc:
            raise UsageError(f"--param {shown(spec)}: write {kind}:LOW:HIGH with two numbers") from exc
        if not (math.isfinite(low) and math.isfinite(high) and low < high and (kind != "log" or low > 0)):
            raise UsageError(f"--param {shown(spec)}: need LOW < HIGH (and LOW > 0 for log)")
        return name, loguniform(low, high) if kind == "log" else uniform(low, high - low)
    parsed = [parse_value(v.strip()) for v in values.split(",")]
    for value in parsed:
        if any(isinstance(part, LongInteger) for part in (value if isinstance(value, tuple) else (value,))):
            raise UsageError(f"--param {name}: {shown(value)} is far too large for {name}")
    return name, parsed


# ---- outputs ------------------------------------------------------------------------------------------------
def format_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value) if value else "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_params(params: dict) -> str:
    return ", ".join(f"{k}={format_value(v)}" for k, v in params.items()) or "(as configured)"


def search_rows(result: SearchResult) -> list[dict[str, Any]]:
    """One row per candidate: rank, parameters, mean, std and each fold's score."""
    rows = []
    for rank, candidate in zip(result.ranks(), result.candidates, strict=True):
        row: dict[str, Any] = {"rank": rank}
        row.update({k: format_value(v) for k, v in candidate.params.items()})
        row.update({f"mean_{result.scoring}": candidate.mean, f"std_{result.scoring}": candidate.std})
        row.update({f"fold_{i + 1}": s for i, s in enumerate(candidate.fold_scores)})
        rows.append(row)
    return rows


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def print_search(result: SearchResult) -> None:
    print(f"{'rank':>4}  {result.scoring:>18}  parameters")
    order = sorted(zip(result.ranks(), result.candidates, strict=True), key=lambda pair: pair[0])
    for rank, candidate in order:
        score = f"{candidate.mean:.4f} ± {candidate.std:.4f}"
        print(f"{rank:>4}  {score:>18}  {format_params(candidate.params)}")
    if result.cancelled:
        print(f"stopped after {len(result.candidates)} of {result.n_planned} candidates")


# ---- commands -----------------------------------------------------------------------------------------------
def command_run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    every = args.every or max(cfg.train.epochs // 10, 1)
    metric = "R²" if cfg.task == "regression" else "accuracy"

    def report(trainer) -> None:
        h = trainer.history
        if trainer.epoch % every == 0 or trainer.epoch == cfg.train.epochs:
            print(
                f"epoch {trainer.epoch:>5}/{cfg.train.epochs}  train loss {h.train_loss[-1]:.4f}  "
                f"val loss {h.val_loss[-1]:.4f}  train {metric} {h.train_metric[-1]:.4f}  "
                f"val {metric} {h.val_metric[-1]:.4f}",
                flush=True,
            )

    result = run(cfg, callback=report, record_stats=not args.fast)
    history = result.history
    if history.message:
        print(history.message, file=sys.stderr)
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "history.csv").write_text(history.to_csv(), encoding="utf-8")
            (out / "config.json").write_text(cfg.to_json(), encoding="utf-8")
            save_model(result.network, cfg, out / BUNDLE_FILE_NAME)
            written = [out / "history.csv", out / "config.json", out / BUNDLE_FILE_NAME]
        except OSError as exc:
            print(f"error: cannot write to {out}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print("wrote " + ", ".join(str(p) for p in written))
    return EXIT_FAILED if history.diverged else EXIT_OK


def command_search(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    random = args.random is not None
    if not args.param:
        raise UsageError(f"give at least one --param; searchable: {', '.join(SEARCH_PARAMETERS)}")
    space = dict(parse_param(spec, random) for spec in args.param)
    parallel = args.n_jobs is not None  # GridSearchCV through joblib

    def progress(done: int, total: int) -> None:
        print(f"fit {done}/{total}", file=sys.stderr, flush=True)

    kind = "random" if random else "grid"
    if parallel:
        result = search_config(
            cfg,
            space,
            kind=kind,
            n_iter=args.random or 10,
            method=args.cv,
            n_splits=args.folds,
            scoring=args.scoring,
            n_jobs=args.n_jobs,
        )
    else:
        candidates = search_candidates(space, kind, args.random or 10, cfg.seed)
        stepwise = config_search_run(cfg, candidates, args.cv, args.folds, args.scoring)
        try:
            result = run_to_end(stepwise, progress)
        except KeyboardInterrupt:
            stepwise.cancel()
            print("interrupted; the candidates finished so far:", file=sys.stderr)
            print_search(stepwise.result())
            return EXIT_INTERRUPTED
    print_search(result)
    if result.best is not None:
        print(f"best: {format_params(result.best.params)}  ({result.scoring} {result.best.mean:.4f})")
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            write_csv(search_rows(result), out / "search.csv")
        except OSError as exc:
            print(f"error: cannot write to {out}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"wrote {out / 'search.csv'}")
    return EXIT_OK


def command_export(args: argparse.Namespace) -> int:
    network, config = load_model(args.model)
    # Built in full before the file is opened: a network the format cannot express leaves no file behind.
    data = export_bytes(network, args.format, features_of(config))
    out = Path(args.out or EXPORT_FORMATS[args.format])
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.cli",
        description="Train or search Neural Network Playground experiments without the browser.",
        epilog="Exit codes: 0 done, 1 diverged or could not write, 2 bad arguments/configuration, 130 interrupted.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="train one configuration and write its history and model")
    run_parser.add_argument("config", help="configuration JSON (as downloaded from the app) or a preset name")
    run_parser.add_argument("--out", help="directory for history.csv, config.json and model.zip (JSON + npz)")
    run_parser.add_argument("--every", type=int, default=0, help="print progress every N epochs (default: 1/10)")
    run_parser.add_argument("--fast", action="store_true", help="skip per-layer statistics in the history")
    run_parser.set_defaults(handler=command_run)

    search_parser = commands.add_parser("search", help="cross-validated grid or random search")
    search_parser.add_argument("config", help="configuration JSON or a preset name")
    search_parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="values to try, e.g. train.learning_rate=0.01,0.1 or hidden_layer_sizes=4,8x8 (repeatable); "
        f"searchable: {', '.join(SEARCH_PARAMETERS)}",
    )
    search_parser.add_argument("--random", type=int, metavar="N", help="random search with N candidates")
    search_parser.add_argument("--cv", choices=CV_METHODS, default="kfold", help="cross-validation (default kfold)")
    search_parser.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    search_parser.add_argument("--scoring", help="scikit-learn scorer name (default accuracy or r2)")
    search_parser.add_argument(
        "--n-jobs",
        type=int,
        help="run through GridSearchCV with N parallel fits (-1: all cores); no per-fit progress then",
    )
    search_parser.add_argument("--out", help="directory for search.csv")
    search_parser.set_defaults(handler=command_search)

    export_parser = commands.add_parser("export", help="write a trained model as ONNX or as a PyTorch script")
    export_parser.add_argument("model", help="model bundle (model.zip, as written by run or downloaded from the app)")
    export_parser.add_argument("--format", choices=tuple(EXPORT_FORMATS), required=True, help="onnx or pytorch")
    export_parser.add_argument("-o", "--out", help="file to write (default model.onnx or model.py)")
    export_parser.set_defaults(handler=command_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        # Validation errors from core name the field and the allowed values; no traceback needed.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
