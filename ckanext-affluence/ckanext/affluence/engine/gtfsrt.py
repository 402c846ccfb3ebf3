"""GTFS-Realtime TripUpdates with departure_occupancy_status from a forecast."""
from __future__ import annotations

import time
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from google.transit import gtfs_realtime_pb2 as rt

from .gtfs import get_feed

STATUS = {name: num for name, num in rt.VehiclePosition.OccupancyStatus.items()}


def _slot_minutes_str(series: pd.Series) -> np.ndarray:
    hm = series.astype(str).str.split(":", expand=True).astype(int)
    return (hm[0] * 60 + hm[1]).to_numpy()


def trip_updates_feed(forecast_csv: Path, now: datetime, *, hours: int = 3,
                      timetable: Path | None = None, timezone: str | None = None) -> bytes:
    fc = pd.read_csv(forecast_csv, dtype={"route_id": str, "stop_id": str, "trip_id": str,
                                          "date": str, "slot_start": str},
                     keep_default_na=False)
    feed = get_feed(Path(timetable)) if timetable is not None else None
    tz = zoneinfo.ZoneInfo(timezone or (feed.timezone if feed is not None else "UTC"))
    local_now = now.astimezone(tz).replace(tzinfo=None) if now.tzinfo else now
    end = local_now + timedelta(hours=hours)

    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.incrementality = rt.FeedHeader.FULL_DATASET
    msg.header.timestamp = int(now.timestamp() if now.tzinfo else
                               local_now.replace(tzinfo=tz).timestamp())
    if fc.empty:
        return msg.SerializeToString()
    fc["slot_min"] = _slot_minutes_str(fc["slot_start"])
    trip_level = (fc["trip_id"] != "").any()

    def epoch(service_date: str, seconds: float) -> int:
        base = datetime.strptime(service_date, "%Y-%m-%d").replace(tzinfo=tz)
        return int(base.timestamp() + seconds)

    rows: list[tuple[str, str, int, str, int, str]] = []  # trip, date, seq, stop, time, status
    if trip_level:
        dates = {(local_now - timedelta(days=1)).date().isoformat(), local_now.date().isoformat(),
                 end.date().isoformat()}
        sub = fc[fc["date"].isin(dates)].copy()
        dep = None
        if feed is not None:
            dep = feed.stop_times.drop_duplicates(["trip_id", "stop_id"]).set_index(
                ["trip_id", "stop_id"])[["dep_sec", "stop_sequence"]]
        for r in sub.itertuples():
            if dep is not None and (r.trip_id, r.stop_id) in dep.index:
                secs, seq = dep.loc[(r.trip_id, r.stop_id)]
            else:
                secs, seq = r.slot_min * 60, r.stop_sequence or 0
            t = datetime.strptime(r.date, "%Y-%m-%d") + timedelta(seconds=float(secs))
            if local_now <= t < end:
                rows.append((r.trip_id, r.date, int(seq or 0), r.stop_id, epoch(r.date, float(secs)),
                             r.occupancy_status))
    else:
        if feed is None:
            raise ValueError("a stop-level forecast needs the GTFS timetable to list the trips")
        st = feed.trip_departures()
        fc["direction_id"] = pd.to_numeric(fc["direction_id"], errors="coerce").fillna(-1).astype(int)
        slot_len = int(fc["slot_minutes"].iloc[0])
        look = fc.set_index(["date", "route_id", "stop_id", "slot_min"])["occupancy_status"]
        look = look[~look.index.duplicated()]
        look_any = fc.assign(route_id="").set_index(["date", "route_id", "stop_id", "slot_min"])[
            "occupancy_status"]
        look_any = look_any[~look_any.index.duplicated()]
        day = (local_now - timedelta(days=1)).date()
        while day <= end.date():
            services = feed.services_on(day)
            d = st[st["service_id"].isin(services)]
            base = datetime.combine(day, datetime.min.time())
            t = base + pd.to_timedelta(d["dep_sec"], unit="s")
            d = d[(t >= local_now) & (t < end)]
            for r in d.itertuples():
                when = base + timedelta(seconds=float(r.dep_sec))
                cal_date = when.date().isoformat()
                smin = (when.hour * 60 + when.minute) // slot_len * slot_len
                status = look.get((cal_date, r.route_id, r.stop_id, smin))
                if status is None:
                    status = look_any.get((cal_date, "", r.stop_id, smin))
                if status is not None:
                    rows.append((r.trip_id, day.isoformat(), int(r.stop_sequence), r.stop_id,
                                 epoch(day.isoformat(), float(r.dep_sec)), status))
            day += timedelta(days=1)

    rows.sort()
    current = None
    for trip_id, service_date, seq, stop_id, when, status in rows:
        if current is None or (trip_id, service_date) != current[0]:
            ent = msg.entity.add()
            ent.id = f"{trip_id}-{service_date}"
            tu = ent.trip_update
            tu.trip.trip_id = trip_id
            tu.trip.start_date = service_date.replace("-", "")
            tu.trip.schedule_relationship = rt.TripDescriptor.SCHEDULED
            current = ((trip_id, service_date), tu)
        stu = current[1].stop_time_update.add()
        stu.stop_sequence = seq
        stu.stop_id = stop_id
        stu.departure.time = when  # scheduled time: the forecast carries no delay
        stu.departure_occupancy_status = STATUS.get(status, STATUS["NO_DATA_AVAILABLE"])
    return msg.SerializeToString()


def now_ts() -> float:
    return time.time()
