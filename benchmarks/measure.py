"""What every benchmark shares: a result row, interleaved timing and the median.

Each figure is a ratio against a baseline measured in the same process, with the two interleaved (ours, theirs,
ours, theirs, ...) so that a busy machine slows both alike; the median of the repeats is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Row:
    """One line of the results table.

    ``ratio`` compares ours with ``baseline`` so that bigger is better for us (speed-ups, or floor / ours for
    costs); ``target`` says what the issue asks for, ``met`` whether this run reached it (None: not judged).
    """

    area: str
    case: str
    ours: str  # formatted measurement, e.g. "16,300 samples/s (32.6 epochs/s)"
    baseline: str = ""  # what we compare with, e.g. "scikit-learn 1.9 MLPClassifier: 4,100 samples/s"
    ratio: float | None = None
    ratio_text: str = ""  # e.g. "4.0× faster"
    target: str = ""
    met: bool | None = None
    note: str = ""
    values: dict | None = None  # raw numbers for the JSON file

    def to_dict(self) -> dict:
        return asdict(self)


def skipped(area: str, case: str, baseline: str, reason: str, target: str = "") -> Row:
    return Row(area, case, ours="–", baseline=baseline, target=target, note=f"skipped: {reason}")


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Wall-clock seconds of each run, ``repeats`` times, taking turns (the starting run rotates)."""
    names = list(runs)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            start = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def times(x: float) -> str:
    return f"{x:.1f}×" if x < 100 else f"{x:,.0f}×"


def number(x: float, unit: str = "") -> str:
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
    return f"{text} {unit}".strip()
