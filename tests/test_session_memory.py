"""What a heavy session holds, and the host's cap on sessions served at once (issue 19, item 4).

A session with eight 64-unit layers on 5,000 points used to keep ~85 MB of network buffers between epochs
(the workspaces for scoring the training and validation sets each epoch, with δ arrays); a server with ten
such tabs held close to a gigabyte. Those buffers are now made for the scoring and dropped after it.
"""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import replace

import pytest

from core.experiment.run import build_trainer, prepare_data
from core.experiment.settings import LIMITS, read_limits
from playground import host, urlstate
from tests.apptest_helpers import assert_no_exception, render_app

HEAVY_QUERY = {
    "hidden": ",".join(["64:tanh"] * 8),
    "n": "5000",
    "bs": "1",
    "epochs": "5000",
    "feat": "x1,x2,x1_sq,x2_sq,x1_x2,sin_x1,sin_x2",
    "ds": "spirals",
    "val": "0.2",
}


@pytest.mark.parametrize("record_stats", [True, False])
def test_a_heavy_session_keeps_a_few_megabytes_between_epochs(record_stats):
    config, warnings = urlstate.config_from_query(HEAVY_QUERY, urlstate.default_config())
    assert warnings == []
    config = replace(config, train=replace(config.train, batch_size=500))  # same buffers, fewer steps
    data = prepare_data(config)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        trainer = build_trainer(config, data, record_stats=record_stats)
        for _ in trainer.run(2):
            pass
        gc.collect()
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert trainer.epoch == 2
    # Training keeps one workspace for its batch size (500 rows: ~9 MB with δ) and the parameters; scoring
    # 3,000 training and 1,000 validation rows each epoch kept ~70 MB more before the fix.
    assert held < 15e6, f"{held / 1e6:.1f} MB held after two epochs"


def test_sessions_are_admitted_up_to_the_cap_and_a_closed_tab_frees_its_place():
    admitted: set[str] = set()
    connected = {"a", "b", "c"}
    assert host.admit(admitted, "a", connected.__contains__, cap=2)
    assert host.admit(admitted, "b", connected.__contains__, cap=2)
    assert not host.admit(admitted, "c", connected.__contains__, cap=2)  # busy
    assert host.admit(admitted, "a", connected.__contains__, cap=1)  # an admitted session keeps its place
    connected.discard("b")  # b's tab closed
    assert host.admit(admitted, "c", connected.__contains__, cap=2)
    assert admitted == {"a", "c"}


def test_the_cap_is_set_like_every_other_host_cap():
    assert LIMITS.max_sessions >= 1
    assert read_limits({"PLAYGROUND_MAX_SESSIONS": "3"}, []).max_sessions == 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_visitor_past_the_cap_is_told_the_server_is_busy(monkeypatch, lang):
    from playground.i18n import t

    others = {"someone", "someone else"}
    monkeypatch.setattr(host, "_session", lambda: ("me", lambda session: session in others | {"me"}))
    monkeypatch.setattr(host, "LIMITS", replace(LIMITS, max_sessions=2))
    register = host._register()
    monkeypatch.setattr(register, "sessions", set(others))
    at = render_app(query={"lang": lang}, timeout=120)
    assert_no_exception(at)
    assert [title.value for title in at.title] == [t("app.busy.title", lang=lang)]
    assert t("app.busy.body", lang=lang, sessions=2) in [info.value for info in at.info]
    assert "me" not in register.sessions
    others.discard("someone")  # a tab closes: the retry gets in
    at.button[0].click().run(timeout=120)
    assert_no_exception(at)
    assert t("app.busy.title", lang=lang) not in [title.value for title in at.title]
    assert "me" in register.sessions
