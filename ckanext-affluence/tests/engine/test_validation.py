"""Counts and optional inputs against their Table Schemas: every error names
the file, the row, the column and the reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from enginelib import write_csv

from ckanext.affluence.engine import api, validation

HEADER = ["stop_id", "slot_start", "boardings", "route_id", "direction_id"]


def _errors(path: Path, **kw) -> list[api.InputError]:
    return validation.validate_inputs(api.InputFiles(path, **kw))


@pytest.mark.parametrize("force_vectorised", [False, True])
def test_bad_cells_are_reported_with_row_column_reason(tmp_path, force_vectorised):
    path = write_csv(tmp_path / "c.csv", HEADER, [
        ["S1", "2025-01-06T08:00:00", "12", "R1", "0"],
        ["S1", "2025-01-06T09:00", "abc", "R1", "0"],
        ["S2", "not-a-date", "3", "R1", "2"],
        ["", "2025-01-06T08:00", "-1", "R1", "1"],
    ])
    errs = validation.validate_inputs(api.InputFiles(path), force_vectorised=force_vectorised)
    found = {(e.row, e.column) for e in errs}
    assert found == {(2, "boardings"), (3, "slot_start"), (3, "direction_id"), (4, "stop_id"),
                     (4, "boardings")}
    assert all(e.file == "counts (c.csv)" for e in errs)
    by = {(e.row, e.column): e.reason for e in errs}
    assert "number" in by[(2, "boardings")]
    assert "0" in by[(4, "boardings")]  # minimum 0
    assert "counts (c.csv), row 2, column boardings" in str(errs[[e.row for e in errs].index(2)])


def test_valid_stop_slot_and_board_alight(stop_slot_csv, board_alight_csv, sample_gtfs):
    assert _errors(stop_slot_csv, timetable=sample_gtfs) == []
    assert api.detect_counts_format(stop_slot_csv) == "stop_slot"
    assert api.detect_counts_format(board_alight_csv) == "board_alight"
    assert api.validate(api.InputFiles(board_alight_csv, timetable=sample_gtfs)) == []


def test_missing_required_column(tmp_path):
    path = write_csv(tmp_path / "c.csv", ["stop_id", "slot_start"], [["S1", "2025-01-06T08:00"]])
    errs = _errors(path)
    assert [(e.row, e.column, e.reason) for e in errs] == [(0, "boardings", "required column is missing")]


def test_unknown_format(tmp_path):
    path = write_csv(tmp_path / "c.csv", ["a", "b"], [["1", "2"]])
    (err,) = _errors(path)
    assert "unknown counts format" in err.reason and err.row == 0


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert [e.reason for e in _errors(empty, counts_format="stop_slot")] == ["empty file"]
    header = write_csv(tmp_path / "h.csv", HEADER, [])
    assert [e.reason for e in _errors(header)] == ["no data rows (header only)"]


def test_wrong_encoding(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("stop_id,slot_start,boardings\nS1,2025-01-06T08:00,3\nGare é,2025-01-06T08:00,3\n"
                     .encode("latin-1"))
    (err,) = _errors(path)
    assert "not UTF-8" in err.reason and err.row == 2


def test_unknown_stop_ids_against_the_timetable(tmp_path, sample_gtfs):
    path = write_csv(tmp_path / "c.csv", HEADER, [
        ["STAGECOACH", "2008-01-07T08:00", "3", "STBA", "0"],
        ["NOWHERE", "2008-01-07T08:00", "3", "STBA", "0"],
    ])
    (err,) = _errors(path, timetable=sample_gtfs)
    assert (err.row, err.column) == (2, "stop_id") and "NOWHERE" in err.reason


def test_board_alight_needs_times(tmp_path):
    path = write_csv(tmp_path / "ba.csv", ["trip_id", "stop_id", "stop_sequence", "record_use",
                                           "boardings", "service_date"],
                     [["T1", "S1", "1", "0", "3", "20250106"]])
    errs = _errors(path)
    assert any(e.column == "service_departure_time" for e in errs)
    bad_date = write_csv(tmp_path / "ba2.csv", ["trip_id", "stop_id", "stop_sequence", "record_use",
                                                "boardings", "service_date", "service_departure_time"],
                         [["T1", "S1", "1", "0", "3", "2025-13-45", "08:00:00"]])
    errs = _errors(bad_date)
    assert [(e.row, e.column) for e in errs] == [(1, "service_date")]


def test_optional_inputs_are_checked(tmp_path, stop_slot_csv):
    reports = write_csv(tmp_path / "reports.csv", ["reported_at", "route_id", "direction_id", "stop_id", "level"],
                        [["2008-03-01T08:10", "STBA", "0", "STAGECOACH", "4"]])
    caps = write_csv(tmp_path / "caps.csv", ["route_id", "capacity"], [["STBA", "0"]])
    errs = _errors(stop_slot_csv, reports=reports, capacities=caps)
    assert {(e.file, e.row, e.column) for e in errs} == {
        ("reports (reports.csv)", 1, "level"), ("capacities (caps.csv)", 1, "capacity")}


def test_regenerate_raises_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "c.csv", HEADER, [["S1", "nope", "1", "R", "0"]])
    out = tmp_path / "out"
    with pytest.raises(api.InputValidationError) as exc:
        api.regenerate(api.InputFiles(path), out)
    assert exc.value.errors[0].column == "slot_start"
    assert not out.exists() or not any(out.iterdir())
