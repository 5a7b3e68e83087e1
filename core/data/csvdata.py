"""An uploaded CSV file as a dataset the Playground can train on.

Two layouts, told apart by the number of columns:

    x1,x2,label      3 columns: two features and a whole-number class label (classification);
                     a third column of non-integer values (or more than MAX_CLASSES distinct ones) is read as a
                     regression target instead, and a note says so; pass ``task=`` to insist on one reading
    x,y              2 columns: one feature and a regression target
    x1,x2,a,b,...    4 to 2 + MAX_LABELS columns, read only with ``task="multilabel"``: two features and one 0/1
                     column per yes/no label (every combination allowed, e.g. a point both "inside" and "above");
                     y becomes the (n_samples, n_labels) indicator matrix and the task "multilabel"

    upload = load_csv(uploaded_file)          # bytes, a path, or a readable binary file object
    upload.dataset                            # core.data.datasets.Dataset named "uploaded"
    upload.notes                              # what was done to the data, in plain words (may be empty)

A header row is detected (a first row in which no field is a number); the delimiter is a comma, a semicolon or
a tab; the text is decoded as UTF-8 (with or without a byte-order mark), else as Latin-1. Features that fall
outside the plot square ``DOMAIN`` are rescaled (min-max, per column) into it, so every upload is drawn and
trained like the built-in datasets. Regression targets are kept as they are unless some leave
``TARGET_LIMIT`` (a configuration's coordinates stay within it); then they are rescaled the same way.
Anything else raises ``ValueError`` naming the line and column: text in a number column, NaN or infinity, an
empty field, wrong column counts, too many rows, too few rows, a single class, a binary or UTF-16 file, a file
over ``MAX_CSV_BYTES``.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from typing import IO

import numpy as np

from core.data.datasets import DOMAIN, MIN_SAMPLES, Dataset
from core.engine.validation import Options, check
from core.experiment.io import read_upload
from core.experiment.settings import LIMITS

DATASET_NAME = "uploaded"
TASK_CHOICES = ("auto", "classification", "regression", "multilabel")
MAX_CLASSES = min(10, LIMITS.max_outputs)
# A generous ~128 bytes per row (three long numbers with their separators), plus room for a header.
MAX_CSV_BYTES = 64 * 1024 + 128 * LIMITS.max_samples
DELIMITERS = (";", "\t", ",")  # a semicolon or a tab in the first line wins: such files use "," as decimal point
# Kept points sit a little inside the square so none is drawn on its edge.
TARGET_RANGE = (0.9 * DOMAIN[0], 0.9 * DOMAIN[1])
TARGET_LIMIT = 10.0  # regression targets beyond ±TARGET_LIMIT are rescaled into TARGET_RANGE

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
MAX_LABELS = 8  # label columns of a multi-label file
_LAYOUTS = {2: "x, y", 3: "x1, x2, label"} | {
    2 + k: "x1, x2, " + ", ".join(f"label{i}" for i in range(1, k + 1)) for k in range(2, MAX_LABELS + 1)
}


@dataclass(frozen=True)
class CsvUpload:
    """A parsed upload.

    dataset : Dataset named "uploaded"; X (n_samples, 2) or (n_samples, 1) inside DOMAIN, y int64 classes 0..k-1
        or float64 targets
    columns : the header's column names, or None when the file had no header
    encoding : "utf-8", "utf-8-sig" or "latin-1"
    original_ranges : per feature column, its (min, max) before rescaling, or None when it was kept as it was
    class_values : the file's label values in class order (class i was labelled class_values[i]); () for regression
    original_target_range : (min, max) of regression targets before they were rescaled, or None when kept
    notes : plain-English sentences on what was done to the data (rescaling, label mapping, reading as regression)
    """

    dataset: Dataset
    columns: tuple[str, ...] | None
    encoding: str
    original_ranges: tuple[tuple[float, float] | None, ...]
    class_values: tuple[float, ...]
    notes: tuple[str, ...]
    original_target_range: tuple[float, float] | None = None


def load_csv(source: bytes | bytearray | str | os.PathLike | IO[bytes], task: str = "auto") -> CsvUpload:
    """Parse an uploaded CSV into a dataset (see the module docstring for the accepted layouts).

    source : the file's bytes, a path to it, or a readable binary file object (e.g. Streamlit's upload).
    task : "auto", "classification", "regression" or "multilabel" (several label columns; never guessed, so a
        caller that handles one label per point never receives a label matrix).
    Raises ValueError with a message that names the problem and, for bad values, the line and column.
    """
    check("task", task, Options(TASK_CHOICES))
    raw = read_upload(source, MAX_CSV_BYTES, "the CSV file")
    text, encoding = _decode(raw)
    notes: list[str] = []
    if encoding == "latin-1":
        notes.append("The file is not UTF-8; it was read as Latin-1.")
    header, rows, line_numbers = _rows(text, multilabel=task == "multilabel")
    table = np.array(rows, dtype=np.float64)
    n_columns = table.shape[1]
    if task == "classification" and n_columns == 2:
        raise ValueError(f"classification needs 3 columns (x1, x2, label); this file has {n_columns}")
    if n_columns > 3:  # only read with task="multilabel" (checked by _rows)
        return _multilabel_upload(table, header, encoding, notes, line_numbers)
    features, target = table[:, :-1], table[:, -1]
    class_values: tuple[float, ...] = ()
    if n_columns == 3 and task != "regression":
        if np.all(target == target[0]):
            raise ValueError(
                f"every row has the label {_number_text(target[0])}; a classifier needs at least two classes"
            )
        reason = _why_not_labels(target, line_numbers)
        if reason is None:
            labels, class_values = _classes(target)
            if class_values != tuple(range(len(class_values))):
                shown = ", ".join(_number_text(v) for v in class_values)
                notes.append(f"Labels {shown} were numbered as classes 0 to {len(class_values) - 1}.")
        elif task == "classification":
            raise ValueError(reason)
        else:
            notes.append(f"The third column is read as a regression target: {reason}.")
    X, original_ranges = _into_domain(features)
    names = header if header else None
    shown_names = names[:-1] if names else (("x1", "x2") if n_columns == 3 else ("x",))
    rescaled = [
        f"{name} from [{_number_text(r[0])}, {_number_text(r[1])}]"
        for name, r in zip(shown_names, original_ranges, strict=True)
        if r is not None
    ]
    if rescaled:
        notes.append(
            f"Features outside the plot square [{DOMAIN[0]:g}, {DOMAIN[1]:g}] were rescaled into "
            f"[{TARGET_RANGE[0]:g}, {TARGET_RANGE[1]:g}]: " + "; ".join(rescaled) + "."
        )
    target_range = None
    if class_values:
        n_classes = len(class_values)
        y = labels
        kind = "binary" if n_classes == 2 else "multiclass"
    else:
        n_classes, y, kind = 0, target.copy(), "regression"
        if np.any(np.abs(target) > TARGET_LIMIT):
            scaled, (target_range,) = _into_range(target[:, None])
            y = scaled[:, 0]
            name = names[-1] if names else "y"
            notes.append(
                f"Targets outside [{-TARGET_LIMIT:g}, {TARGET_LIMIT:g}] were rescaled into "
                f"[{TARGET_RANGE[0]:g}, {TARGET_RANGE[1]:g}]: {name} from "
                f"[{_number_text(target_range[0])}, {_number_text(target_range[1])}]."
            )
    dataset = Dataset(
        name=DATASET_NAME,
        X=_read_only(X),
        y=_read_only(y),
        task=kind,
        n_classes=n_classes,
        feature_names=("x1", "x2") if X.shape[1] == 2 else ("x",),
    )
    return CsvUpload(dataset, names, encoding, tuple(original_ranges), class_values, tuple(notes), target_range)


def _multilabel_upload(table, header, encoding, notes, line_numbers) -> CsvUpload:
    """x1, x2 and one 0/1 column per label: the (n, n_labels) indicator matrix as y, task "multilabel"."""
    labels = table[:, 2:]
    bad = np.argwhere((labels != 0) & (labels != 1))
    if bad.size:
        row, column = bad[0]
        raise ValueError(
            f"line {line_numbers[row]}, column {column + 3} is {_number_text(labels[row, column])}; a multi-label "
            "file has one column per label holding 0 (no) or 1 (yes)"
        )
    X, original_ranges = _into_domain(table[:, :2])
    names = header if header else None
    label_names = tuple(names[2:]) if names else tuple(f"label{i}" for i in range(1, labels.shape[1] + 1))
    rescaled = [
        f"{name} from [{_number_text(r[0])}, {_number_text(r[1])}]"
        for name, r in zip(names[:2] if names else ("x1", "x2"), original_ranges, strict=True)
        if r is not None
    ]
    if rescaled:
        notes.append(
            f"Features outside the plot square [{DOMAIN[0]:g}, {DOMAIN[1]:g}] were rescaled into "
            f"[{TARGET_RANGE[0]:g}, {TARGET_RANGE[1]:g}]: " + "; ".join(rescaled) + "."
        )
    constant = [name for name, column in zip(label_names, labels.T, strict=True) if np.all(column == column[0])]
    if constant:
        notes.append(f"Label(s) {', '.join(constant)} have the same value on every row; nothing to learn there.")
    dataset = Dataset(
        name=DATASET_NAME,
        X=_read_only(X),
        y=_read_only(labels.astype(np.int64)),
        task="multilabel",
        n_classes=labels.shape[1],
        feature_names=("x1", "x2"),
        label_names=label_names,
    )
    return CsvUpload(dataset, names, encoding, tuple(original_ranges), (0.0, 1.0), tuple(notes))


# ---- text ---------------------------------------------------------------------------------------------------
def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("the file is UTF-16 text; save it as 'CSV UTF-8' (comma-separated) and upload it again")
    if raw.startswith(b"PK\x03\x04"):
        raise ValueError("the file is a .zip or a spreadsheet (.xlsx), not CSV text; export the sheet as CSV")
    if b"\x00" in raw:
        raise ValueError("the file contains NUL bytes, so it is not CSV text; export the data as CSV")
    for encoding in ("utf-8", "utf-8-sig"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.startswith("\ufeff"):
            return text, encoding
    return raw.decode("latin-1"), "latin-1"


def _delimiter(first_line: str) -> str:
    return next((d for d in DELIMITERS if d in first_line), ",")


def _rows(text: str, multilabel: bool = False) -> tuple[tuple[str, ...] | None, list[list[float]], list[int]]:
    """(header or None, numeric rows, each row's line number) after checking shape, numbers and the row cap.

    ``multilabel``: the file must have 4 or more columns (x1, x2 and the labels); otherwise 2 or 3."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValueError("the file has no data: it is empty or holds only blank lines")
    delimiter = _delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    rows: list[list[float]] = []
    line_numbers: list[int] = []
    n_columns = 0
    try:
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank line
            if not n_columns:
                n_columns = len(fields)
                if n_columns not in _LAYOUTS or (n_columns > 3) != multilabel:
                    raise ValueError(
                        f"line {line} has {n_columns} column(s); expected "
                        + (
                            f"4 to {2 + MAX_LABELS} (x1, x2, then one 0/1 column per label) for multi-label"
                            if multilabel
                            else "3 (x1, x2, label) for classification or 2 (x, y) for regression; files with "
                            f"4 to {2 + MAX_LABELS} columns (x1, x2, one 0/1 column per label) are read as "
                            "multi-label with task='multilabel'"
                        )
                    )
                if not any(_NUMBER.fullmatch(field.strip()) for field in fields):
                    header = tuple(field.strip()[:40] for field in fields)
                    continue
            elif len(fields) != n_columns:
                raise ValueError(
                    f"line {line} has {len(fields)} column(s) but the file starts with {n_columns} "
                    f"({_LAYOUTS[n_columns]})"
                )
            if len(rows) >= LIMITS.max_samples:
                raise ValueError(
                    f"the file has more than {LIMITS.max_samples:,} data rows; at most "
                    f"{LIMITS.max_samples:,} are allowed"
                )
            rows.append([_number(field, line, column, delimiter) for column, field in enumerate(fields, start=1)])
            line_numbers.append(line)
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num} is not valid CSV: {exc}") from exc
    if not rows:
        raise ValueError("the file has a header but no data rows")
    if len(rows) < MIN_SAMPLES:
        raise ValueError(f"the file has {len(rows)} data row(s); at least {MIN_SAMPLES} are needed")
    return header, rows, line_numbers


def _number(field: str, line: int, column: int, delimiter: str) -> float:
    text = field.strip()
    where = f"line {line}, column {column}"
    if not text:
        raise ValueError(f"{where} is empty; every row needs a number in every column")
    if _NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
        raise ValueError(f"{where}: {_short(text)} is too large to be a number here")
    if _NOT_FINITE.fullmatch(text):
        raise ValueError(f"{where}: {_short(text)} is not a finite number; remove or fill in that row")
    hint = ""
    if delimiter != "," and re.fullmatch(r"[+-]?\d+,\d+", text):
        hint = " (use a point, not a comma, as the decimal separator)"
    raise ValueError(f"{where}: {_short(text)} is not a number{hint}")


def _short(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _number_text(value: float) -> str:
    return f"{value:.4g}"


# ---- labels and scaling ---------------------------------------------------------------------------------------
def _why_not_labels(target: np.ndarray, line_numbers: list[int]) -> str | None:
    """Why the last column cannot be class labels, or None when it can."""
    fractional = np.flatnonzero(target != np.round(target))
    if fractional.size:
        i = int(fractional[0])
        return f"line {line_numbers[i]}, column 3 holds {_number_text(target[i])}, not a whole-number class label"
    values = np.unique(target)
    if values.size > MAX_CLASSES:
        return f"column 3 has {values.size} different labels; at most {MAX_CLASSES} classes are allowed"
    return None


def _classes(target: np.ndarray) -> tuple[np.ndarray, tuple[float, ...]]:
    values, labels = np.unique(target, return_inverse=True)
    as_numbers = tuple(int(v) if abs(v) < 2**53 else float(v) for v in values)
    return labels.astype(np.int64), as_numbers


def _into_domain(features: np.ndarray) -> tuple[np.ndarray, list[tuple[float, float] | None]]:
    """Min-max scale every feature column into TARGET_RANGE when any of them leaves DOMAIN; else keep them."""
    lo, hi = features.min(axis=0), features.max(axis=0)
    if np.all(lo >= DOMAIN[0]) and np.all(hi <= DOMAIN[1]):
        return features.copy(), [None] * features.shape[1]
    return _into_range(features)


def _into_range(features: np.ndarray) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Min-max scale every column into TARGET_RANGE (a constant column lands in its middle)."""
    lo, hi = features.min(axis=0), features.max(axis=0)
    # Halves first, so that the span of values near ±1.8e308 does not overflow.
    centre = lo / 2 + hi / 2
    half_span = hi / 2 - lo / 2
    target_centre = (TARGET_RANGE[0] + TARGET_RANGE[1]) / 2
    target_half = (TARGET_RANGE[1] - TARGET_RANGE[0]) / 2
    safe_half = np.where(half_span > 0, half_span, 1.0)
    unit = np.where(half_span > 0, (features / 2 - centre / 2) / safe_half, 0.0)  # constant columns: the centre
    scaled = target_centre + target_half * np.clip(unit * 2, -1.0, 1.0)
    return scaled, [(float(a), float(b)) for a, b in zip(lo, hi, strict=True)]


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array
