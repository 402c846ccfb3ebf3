"""Feature building, XGBoost quantile models, seasonal baseline, metrics.

All lookups are dense numpy arrays indexed by integer key (route, direction,
stop, trip), day and slot, so that 13 M observations need no pandas merges.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

QUANTILES = [0.1, 0.5, 0.9]
PARAMS: dict[str, Any] = {
    "objective": "reg:quantileerror", "quantile_alpha": QUANTILES, "tree_method": "hist",
    "max_depth": 6, "learning_rate": 0.2, "min_child_weight": 5, "max_bin": 128,
    "subsample": 0.8, "colsample_bytree": 0.9, "nthread": 2, "seed": 7,
}
# Sized for 2 shared cores: training time grows with rows x rounds x 3 quantiles;
# a random sample of 300 k rows already pins down the slot/day-type/stop effects.
ROUNDS = 60
MAX_TRAIN_ROWS = 300_000
RECENT_DAYS = 28

FEATURES: list[tuple[str, str]] = [
    ("route", "line identity (code of route_id)"),
    ("stop", "stop identity (code of stop_id)"),
    ("direction", "direction_id (-1 unknown)"),
    ("stop_rank", "order of the stop along the line (GTFS stop_times)"),
    ("slot", "time slot of the day"),
    ("dow", "day of week"),
    ("day_type", "weekday / Saturday / Sunday or public holiday"),
    ("public_holiday", "public holiday (holidays package)"),
    ("school_holiday", "school holiday of the configured zone (vacances-scolaires-france)"),
    ("doy_sin", "season (day of year, sine)"),
    ("doy_cos", "season (day of year, cosine)"),
    ("departures", "scheduled departures in the slot (GTFS)"),
    ("profile", "seasonal profile: mean of the target per stop, slot and day type"),
    ("recent_ratio", "recent level: 28-day mean of the stop ending one horizon before the day, over its long-run mean"),
    ("temperature", "temperature (weather input)"),
    ("precipitation", "precipitation (weather input)"),
]
FEATURE_NAMES = [f for f, _ in FEATURES]


@dataclass
class Context:
    """Dense lookup tables shared by training and forecasting."""

    day0: pd.Timestamp
    ndays: int
    nslots: int
    horizon: int
    key_route: np.ndarray  # int32 codes
    key_stop: np.ndarray
    key_dir: np.ndarray
    key_rank: np.ndarray  # float32 (NaN unknown)
    cal: pd.DataFrame  # indexed by day 0..ndays-1
    dep: np.ndarray | None = None  # [combo, key, slot] departures
    day_combo: np.ndarray | None = None  # [day] -> combo index
    weather_day: np.ndarray | None = None  # [day, 2]
    weather_hour: np.ndarray | None = None  # [day, 24, 2]
    slot_minutes: int = 60
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TargetStats:
    """Per-target dense statistics computed from the training rows."""

    profile: np.ndarray  # [key, slot, day_type] mean
    count: np.ndarray  # [key, slot, day_type] number of observations
    key_mean: np.ndarray  # [key] mean daily total
    daily: np.ndarray  # [key, day] daily totals (NaN when no data)


def target_stats(key: np.ndarray, day: np.ndarray, slot: np.ndarray, y: np.ndarray,
                 ctx: Context, nkeys: int) -> TargetStats:
    ok = ~np.isnan(y)
    key, day, slot, y = key[ok], day[ok], slot[ok], y[ok].astype(np.float64)
    dt = ctx.cal["day_type"].to_numpy()[day]
    cell = (key.astype(np.int64) * ctx.nslots + slot) * 3 + dt
    size = nkeys * ctx.nslots * 3
    s = np.bincount(cell, weights=y, minlength=size)
    n = np.bincount(cell, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        prof = (s / n).astype(np.float32)
    dcell = key.astype(np.int64) * ctx.ndays + day
    ds = np.bincount(dcell, weights=y, minlength=nkeys * ctx.ndays)
    dn = np.bincount(dcell, minlength=nkeys * ctx.ndays)
    daily = np.where(dn > 0, ds, np.nan).reshape(nkeys, ctx.ndays).astype(np.float32)
    with np.errstate(invalid="ignore"):
        key_mean = np.nanmean(np.where(np.isnan(daily), np.nan, daily), axis=1).astype(np.float32)
    return TargetStats(prof.reshape(nkeys, ctx.nslots, 3), n.reshape(nkeys, ctx.nslots, 3).astype(np.int32),
                       key_mean, daily)


def recent_ratio(stats: TargetStats, horizon: int) -> np.ndarray:
    """[key, day]: mean daily total over the RECENT_DAYS days ending at day - horizon,
    divided by the key's long-run mean (NaN when unknown)."""
    d = stats.daily
    vals = np.nan_to_num(d, nan=0.0).astype(np.float64)
    has = (~np.isnan(d)).astype(np.float64)
    cs = np.concatenate([np.zeros((d.shape[0], 1)), np.cumsum(vals, axis=1)], axis=1)
    cn = np.concatenate([np.zeros((d.shape[0], 1)), np.cumsum(has, axis=1)], axis=1)
    ndays = d.shape[1]
    end = np.arange(ndays) - horizon + 1  # exclusive end index into cs
    end = np.clip(end, 0, ndays)
    start = np.clip(end - RECENT_DAYS, 0, ndays)
    s = cs[:, end] - cs[:, start]
    n = cn[:, end] - cn[:, start]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (s / n) / stats.key_mean[:, None]
    r[n < 3] = np.nan
    return r.astype(np.float32)


def feature_matrix(key: np.ndarray, day: np.ndarray, slot: np.ndarray, ctx: Context,
                   stats: TargetStats, ratio: np.ndarray) -> np.ndarray:
    n = len(key)
    X = np.empty((n, len(FEATURE_NAMES)), dtype=np.float32)
    cal = ctx.cal
    dt = cal["day_type"].to_numpy()[day]
    X[:, 0] = ctx.key_route[key]
    X[:, 1] = ctx.key_stop[key]
    X[:, 2] = ctx.key_dir[key]
    X[:, 3] = ctx.key_rank[key]
    X[:, 4] = slot
    X[:, 5] = cal["dow"].to_numpy()[day]
    X[:, 6] = dt
    X[:, 7] = cal["public_holiday"].to_numpy()[day]
    X[:, 8] = cal["school_holiday"].to_numpy()[day]
    X[:, 9] = cal["doy_sin"].to_numpy()[day]
    X[:, 10] = cal["doy_cos"].to_numpy()[day]
    if ctx.dep is not None and ctx.day_combo is not None:
        s = np.clip(slot, 0, ctx.dep.shape[2] - 1)
        X[:, 11] = ctx.dep[ctx.day_combo[day], key, s]
    else:
        X[:, 11] = np.nan
    X[:, 12] = stats.profile[key, slot, dt]
    X[:, 13] = ratio[key, day]
    if ctx.weather_hour is not None:
        hour = np.clip(slot * ctx.slot_minutes // 60, 0, 23)
        X[:, 14:16] = ctx.weather_hour[day, hour]
    elif ctx.weather_day is not None:
        X[:, 14:16] = ctx.weather_day[day]
    else:
        X[:, 14:16] = np.nan
    return X


def baseline_predict(key: np.ndarray, day: np.ndarray, slot: np.ndarray, ctx: Context,
                     stats: TargetStats) -> np.ndarray:
    """Seasonal baseline: historical mean per stop, slot and day type (falling
    back to the mean of the stop and slot over all day types, then 0)."""
    dt = ctx.cal["day_type"].to_numpy()[day]
    p = stats.profile[key, slot, dt]
    miss = np.isnan(p)
    if miss.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            tot = np.nansum(stats.profile * stats.count, axis=2) / stats.count.sum(axis=2)
        p = np.where(miss, tot[key, slot], p)
    return np.nan_to_num(p, nan=0.0).astype(np.float32)


def training_rows(y: np.ndarray, mask: np.ndarray | None = None, seed: int = 7) -> np.ndarray:
    """Indices of the rows to train on: labelled, within ``mask``, and a random
    sample of MAX_TRAIN_ROWS when there are more (features are then built for
    the sample only)."""
    ok = ~np.isnan(y)
    if mask is not None:
        ok &= mask
    idx = np.flatnonzero(ok)
    if len(idx) > MAX_TRAIN_ROWS:
        idx = np.sort(np.random.default_rng(seed).choice(idx, MAX_TRAIN_ROWS, replace=False))
    return idx


def train(X: np.ndarray, y: np.ndarray, rounds: int | None = None) -> tuple[xgb.Booster, int]:
    rounds = rounds or ROUNDS
    idx = np.flatnonzero(~np.isnan(y))
    dtrain = xgb.QuantileDMatrix(X[idx], label=y[idx], feature_names=FEATURE_NAMES,
                                 max_bin=PARAMS["max_bin"], nthread=PARAMS["nthread"])
    booster = xgb.train(PARAMS, dtrain, num_boost_round=rounds)
    return booster, len(idx)


def predict_quantiles(booster: xgb.Booster, X: np.ndarray) -> np.ndarray:
    """(n, 3) P10, P50, P90, sorted per row (no quantile crossing), >= 0."""
    if len(X) == 0:
        return np.zeros((0, 3), dtype=np.float32)
    pred = booster.inplace_predict(X).reshape(len(X), len(QUANTILES))
    pred = np.sort(pred, axis=1)
    return np.clip(pred, 0, None).astype(np.float32)


def importance(booster: xgb.Booster) -> dict[str, float]:
    gain = booster.get_score(importance_type="total_gain")
    total = sum(gain.values()) or 1.0
    return {f: round(gain.get(f, 0.0) / total, 4) for f in FEATURE_NAMES}


def metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    ok = ~np.isnan(y)
    y, pred = y[ok].astype(np.float64), pred[ok].astype(np.float64)
    if len(y) == 0:
        return {"mae": None, "wape": None, "rmse": None, "n": 0}
    err = pred - y
    denom = np.abs(y).sum()
    return {"mae": round(float(np.abs(err).mean()), 4),
            "wape": round(float(np.abs(err).sum() / denom), 4) if denom > 0 else None,
            "rmse": round(float(np.sqrt((err ** 2).mean())), 4), "n": int(len(y))}


def baseline_quantiles(key: np.ndarray, day: np.ndarray, slot: np.ndarray, y: np.ndarray,
                       ctx: Context, nkeys: int) -> np.ndarray:
    """[key, slot, day_type, 2] empirical P10 and P90 of the training rows."""
    ok = ~np.isnan(y)
    dt = ctx.cal["day_type"].to_numpy()[day[ok]]
    cell = (key[ok].astype(np.int64) * ctx.nslots + slot[ok]) * 3 + dt
    q = pd.Series(y[ok]).groupby(cell).quantile([0.1, 0.9]).unstack()
    out = np.full((nkeys * ctx.nslots * 3, 2), np.nan, dtype=np.float32)
    out[q.index.to_numpy()] = q.to_numpy()
    return out.reshape(nkeys, ctx.nslots, 3, 2)
