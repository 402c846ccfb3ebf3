"""The run: validate -> read -> back-test -> train -> forecast -> write."""
from __future__ import annotations

import json
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from . import model as M
from . import outputs
from .api import CalendarSettings, InputError, InputFiles, InputValidationError, RunResult
from .calendar import calendar_table
from .counts import KEYS, derive_stop_slot_load, read_board_alight, read_stop_slot
from .gtfs import Feed, get_feed
from .validation import detect_format, validate_inputs


class _Progress:
    def __init__(self, cb):
        self.cb = cb
        self.bar = None
        if cb is None:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=100, unit="%", desc="affluence", leave=False)
            except ImportError:  # pragma: no cover
                pass

    def __call__(self, step: str, frac: float) -> None:
        if self.cb:
            self.cb(step, frac)
        elif self.bar is not None:
            self.bar.set_description(step)
            self.bar.n = int(frac * 100)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class Data:
    obs: pd.DataFrame
    keys: pd.DataFrame
    key: np.ndarray
    day: np.ndarray
    slot: np.ndarray
    ctx: M.Context
    feed: Feed | None
    fmt: str
    trip_level: bool
    has_load: bool
    cutoff: date
    first: date
    extra_calendar: Any = None


def _check(inputs: InputFiles) -> None:
    errors = validate_inputs(inputs)
    if errors:
        raise InputValidationError(errors)


def _departures(feed: Feed, keys: pd.DataFrame, days: pd.DatetimeIndex, slot_minutes: int,
                nslots: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense [combo, key, slot] scheduled departures, combo = (services of the
    day, services of the day before) so that after-midnight trips land on the
    right calendar day."""
    spd = 24 * 60 // slot_minutes
    by = feed.departures_by_service(slot_minutes)
    by["route_id"] = by["route_id"].astype(str)
    kk = keys.reset_index().rename(columns={"index": "key"})
    kk["route_id"] = kk["route_id"].astype(str)
    kk["stop_id"] = kk["stop_id"].astype(str)
    # keys may lack the line or the direction: aggregate departures accordingly
    variants = []
    for route_known, dir_known in ((True, True), (True, False), (False, False)):
        cols = ["service_id", "stop_id", "slot"] + (["route_id"] if route_known else []) + (
            ["direction_id"] if dir_known else [])
        g = by.groupby(cols, observed=True)["departures"].sum().reset_index()
        if not route_known:
            g["route_id"] = ""
        if not dir_known:
            g["direction_id"] = -1
        variants.append(g)
    allg = pd.concat(variants, ignore_index=True)
    allg["direction_id"] = allg["direction_id"].astype("int8")
    m = kk[kk["trip_id"].astype(str) == ""].merge(allg, on=["route_id", "direction_id", "stop_id"])
    combos: dict[tuple, int] = {}
    day_combo = np.zeros(len(days), dtype=np.int32)
    for i, d in enumerate(days):
        c = (feed.services_on(d.date()), feed.services_on((d - pd.Timedelta(days=1)).date()))
        day_combo[i] = combos.setdefault(c, len(combos))
    nkeys = len(keys)
    dep = np.zeros((max(len(combos), 1), nkeys, nslots), dtype=np.float32)
    for (today, yesterday), ci in combos.items():
        a = m[m["service_id"].isin(today) & (m["slot"] < nslots)]
        np.add.at(dep[ci], (a["key"].to_numpy(), a["slot"].to_numpy()), a["departures"].to_numpy())
        b = m[m["service_id"].isin(yesterday) & (m["slot"] >= spd)]
        s = b["slot"].to_numpy() - spd
        ok = s < nslots
        np.add.at(dep[ci], (b["key"].to_numpy()[ok], s[ok]), b["departures"].to_numpy()[ok])
    return dep, day_combo


def _weather(path: Path | None, days: pd.DatetimeIndex) -> tuple[np.ndarray | None, np.ndarray | None]:
    if path is None:
        return None, None
    w = pd.read_csv(path, encoding="utf-8-sig")
    w["day"] = (pd.to_datetime(w["date"]) - days[0]).dt.days
    w = w[(w["day"] >= 0) & (w["day"] < len(days))]
    for c in ("temperature", "precipitation"):
        if c not in w:
            w[c] = np.nan
    if "hour" in w and w["hour"].notna().any():
        arr = np.full((len(days), 24, 2), np.nan, dtype=np.float32)
        w = w.dropna(subset=["hour"])
        arr[w["day"].to_numpy(), w["hour"].astype(int).to_numpy()] = w[["temperature", "precipitation"]].to_numpy()
        return None, arr
    arr = np.full((len(days), 2), np.nan, dtype=np.float32)
    arr[w["day"].to_numpy()] = w[["temperature", "precipitation"]].to_numpy()
    return arr, None


def load_data(inputs: InputFiles, *, cutoff: date | None, horizon_days: int, slot_minutes: int,
              calendar: CalendarSettings, progress: _Progress) -> Data:
    feed = get_feed(Path(inputs.timetable)) if inputs.timetable else None
    fmt = inputs.counts_format or detect_format(Path(inputs.counts)) or "stop_slot"
    progress("read counts", 0.05)
    sub = lambda f: progress("read counts", 0.05 + 0.15 * f)  # noqa: E731
    if fmt == "board_alight":
        obs = read_board_alight(Path(inputs.counts), feed, slot_minutes, sub)
    else:
        obs = read_stop_slot(Path(inputs.counts), slot_minutes, sub)
        obs = derive_stop_slot_load(obs, feed.stop_order() if feed is not None else None)
    last = pd.Timestamp(obs["date"].max()).date()
    cut = cutoff or last
    obs = obs[obs["date"] <= pd.Timestamp(cut)]
    if obs.empty:
        raise InputValidationError([InputError(f"counts ({Path(inputs.counts).name})", None, None,
                                               f"no counts on or before the cut-off date {cut}")])
    first = pd.Timestamp(obs["date"].min()).date()
    keys_df = obs[KEYS].drop_duplicates().reset_index(drop=True)
    for c in ("route_id", "stop_id", "trip_id"):
        keys_df[c] = keys_df[c].astype(str)
    key_index = pd.MultiIndex.from_frame(keys_df)
    obs_keys = pd.MultiIndex.from_arrays([obs[c].astype(str) if c != "direction_id" else obs[c]
                                          for c in KEYS])
    key = key_index.get_indexer(obs_keys).astype(np.int32)
    days = pd.date_range(first, cut + timedelta(days=horizon_days), freq="D")
    day = ((obs["date"] - pd.Timestamp(first)).dt.days).to_numpy().astype(np.int32)
    slot = obs["slot"].to_numpy().astype(np.int32)
    spd = 24 * 60 // slot_minutes
    nslots = max(int(slot.max()) + 1, spd)
    trip_level = bool((keys_df["trip_id"] != "").any())
    # stop order along the line
    rank = np.full(len(keys_df), np.nan, dtype=np.float32)
    if feed is not None:
        order = feed.stop_order()
        if trip_level:
            st = feed.stop_times.drop_duplicates(["trip_id", "stop_id"])
            r = keys_df.merge(st[["trip_id", "stop_id", "rank"]], how="left", on=["trip_id", "stop_id"])
            rank = r["rank"].to_numpy(dtype=np.float32)
        else:
            r = keys_df.merge(order.astype({"route_id": str}), how="left",
                              on=["route_id", "direction_id", "stop_id"])
            rank = r["stop_rank"].to_numpy(dtype=np.float32)
    ctx = M.Context(
        day0=pd.Timestamp(first), ndays=len(days), nslots=nslots, horizon=horizon_days,
        key_route=pd.factorize(keys_df["route_id"])[0].astype(np.int32),
        key_stop=pd.factorize(keys_df["stop_id"])[0].astype(np.int32),
        key_dir=keys_df["direction_id"].to_numpy().astype(np.int32),
        key_rank=rank,
        cal=calendar_table(days, calendar).reset_index(drop=True),
        slot_minutes=slot_minutes,
    )
    if feed is not None and not trip_level:
        progress("timetable", 0.22)
        ctx.dep, ctx.day_combo = _departures(feed, keys_df, days, slot_minutes, nslots)
    elif trip_level:
        ctx.dep = np.ones((1, len(keys_df), nslots), dtype=np.float32)
        ctx.day_combo = np.zeros(len(days), dtype=np.int32)
    ctx.weather_day, ctx.weather_hour = _weather(inputs.weather, days)
    has_load = bool(obs["load"].notna().any())
    return Data(obs=obs, keys=keys_df, key=key, day=day, slot=slot, ctx=ctx, feed=feed, fmt=fmt,
                trip_level=trip_level, has_load=has_load, cutoff=cut, first=first)


def _targets(data: Data) -> dict[str, np.ndarray]:
    t = {"boardings": data.obs["boardings"].to_numpy(dtype=np.float32)}
    if data.has_load:
        t["load"] = data.obs["load"].to_numpy(dtype=np.float32)
    return t


def _fit(data: Data, y: np.ndarray, train_mask: np.ndarray | None, rounds: int | None = None):
    """Statistics on every training row, booster on a sample of them."""
    nkeys = len(data.keys)
    if train_mask is None:
        k, d, s, yy = data.key, data.day, data.slot, y
    else:
        k, d, s, yy = data.key[train_mask], data.day[train_mask], data.slot[train_mask], y[train_mask]
    stats = M.target_stats(k, d, s, yy, data.ctx, nkeys)
    ratio = M.recent_ratio(stats, data.ctx.horizon)
    idx = M.training_rows(yy)
    X = M.feature_matrix(k[idx], d[idx], s[idx], data.ctx, stats, ratio)
    booster, n = M.train(X, yy[idx], rounds=rounds)
    del X
    return booster, stats, ratio, n


def run_backtest(data: Data, weeks: int, progress: _Progress, base: float = 0.25,
                 span: float = 0.35) -> dict[str, Any]:
    ndays_hist = (data.cutoff - data.first).days + 1
    test_days = min(7 * weeks, max(ndays_hist // 4, 1))
    test_start = data.cutoff - timedelta(days=test_days - 1)
    split = (pd.Timestamp(test_start) - data.ctx.day0).days
    train_mask = data.day < split
    test_mask = ~train_mask
    out: dict[str, Any] = {"test_window": [test_start.isoformat(), data.cutoff.isoformat()],
                           "train_window": [data.first.isoformat(),
                                            (test_start - timedelta(days=1)).isoformat()]}
    targets = _targets(data)
    for i, (name, y) in enumerate(targets.items()):
        progress("backtest", base + span * i / len(targets))
        if train_mask.sum() < 50 or test_mask.sum() == 0:
            out[name] = {"model": M.metrics(np.array([]), np.array([])),
                         "baseline": M.metrics(np.array([]), np.array([])), "winner": "baseline"}
            continue
        booster, stats, ratio, _ = _fit(data, y, train_mask)
        k, d, s, yt = data.key[test_mask], data.day[test_mask], data.slot[test_mask], y[test_mask]
        X = M.feature_matrix(k, d, s, data.ctx, stats, ratio)
        pm = M.predict_quantiles(booster, X)[:, 1]
        pb = M.baseline_predict(k, d, s, data.ctx, stats)
        mm, mb = M.metrics(yt, pm), M.metrics(yt, pb)
        winner = "model" if (mm["wape"] is not None and mb["wape"] is not None
                             and mm["wape"] < mb["wape"]) else "baseline"
        out[name] = {"model": mm, "baseline": mb, "winner": winner}
    return out


def _forecast_cells(data: Data, counts: np.ndarray, start: date, horizon: int) -> tuple[np.ndarray, ...]:
    """(key, day, slot) of the rows to forecast."""
    ctx = data.ctx
    ks, ds, ss = [], [], []
    dts = ctx.cal["day_type"].to_numpy()
    if data.trip_level:
        key_slot = np.argmax(counts.sum(axis=2), axis=1)
        trip_ids = data.keys["trip_id"].to_numpy()
        dow_seen: dict[int, set] = {}
        if data.feed is None:
            recent = data.obs[data.obs["date"] > pd.Timestamp(data.cutoff - timedelta(days=28))]
            for dow, grp in recent.groupby(recent["date"].dt.dayofweek):
                dow_seen[int(dow)] = set(grp["trip_id"].astype(str))
        trips = data.feed.trips.set_index("trip_id")["service_id"] if data.feed is not None else None
        for i in range(horizon):
            d = start + timedelta(days=i)
            di = (pd.Timestamp(d) - ctx.day0).days
            if trips is not None:
                active = set(trips[trips.isin(data.feed.services_on(d))].index)
            else:
                active = dow_seen.get(d.weekday(), set())
            kk = np.flatnonzero(pd.Series(trip_ids).isin(active).to_numpy())
            ks.append(kk)
            ds.append(np.full(len(kk), di))
            ss.append(key_slot[kk])
    else:
        for i in range(horizon):
            d = start + timedelta(days=i)
            di = (pd.Timestamp(d) - ctx.day0).days
            mask = counts[:, :, dts[di]] > 0
            if ctx.dep is not None and ctx.day_combo is not None:
                mask |= ctx.dep[ctx.day_combo[di]] > 0
            kk, sl = np.nonzero(mask)
            ks.append(kk)
            ds.append(np.full(len(kk), di))
            ss.append(sl)
    cat = lambda parts: np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)  # noqa: E731
    return cat(ks), cat(ds), cat(ss)


def regenerate(inputs: InputFiles, out_dir: Path, *, cutoff: date | None, horizon_days: int,
               slot_minutes: int, calendar: CalendarSettings, progress, backtest_weeks: int = 2,
               ) -> RunResult:
    t0 = time.monotonic()
    prog = _Progress(progress)
    try:
        prog("validate", 0.0)
        _check(inputs)
        data = load_data(inputs, cutoff=cutoff, horizon_days=horizon_days, slot_minutes=slot_minutes,
                         calendar=calendar, progress=prog)
        bt = run_backtest(data, backtest_weeks, prog)
        # final models on the whole window
        targets = _targets(data)
        nkeys = len(data.keys)
        start = data.cutoff + timedelta(days=1)
        fitted: dict[str, Any] = {}
        cells = None
        for i, (name, y) in enumerate(targets.items()):
            prog("train", 0.6 + 0.25 * i / len(targets))
            use_model = bt[name]["winner"] == "model"
            if use_model:
                booster, stats, ratio, ntrain = _fit(data, y, None)
            else:
                stats = M.target_stats(data.key, data.day, data.slot, y, data.ctx, nkeys)
                ratio = M.recent_ratio(stats, data.ctx.horizon)
                booster, ntrain = None, 0
            bq = M.baseline_quantiles(data.key, data.day, data.slot, y, data.ctx, nkeys)
            fitted[name] = {"booster": booster, "stats": stats, "ratio": ratio, "bq": bq,
                            "used": "model" if use_model else "baseline", "train_rows": ntrain}
            if cells is None:
                cells = _forecast_cells(data, stats.count, start, horizon_days)
        prog("forecast", 0.88)
        frame = _predict_frame(data, fitted, cells)
        prog("write", 0.93)
        result = outputs.write_all(
            out_dir, data=data, inputs=inputs, frame=frame, fitted=fitted, backtest=bt,
            calendar=calendar, horizon_days=horizon_days, started=t0, bundle_writer=save_bundle)
        prog("done", 1.0)
        return result
    finally:
        prog.close()


def _predict_frame(data: Data, fitted: dict[str, Any], cells) -> pd.DataFrame:
    k, d, s = cells
    frame = pd.DataFrame({"key": k, "day": d, "slot": s})
    dts = data.ctx.cal["day_type"].to_numpy()[d]
    for name, f in fitted.items():
        stats = f["stats"]
        if f["used"] == "model":
            X = M.feature_matrix(k, d, s, data.ctx, stats, f["ratio"])
            q = M.predict_quantiles(f["booster"], X)
        else:
            mean = M.baseline_predict(k, d, s, data.ctx, stats)
            bq = f["bq"][k, s, dts]
            p10 = np.fmin(np.nan_to_num(bq[:, 0], nan=0.0), mean)
            p90 = np.fmax(np.nan_to_num(bq[:, 1], nan=0.0), mean)
            q = np.stack([p10, mean, p90], axis=1)
        frame[f"{name}_p10"], frame[f"{name}_p50"], frame[f"{name}_p90"] = q[:, 0], q[:, 1], q[:, 2]
    return frame


def backtest_only(inputs: InputFiles, *, cutoff: date | None, weeks: int, slot_minutes: int,
                  calendar: CalendarSettings, progress) -> dict[str, Any]:
    prog = _Progress(progress)
    try:
        prog("validate", 0.0)
        _check(inputs)
        data = load_data(inputs, cutoff=cutoff, horizon_days=7, slot_minutes=slot_minutes,
                         calendar=calendar, progress=prog)
        bt = run_backtest(data, weeks, prog, base=0.3, span=0.65)
        bt["rows"] = int(len(data.key))
        bt["winner"] = bt["boardings"]["winner"]
        return bt
    finally:
        prog.close()


# ---- model bundle ------------------------------------------------------------

def save_bundle(path: Path, data: Data, fitted: dict[str, Any], card: dict[str, Any],
                extra: dict[str, Any]) -> None:
    """model.zip: meta.json, arrays.npz (no pickle), <target>.ubj boosters."""
    meta = {
        "version": 1, "fmt": data.fmt, "trip_level": data.trip_level, "has_load": data.has_load,
        "cutoff": data.cutoff.isoformat(), "first": data.first.isoformat(),
        "horizon": data.ctx.horizon, "slot_minutes": data.ctx.slot_minutes, "nslots": data.ctx.nslots,
        "used": {n: f["used"] for n, f in fitted.items()},
        "keys": data.keys.astype({"direction_id": int}).to_dict(orient="list"), **extra,
    }
    arrays: dict[str, np.ndarray] = {
        "key_route": data.ctx.key_route, "key_stop": data.ctx.key_stop, "key_dir": data.ctx.key_dir,
        "key_rank": data.ctx.key_rank,
    }
    for n, f in fitted.items():
        st = f["stats"]
        arrays[f"{n}_profile"], arrays[f"{n}_count"] = st.profile, st.count
        arrays[f"{n}_key_mean"] = st.key_mean
        keep = min(st.daily.shape[1], M.RECENT_DAYS + 2 * data.ctx.horizon + 7)
        arrays[f"{n}_daily_tail"] = st.daily[:, st.daily.shape[1] - data.ctx.horizon - keep:
                                             st.daily.shape[1] - data.ctx.horizon]
        arrays[f"{n}_bq"] = f["bq"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model_card.json", json.dumps(card, indent=2, default=str))
        with tempfile.TemporaryDirectory() as tmp:
            np.savez(Path(tmp) / "arrays.npz", **arrays)
            zf.write(Path(tmp) / "arrays.npz", "arrays.npz")
            for n, f in fitted.items():
                if f["booster"] is not None:
                    f["booster"].save_model(Path(tmp) / f"{n}.ubj")
                    zf.write(Path(tmp) / f"{n}.ubj", f"{n}.ubj")


def forecast_with_model(model_path: Path, inputs: InputFiles, out_dir: Path, *, start: date | None,
                        horizon_days: int, progress) -> RunResult:
    """Reuse a bundle: recent levels from the counts, no training."""
    t0 = time.monotonic()
    prog = _Progress(progress)
    try:
        prog("load model", 0.0)
        with zipfile.ZipFile(model_path) as zf, tempfile.TemporaryDirectory() as tmp:
            meta = json.loads(zf.read("meta.json"))
            card = json.loads(zf.read("model_card.json"))
            zf.extractall(tmp)
            arrays = dict(np.load(Path(tmp) / "arrays.npz", allow_pickle=False))
            boosters = {}
            for n, used in meta["used"].items():
                if used == "model":
                    b = xgb.Booster()
                    b.load_model(Path(tmp) / f"{n}.ubj")
                    b.set_param({"nthread": M.PARAMS["nthread"]})
                    boosters[n] = b
        settings = CalendarSettings(**meta["calendar"])
        slot_minutes = meta["slot_minutes"]
        errors = validate_inputs(inputs)
        if errors:
            raise InputValidationError(errors)
        feed = get_feed(Path(inputs.timetable)) if inputs.timetable else None
        fmt = meta["fmt"]
        prog("read counts", 0.1)
        if fmt == "board_alight":
            obs = read_board_alight(Path(inputs.counts), feed, slot_minutes)
        else:
            obs = read_stop_slot(Path(inputs.counts), slot_minutes)
            obs = derive_stop_slot_load(obs, feed.stop_order() if feed is not None else None)
        keys_df = pd.DataFrame(meta["keys"])
        keys_df["direction_id"] = keys_df["direction_id"].astype("int8")
        last = max(pd.Timestamp(obs["date"].max()).date(), date.fromisoformat(meta["cutoff"]))
        start = start or (last + timedelta(days=1))
        first = start - timedelta(days=M.RECENT_DAYS + horizon_days + 7)
        obs = obs[(obs["date"] >= pd.Timestamp(first)) & (obs["date"] < pd.Timestamp(start))]
        days = pd.date_range(first, start + timedelta(days=horizon_days - 1), freq="D")
        key_index = pd.MultiIndex.from_frame(keys_df.astype({"route_id": str, "stop_id": str, "trip_id": str}))
        key = key_index.get_indexer(pd.MultiIndex.from_arrays(
            [obs[c].astype(str) if c != "direction_id" else obs[c] for c in KEYS]))
        ok = key >= 0
        obs, key = obs[ok], key[ok].astype(np.int32)
        day = ((obs["date"] - pd.Timestamp(first)).dt.days).to_numpy().astype(np.int32)
        slot = np.clip(obs["slot"].to_numpy().astype(np.int32), 0, meta["nslots"] - 1)
        ctx = M.Context(day0=pd.Timestamp(first), ndays=len(days), nslots=meta["nslots"],
                        horizon=meta["horizon"], key_route=arrays["key_route"],
                        key_stop=arrays["key_stop"], key_dir=arrays["key_dir"],
                        key_rank=arrays["key_rank"],
                        cal=calendar_table(days, settings).reset_index(drop=True),
                        slot_minutes=slot_minutes)
        trip_level = meta["trip_level"]
        if feed is not None and not trip_level:
            ctx.dep, ctx.day_combo = _departures(feed, keys_df, days, slot_minutes, meta["nslots"])
        elif trip_level:
            ctx.dep = np.ones((1, len(keys_df), meta["nslots"]), dtype=np.float32)
            ctx.day_combo = np.zeros(len(days), dtype=np.int32)
        ctx.weather_day, ctx.weather_hour = _weather(inputs.weather, days)
        data = Data(obs=obs, keys=keys_df, key=key, day=day, slot=slot, ctx=ctx, feed=feed,
                    fmt=fmt, trip_level=trip_level, has_load=meta["has_load"],
                    cutoff=start - timedelta(days=1), first=date.fromisoformat(meta["first"]))
        prog("forecast", 0.5)
        fitted = {}
        targets = _targets(data)
        for n, used in meta["used"].items():
            # recent daily totals from the new counts, long-run profile from the bundle
            recent = M.target_stats(key, day, slot, targets[n], ctx, len(keys_df))
            stats = M.TargetStats(arrays[f"{n}_profile"], arrays[f"{n}_count"],
                                  arrays[f"{n}_key_mean"], recent.daily)
            fitted[n] = {"booster": boosters.get(n), "stats": stats,
                         "ratio": M.recent_ratio(stats, ctx.horizon), "bq": arrays[f"{n}_bq"],
                         "used": used, "train_rows": 0}
        cells = _forecast_cells(data, arrays["boardings_count"], start, horizon_days)
        frame = _predict_frame(data, fitted, cells)
        prog("write", 0.9)
        return outputs.write_forecast_only(out_dir, data=data, inputs=inputs, frame=frame,
                                           fitted=fitted, card=card, meta=meta, started=t0,
                                           model_path=model_path)
    finally:
        prog.close()


def atomic_publish(tmp: Path, out_dir: Path, names: list[str]) -> dict[str, Path]:
    """Move finished files from ``tmp`` into ``out_dir`` (same filesystem: rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    res = {}
    for n in names:
        target = out_dir / n
        (tmp / n).replace(target)
        res[n] = target
    shutil.rmtree(tmp, ignore_errors=True)
    return res
