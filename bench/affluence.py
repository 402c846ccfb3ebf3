"""Bench of the crowding-forecast engine (ckanext-affluence).

Generates a synthetic network (default: 50 lines, 1,300 stops, both
directions) and one year of hourly stop-slot counts (about 13 M rows), then
times, each in a fresh process so that peak memory is per step:

1. a full regeneration (validation, reading, back-test, training, 7-day
   forecast, writing), with the time of each phase; target < 10 min, < 4 GiB;
2. a forecast with the saved model (recent counts only); target < 60 s.

    .venv/bin/python bench/affluence.py               # full size (heavy)
    .venv/bin/python bench/affluence.py --lines 10    # reduced (260 stops)
    .venv/bin/python bench/affluence.py --lines 10 --dir D --reuse   # same data again
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def generate(folder: Path, lines: int, days: int) -> tuple[Path, Path, int]:
    from ckanext.affluence.engine import gtfs, synthetic

    start = date(2025, 1, 1)
    end = start + timedelta(days=days - 1)
    feed_path = synthetic.write_network_gtfs(folder / "gtfs.zip", lines=lines, stops_per_line=26,
                                             start=start, end=end, first_hour=6, last_hour=20)
    feed = gtfs.get_feed(feed_path)
    counts = folder / "counts.csv"
    rows = 0
    with open(counts, "w", encoding="utf-8") as fh:
        day = start
        while day <= end:  # one month at a time, streamed to disk
            last = min(day + timedelta(days=30), end)
            df = synthetic.stop_slot_counts(feed, day, last, seed=day.toordinal())
            df.to_csv(fh, index=False, header=(day == start))
            rows += len(df)
            day = last + timedelta(days=1)
    return feed_path, counts, rows


def step(name: str, folder: Path) -> dict:
    """Run in a child process: one engine call, its time and peak memory."""
    from ckanext.affluence.engine import api

    inputs = api.InputFiles(folder / "counts.csv", timetable=folder / "gtfs.zip")
    phases: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    progress = lambda s, f: phases.append((s, round(time.perf_counter() - t0, 1)))  # noqa: E731
    if name == "regenerate":
        res = api.regenerate(inputs, folder / "out", horizon_days=7, progress=progress)
        extra = {"used": res.used, "metrics": res.metrics, "rows": res.rows}
    else:
        recent = api.InputFiles(folder / "recent.csv", timetable=folder / "gtfs.zip")
        res = api.forecast_with_model(folder / "out" / "model.zip", recent, folder / "again",
                                      horizon_days=7, progress=progress)
        extra = {"rows": res.rows}
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"step": name, "seconds": round(time.perf_counter() - t0, 1),
            "cpu_seconds": round(ru.ru_utime + ru.ru_stime, 1), "phases": phases,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), **extra}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=50)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="keep the counts already in --dir")
    ap.add_argument("--step", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.dir)))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="affluence-bench-"))
    t = time.perf_counter()
    if args.reuse and (folder / "counts.csv").is_file():
        counts = folder / "counts.csv"
        with open(counts, "rb") as fh:
            rows = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1
    else:
        _, counts, rows = generate(folder, args.lines, args.days)
    print(f"network: {args.lines} lines, {args.lines * 26} stops; {rows:,} count rows "
          f"({counts.stat().st_size / 2**20:.0f} MiB) generated in {time.perf_counter() - t:.0f} s")
    # recent counts (last 6 weeks) for the forecast with an existing model
    import pandas as pd

    tail = pd.read_csv(counts, dtype=str).tail(int(rows * 42 / args.days))
    tail.to_csv(folder / "recent.csv", index=False)
    results = []
    for name, target_s in (("regenerate", 600), ("forecast_with_model", 60)):
        out = subprocess.run([sys.executable, __file__, "--step", name, "--dir", str(folder)],
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stderr[-3000:])
            sys.exit(1)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        ok = "OK" if r["seconds"] < target_s and r["peak_rss_mib"] < 4096 else "MISSED"
        # the CPU is shared: CPU seconds tell the cost, wall seconds the wait
        print(f"{name:20} {r['seconds']:8.1f} s wall, {r['cpu_seconds']:8.1f} s CPU, "
              f"peak {r['peak_rss_mib']:6d} MiB  "
              f"target < {target_s} s, < 4096 MiB: {ok}")
        print(f"    (load average during the step: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        prev = 0.0
        for label, at in r["phases"]:
            print(f"    {label:12} starts at {at:7.1f} s (+{at - prev:.1f})")
            prev = at
        if "metrics" in r:
            m, b = r["metrics"]["model"], r["metrics"]["baseline"]
            print(f"    back-test boardings: model WAPE {m['wape']} MAE {m['mae']} RMSE {m['rmse']} | "
                  f"baseline WAPE {b['wape']} MAE {b['mae']} RMSE {b['rmse']}; published: {r['used']}; "
                  f"{r['rows']:,} forecast rows")
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
