"""GTFS-RT TripUpdates parse back; the `affluence` command works without CKAN."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from click.testing import CliRunner
from google.transit import gtfs_realtime_pb2 as rt

from ckanext.affluence.engine import api
from ckanext.affluence.engine.cli import main


def test_trip_updates_feed_parses_back(tmp_path, stop_slot_csv, sample_gtfs):
    res = api.regenerate(api.InputFiles(stop_slot_csv, timetable=sample_gtfs), tmp_path, horizon_days=1)
    data = api.trip_updates_feed(res.files["forecast_csv"], datetime(2008, 3, 3, 7, 30), hours=3,
                                 timetable=sample_gtfs)
    msg = rt.FeedMessage()
    msg.ParseFromString(data)
    assert msg.header.gtfs_realtime_version == "2.0"
    assert len(msg.entity) > 3
    fc = pd.read_csv(res.files["forecast_csv"])
    allowed = {rt.VehiclePosition.OccupancyStatus.Value(s) for s in fc["occupancy_status"]}
    stus = [s for e in msg.entity for s in e.trip_update.stop_time_update]
    assert stus and {s.departure_occupancy_status for s in stus} <= allowed
    assert all(e.trip_update.trip.start_date == "20080303" for e in msg.entity)
    start = datetime(2008, 3, 3, 7, 30).timestamp()
    # local times of America/Los_Angeles: all departures within 3 hours of 07:30 local
    assert all(0 <= s.departure.time - (start + 8 * 3600) < 3 * 3600 for s in stus)


def test_cli_forecast_backtest_validate(tmp_path, stop_slot_csv, sample_gtfs):
    runner = CliRunner()
    out = tmp_path / "f" / "forecast.csv"
    r = runner.invoke(main, ["forecast", "--counts", str(stop_slot_csv), "--gtfs", str(sample_gtfs),
                             "--cutoff", "2008-02-24", "--horizon", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    fc = pd.read_csv(out)
    assert set(fc["date"]) == {"2008-02-25", "2008-02-26"}
    assert (out.parent / "model_card.md").is_file() and (out.parent / "model.zip").is_file()
    r = runner.invoke(main, ["backtest", "--counts", str(stop_slot_csv), "--weeks", "1"])
    assert r.exit_code == 0, r.output
    assert "boardings  model" in r.output and "boardings  baseline" in r.output and "WAPE" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("stop_id,slot_start,boardings\nS1,yesterday,2\n")
    r = runner.invoke(main, ["validate", "--counts", str(bad)])
    assert r.exit_code == 2
    assert "counts (bad.csv), row 1, column slot_start" in r.output
