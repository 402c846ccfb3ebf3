"""Synthetic but realistic passenger counts (and networks) for tests, the demo
and the bench.

Demand per stop and slot = stop popularity (log-normal, higher in the middle
of the line) x hourly profile of the day type (two peaks on weekdays, one
broad hump on Saturdays, low Sundays and public holidays) x day factor
(school holidays -25 % on weekdays, summer -20 %, slight trend) x supply
(scheduled departures), with Poisson noise. Calendars come from the same
``holidays`` / ``vacances-scolaires-france`` features as the model.
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .api import CalendarSettings
from .calendar import SATURDAY, SUNDAY_HOLIDAY, calendar_table
from .gtfs import Feed, get_feed

HOURS = np.arange(48)


def _hour_profile(day_type: int) -> np.ndarray:
    h = HOURS % 24 + 0.5
    if day_type == SATURDAY:
        prof = 0.15 + 0.55 * np.exp(-((h - 15) ** 2) / 18)
    elif day_type == SUNDAY_HOLIDAY:
        prof = 0.1 + 0.3 * np.exp(-((h - 15) ** 2) / 20)
    else:
        prof = (0.12 + 1.0 * np.exp(-((h - 8) ** 2) / 1.5) + 0.85 * np.exp(-((h - 17.5) ** 2) / 2.5)
                + 0.3 * np.exp(-((h - 12.5) ** 2) / 4))
    prof[(h < 5) | (h > 24)] *= 0.2
    return prof.astype(np.float32)


PROFILES = np.stack([_hour_profile(t) for t in range(3)])  # [day_type, slot-hour]


def day_factors(days: list[date], calendar: CalendarSettings) -> pd.DataFrame:
    cal = calendar_table(days, calendar)
    f = np.ones(len(cal), dtype=np.float32)
    school = cal["school_holiday"].fillna(0).to_numpy() == 1
    f[school & (cal["day_type"].to_numpy() == 0)] *= 0.75
    month = cal.index.month.to_numpy()
    f[(month == 7) | (month == 8)] *= 0.8
    f *= 1 + 0.03 * (np.arange(len(cal)) / 365)
    cal["factor"] = f
    return cal


def stop_slot_counts(feed: Feed, start: date, end: date, *, slot_minutes: int = 60,
                     calendar: CalendarSettings = CalendarSettings(), seed: int = 1,
                     with_alightings: bool = True, noise_only: bool = False) -> pd.DataFrame:
    """Counts per route, direction, stop and slot for every scheduled slot."""
    rng = np.random.default_rng(seed)
    deps = feed.departures_by_service(slot_minutes)
    order = feed.stop_order()
    keys = deps[["route_id", "direction_id", "stop_id"]].drop_duplicates().merge(
        order, on=["route_id", "direction_id", "stop_id"], how="left")
    nstops = keys.groupby(["route_id", "direction_id"])["stop_rank"].transform("max").fillna(1)
    centre = 1 - np.abs(keys["stop_rank"].fillna(1) / nstops - 0.5)
    keys["base"] = (rng.lognormal(1.2, 0.6, len(keys)) * (0.5 + centre)).astype(np.float32)
    # alightings mirror boardings: people get off where others get on, reversed
    keys["base_off"] = keys.groupby(["route_id", "direction_id"])["base"].transform(
        lambda s: s.to_numpy()[::-1] if len(s) else s).astype(np.float32)
    deps = deps.merge(keys, on=["route_id", "direction_id", "stop_id"])
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    cal = day_factors(days, calendar)
    out = []
    per_pattern: dict[frozenset, pd.DataFrame] = {}
    for day, row in zip(days, cal.itertuples(), strict=True):
        services = feed.services_on(day)
        if not services:
            continue
        if services not in per_pattern:
            d = deps[deps["service_id"].isin(services)]
            per_pattern[services] = d.groupby(
                ["route_id", "direction_id", "stop_id", "slot"], observed=True).agg(
                departures=("departures", "sum"), base=("base", "first"),
                base_off=("base_off", "first")).reset_index()
        d = per_pattern[services]
        hours = np.minimum(d["slot"].to_numpy() * slot_minutes // 60, 47)
        supply = np.sqrt(d["departures"].to_numpy())
        if noise_only:
            lam = np.full(len(d), 4.0)
        else:
            lam = d["base"].to_numpy() * PROFILES[row.day_type, hours] * row.factor * supply * 4
        boardings = rng.poisson(lam)
        mins = d["slot"].to_numpy().astype(np.int64) * slot_minutes
        ts = pd.Timestamp(day) + pd.to_timedelta(mins, unit="min")
        frame = pd.DataFrame({"stop_id": d["stop_id"].to_numpy(),
                              "slot_start": ts.strftime("%Y-%m-%dT%H:%M:%S"),
                              "boardings": boardings,
                              "route_id": d["route_id"].to_numpy(),
                              "direction_id": pd.array(d["direction_id"].to_numpy().astype("int64"),
                                                       dtype="Int64")})
        frame.loc[frame["direction_id"] < 0, "direction_id"] = pd.NA
        if with_alightings:
            lam_off = d["base_off"].to_numpy() * PROFILES[row.day_type, hours] * row.factor * supply * 4
            frame["alightings"] = rng.poisson(lam_off if not noise_only else lam)
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def board_alight_counts(feed: Feed, start: date, end: date, *, routes: list[str] | None = None,
                        calendar: CalendarSettings = CalendarSettings(), seed: int = 1) -> pd.DataFrame:
    """GTFS-ride board_alight rows for every trip of ``routes`` running each day."""
    rng = np.random.default_rng(seed)
    st = feed.trip_departures()
    if routes:
        st = st[st["route_id"].isin(routes)]
    st = st.drop_duplicates(["trip_id", "stop_sequence"]).sort_values(["trip_id", "stop_sequence"])
    nst = st.groupby("trip_id")["rank"].transform("max")
    pos = (st["rank"] / nst).to_numpy()
    stop_base = {s: b for s, b in zip(st["stop_id"].unique(),
                                      rng.lognormal(0.5, 0.6, st["stop_id"].nunique()), strict=True)}
    base = st["stop_id"].map(stop_base).to_numpy() * (1.2 - pos)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    cal = day_factors(days, calendar)
    out = []
    for day, row in zip(days, cal.itertuples(), strict=True):
        m = st["service_id"].isin(feed.services_on(day)).to_numpy()
        if not m.any():
            continue
        d = st[m]
        hours = np.minimum((d["dep_sec"].to_numpy() // 3600).astype(int), 47)
        lam = base[m] * PROFILES[row.day_type, hours] * row.factor * 3
        b = rng.poisson(lam).astype(float)
        b[(d["rank"] == nst[m]).to_numpy()] = 0  # nobody boards at the terminus
        frame = pd.DataFrame({"trip_id": d["trip_id"].to_numpy(), "stop_id": d["stop_id"].to_numpy(),
                              "stop_sequence": d["stop_sequence"].to_numpy(), "record_use": 0,
                              "boardings": b, "service_date": day.strftime("%Y%m%d")})
        # alightings: a share of those on board that grows along the line; all leave at the end
        loads, alights = np.zeros(len(d)), np.zeros(len(d))
        trip = frame["trip_id"].to_numpy()
        p = np.clip(pos[m], 0.05, 1.0) * 0.5
        onboard = 0.0
        for i in range(len(d)):
            if i == 0 or trip[i] != trip[i - 1]:
                onboard = 0.0
            last = i == len(d) - 1 or trip[i + 1] != trip[i]
            a = onboard if last else rng.binomial(int(onboard), p[i])
            onboard = onboard - a + (0 if last else b[i])
            alights[i], loads[i] = a, onboard
        frame["alightings"] = alights
        frame["current_load"] = loads
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def write_counts(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return Path(path)


def write_network_gtfs(path: Path, *, lines: int = 50, stops_per_line: int = 26,
                       start: date = date(2025, 1, 1), end: date = date(2025, 12, 31),
                       first_hour: int = 6, last_hour: int = 20, headway_min: int = 10,
                       timezone: str = "Europe/Paris") -> Path:
    """A synthetic GTFS network: ``lines`` lines of ``stops_per_line`` stops
    (distinct stops per line, shared by both directions), one trip every
    ``headway_min`` minutes (x2 on weekends) from ``first_hour`` to ``last_hour``."""
    def table(rows: list[list], header: list[str]) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue()

    stops, routes, trips, times = [], [], [], []
    for li in range(lines):
        rid = f"L{li + 1:02d}"
        routes.append([rid, "SYN", str(li + 1), f"Ligne {li + 1}", 3])
        sids = [f"{rid}S{k + 1:02d}" for k in range(stops_per_line)]
        stops += [[s, f"{rid} arrêt {k + 1}", 48.1 + li * 0.001, -1.68 + k * 0.001]
                  for k, s in enumerate(sids)]
        for service, hw in (("WK", headway_min), ("SA", headway_min * 2), ("SU", headway_min * 3)):
            for direction in (0, 1):
                seq = sids if direction == 0 else sids[::-1]
                for n, t0 in enumerate(range(first_hour * 3600, last_hour * 3600, hw * 60)):
                    tid = f"{rid}-{service}-{direction}-{n}"
                    trips.append([rid, service, tid, direction])
                    for k, s in enumerate(seq):
                        t = t0 + k * 120
                        hms = f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
                        times.append([tid, hms, hms, s, k + 1])
    ymd = lambda d: d.strftime("%Y%m%d")  # noqa: E731
    cal = [["WK", 1, 1, 1, 1, 1, 0, 0, ymd(start), ymd(end)],
           ["SA", 0, 0, 0, 0, 0, 1, 0, ymd(start), ymd(end)],
           ["SU", 0, 0, 0, 0, 0, 0, 1, ymd(start), ymd(end)]]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("agency.txt", table([["SYN", "Réseau synthétique", "https://example.org", timezone]],
                                        ["agency_id", "agency_name", "agency_url", "agency_timezone"]))
        zf.writestr("stops.txt", table(stops, ["stop_id", "stop_name", "stop_lat", "stop_lon"]))
        zf.writestr("routes.txt", table(routes, ["route_id", "agency_id", "route_short_name",
                                                 "route_long_name", "route_type"]))
        zf.writestr("trips.txt", table(trips, ["route_id", "service_id", "trip_id", "direction_id"]))
        zf.writestr("stop_times.txt", table(times, ["trip_id", "arrival_time", "departure_time",
                                                    "stop_id", "stop_sequence"]))
        zf.writestr("calendar.txt", table(cal, ["service_id", "monday", "tuesday", "wednesday",
                                                "thursday", "friday", "saturday", "sunday",
                                                "start_date", "end_date"]))
    return Path(path)


def demo_counts(timetable: Path, out: Path, *, weeks: int = 8, end: date | None = None,
                calendar: CalendarSettings = CalendarSettings(), seed: int = 1) -> Path:
    """Stop-slot counts for the ``weeks`` weeks before ``end`` (default: the
    feed's last valid day), for the demo and the docs."""
    feed = get_feed(timetable)
    last = end or feed.validity()[1] or date.today()
    first = last - timedelta(days=7 * weeks - 1)
    return write_counts(stop_slot_counts(feed, first, last, calendar=calendar, seed=seed), out)


def shift_feed_dates(timetable: Path, out: Path, *, covering: date, margin_days: int = 28) -> Path:
    """Copy of a GTFS zip whose service calendar is moved by whole weeks
    (weekdays keep their services) so that it runs until at least
    ``covering + margin_days``: a real but old feed made current, for the
    demo's forecast of the coming days. Feeds already valid then are copied
    unchanged. Only ``calendar.txt`` and ``calendar_dates.txt`` change."""
    last = get_feed(timetable).validity()[1]
    weeks = 0 if last is None else max(0, -(-((covering - last).days + margin_days) // 7))
    shift = timedelta(weeks=weeks)

    def moved(text: str, columns: tuple[str, ...]) -> str:
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows:
            return text
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            for col in columns:
                if row.get(col):
                    day = date(int(row[col][:4]), int(row[col][4:6]), int(row[col][6:8]))
                    row[col] = (day + shift).strftime("%Y%m%d")
            writer.writerow(row)
        return buf.getvalue()

    dated = {"calendar.txt": ("start_date", "end_date"), "calendar_dates.txt": ("date",)}
    with zipfile.ZipFile(timetable) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if weeks and info.filename in dated:
                data = moved(data.decode("utf-8-sig"), dated[info.filename]).encode("utf-8")
            dst.writestr(info.filename, data)
    return out
