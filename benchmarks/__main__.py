"""Run the benchmarks: ``python -m benchmarks [--quick] [--json PATH] [--only AREA ...] [--markdown] [--app-dir DIR]``.

Prints one table and writes the results as JSON to ``benchmarks/results/<time>.json`` (and to ``--json PATH``).
Every figure is a ratio against a baseline measured in the same process. Rows whose baseline is unavailable
(PyTorch not installed, no Chromium) are printed as skipped and the run still exits 0; a benchmark that crashes
is reported and makes the exit status 1, so CI notices when one rots.

BLAS runs on one thread for every contestant (``--blas-threads`` to change it): these networks are far too
small to gain from threads, and on a busy machine OpenBLAS's threads can make a small product 100× slower.

Areas: ``training`` and ``boundary`` (the NumPy core), ``snapshot`` (a live snapshot's server cost against an epoch),
``page`` (the Playground in Chromium), ``live`` (the live
view side by side with TensorFlow Playground; ``--app-dir`` serves another checkout of the app, e.g. the commit
before a change, with this benchmark code).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

from benchmarks.measure import Row

RESULTS_DIR = Path(__file__).resolve().parent / "results"
AREAS = ("training", "boundary", "snapshot", "page", "live", "serving")
# serving needs several browser tabs: too slow for --quick
QUICK_AREAS = ("training", "boundary", "snapshot", "page", "live")
BROWSER_AREAS = ("page", "live")
QUICK_SECONDS = 150  # --quick must end within three minutes, start-up and server/browser shutdown included


def _module(area: str):
    if area == "training":
        from benchmarks import training

        return training
    if area == "boundary":
        from benchmarks import boundary

        return boundary
    if area == "snapshot":
        from benchmarks import snapshot

        return snapshot
    if area == "serving":
        from benchmarks import serving

        return serving
    if area == "live":
        from benchmarks import side_by_side

        return side_by_side
    from benchmarks import page

    return page


def _machine() -> dict:
    import numpy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
    }


def _status(row: Row) -> str:
    if row.note.startswith(("skipped", "error")):
        return row.note.split(":")[0]
    return {True: "met", False: "not met", None: ""}[row.met]


def table(rows: list[Row], markdown: bool = False) -> str:
    header = ("area", "case", "ours", "baseline", "ratio", "target", "")
    lines = [(r.area, r.case, r.ours, r.baseline, r.ratio_text, r.target, _status(r)) for r in rows]
    if markdown:
        out = ["| " + " | ".join(header[:-1]) + " |", "|" + "---|" * (len(header) - 1)]
        for row, line in zip(rows, lines, strict=True):
            cells = list(line[:-1])
            if row.note.startswith(("skipped", "error")):
                cells[4] = row.note  # the reason, e.g. "skipped: torch is not installed"
            elif line[-1]:
                cells[4] = f"{cells[4]} ({line[-1]})"
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out)
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    notes = [f"  {r.case}: {r.note}" for r in rows if r.note]
    return "\n".join(out + (["", "notes:", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats, shorter windows; the whole run takes under three minutes"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--only", nargs="+", choices=AREAS, help=f"areas to run (default: all; with --quick: {', '.join(QUICK_AREAS)})"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--app-dir", type=Path, help="live area: serve the app from this checkout (default: this one)")
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (default 1; 0 = library default)")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    if args.app_dir:
        from benchmarks import side_by_side

        side_by_side.APP_DIR = args.app_dir.resolve()

    started = time.perf_counter()
    machine = _machine()
    rows: list[Row] = []
    failed = False
    with threadpool_limits(args.blas_threads or None, user_api="blas"):
        areas = args.only or list(QUICK_AREAS if args.quick else AREAS)
        for area in areas:
            area_start = time.perf_counter()
            try:
                if area in BROWSER_AREAS and args.quick:  # the browser areas share what is left of the time
                    left = QUICK_SECONDS - (area_start - started)
                    sharing = [a for a in areas[areas.index(area) :] if a in BROWSER_AREAS]
                    rows += _module(area).rows(quick=True, budget_s=max(30.0, left / len(sharing)))
                else:
                    rows += _module(area).rows(quick=args.quick)
            except Exception:  # a crashed benchmark is reported, and the others still run
                failed = True
                traceback.print_exc()
                rows.append(Row(area, f"{area} benchmarks", ours="–", note="error: crashed (traceback above)"))
            print(f"[{area}: {time.perf_counter() - area_start:.0f} s]", file=sys.stderr)
    seconds = time.perf_counter() - started
    machine["load_average_after"] = os.getloadavg()
    print(table(rows, markdown=args.markdown))
    print(
        f"\n{len(rows)} rows in {seconds:.0f} s; load average {machine['load_average'][0]:.1f} at the start, "
        f"{machine['load_average_after'][0]:.1f} at the end, {machine['cpus']} CPUs; medians of interleaved repeats."
    )
    result = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "blas_threads": args.blas_threads,
        "seconds": seconds,
        "machine": machine,
        "rows": [r.to_dict() for r in rows],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    paths = [RESULTS_DIR / f"{stamp}{'-quick' if args.quick else ''}.json"] + ([args.json] if args.json else [])
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1, default=float) + "\n", encoding="utf-8")
    print(f"results written to {', '.join(str(p) for p in paths)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
