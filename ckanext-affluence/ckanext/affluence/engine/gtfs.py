"""GTFS zip reading: checks with clear errors, stop order, scheduled departures."""
from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .api import InputError, InputValidationError, Timetable

REQUIRED = {
    "agency.txt": ["agency_name", "agency_timezone"],
    "stops.txt": ["stop_id"],
    "routes.txt": ["route_id"],
    "trips.txt": ["route_id", "service_id", "trip_id"],
    "stop_times.txt": ["trip_id", "stop_id", "stop_sequence"],
}
CALENDAR_COLS = ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                 "saturday", "sunday", "start_date", "end_date"]
CALENDAR_DATES_COLS = ["service_id", "date", "exception_type"]
TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
DATE_RE = re.compile(r"^\d{8}$")
MAX_ERRORS_PER_CHECK = 20


def _label(path: Path, member: str | None = None) -> str:
    return f"timetable ({path.name}: {member})" if member else f"timetable ({path.name})"


def parse_seconds(values: pd.Series) -> pd.Series:
    """'H:MM:SS' (hours may exceed 24) -> seconds since service-day noon-12h; NaN if bad."""
    parts = values.astype("string").str.extract(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
    secs = (pd.to_numeric(parts[0]) * 3600 + pd.to_numeric(parts[1]) * 60
            + pd.to_numeric(parts[2]))
    return secs.astype("float64")


@dataclass
class Feed:
    """A parsed GTFS feed (only what the engine needs)."""

    path: Path
    timezone: str
    routes: pd.DataFrame  # route_id, route_name
    stops: pd.DataFrame  # stop_id, stop_name
    trips: pd.DataFrame  # trip_id, route_id, service_id, direction_id (int, -1 unknown)
    stop_times: pd.DataFrame  # trip_id, stop_id, stop_sequence, dep_sec, rank
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    _services_cache: dict = field(default_factory=dict, repr=False)

    # ---- service calendar -------------------------------------------------
    def services_on(self, day: date) -> frozenset[str]:
        if day in self._services_cache:
            return self._services_cache[day]
        active: set[str] = set()
        if len(self.calendar):
            wd = CALENDAR_COLS[1 + day.weekday()]
            ymd = int(day.strftime("%Y%m%d"))
            c = self.calendar
            m = (c[wd] == 1) & (c["start_date"] <= ymd) & (c["end_date"] >= ymd)
            active.update(c.loc[m, "service_id"])
        if len(self.calendar_dates):
            ymd = int(day.strftime("%Y%m%d"))
            cd = self.calendar_dates[self.calendar_dates["date"] == ymd]
            active.update(cd.loc[cd["exception_type"] == 1, "service_id"])
            active.difference_update(cd.loc[cd["exception_type"] == 2, "service_id"])
        res = frozenset(active)
        self._services_cache[day] = res
        return res

    def validity(self) -> tuple[date | None, date | None]:
        vals: list[int] = []
        if len(self.calendar):
            vals += [int(self.calendar["start_date"].min()), int(self.calendar["end_date"].max())]
        if len(self.calendar_dates):
            vals += [int(self.calendar_dates["date"].min()), int(self.calendar_dates["date"].max())]
        if not vals:
            return None, None
        to = lambda v: date(v // 10000, v // 100 % 100, v % 100)  # noqa: E731
        return to(min(vals)), to(max(vals))

    # ---- line structure ------------------------------------------------------
    def stop_order(self) -> pd.DataFrame:
        """(route_id, direction_id, stop_id) -> stop_rank (median position, 1-based)."""
        st = self.stop_times.merge(self.trips[["trip_id", "route_id", "direction_id"]], on="trip_id")
        g = st.groupby(["route_id", "direction_id", "stop_id"], observed=True)["rank"].median()
        out = g.reset_index().rename(columns={"rank": "stop_rank"})
        out["stop_rank"] = out["stop_rank"].astype("float32")
        return out

    def trip_departures(self) -> pd.DataFrame:
        """stop_times joined with trips: trip_id, route_id, direction_id, service_id,
        stop_id, stop_sequence, rank, dep_sec."""
        return self.stop_times.merge(
            self.trips[["trip_id", "route_id", "direction_id", "service_id"]], on="trip_id")

    def departures_by_service(self, slot_minutes: int) -> pd.DataFrame:
        """Scheduled departures per service_id, route, direction, stop and
        service-day slot (slot index may exceed one day for after-midnight trips)."""
        st = self.trip_departures()
        st = st[st["dep_sec"].notna()]
        st = st.assign(slot=(st["dep_sec"] // (slot_minutes * 60)).astype("int32"))
        return (st.groupby(["service_id", "route_id", "direction_id", "stop_id", "slot"],
                           observed=True).size().rename("departures").reset_index())


def _read_member(zf: zipfile.ZipFile, names: dict[str, str], member: str, path: Path,
                 errors: list[InputError]) -> pd.DataFrame | None:
    raw = zf.read(names[member])
    if not raw.strip():
        errors.append(InputError(_label(path, member), None, None, "empty file"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n")
        errors.append(InputError(
            _label(path, member), line if line > 0 else None, None,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "GTFS files must be encoded in UTF-8"))
        return None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        errors.append(InputError(_label(path, member), None, None, f"unreadable CSV: {exc}"))
        return None
    df.columns = [c.strip() for c in df.columns]
    if df.empty:
        errors.append(InputError(_label(path, member), None, None, "no data rows (header only)"))
        return None
    return df


def _need_columns(df: pd.DataFrame, cols: list[str], path: Path, member: str,
                  errors: list[InputError]) -> bool:
    ok = True
    for c in cols:
        if c not in df.columns:
            errors.append(InputError(_label(path, member), 0, c, "required column is missing"))
            ok = False
    return ok


def _bad_rows(mask: pd.Series, path: Path, member: str, column: str, reason: str,
              errors: list[InputError]) -> None:
    idx = np.flatnonzero(mask.to_numpy())
    for i in idx[:MAX_ERRORS_PER_CHECK]:
        errors.append(InputError(_label(path, member), int(i) + 1, column, reason))
    if len(idx) > MAX_ERRORS_PER_CHECK:
        errors.append(InputError(_label(path, member), None, column,
                                 f"{len(idx) - MAX_ERRORS_PER_CHECK} more rows: {reason}"))


def load_feed(path: Path) -> tuple[Feed | None, list[InputError]]:
    """Parse and check a GTFS zip. Returns (feed or None, errors)."""
    path = Path(path)
    errors: list[InputError] = []
    if not path.is_file():
        return None, [InputError(_label(path), None, None, "file not found")]
    if path.stat().st_size == 0:
        return None, [InputError(_label(path), None, None, "empty file")]
    try:
        zf = zipfile.ZipFile(path)
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        return None, [InputError(_label(path), None, None,
                                 f"not a valid zip archive ({exc}); a GTFS feed is a zip of .txt files")]
    if bad is not None:
        return None, [InputError(_label(path), None, None, f"corrupted member in zip: {bad}")]
    with zf:
        # Feeds are sometimes zipped with their folder: match on base names.
        names = {Path(n).name: n for n in zf.namelist() if not n.endswith("/")}
        for member in REQUIRED:
            if member not in names:
                errors.append(InputError(_label(path), None, None, f"required file {member} is missing"))
        if "calendar.txt" not in names and "calendar_dates.txt" not in names:
            errors.append(InputError(_label(path), None, None,
                                     "calendar.txt or calendar_dates.txt is required (none found)"))
        if errors:
            return None, errors
        frames: dict[str, pd.DataFrame | None] = {}
        for member in [*REQUIRED, "calendar.txt", "calendar_dates.txt", "frequencies.txt"]:
            if member in names:
                frames[member] = _read_member(zf, names, member, path, errors)
    if errors:
        return None, errors
    for member, cols in REQUIRED.items():
        _need_columns(frames[member], cols, path, member, errors)
    cal = frames.get("calendar.txt")
    cdates = frames.get("calendar_dates.txt")
    if cal is not None:
        _need_columns(cal, CALENDAR_COLS, path, "calendar.txt", errors)
    if cdates is not None:
        _need_columns(cdates, CALENDAR_DATES_COLS, path, "calendar_dates.txt", errors)
    if errors:
        return None, errors

    agency, stops, routes = frames["agency.txt"], frames["stops.txt"], frames["routes.txt"]
    trips, st = frames["trips.txt"], frames["stop_times.txt"]
    tz = agency["agency_timezone"].iloc[0].strip() or "UTC"
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(tz)
    except Exception:
        errors.append(InputError(_label(path, "agency.txt"), 1, "agency_timezone",
                                 f"unknown time zone {tz!r}"))

    # dates
    if cal is not None:
        for col in ("start_date", "end_date"):
            bad = ~cal[col].str.strip().str.match(DATE_RE) | pd.to_datetime(
                cal[col].str.strip(), format="%Y%m%d", errors="coerce").isna()
            _bad_rows(bad, path, "calendar.txt", col,
                      f"not a valid date (expected YYYYMMDD), e.g. {cal.loc[bad, col].head(1).tolist()}", errors)
        if not errors:
            inverted = cal["start_date"].astype(int) > cal["end_date"].astype(int)
            _bad_rows(inverted, path, "calendar.txt", "end_date", "end_date is before start_date", errors)
        for col in CALENDAR_COLS[1:8]:
            _bad_rows(~cal[col].str.strip().isin(["0", "1"]), path, "calendar.txt", col,
                      "must be 0 or 1", errors)
    if cdates is not None:
        bad = pd.to_datetime(cdates["date"].str.strip(), format="%Y%m%d", errors="coerce").isna()
        _bad_rows(bad, path, "calendar_dates.txt", "date",
                  "not a valid date (expected YYYYMMDD)", errors)
        _bad_rows(~cdates["exception_type"].str.strip().isin(["1", "2"]), path,
                  "calendar_dates.txt", "exception_type", "must be 1 (added) or 2 (removed)", errors)

    # references
    stop_ids = set(stops["stop_id"])
    _bad_rows(~st["stop_id"].isin(stop_ids), path, "stop_times.txt", "stop_id",
              "unknown stop_id (not in stops.txt)", errors)
    _bad_rows(~st["trip_id"].isin(set(trips["trip_id"])), path, "stop_times.txt", "trip_id",
              "unknown trip_id (not in trips.txt)", errors)
    _bad_rows(~trips["route_id"].isin(set(routes["route_id"])), path, "trips.txt", "route_id",
              "unknown route_id (not in routes.txt)", errors)
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce")
    _bad_rows(seq.isna(), path, "stop_times.txt", "stop_sequence", "not an integer", errors)
    dep_col = "departure_time" if "departure_time" in st.columns else None
    if dep_col is None:
        errors.append(InputError(_label(path, "stop_times.txt"), 0, "departure_time",
                                 "required column is missing"))
        return None, errors
    dep_raw = st[dep_col].where(st[dep_col].str.strip() != "", st.get("arrival_time", st[dep_col]))
    dep = parse_seconds(dep_raw)
    _bad_rows(dep.isna() & (dep_raw.str.strip() != ""), path, "stop_times.txt", dep_col,
              "not a valid time (expected H:MM:SS)", errors)
    if errors:
        return None, errors

    # interpolate missing (untimed) stop times within each trip
    st = pd.DataFrame({"trip_id": st["trip_id"], "stop_id": st["stop_id"],
                       "stop_sequence": seq.astype("int64"), "dep_sec": dep})
    st = st.sort_values(["trip_id", "stop_sequence"], kind="stable")
    st["dep_sec"] = st.groupby("trip_id")["dep_sec"].transform(
        lambda s: s.interpolate(limit_direction="both"))
    st["rank"] = st.groupby("trip_id").cumcount().astype("int32") + 1
    freq = frames.get("frequencies.txt")
    if freq is not None and {"trip_id", "start_time", "end_time", "headway_secs"} <= set(freq.columns):
        st = _expand_frequencies(st, freq)

    trips = trips.copy()
    trips["direction_id"] = pd.to_numeric(trips.get("direction_id", pd.Series(dtype=str)),
                                          errors="coerce").fillna(-1).astype("int8")
    name = routes.get("route_short_name", pd.Series([""] * len(routes)))
    long = routes.get("route_long_name", pd.Series([""] * len(routes)))
    routes_df = pd.DataFrame({"route_id": routes["route_id"],
                              "route_name": name.where(name.str.strip() != "", long)})
    stops_df = pd.DataFrame({"stop_id": stops["stop_id"],
                             "stop_name": stops.get("stop_name", stops["stop_id"])})

    def _int_cols(df: pd.DataFrame | None, cols: list[str]) -> pd.DataFrame:
        if df is None:
            return pd.DataFrame(columns=cols)
        df = df[cols].copy()
        for c in cols[1:]:
            df[c] = df[c].astype(int)
        return df

    feed = Feed(path=path, timezone=tz, routes=routes_df, stops=stops_df,
                trips=trips[["trip_id", "route_id", "service_id", "direction_id"]],
                stop_times=st.reset_index(drop=True),
                calendar=_int_cols(cal, CALENDAR_COLS),
                calendar_dates=_int_cols(cdates, CALENDAR_DATES_COLS))
    return feed, []


def _expand_frequencies(st: pd.DataFrame, freq: pd.DataFrame) -> pd.DataFrame:
    """Frequency-based trips: one copy of the trip per headway (trip_id kept)."""
    freq = freq.assign(start=parse_seconds(freq["start_time"]), end=parse_seconds(freq["end_time"]),
                       headway=pd.to_numeric(freq["headway_secs"], errors="coerce")).dropna(
        subset=["start", "end", "headway"])
    if freq.empty:
        return st
    first = st.groupby("trip_id")["dep_sec"].min()
    out = [st[~st["trip_id"].isin(set(freq["trip_id"]))]]
    for row in freq.itertuples():
        base = st[st["trip_id"] == row.trip_id]
        if base.empty or row.headway <= 0:
            continue
        for t0 in np.arange(row.start, row.end + 1, row.headway):
            out.append(base.assign(dep_sec=base["dep_sec"] - first[row.trip_id] + t0))
    return pd.concat(out, ignore_index=True)


@lru_cache(maxsize=8)
def _cached_feed(path: str, mtime: float, size: int) -> Feed:
    feed, errors = load_feed(Path(path))
    if errors or feed is None:
        raise InputValidationError(errors)
    return feed


def get_feed(path: Path) -> Feed:
    """Parsed feed (cached per path and modification time); raises on errors."""
    stat = Path(path).stat()
    return _cached_feed(str(path), stat.st_mtime, stat.st_size)


def timetable_summary(path: Path) -> Timetable:
    feed = get_feed(path)
    order = feed.stop_order().sort_values(["route_id", "direction_id", "stop_rank"])
    route_stops: dict[tuple[str, int], list[str]] = {}
    for (rid, did), grp in order.groupby(["route_id", "direction_id"], observed=True):
        route_stops[(str(rid), int(did))] = list(dict.fromkeys(grp["stop_id"]))
    return Timetable(
        timezone=feed.timezone,
        routes=dict(zip(feed.routes["route_id"], feed.routes["route_name"].astype(str), strict=False)),
        stops=dict(zip(feed.stops["stop_id"], feed.stops["stop_name"].astype(str), strict=False)),
        route_stops=route_stops,
    )


def service_patterns(feed: Feed, days: list[date]) -> dict[date, frozenset[str]]:
    return {d: feed.services_on(d) for d in days}


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def most_common(values) -> str:
    return Counter(values).most_common(1)[0][0]
