"""Chunked reading of passenger counts into one compact observation table.

Observations: one row per key (route, direction, stop, trip) x date x slot
with boardings, alightings and load (NaN when not counted). Files are read in
chunks of ``CHUNK_ROWS`` with categorical ids and float32 values and
aggregated per chunk, so 10 M rows stay well within 4 GiB.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .gtfs import Feed, parse_seconds

CHUNK_ROWS = 1_000_000
KEYS = ["route_id", "direction_id", "stop_id", "trip_id"]
VALUES = ["boardings", "alightings", "load"]


def _cat(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().fillna("").astype("category")


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    from pandas.api.types import union_categoricals

    out = {}
    for col in parts[0].columns:
        if isinstance(parts[0][col].dtype, pd.CategoricalDtype):
            out[col] = pd.Series(union_categoricals([p[col] for p in parts], ignore_order=True))
        else:
            out[col] = pd.Series(np.concatenate([p[col].to_numpy() for p in parts]))
    return pd.DataFrame(out)


def read_stop_slot(path: Path, slot_minutes: int, progress=None) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.str.strip()
    use = [c for c in ["stop_id", "slot_start", "boardings", "route_id", "direction_id",
                       "alightings", "load"] if c in header]
    parts = []
    size = max(Path(path).stat().st_size, 1)
    reader = pd.read_csv(path, usecols=use, chunksize=CHUNK_ROWS, encoding="utf-8-sig",
                         dtype={"stop_id": str, "route_id": str, "slot_start": str},
                         keep_default_na=False, na_values={c: [""] for c in VALUES + ["direction_id"]},
                         skipinitialspace=True)
    done = 0
    for chunk in reader:
        ts = pd.to_datetime(chunk["slot_start"], format="ISO8601")
        minutes = ts.dt.hour * 60 + ts.dt.minute
        df = pd.DataFrame({
            "route_id": _cat(chunk["route_id"]) if "route_id" in chunk else pd.Categorical([""] * len(chunk)),
            "direction_id": (pd.to_numeric(chunk["direction_id"]).fillna(-1).astype("int8")
                             if "direction_id" in chunk else np.int8(-1)),
            "stop_id": _cat(chunk["stop_id"]),
            "trip_id": pd.Categorical([""] * len(chunk)),
            "date": ts.dt.normalize().to_numpy(),
            "slot": (minutes // slot_minutes).astype("int16").to_numpy(),
        })
        for v in VALUES:
            df[v] = (pd.to_numeric(chunk[v]).astype("float32").to_numpy() if v in chunk
                     else np.float32(np.nan))
        # several rows per slot (e.g. 15-minute counts in 60-minute slots): sum them
        g = df.groupby(KEYS + ["date", "slot"], observed=True, sort=False)
        agg = g[VALUES].sum(min_count=1).reset_index()
        parts.append(agg)
        done += len(chunk)
        if progress:
            progress(min(done * 40 / size, 1.0))
    obs = _concat(parts)
    if len(parts) > 1:
        obs = obs.groupby(KEYS + ["date", "slot"], observed=True, sort=False)[VALUES].sum(
            min_count=1).reset_index()
    return obs


def read_board_alight(path: Path, feed: Feed | None, slot_minutes: int, progress=None) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.str.strip()
    use = [c for c in ["trip_id", "stop_id", "stop_sequence", "boardings", "alightings",
                       "current_load", "service_date", "service_departure_time",
                       "service_arrival_time"] if c in header]
    parts = []
    sched = None
    trips = None
    if feed is not None:
        st = feed.trip_departures()
        sched = st[["trip_id", "stop_sequence", "dep_sec"]].drop_duplicates(["trip_id", "stop_sequence"])
        trips = feed.trips.drop_duplicates("trip_id").set_index("trip_id")
    for chunk in pd.read_csv(path, usecols=use, chunksize=CHUNK_ROWS, encoding="utf-8-sig",
                             dtype={"trip_id": str, "stop_id": str, "service_date": str,
                                    "service_departure_time": str, "service_arrival_time": str},
                             keep_default_na=False,
                             na_values={c: [""] for c in ["boardings", "alightings", "current_load"]},
                             skipinitialspace=True):
        chunk["trip_id"] = chunk["trip_id"].str.strip()
        chunk["stop_sequence"] = pd.to_numeric(chunk["stop_sequence"]).astype("int64")
        dep = pd.Series(np.nan, index=chunk.index)
        for col in ("service_departure_time", "service_arrival_time"):
            if col in chunk:
                dep = dep.fillna(parse_seconds(chunk[col]))
        if sched is not None and dep.isna().any():
            m = chunk[["trip_id", "stop_sequence"]].merge(sched, how="left", on=["trip_id", "stop_sequence"])
            dep = dep.fillna(pd.Series(m["dep_sec"].to_numpy(), index=chunk.index))
        chunk = chunk[dep.notna()]
        dep = dep[dep.notna()]
        if trips is not None:
            route = trips["route_id"].reindex(chunk["trip_id"]).fillna("").to_numpy()
            direction = trips["direction_id"].reindex(chunk["trip_id"]).fillna(-1).astype("int8").to_numpy()
        else:
            route, direction = np.array([""] * len(chunk)), np.int8(-1)
        df = pd.DataFrame({
            "route_id": pd.Categorical(route), "direction_id": direction,
            "stop_id": _cat(chunk["stop_id"]), "trip_id": _cat(chunk["trip_id"]),
            "date": pd.to_datetime(chunk["service_date"].str.strip(), format="%Y%m%d").to_numpy(),
            "slot": (dep // (slot_minutes * 60)).astype("int16").to_numpy(),
            "stop_sequence": chunk["stop_sequence"].astype("int32").to_numpy(),
        })
        for v, src in (("boardings", "boardings"), ("alightings", "alightings"), ("load", "current_load")):
            df[v] = (pd.to_numeric(chunk[src]).astype("float32").to_numpy() if src in chunk
                     else np.float32(np.nan))
        parts.append(df)
        if progress:
            progress(0.5)
    obs = _concat(parts)
    # load after each stop from boardings - alightings when not counted
    if obs["load"].isna().all() and obs["alightings"].notna().any():
        obs = obs.sort_values(["trip_id", "date", "stop_sequence"], kind="stable")
        net = (obs["boardings"].fillna(0) - obs["alightings"].fillna(0)).astype("float32")
        obs["load"] = net.groupby([obs["trip_id"], obs["date"]], observed=True).cumsum().clip(lower=0)
    return obs.drop(columns=["stop_sequence"])


def derive_stop_slot_load(obs: pd.DataFrame, order: pd.DataFrame | None) -> pd.DataFrame:
    """Stop-slot counts with alightings but no load: on-board load per segment
    from the cumulative (boardings - alightings) along the stop order of the
    line, within the same slot (approximation: travel time inside one slot)."""
    if order is None or obs["load"].notna().any() or obs["alightings"].isna().all():
        return obs
    o = obs.merge(order, how="left", on=["route_id", "direction_id", "stop_id"])
    if o["stop_rank"].isna().all():
        return obs
    o = o.sort_values(["route_id", "direction_id", "date", "slot", "stop_rank"], kind="stable")
    net = (o["boardings"].fillna(0) - o["alightings"].fillna(0)).astype("float32")
    o["load"] = net.groupby([o["route_id"], o["direction_id"], o["date"], o["slot"]],
                            observed=True).cumsum().clip(lower=0).astype("float32")
    return o.drop(columns=["stop_rank"])
