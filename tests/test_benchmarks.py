"""The benchmark runner stays runnable: every row is printed (skipped ones too), JSON is written, exit codes.

Shrunk to toy sizes so this takes seconds; ``.ci/run`` runs the real ``python -m benchmarks --quick``.
"""

from __future__ import annotations

import json

import pytest

import benchmarks.__main__ as runner
from benchmarks import boundary, side_by_side, training
from benchmarks.measure import Row
from benchmarks.side_by_side import AppFigures, Playing


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
    assert {r["area"] for r in rows} == {"training", "boundary", "snapshot", "page", "memory", "live"}
    for row in rows:
        assert row["case"] in printed
    measured = [r for r in rows if r["area"] in ("training", "boundary") and not r["note"].startswith("skipped")]
    assert measured and all(r["ratio"] > 0 for r in measured)
    page_rows = [r for r in rows if r["area"] in ("page", "memory")]
    assert len(page_rows) == 4 and all("PLAYGROUND_CHROMIUM" in r["note"] for r in page_rows)
    live_rows = [r for r in rows if r["area"] == "live"]
    assert len(live_rows) == len(side_by_side.ROWS) and all(r["note"].startswith("skipped") for r in live_rows)


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
    rows = [
        Row("training", "a", "1 samples/s", "b", 2.0, "2.0× faster", "≥ 3×", False),
        Row("page", "c", "–", note="skipped: no browser"),
    ]
    lines = runner.table(rows, markdown=True).splitlines()
    assert len(lines) == 4 and "2.0× faster (not met)" in lines[2] and "skipped: no browser" in lines[3]


def test_serving_rows_are_skipped_with_the_reason_without_chromium(tiny, capsys):
    assert runner.main(["--only", "serving", "--json", str(tiny / "out.json")]) == 0
    rows = json.loads((tiny / "out.json").read_text())["rows"]
    assert [r["area"] for r in rows] == ["serving", "serving"]
    assert all(r["note"].startswith("skipped") and "PLAYGROUND_CHROMIUM" in r["note"] for r in rows)


def test_server_cpu_is_read_from_proc_as_the_process_own_clock_sees_it():
    import os
    import time

    from benchmarks.serving import cpu_seconds

    tick = 1 / os.sysconf("SC_CLK_TCK")
    proc_start, own_start = cpu_seconds(os.getpid()), time.process_time()
    total = 0
    while time.process_time() - own_start < 0.3:  # burn some CPU in this process
        total += sum(range(1000))
    spent_proc, spent_own = cpu_seconds(os.getpid()) - proc_start, time.process_time() - own_start
    assert total > 0 and abs(spent_proc - spent_own) <= 0.05 + 2 * tick


# ---- the side-by-side live view benchmark's pure helpers ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("000,123", 123),  # TensorFlow Playground's #iter-number
        ("1,234", 1234),
        ("42", 42),
        ("", None),
        ("–", None),
    ],
)
def test_parse_count(text, count):
    assert side_by_side.parse_count(text) == count


SAMPLES = [(1000.0, 0), (1500.0, 10), (2000.0, 30), (3000.0, 50)]


def test_value_at_is_the_last_sample_shown_at_that_time():
    assert side_by_side.value_at(SAMPLES, 999.0) is None
    assert side_by_side.value_at(SAMPLES, 1000.0) == 0
    assert side_by_side.value_at(SAMPLES, 1999.0) == 10
    assert side_by_side.value_at(SAMPLES, 5000.0) == 50


def test_per_second_counts_what_the_window_shows():
    assert side_by_side.per_second(SAMPLES, 1000.0, 3000.0) == pytest.approx(25.0)  # 0 → 50 in 2 s
    assert side_by_side.per_second(SAMPLES, 1600.0, 2600.0) == pytest.approx(20.0)  # 10 → 30 in 1 s
    assert side_by_side.per_second(SAMPLES, 0.0, 500.0) == 0.0  # nothing shown yet
    assert side_by_side.per_second([(2000.0, 7)], 0.0, 1000.0 * 7) == pytest.approx(1.0)  # counted from 0
    with pytest.raises(ValueError, match="end after it starts"):
        side_by_side.per_second(SAMPLES, 2000.0, 2000.0)


def test_count_between_is_half_open():
    assert side_by_side.count_between([1.0, 2.0, 3.0, 4.0], 1.0, 3.0) == 2


def test_cpu_seconds_from_stat_counts_fields_after_the_name():
    # The command name may hold spaces and parentheses; utime 250 and stime 50 ticks at 100 per second.
    rest = "S 1 2 3 4 5 6 7 8 9 10 250 50 11 12 20 0 1 0 100 200 300"
    assert side_by_side.cpu_seconds_from_stat(f"4242 (chromium (x) y) {rest}", 100) == pytest.approx(3.0)


def test_descendants_walks_the_whole_tree_and_nothing_else():
    parents = {1: 0, 10: 1, 11: 10, 12: 10, 13: 12, 20: 1, 21: 20}
    assert side_by_side.descendants(10, parents) == {10, 11, 12, 13}
    assert side_by_side.descendants(13, parents) == {13}


def test_ratio_text_against_the_baseline():
    assert side_by_side.ratio_text(30.0, 10.0) == (3.0, "3.00× TFP")
    assert side_by_side.ratio_text(30.0, 0.0) == (None, "")


def _playing(epochs_per_s, fps, seconds=10.0, browser=4.0, server=1.0):
    frames = round(fps * seconds)
    return Playing(epochs_per_s, fps, frames, browser, server, epochs_per_s * seconds)


def test_rows_judge_every_target_against_the_same_run():
    tfp = AppFigures(first_visit_s=0.5, later_visit_s=0.5, playing=_playing(23.0, 23.0, browser=16.0, server=0.0))
    ours = AppFigures(
        first_visit_s=2.0,
        later_visit_s=2.0,
        playing=_playing(70.0, 50.0, server=0.4),
        fastest=_playing(320.0, 50.0),
        fastest_speed="1000 epochs/s",
        compare=_playing(10.0, 20.0),
    )
    rows = {r.case: r for r in side_by_side.build_rows(ours, tfp, 10.0)}
    by_key = {key: rows[case] for key, case, _ in side_by_side.ROWS}
    assert by_key["epochs"].ratio == pytest.approx(70 / 23) and by_key["epochs"].met is True
    assert by_key["fps"].met is True and "TFP 23.0 frames/s" in by_key["fps"].baseline
    assert by_key["cpu"].met is True  # 0.4 s over 500 frames: 0.8 ms per frame on the server
    assert "0.8 server" in by_key["cpu"].ours
    assert by_key["first_visit"].met is True and by_key["later_visit"].met is False  # 2.0 s > 1.5 s
    assert by_key["later_visit"].ratio_text == "4.0× TFP's time"
    assert by_key["fastest"].met is True and by_key["compare"].met is False  # 20 < 30 frames/s
    # Compare's CPU split (4 s browser, 1 s server over 200 frames) and its ratio to the Playground's 50 frames/s
    assert "25 ms (20 browser + 5.0 server)" in by_key["compare"].note
    assert "0.40× the Playground's 50.0 frames/s" in by_key["compare"].note


def test_a_stage_that_failed_is_a_skipped_row_naming_why():
    tfp = AppFigures(first_visit_s=0.5, later_visit_s=0.5, playing=_playing(23.0, 23.0))
    ours = AppFigures(
        first_visit_s=7.0,
        later_visit_s=5.0,
        playing=_playing(13.0, 13.0),
        errors={"fastest": "TimeoutError: no slider named 'Speed'", "compare": "out of time"},
    )
    rows = side_by_side.build_rows(ours, tfp, 10.0)
    assert len(rows) == len(side_by_side.ROWS)
    notes = {r.case: r.note for r in rows}
    assert "no slider named" in notes[side_by_side.ROWS[5][1]] and "out of time" in notes[side_by_side.ROWS[6][1]]
    assert all(r.met is False for r in rows if r.case in (side_by_side.ROWS[0][1], side_by_side.ROWS[1][1]))


def test_without_a_baseline_ours_is_still_reported():
    ours = AppFigures(first_visit_s=7.0, later_visit_s=5.0, playing=_playing(13.0, 13.0))
    tfp = AppFigures(errors={"playing": "no build at /nowhere"})
    rows = side_by_side.build_rows(ours, tfp, 10.0)
    epochs = rows[0]
    assert epochs.ours == "13.0 epochs/s" and epochs.ratio is None and "no build" in epochs.baseline


def test_probe_script_carries_its_configuration():
    script = side_by_side.probe_script(side_by_side.OURS_PROBE)
    assert '"canvas": "canvas.heat"' in script and "__CONFIG__" not in script


def test_visit_notes_break_down_the_first_and_the_median_later_visit():
    ours = AppFigures(
        first_visit_s=7.0,
        later_visit_s=5.0,
        later_visits=[6.0, 5.0, 4.0],
        breakdown=["first", "later slow", "later median", "later fast"],
        playing=_playing(13.0, 13.0),
    )
    tfp = AppFigures(first_visit_s=0.5, later_visit_s=0.5, later_visits=[0.5], breakdown=["tfp first", "tfp later"])
    rows = {r.case: r for r in side_by_side.build_rows(ours, tfp, 10.0)}
    assert rows[side_by_side.ROWS[3][1]].note == "ours: first | TFP: tfp first"
    assert rows[side_by_side.ROWS[4][1]].note == "ours: later median | TFP: tfp later"


def test_play_to_first_moving_frame_is_the_first_repaint_after_the_click():
    from benchmarks.page import first_after

    repaints = [100.0, 250.0, 400.0]  # ms; the first one was the page's first picture, before Play
    assert first_after(repaints, 200.0) == 250.0
    assert first_after(repaints, 250.0) == 400.0  # a repaint at the click's own instant is not caused by it
    assert first_after(repaints, 400.0) is None


def test_a_live_snapshot_costs_the_server_a_small_share_of_the_epoch_it_shows():
    from benchmarks import snapshot

    (row,) = snapshot.rows(quick=True)
    # A snapshot is a few hundred numbers: far cheaper than the 25 mini-batch steps and scoring behind it.
    assert 0 < row.ratio < 0.5, row.ratio_text


def test_visit_notes_give_streamlits_own_floor_measured_in_the_same_run():
    ours = AppFigures(first_visit_s=2.4, later_visit_s=1.9, later_visits=[1.9], floor_first_s=1.62, floor_later_s=1.2)
    rows = {r.case: r for r in side_by_side.build_rows(ours, AppFigures(), 10.0)}
    first, later = rows[side_by_side.ROWS[3][1]], rows[side_by_side.ROWS[4][1]]
    assert first.note == "Streamlit's floor: a one-line page shows its title at 1.62 s"
    assert later.note.startswith("Streamlit's floor: a one-line page shows its title at 1.20 s")
    assert later.values["streamlit_floor_s"] == 1.2


def test_the_floor_page_is_one_title_and_is_served_like_the_app():
    source = (side_by_side.REPO_ROOT / side_by_side.FLOOR_APP).read_text(encoding="utf-8")
    assert f'st.title("{side_by_side.FLOOR_TITLE}")' in source
    assert side_by_side.FLOOR_APP in " ".join(side_by_side.streamlit_command("1", side_by_side.FLOOR_APP))
