"""Forecast rows (classes, occupancy, reports), files, model card."""
from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from . import model as M
from .api import CROWDING_CLASSES, FORECAST_SCHEMA, InputFiles, RunResult
from .classes import (
    CAPACITY_THRESHOLDS,
    calibrate_thresholds,
    level_from_occupancy,
    level_from_thresholds,
    occupancy_status,
    rennes_shares,
)

REPORT_WINDOW_DAYS = 28
REPORT_PRIOR_WEIGHT = 3.0
ENGINE_VERSION = "1.0"


def _fmt_slot(slot: np.ndarray, slot_minutes: int) -> np.ndarray:
    mins = slot.astype(np.int64) * slot_minutes
    return np.char.add(np.char.add(np.char.zfill((mins // 60).astype(str), 2), ":"),
                       np.char.zfill((mins % 60).astype(str), 2))


def _capacities(path: Path | None, rows: pd.DataFrame, trip_level: bool, departures: np.ndarray
                ) -> np.ndarray:
    cap = np.full(len(rows), np.nan)
    if path is None:
        return cap
    c = pd.read_csv(path, dtype={"route_id": str, "trip_id": str}, encoding="utf-8-sig")
    if "trip_id" not in c:
        c["trip_id"] = ""
    c["trip_id"] = c["trip_id"].fillna("")
    by_route = c[c["trip_id"] == ""].drop_duplicates("route_id").set_index("route_id")["capacity"]
    vehicle = rows["route_id"].map(by_route).to_numpy(dtype=float)
    if trip_level:
        by_trip = c[c["trip_id"] != ""].drop_duplicates("trip_id").set_index("trip_id")["capacity"]
        t = rows["trip_id"].map(by_trip).to_numpy(dtype=float)
        return np.where(np.isnan(t), vehicle, t)
    return vehicle * np.where(np.isnan(departures), np.nan, departures)


def _reports(path: Path | None, tz: str, end: datetime, slot_minutes: int, cal_fn) -> pd.DataFrame | None:
    if path is None:
        return None
    r = pd.read_csv(path, dtype={"route_id": str, "stop_id": str}, encoding="utf-8-sig")
    if r.empty:
        return None
    ts = pd.to_datetime(r["reported_at"], format="ISO8601", utc=False)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert(tz).dt.tz_localize(None)
    r["ts"] = ts
    r = r[(r["ts"] <= pd.Timestamp(end)) & (r["ts"] > pd.Timestamp(end) - pd.Timedelta(days=REPORT_WINDOW_DAYS))]
    if r.empty:
        return None
    r["slot"] = (r["ts"].dt.hour * 60 + r["ts"].dt.minute) // slot_minutes
    cal = cal_fn(r["ts"].dt.normalize().unique())
    r["day_type"] = cal["day_type"].reindex(r["ts"].dt.normalize()).to_numpy()
    if "direction_id" not in r:
        r["direction_id"] = -1
    r["direction_id"] = pd.to_numeric(r["direction_id"], errors="coerce").fillna(-1).astype(int)
    return r.groupby(["route_id", "stop_id", "slot", "day_type"]).agg(
        n=("level", "size"), total=("level", "sum")).reset_index()


def build_rows(data, inputs: InputFiles, frame: pd.DataFrame, fitted: dict[str, Any],
               thresholds: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The forecast table in the open format + facts for the card."""
    keys = data.keys
    k = frame["key"].to_numpy()
    days = data.ctx.day0 + pd.to_timedelta(frame["day"].to_numpy(), unit="D")
    dts = data.ctx.cal["day_type"].to_numpy()[frame["day"].to_numpy()]
    rows = pd.DataFrame({
        "route_id": keys["route_id"].to_numpy()[k],
        "direction_id": pd.array(keys["direction_id"].to_numpy()[k].astype("int64"), dtype="Int64"),
        "stop_id": keys["stop_id"].to_numpy()[k],
        "stop_sequence": pd.array(np.where(np.isnan(data.ctx.key_rank[k]), np.nan,
                                           np.round(data.ctx.key_rank[k])), dtype="Int64"),
        "trip_id": keys["trip_id"].to_numpy()[k],
        "date": days.strftime("%Y-%m-%d"),
        "slot_start": _fmt_slot(frame["slot"].to_numpy(), data.ctx.slot_minutes),
        "slot_minutes": data.ctx.slot_minutes,
        "expected_boardings": frame["boardings_p50"].round(1),
        "boardings_p10": frame["boardings_p10"].round(1),
        "boardings_p90": frame["boardings_p90"].round(1),
    })
    rows.loc[rows["direction_id"] < 0, "direction_id"] = pd.NA
    if data.has_load:
        rows["expected_load"] = frame["load_p50"].round(1)
        rows["load_p10"] = frame["load_p10"].round(1)
        rows["load_p90"] = frame["load_p90"].round(1)
    else:
        rows["expected_load"] = rows["load_p10"] = rows["load_p90"] = np.nan
    # capacity offered and occupancy
    if data.ctx.dep is not None and data.ctx.day_combo is not None:
        s = np.clip(frame["slot"].to_numpy(), 0, data.ctx.dep.shape[2] - 1)
        deps = data.ctx.dep[data.ctx.day_combo[frame["day"].to_numpy()], k, s].astype(float)
        deps[deps == 0] = np.nan
    else:
        deps = np.full(len(rows), np.nan)
    cap = _capacities(inputs.capacities, rows, data.trip_level, deps)
    rows["capacity"] = np.round(cap, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = rows["expected_load"].to_numpy(dtype=float) / cap * 100
    rows["occupancy_percentage"] = pd.array(np.where(np.isfinite(pct), np.round(pct), np.nan), dtype="Int64")
    # crowding level: capacity-based when known, else calibrated relative thresholds per line
    value = (rows["expected_load"] if data.has_load else rows["expected_boardings"]).to_numpy(dtype=float)
    level = level_from_thresholds(value, rows["route_id"].to_numpy(), thresholds)
    has_pct = np.isfinite(pct)
    level[has_pct] = level_from_occupancy(pct[has_pct])
    # travellers' reports: Bayesian-style blend with the predicted level
    facts: dict[str, Any] = {"reports_used": 0, "rows_corrected": 0}
    rows["reports"] = 0
    rep = _reports(inputs.reports, data.feed.timezone if data.feed is not None else "UTC",
                   datetime.combine(data.cutoff + timedelta(days=1), datetime.min.time()),
                   data.ctx.slot_minutes, lambda d: _cal(data, d))
    if rep is not None:
        j = pd.DataFrame({"route_id": rows["route_id"], "stop_id": rows["stop_id"],
                          "slot": frame["slot"].to_numpy(), "day_type": dts}).merge(
            rep, how="left", on=["route_id", "stop_id", "slot", "day_type"])
        n = j["n"].fillna(0).to_numpy()
        tot = j["total"].fillna(0).to_numpy()
        blended = np.rint((REPORT_PRIOR_WEIGHT * level + tot) / (REPORT_PRIOR_WEIGHT + n)).astype(int)
        changed = (n > 0) & (blended != level)
        level = np.where(n > 0, blended, level)
        rows["reports"] = n.astype(int)
        facts = {"reports_used": int(rep["n"].sum()), "rows_corrected": int(changed.sum())}
    level = np.clip(level, 1, 3).astype(int)
    rows["occupancy_status"] = occupancy_status(pct, level, rows["expected_load"].to_numpy(dtype=float))
    rows["crowding_level"] = level
    rows["crowding_class"] = np.array(CROWDING_CLASSES)[level - 1]
    rows["source"] = fitted["boardings"]["used"]
    if data.feed is not None:
        rn = dict(zip(data.feed.routes["route_id"], data.feed.routes["route_name"], strict=False))
        sn = dict(zip(data.feed.stops["stop_id"], data.feed.stops["stop_name"], strict=False))
        rows["route_name"] = rows["route_id"].map(rn).fillna("")
        rows["stop_name"] = rows["stop_id"].map(sn).fillna("")
    else:
        rows["route_name"] = rows["stop_name"] = ""
    order = [f["name"] for f in json.loads(FORECAST_SCHEMA.read_text())["fields"]]
    rows = rows[order].sort_values(["route_id", "direction_id", "date", "slot_start", "stop_sequence",
                                    "stop_id", "trip_id"], kind="stable").reset_index(drop=True)
    return rows, facts


def _cal(data, days):
    from .calendar import calendar_table

    return calendar_table(pd.DatetimeIndex(days), data.extra_calendar)


def _write_tables(tmp: Path, rows: pd.DataFrame, metadata: dict[str, Any]) -> None:
    rows.to_csv(tmp / "forecast.csv", index=False)
    schema = json.loads(FORECAST_SCHEMA.read_text())
    with open(tmp / "forecast.json", "w", encoding="utf-8") as fh:
        fh.write('{"metadata": ')
        json.dump(metadata, fh, ensure_ascii=False, default=str)
        fh.write(', "schema": ')
        json.dump(schema, fh, ensure_ascii=False)
        fh.write(', "rows": ')
        fh.write(rows.to_json(orient="records", force_ascii=False))
        fh.write("}")


def card_markdown(card: dict[str, Any]) -> str:
    bt = card["backtest"]
    lines = [f"# Model card: {card['title']}", "",
             f"Generated {card['generated_at']} by the ckanext-affluence engine {card['engine_version']}.", "",
             "## Published forecast", "", card["decision"], "",
             "## Inputs", ""]
    for role, info in card["inputs"].items():
        lines.append(f"- **{role}**: " + ", ".join(f"{k}: {v}" for k, v in info.items()))
    lines += ["", "## Training window", "",
              f"{card['training_window'][0]} to {card['training_window'][1]}; forecast horizon "
              f"{card['horizon_days']} days in {card['slot_minutes']}-minute slots.", "",
              "## Back-test", "",
              f"Held-out weeks: {bt['test_window'][0]} to {bt['test_window'][1]} (trained on "
              f"{bt['train_window'][0]} to {bt['train_window'][1]}). Baseline: historical mean per "
              "stop, slot and day type. WAPE = sum |error| / sum actual.", "",
              "| target | forecaster | MAE | WAPE | RMSE | rows |", "|---|---|---|---|---|---|"]
    for target in ("boardings", "load"):
        if target in bt:
            for who in ("model", "baseline"):
                m = bt[target][who]
                lines.append(f"| {target} | {who}{' (published)' if bt[target]['winner'] == who else ''} | "
                             f"{m['mae']} | {m['wape']} | {m['rmse']} | {m['n']} |")
    lines += ["", "## Features and importance (share of total gain)", "",
              "| feature | description | boardings | load |", "|---|---|---|---|"]
    for f in card["features"]:
        lines.append(f"| {f['name']} | {f['description']} | {f['importance'].get('boardings', '')} | "
                     f"{f['importance'].get('load', '')} |")
    mdl = card["model"]
    lines += ["", "## Model", "",
              f"XGBoost {mdl['xgboost']} quantile regression (`{mdl['objective']}`, quantiles "
              f"{mdl['quantiles']}), {mdl['rounds']} rounds, parameters `{json.dumps(mdl['params'])}`, "
              f"training rows {mdl['training_rows']} (random sample when more than {mdl['max_training_rows']}).",
              "", "## Crowding classes", "", card["crowding_classes"]["method"], "",
              "## Travellers' reports", "", card["reports"]["method"],
              f"Reports used: {card['reports']['reports_used']}, rows whose level they changed: "
              f"{card['reports']['rows_corrected']}.", ""]
    return "\n".join(lines)


def make_card(data, inputs: InputFiles, fitted, backtest, calendar, horizon_days, thresholds,
              facts, rows) -> dict[str, Any]:
    used = fitted["boardings"]["used"]
    b = backtest["boardings"]
    if used == "model":
        decision = (f"The XGBoost model is published: its back-test WAPE on boardings "
                    f"({b['model']['wape']}) beats the seasonal baseline's ({b['baseline']['wape']}).")
    else:
        decision = (f"The seasonal baseline is published, because the model did not beat it in the "
                    f"back-test (boardings WAPE: model {b['model']['wape']}, baseline "
                    f"{b['baseline']['wape']}).")
    if "load" in fitted:
        decision += f" Load profile: {fitted['load']['used']} published."
    imp = {n: (M.importance(f["booster"]) if f["booster"] is not None else {}) for n, f in fitted.items()}
    inputs_info: dict[str, Any] = {"counts": {
        "file": Path(inputs.counts).name, "format": data.fmt, "rows_after_aggregation": int(len(data.key)),
        "series": int(len(data.keys)), "first_date": data.first.isoformat(),
        "last_date": data.cutoff.isoformat(), "loads": data.has_load}}
    if data.feed is not None:
        v = data.feed.validity()
        inputs_info["timetable"] = {"file": Path(inputs.timetable).name, "timezone": data.feed.timezone,
                                    "routes": len(data.feed.routes), "stops": len(data.feed.stops),
                                    "valid_from": str(v[0]), "valid_to": str(v[1])}
    for role in ("capacities", "weather", "reports"):
        p = getattr(inputs, role)
        if p is not None:
            inputs_info[role] = {"file": Path(p).name}
    inputs_info["calendar"] = {"country": calendar.country, "subdivision": calendar.subdivision,
                               "school_zone": calendar.school_zone,
                               "sources": "holidays, vacances-scolaires-france"}
    return {
        "title": f"crowding forecast from {Path(inputs.counts).name}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine_version": ENGINE_VERSION, "published": used, "decision": decision,
        "inputs": inputs_info,
        "training_window": [data.first.isoformat(), data.cutoff.isoformat()],
        "horizon_days": horizon_days, "slot_minutes": data.ctx.slot_minutes,
        "forecast_rows": int(len(rows)),
        "backtest": backtest,
        "features": [{"name": n, "description": d,
                      "importance": {t: imp[t].get(n) for t in imp if imp[t]}} for n, d in M.FEATURES],
        "model": {"xgboost": xgb.__version__, "objective": M.PARAMS["objective"],
                  "quantiles": M.QUANTILES, "rounds": M.ROUNDS,
                  "params": {k: v for k, v in M.PARAMS.items() if k not in ("objective", "quantile_alpha")},
                  "training_rows": {n: f["train_rows"] for n, f in fitted.items()},
                  "max_training_rows": M.MAX_TRAIN_ROWS},
        "crowding_classes": {
            "method": ("Level 1 low, 2 medium, 3 high. When vehicle capacity is known: occupancy "
                       f"percentage thresholds {CAPACITY_THRESHOLDS} (medium from the first, high from "
                       "the second). Otherwise, per line, thresholds on the expected "
                       f"{'load' if data.has_load else 'boardings'} calibrated on the history so that "
                       "the shares of low / medium / high slots match those of the Rennes STAR network's "
                       f"published levels (ODbL): {rennes_shares()}."),
            "thresholds": thresholds},
        "reports": {"method": (
            f"Travellers' reports of the last {REPORT_WINDOW_DAYS} days before the forecast are "
            "grouped per line, stop, slot and day type; each forecast row's level becomes the "
            f"weighted mean of the predicted level (weight {REPORT_PRIOR_WEIGHT}) and the reported "
            "levels (weight 1 each), rounded. Counts, not reports, train the model. "), **facts},
    }


def write_all(out_dir: Path, *, data, inputs: InputFiles, frame, fitted, backtest, calendar,
              horizon_days, started: float, bundle_writer) -> RunResult:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data.extra_calendar = calendar
    target = "load" if data.has_load else "boardings"
    thresholds = calibrate_thresholds(data.obs, target)
    rows, facts = build_rows(data, inputs, frame, fitted, thresholds)
    card = make_card(data, inputs, fitted, backtest, calendar, horizon_days, thresholds, facts, rows)
    tmp = Path(out_dir) / f".tmp-{time.time_ns()}"
    tmp.mkdir()
    try:
        metadata = {"generated_at": card["generated_at"], "source": card["published"],
                    "training_window": card["training_window"], "horizon_days": horizon_days,
                    "slot_minutes": data.ctx.slot_minutes,
                    "timezone": data.feed.timezone if data.feed is not None else None,
                    "format": "crowding_forecast v1 (see schema)"}
        _write_tables(tmp, rows, metadata)
        (tmp / "model_card.json").write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
        (tmp / "model_card.md").write_text(card_markdown(card), encoding="utf-8")
        bundle_writer(tmp / "model.zip", data, fitted, card,
                      {"calendar": {"country": calendar.country, "subdivision": calendar.subdivision,
                                    "school_zone": calendar.school_zone},
                       "thresholds": thresholds})
        from .pipeline import atomic_publish

        names = ["forecast.csv", "forecast.json", "model_card.json", "model_card.md", "model.zip"]
        paths = atomic_publish(tmp, out_dir, names)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    metrics = {"model": backtest["boardings"]["model"], "baseline": backtest["boardings"]["baseline"],
               "test_window": backtest["test_window"]}
    if "load" in backtest:
        metrics["load"] = backtest["load"]
    return RunResult(
        files={"forecast_csv": paths["forecast.csv"], "forecast_json": paths["forecast.json"],
               "model_card_json": paths["model_card.json"], "model_card_md": paths["model_card.md"],
               "model": paths["model.zip"]},
        used=fitted["boardings"]["used"], metrics=metrics, rows=int(len(rows)),
        training_window=(data.first, data.cutoff), duration_s=round(time.monotonic() - started, 2))


def write_forecast_only(out_dir: Path, *, data, inputs, frame, fitted, card, meta, started,
                        model_path: Path) -> RunResult:
    from datetime import date

    from .api import CalendarSettings

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data.extra_calendar = CalendarSettings(**meta["calendar"])
    rows, facts = build_rows(data, inputs, frame, fitted, meta["thresholds"])
    tmp = out_dir / f".tmp-{time.time_ns()}"
    tmp.mkdir()
    try:
        metadata = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "source": fitted["boardings"]["used"], "training_window": card["training_window"],
                    "horizon_days": int(frame["day"].nunique()), "slot_minutes": data.ctx.slot_minutes,
                    "timezone": data.feed.timezone if data.feed is not None else None,
                    "format": "crowding_forecast v1 (see schema)", "model": Path(model_path).name}
        _write_tables(tmp, rows, metadata)
        (tmp / "model_card.json").write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
        (tmp / "model_card.md").write_text(card_markdown(card), encoding="utf-8")
        from .pipeline import atomic_publish

        paths = atomic_publish(tmp, out_dir, ["forecast.csv", "forecast.json", "model_card.json",
                                              "model_card.md"])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    bt = card["backtest"]
    return RunResult(
        files={"forecast_csv": paths["forecast.csv"], "forecast_json": paths["forecast.json"],
               "model_card_json": paths["model_card.json"], "model_card_md": paths["model_card.md"],
               "model": Path(model_path)},
        used=fitted["boardings"]["used"],
        metrics={"model": bt["boardings"]["model"], "baseline": bt["boardings"]["baseline"],
                 "test_window": bt["test_window"]},
        rows=int(len(rows)),
        training_window=(date.fromisoformat(card["training_window"][0]),
                         date.fromisoformat(card["training_window"][1])),
        duration_s=round(time.monotonic() - started, 2))
