"""Whole runs on tiny data: both count formats, back-test, baseline fallback,
quantiles, the open format, the model card, reuse of a saved model."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from enginelib import END, write_csv
from frictionless import Resource, Schema

from ckanext.affluence.engine import api, gtfs, synthetic


@pytest.fixture(scope="module")
def stop_slot_run(tmp_path_factory, stop_slot_csv, sample_gtfs) -> api.RunResult:
    from ckanext.affluence.engine import model

    model.ROUNDS = 8  # module-scoped fixture: the autouse monkeypatch is per test
    folder = tmp_path_factory.mktemp("inputs")
    caps = write_csv(folder / "caps.csv", ["route_id", "capacity"], [["CITY", "40"], ["AB", "60"]])
    reports = write_csv(folder / "reports.csv",
                        ["reported_at", "route_id", "direction_id", "stop_id", "level"],
                        [[f"2008-02-2{d}T08:{m:02d}", "STBA", "0", "STAGECOACH", "3"]
                         for d in range(3, 9) for m in (5, 20, 40)])
    out = tmp_path_factory.mktemp("out")
    steps = []
    res = api.regenerate(api.InputFiles(stop_slot_csv, timetable=sample_gtfs, capacities=caps,
                                        reports=reports),
                         out, horizon_days=3, progress=lambda s, f: steps.append((s, f)))
    object.__setattr__(res, "warnings", [s for s, _ in steps])  # keep the steps for the test
    return res


def test_stop_slot_outputs(stop_slot_run):
    res = stop_slot_run
    for key in ("forecast_csv", "forecast_json", "model_card_json", "model_card_md", "model"):
        assert res.files[key].is_file()
    assert res.training_window == (date(2008, 1, 7), END)
    fc = pd.read_csv(res.files["forecast_csv"], dtype={"trip_id": str})
    assert len(fc) == res.rows > 0
    assert set(fc["date"]) == {"2008-03-03", "2008-03-04", "2008-03-05"}
    assert (fc["boardings_p10"] <= fc["expected_boardings"] + 1e-6).all()
    assert (fc["expected_boardings"] <= fc["boardings_p90"] + 1e-6).all()
    assert (fc["load_p10"] <= fc["load_p90"] + 1e-6).all()
    assert fc["expected_load"].notna().all()  # loads derived from alightings along the line
    assert set(fc["crowding_class"]) <= {"low", "medium", "high"}
    assert fc["source"].eq(res.used).all()
    city = fc[fc["route_id"] == "CITY"]
    assert city["occupancy_percentage"].notna().all() and city["capacity"].gt(0).all()
    assert fc[fc["route_id"] == "STBA"]["occupancy_percentage"].isna().all()
    steps = res.warnings
    assert steps[0] == "validate" and steps[-1] == "done" and "backtest" in steps


def test_forecast_matches_its_published_schema(stop_slot_run):
    schema = Schema.from_descriptor(json.loads(api.FORECAST_SCHEMA.read_text()))
    path = stop_slot_run.files["forecast_csv"]
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])[:5]
    doc = json.loads(stop_slot_run.files["forecast_json"].read_text())
    assert len(doc["rows"]) == stop_slot_run.rows
    assert doc["metadata"]["timezone"] == "America/Los_Angeles"
    assert doc["schema"]["name"] == "crowding_forecast"


def test_model_card(stop_slot_run):
    card = json.loads(stop_slot_run.files["model_card_json"].read_text())
    assert card["published"] == stop_slot_run.used
    bt = card["backtest"]
    for who in ("model", "baseline"):
        assert set(bt["boardings"][who]) >= {"mae", "wape", "rmse", "n"}
        assert bt["boardings"][who]["n"] > 0
    assert "load" in bt
    assert bt["test_window"][1] == END.isoformat()
    assert card["training_window"] == ["2008-01-07", "2008-03-02"]
    names = [f["name"] for f in card["features"]]
    assert {"departures", "stop_rank", "profile", "recent_ratio", "school_holiday"} <= set(names)
    assert card["inputs"]["timetable"]["routes"] == 5
    assert card["reports"]["reports_used"] == 18
    md = stop_slot_run.files["model_card_md"].read_text()
    assert "## Back-test" in md and "WAPE" in md and card["decision"] in md
    winner = bt["boardings"]["winner"]
    assert winner == stop_slot_run.used
    m, b = bt["boardings"]["model"]["wape"], bt["boardings"]["baseline"]["wape"]
    assert (winner == "model") == (m < b)


def test_reports_raise_the_crowding_level(stop_slot_run):
    fc = pd.read_csv(stop_slot_run.files["forecast_csv"])
    hit = fc[(fc["stop_id"] == "STAGECOACH") & (fc["route_id"] == "STBA") & (fc["slot_start"] == "08:00")]
    assert not hit.empty and (hit["reports"] > 0).all()
    assert (hit["crowding_level"] >= 2).all()  # 18 "high" reports outweigh the predicted level


def test_baseline_is_published_when_the_model_does_not_beat_it(tmp_path, sample_gtfs):
    # perfectly seasonal counts: the historical mean per stop/slot/day type is exact
    feed = gtfs.get_feed(sample_gtfs)
    df = synthetic.stop_slot_counts(feed, date(2008, 1, 7), date(2008, 2, 17), with_alightings=False)
    ts = pd.to_datetime(df["slot_start"])
    df["boardings"] = (df["stop_id"].str.len() + ts.dt.hour + 3 * (ts.dt.dayofweek >= 5)).astype(int)
    path = tmp_path / "flat.csv"
    df.to_csv(path, index=False)
    res = api.regenerate(api.InputFiles(path, timetable=sample_gtfs), tmp_path / "out", horizon_days=2)
    assert res.used == "baseline"
    assert res.metrics["baseline"]["mae"] == 0.0 and res.metrics["model"]["mae"] > 0
    card = json.loads(res.files["model_card_json"].read_text())
    assert "baseline is published" in card["decision"]
    fc = pd.read_csv(res.files["forecast_csv"])
    assert fc["source"].eq("baseline").all()


def test_pure_noise_backtest_picks_the_better_one(tmp_path, sample_gtfs):
    feed = gtfs.get_feed(sample_gtfs)
    df = synthetic.stop_slot_counts(feed, date(2008, 1, 7), date(2008, 2, 17), noise_only=True,
                                    with_alightings=False)
    path = tmp_path / "noise.csv"
    df.to_csv(path, index=False)
    res = api.backtest(api.InputFiles(path))
    m, b = res["boardings"]["model"]["wape"], res["boardings"]["baseline"]["wape"]
    assert res["winner"] == ("model" if m < b else "baseline")
    assert "load" not in res


def test_board_alight_trip_level_and_reuse(tmp_path, board_alight_csv, sample_gtfs):
    res = api.regenerate(api.InputFiles(board_alight_csv, timetable=sample_gtfs),
                         tmp_path / "out", horizon_days=2,
                         calendar=api.CalendarSettings(country="US", subdivision="CA", school_zone=None))
    fc = pd.read_csv(res.files["forecast_csv"], dtype={"trip_id": str})
    assert fc["trip_id"].notna().all() and set(fc["route_id"]) == {"AB", "BFC"}
    assert fc["expected_load"].notna().all()
    assert (fc["boardings_p10"] <= fc["boardings_p90"]).all()
    again = api.forecast_with_model(res.files["model"], api.InputFiles(board_alight_csv, timetable=sample_gtfs),
                                    tmp_path / "again", horizon_days=2)
    fc2 = pd.read_csv(again.files["forecast_csv"], dtype={"trip_id": str})
    assert len(fc2) == len(fc)
    assert np.allclose(fc2["expected_boardings"], fc["expected_boardings"], atol=0.15)


def test_failed_run_keeps_previous_outputs(tmp_path, stop_slot_run, sample_gtfs):
    out = Path(stop_slot_run.files["forecast_csv"]).parent
    before = stop_slot_run.files["forecast_csv"].read_bytes()
    bad = write_csv(tmp_path / "bad.csv", ["stop_id", "slot_start", "boardings"], [["X", "2008-01-07T08:00", "-5"]])
    with pytest.raises(api.InputValidationError):
        api.regenerate(api.InputFiles(bad, timetable=sample_gtfs), out)
    assert stop_slot_run.files["forecast_csv"].read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]
