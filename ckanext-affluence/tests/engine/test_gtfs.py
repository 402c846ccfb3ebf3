"""Broken GTFS feeds give clear errors; good feeds give routes, stops and stop order."""
from __future__ import annotations

from enginelib import gtfs_members, make_zip

from ckanext.affluence.engine import api, gtfs


def _errs(path):
    feed, errors = gtfs.load_feed(path)
    assert feed is None
    return errors


def test_bad_zip(tmp_path):
    p = tmp_path / "feed.zip"
    p.write_bytes(b"this is not a zip")
    (e,) = _errs(p)
    assert "not a valid zip archive" in e.reason and e.file == "timetable (feed.zip)"


def test_empty_file(tmp_path):
    p = tmp_path / "feed.zip"
    p.write_bytes(b"")
    assert [e.reason for e in _errs(p)] == ["empty file"]


def test_missing_files(tmp_path, sample_gtfs):
    m = gtfs_members(sample_gtfs)
    for n in ("stop_times.txt", "calendar.txt", "calendar_dates.txt"):
        m.pop(n)
    reasons = {e.reason for e in _errs(make_zip(tmp_path / "f.zip", m))}
    assert reasons == {"required file stop_times.txt is missing",
                       "calendar.txt or calendar_dates.txt is required (none found)"}


def test_empty_member_and_wrong_encoding(tmp_path, sample_gtfs):
    m = gtfs_members(sample_gtfs)
    m["routes.txt"] = b""
    m["stops.txt"] = m["stops.txt"] + "\nX,Gare é,,36.9,-116.7\n".encode("latin-1")
    errs = {e.file: e for e in _errs(make_zip(tmp_path / "f.zip", m))}
    assert errs["timetable (f.zip: routes.txt)"].reason == "empty file"
    enc = errs["timetable (f.zip: stops.txt)"]
    assert "not UTF-8" in enc.reason and enc.row is not None


def test_unknown_stop_and_wrong_dates(tmp_path, sample_gtfs):
    m = gtfs_members(sample_gtfs)
    m["stop_times.txt"] += b"STBA,6:40:00,6:40:00,GHOST,3,,,,\n"
    m["calendar.txt"] = m["calendar.txt"].replace(b"20101231", b"2010-12-31", 1)
    errs = _errs(make_zip(tmp_path / "f.zip", m))
    by = {(e.file.split(": ")[-1].rstrip(")"), e.column): e for e in errs}
    assert "unknown stop_id" in by[("stop_times.txt", "stop_id")].reason
    assert by[("stop_times.txt", "stop_id")].row == 29
    assert "YYYYMMDD" in by[("calendar.txt", "end_date")].reason
    assert by[("calendar.txt", "end_date")].row == 1


def test_validate_reports_gtfs_errors(tmp_path, stop_slot_csv):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK-not-really")
    errs = api.validate(api.InputFiles(stop_slot_csv, timetable=bad))
    assert errs and errs[0].file == "timetable (bad.zip)"


def test_timetable_summary_and_frequencies(sample_gtfs):
    t = api.read_timetable(sample_gtfs)
    assert t.timezone == "America/Los_Angeles"
    assert t.routes["AB"] == "10"
    assert t.route_stops[("AB", 0)] == ["BEATTY_AIRPORT", "BULLFROG"]
    feed = gtfs.get_feed(sample_gtfs)
    # CITY1 runs every 10 to 30 minutes from frequencies.txt: many departures at its first stop
    city = feed.trip_departures().query("trip_id == 'CITY1' and stop_sequence == 1")
    assert len(city) > 40


def test_shift_feed_dates_makes_an_old_feed_current_by_whole_weeks(tmp_path):
    from datetime import date

    from ckanext.affluence.data import gtfs_path
    from ckanext.affluence.engine.synthetic import shift_feed_dates

    source = gtfs_path("cairns_gtfs.zip")
    old_first, old_last = gtfs.get_feed(source).validity()
    out = shift_feed_dates(source, tmp_path / "current.zip", covering=date(2026, 11, 22))
    first, last = gtfs.get_feed(out).validity()
    assert last >= date(2026, 12, 20)
    assert (first - old_first).days % 7 == 0 and first.weekday() == old_first.weekday()
    assert (last - first) == (old_last - old_first)
    # A feed already valid then is copied unchanged.
    again = shift_feed_dates(out, tmp_path / "again.zip", covering=date(2026, 11, 22))
    assert gtfs.get_feed(again).validity() == (first, last)
