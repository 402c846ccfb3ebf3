"""Precomputed data of the public page, written with each run's outputs.

The page must answer in under 300 ms whatever the network's size, so a run
slices its forecast once: ``page/index.json`` (lines, directions, stops in
line order, dates) and one small JSON file per line and direction. A request
then reads one slice (cached in memory per run, see ``views``).
``timetable.json`` keeps the routes and stops of the GTFS feed for the
checks of travellers' reports.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .engine import api as engine

PAGE = "page"
INDEX = "index.json"
TIMETABLE = "timetable.json"
ROW_FIELDS = ("slot", "boardings", "p10", "p90", "level", "load", "load_p10", "load_p90",
              "occupancy", "status")


def slice_name(position: int, direction: int) -> str:
    return f"r{position}_d{direction}.json"


def _number(value: Any, digits: int = 1) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def build(run_dir: Path, timetable: Path | None) -> None:
    """Write ``page/`` and ``timetable.json`` next to the run's forecast."""
    summary = engine.read_timetable(timetable) if timetable else None
    frame = pd.read_csv(run_dir / "forecast.csv", dtype={"route_id": str, "stop_id": str,
                                                         "trip_id": str, "slot_start": str})
    frame["route_id"] = frame["route_id"].fillna("")
    frame["direction_id"] = frame["direction_id"].fillna(0).astype(int)
    names = dict(summary.stops) if summary else {}
    route_names = dict(summary.routes) if summary else {}
    if "stop_name" in frame:
        for stop, name in frame.dropna(subset=["stop_name"]).groupby("stop_id")["stop_name"].first().items():
            names.setdefault(stop, name)
    if "route_name" in frame:
        for route, name in frame.dropna(subset=["route_name"]).groupby("route_id")["route_name"].first().items():
            route_names.setdefault(route, name)
    # Trip-level forecasts: one row per stop and slot for the page.
    grouped = frame.groupby(["route_id", "direction_id", "stop_id", "date", "slot_start"],
                            sort=True, dropna=False).agg(
        boardings=("expected_boardings", "sum"), p10=("boardings_p10", "sum"),
        p90=("boardings_p90", "sum"), level=("crowding_level", "max"),
        load=("expected_load", "max"), load_p10=("load_p10", "max"),
        load_p90=("load_p90", "max"), occupancy=("occupancy_percentage", "max"),
        status=("occupancy_status", "first"),
        sequence=("stop_sequence", "min"),
    ).reset_index()
    page = run_dir / PAGE
    page.mkdir(exist_ok=True)
    routes = []
    for position, (route_id, route_rows) in enumerate(grouped.groupby("route_id", sort=True)):
        directions = []
        for direction, rows in route_rows.groupby("direction_id", sort=True):
            order = _stop_order(summary, route_id, int(direction), rows)
            data: dict[str, dict[str, list[list[Any]]]] = {}
            for row in rows.itertuples(index=False):
                data.setdefault(str(row.date), {}).setdefault(row.stop_id, []).append([
                    row.slot_start, _number(row.boardings), _number(row.p10), _number(row.p90),
                    int(row.level), _number(row.load), _number(row.load_p10),
                    _number(row.load_p90), _number(row.occupancy, 0), row.status,
                ])
            (page / slice_name(position, int(direction))).write_text(
                json.dumps({"stops": order, "data": data}, separators=(",", ":")))
            last = names.get(order[-1], order[-1]) if order else ""
            directions.append({"id": int(direction), "terminus": last, "stops": [
                {"id": s, "name": names.get(s, s)} for s in order]})
        routes.append({"id": route_id, "position": position,
                       "name": route_names.get(route_id, route_id or "—"),
                       "directions": directions})
    index = {
        "routes": routes,
        "dates": sorted(str(d) for d in frame["date"].unique()),
        "has_load": bool(frame["expected_load"].notna().any()),
        "slot_minutes": int(frame["slot_minutes"].iloc[0]) if len(frame) else 60,
        "source": str(frame["source"].iloc[0]) if len(frame) else "",
    }
    (page / INDEX).write_text(json.dumps(index, separators=(",", ":")))
    timetable_data = {
        "routes": route_names,
        "stops": names,
        "route_stops": {f"{r['id']}|{d['id']}": [s["id"] for s in d["stops"]]
                        for r in routes for d in r["directions"]},
    }
    if summary:
        timetable_data["route_stops"].update(
            {f"{route}|{direction}": stops for (route, direction), stops in summary.route_stops.items()})
        timetable_data["timezone"] = summary.timezone
    (run_dir / TIMETABLE).write_text(json.dumps(timetable_data, separators=(",", ":")))


def _stop_order(summary: engine.Timetable | None, route_id: str, direction: int,
                rows: pd.DataFrame) -> list[str]:
    present = set(rows["stop_id"])
    if summary and (route_id, direction) in summary.route_stops:
        ordered = [s for s in summary.route_stops[(route_id, direction)] if s in present]
        rest = sorted(present - set(ordered))
        return ordered + rest
    by_sequence = rows.groupby("stop_id")["sequence"].min().sort_values(na_position="last")
    return [str(s) for s in by_sequence.index]
