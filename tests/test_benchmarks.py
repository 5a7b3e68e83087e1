"""The benchmark runner stays runnable: every row is printed (skipped ones too), JSON is written, exit codes.

Shrunk to toy sizes so this takes seconds; ``.ci/run`` runs the real ``python -m benchmarks --quick``.
"""

from __future__ import annotations

import json

import pytest

import benchmarks.__main__ as runner
from benchmarks import boundary, training
from benchmarks.measure import Row


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    case = training.Case("tiny 2-4-1", "spirals", (4,), 100, (1, 1))
    monkeypatch.setattr(training, "CASES", (case,))
    monkeypatch.setattr(training, "REACH_CASE", case)
    monkeypatch.setattr(training, "TARGET_ACCURACY", 0.0)  # reached after the first epoch
    monkeypatch.setattr(boundary, "RESOLUTIONS", (12,))
    monkeypatch.setenv("PLAYGROUND_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setattr(runner, "RESULTS_DIR", tmp_path / "results")
    return tmp_path


def test_quick_run_prints_every_row_and_writes_json(tiny, capsys):
    assert runner.main(["--quick", "--json", str(tiny / "out.json")]) == 0
    printed = capsys.readouterr().out
    result = json.loads((tiny / "out.json").read_text())
    assert list((tiny / "results").glob("*-quick.json"))
    rows = result["rows"]
    assert {r["area"] for r in rows} == {"training", "boundary", "page", "memory"}
    for row in rows:
        assert row["case"] in printed
    measured = [r for r in rows if r["area"] in ("training", "boundary") and not r["note"].startswith("skipped")]
    assert measured and all(r["ratio"] > 0 for r in measured)
    page_rows = [r for r in rows if r["area"] in ("page", "memory")]
    assert len(page_rows) == 4 and all("PLAYGROUND_CHROMIUM" in r["note"] for r in page_rows)


def test_missing_pytorch_is_a_skipped_row_not_an_error(tiny, monkeypatch):
    monkeypatch.setattr(training, "_torch_missing", lambda: "torch is not installed")
    rows = training.rows(quick=True)
    torch_rows = [r for r in rows if r.baseline == "PyTorch"]
    # throughput, the CNN row and time-to-target
    assert len(torch_rows) == 3 and all(r.note == "skipped: torch is not installed" for r in torch_rows)


def test_a_crashing_benchmark_fails_the_run_but_the_others_still_report(tiny, monkeypatch, capsys):
    def crash(quick=False):
        raise RuntimeError("boom")

    monkeypatch.setattr(boundary, "rows", crash)
    assert runner.main(["--quick", "--only", "training", "boundary"]) == 1
    printed = capsys.readouterr().out
    assert "tiny 2-4-1" in printed and "error: crashed" in printed


def test_markdown_table_has_one_line_per_row():
    rows = [Row("training", "a", "1 samples/s", "b", 2.0, "2.0× faster", "≥ 3×", False),
            Row("page", "c", "–", note="skipped: no browser")]
    lines = runner.table(rows, markdown=True).splitlines()
    assert len(lines) == 4 and "2.0× faster (not met)" in lines[2] and "skipped: no browser" in lines[3]
