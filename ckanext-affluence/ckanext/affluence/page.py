"""What the public page shows, computed from a run's precomputed slices.

Slices are read once per run and kept in memory (``_load`` is keyed by the
file and its modification time, so a new run is picked up at once).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from ckan.plugins import toolkit

from . import pagedata, settings, storage, svg
from .model import records


@lru_cache(maxsize=64)
def _cached(path: str, mtime: float) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _load(path: Path) -> Any:
    return _cached(str(path), path.stat().st_mtime)


def level_labels() -> dict[int, str]:
    return {1: toolkit._("low"), 2: toolkit._("medium"), 3: toolkit._("high")}


def timetable(package_id: str) -> dict[str, Any] | None:
    """Routes, stops and stop order of the current run's timetable."""
    path = storage.output_file(package_id, pagedata.TIMETABLE)
    return _load(path) if path else None


def _pick(options: list[Any], wanted: Any, key: str = "id") -> Any:
    for option in options:
        if str(option[key]) == str(wanted):
            return option
    return options[0] if options else None


def context(package_id: str, args: dict[str, str], today: date | None = None) -> dict[str, Any]:
    run_dir = storage.current_dir(package_id)
    index_path = run_dir / pagedata.PAGE / pagedata.INDEX if run_dir else None
    if index_path is None or not index_path.is_file():
        return {"ready": False}
    index = _load(index_path)
    route = _pick(index["routes"], args.get("line"))
    if route is None:
        return {"ready": False}
    direction = _pick(route["directions"], args.get("direction"))
    stop = _pick(direction["stops"], args.get("stop"))
    today = today or date.today()
    dates = index["dates"]
    day = args.get("day") if args.get("day") in dates else (
        today.isoformat() if today.isoformat() in dates else dates[0])
    data = _load(run_dir / pagedata.PAGE / pagedata.slice_name(route["position"], direction["id"]))
    day_data = data["data"].get(day, {})
    rows = sorted(day_data.get(stop["id"], []), key=lambda r: r[0])
    labels = level_labels()
    use_load = bool(index["has_load"])
    slots = sorted({r[0] for stop_rows in day_data.values() for r in stop_rows})
    cells = {(stop_id, r[0]): r for stop_id, stop_rows in day_data.items() for r in stop_rows}
    stops = [(s["id"], s["name"]) for s in direction["stops"]]
    unit = toolkit._("passengers on board") if use_load else toolkit._("boardings")
    chart_title = toolkit._("Expected boardings by time slot at {stop}, {day}").format(
        stop=stop["name"], day=day)
    heat_title = toolkit._("Load profile of line {line} towards {terminus}, {day}").format(
        line=route["name"], terminus=direction["terminus"], day=day)
    return {
        "ready": True,
        "index": index, "route": route, "direction": direction, "stop": stop, "day": day,
        "dates": dates, "rows": rows, "labels": labels, "use_load": use_load,
        "chart": svg.slot_chart(rows, labels, chart_title, toolkit._("boardings")),
        "chart_title": chart_title, "heat_title": heat_title,
        "heatmap": svg.heatmap(stops, slots, lambda s, t: cells.get((s, t)), labels,
                               heat_title, unit, use_load=use_load),
        "recent": recent_reports(package_id, route["id"], direction["id"]),
        "recent_minutes": settings.integer("report_recent_minutes"),
        "source": index.get("source"),
    }


def recent_reports(package_id: str, route_id: str | None = None,
                   direction_id: int | None = None) -> list[dict[str, Any]]:
    """Reports of the last minutes, newest first, with stop names."""
    since = records.now() - timedelta(minutes=settings.integer("report_recent_minutes"))
    names = (timetable(package_id) or {}).get("stops", {})
    result = []
    for report in records.reports_since(package_id, since):
        if route_id is not None and report["route_id"] != route_id:
            continue
        if direction_id is not None and report["direction_id"] != direction_id:
            continue
        result.append(dict(report, stop_name=names.get(report["stop_id"], report["stop_id"])))
    return result
