"""Three-level crowding classes and GTFS-Realtime OccupancyStatus.

Calibration (documented in the model card and the README):

- capacity known: occupancy percentage (load / capacity offered) below 50 %
  is low, 50-80 % medium, 80 % and above high;
- capacity unknown: per line, the distribution of the line's busiest value per
  date and slot in the history (max over its stops of the load, or of the
  boardings when no load is counted) gives two thresholds, at the quantiles
  that reproduce the shares of low / medium / high slots published by the
  Rennes STAR network (ODbL, ``data/star/``): a high slot is as rare on our
  lines as on the Rennes network.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..data import STAR_LEVELS_CSV

CAPACITY_THRESHOLDS = (50.0, 80.0)


@lru_cache(maxsize=1)
def rennes_shares() -> dict[str, float]:
    d = pd.read_csv(STAR_LEVELS_CSV, sep=";", encoding="utf-8-sig")
    lv = pd.to_numeric(d["Niveau_fréquentation"], errors="coerce").dropna()
    share = lv.value_counts(normalize=True)
    return {"low": round(float(share.get(1.0, 0)), 4), "medium": round(float(share.get(2.0, 0)), 4),
            "high": round(float(share.get(3.0, 0)), 4)}


def calibrate_thresholds(obs: pd.DataFrame, target: str) -> dict[str, list[float]]:
    """{route_id: [medium_from, high_from]} plus "*" for unknown lines."""
    shares = rennes_shares()
    q_med, q_high = 1 - shares["medium"] - shares["high"], 1 - shares["high"]
    v = obs[["route_id", "date", "slot", target]].dropna()
    if v.empty:
        return {"*": [np.inf, np.inf]}
    peak = v.groupby(["route_id", "date", "slot"], observed=True)[target].max().reset_index()
    out: dict[str, list[float]] = {}
    for rid, grp in peak.groupby("route_id", observed=True):
        vals = grp[target].to_numpy()
        out[str(rid)] = [round(float(np.quantile(vals, q_med)), 2), round(float(np.quantile(vals, q_high)), 2)]
    vals = peak[target].to_numpy()
    out["*"] = [round(float(np.quantile(vals, q_med)), 2), round(float(np.quantile(vals, q_high)), 2)]
    return out


def level_from_thresholds(value: np.ndarray, routes: np.ndarray, thresholds: dict[str, list[float]]
                          ) -> np.ndarray:
    default = thresholds.get("*", [np.inf, np.inf])
    t = pd.Series(list(routes)).map(lambda r: thresholds.get(str(r), default))
    med = np.array([x[0] for x in t], dtype=float) if len(t) else np.zeros(0)
    high = np.array([x[1] for x in t], dtype=float) if len(t) else np.zeros(0)
    # strictly above the threshold, so that flat (all-zero) lines stay low
    return 1 + (value > med).astype(int) + (value > high).astype(int)


def level_from_occupancy(pct: np.ndarray) -> np.ndarray:
    lo, hi = CAPACITY_THRESHOLDS
    return 1 + (pct >= lo).astype(int) + (pct >= hi).astype(int)


def occupancy_status(pct: np.ndarray, level: np.ndarray, load: np.ndarray) -> np.ndarray:
    """GTFS-RT OccupancyStatus names: from the percentage when known
    (<10 % EMPTY, <50 % MANY_SEATS_AVAILABLE, <80 % FEW_SEATS_AVAILABLE,
    <100 % STANDING_ROOM_ONLY, <120 % CRUSHED_STANDING_ROOM_ONLY, else FULL),
    else from the crowding level (1 MANY_SEATS_AVAILABLE, 2 FEW_SEATS_AVAILABLE,
    3 STANDING_ROOM_ONLY)."""
    by_level = np.array(["MANY_SEATS_AVAILABLE", "FEW_SEATS_AVAILABLE", "STANDING_ROOM_ONLY"], dtype=object)
    out = by_level[np.clip(level, 1, 3) - 1]
    known = np.isfinite(pct)
    bins = [10, 50, 80, 100, 120]
    names = np.array(["EMPTY", "MANY_SEATS_AVAILABLE", "FEW_SEATS_AVAILABLE", "STANDING_ROOM_ONLY",
                      "CRUSHED_STANDING_ROOM_ONLY", "FULL"], dtype=object)
    out[known] = names[np.digitize(pct[known], bins)]
    return out
