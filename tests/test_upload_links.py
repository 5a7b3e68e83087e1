"""A copied link reproduces uploaded data exactly (issue 19, item 5).

An upload keeps each number to 4 decimals (and says so); the link used to write points with 2 decimals
(0.777 → ``pts=0.78``) and regression rows with 4 significant digits (123.4567 → 123.5), so the link opened
another dataset. Now the link writes what the session holds, or nothing when it cannot carry it exactly.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground import urlstate
from playground.pages.playground.page import config_with_upload


def _round_trip(config):
    query = urlstate.query_from_config(config)
    restored, warnings = urlstate.config_from_query(query, urlstate.default_config())
    return query, restored, warnings


def _csv(header: str, rows) -> bytes:
    return ("\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n").encode()


def test_uploaded_points_come_back_from_the_link_exactly():
    rows = [(0.777, -1.2345, 0), (1.5, 0.1234, 1), (-2.0001, 2.25, 1), (0.3333, -0.6667, 0)]
    config, message = config_with_upload(urlstate.default_config(), _csv("x1,x2,label", rows))
    assert config.data.points == tuple(rows)  # already 4 decimals: kept as they are
    assert "4" in message  # the message says how many decimals are kept
    query, restored, warnings = _round_trip(config)
    assert warnings == []
    assert "0.777:-1.2345:0" in query["pts"]
    assert restored.data.points == config.data.points


def test_uploaded_regression_rows_come_back_from_the_link_exactly():
    rows = [(-1.2345, 123.4567), (0.5, -0.0001), (1.25, 98765.4321), (2.0, 1e-4)]
    config, _ = config_with_upload(urlstate.default_config(), _csv("x,y", rows))
    held = config.data.rows
    query, restored, warnings = _round_trip(config)
    assert warnings == []
    assert restored.data.rows == held
    assert any(len(repr(value).split(".")[-1]) == 4 for row in held for value in row)  # 4 decimals, not 4 digits


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-2.25, 2.25), st.floats(-2.25, 2.25), st.integers(0, 1)),
        min_size=4,
        max_size=40,
        unique_by=lambda row: row[:2],
    ).filter(lambda rows: len({r[2] for r in rows}) == 2)
)
def test_any_uploaded_point_set_round_trips_through_the_link(rows):
    config, _ = config_with_upload(urlstate.default_config(), _csv("x1,x2,label", rows))
    _, restored, warnings = _round_trip(config)
    assert warnings == []
    assert restored.data.points == config.data.points
    assert np.allclose(np.array(config.data.points)[:, :2], np.array(rows)[:, :2], atol=5e-5)


def test_rows_a_link_cannot_carry_exactly_are_left_out_not_cut():
    rng = np.random.default_rng(0)
    rows = tuple(tuple(round(float(v), 4) for v in row) for row in rng.uniform(-9e5, 9e5, (290, 3)))
    base = urlstate.default_config()
    config = replace(base, data=replace(base.data, name="uploaded", rows=rows))
    assert len(config.data.rows) <= urlstate.MAX_LINK_POINTS
    assert not urlstate.travels_in_link("rows", config.data.rows)  # too many characters, though few rows
    query = urlstate.query_from_config(config)
    assert "rows" not in query
    _, warnings = urlstate.config_from_query(
        query | {"rows": urlstate.FIELDS["rows"].show(config.data.rows)}, urlstate.default_config()
    )
    assert any("too long" in warning for warning in warnings)  # what the link would have met


@pytest.mark.parametrize("value", [0.777, -1.2345, 1e-05, 123456.789, -0.0, 2.0, 0.1 + 0.2])
def test_numbers_are_written_as_the_shortest_exact_text(value):
    points = ((value, 1.0, 0),)
    assert urlstate._points(urlstate._points_text(points)) == points
