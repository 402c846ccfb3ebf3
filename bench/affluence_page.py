"""Benchmark of the public crowding forecast page (target: under 300 ms).

    CKAN_SQLALCHEMY_URL=... CKAN_REDIS_URL=... python bench/affluence_page.py \
        [--ini test.ini] [--lines 50] [--stops 26] [--days 7] [--requests 30]

Writes a forecast the size of the issue's bench network (50 lines of 26 stops,
both directions, 7 days of hourly slots from 5:00 to 24:00: about 360,000
rows, in the published Table Schema's columns) as the published run of a real
transit-occupancy dataset in the given database, times the run's page
precomputation (``pagedata.build``, done once per run by the job), then
requests ``/affluence/<dataset>`` through CKAN's WSGI app: the first request
(slices read from disk) and the next ones (slices in memory), for random
lines, stops and days. Prints p50 / p95 / max against the target.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
import uuid

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET_MS = 300


def synthetic_forecast(lines: int, stops: int, days: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    slots = [f"{h:02d}:00" for h in range(5, 24)]
    dates = [(pd.Timestamp("2025-03-31") + pd.Timedelta(days=d)).date().isoformat()
             for d in range(days)]
    keys = pd.MultiIndex.from_product(
        [[f"L{li:02d}" for li in range(1, lines + 1)], [0, 1], range(1, stops + 1), dates, slots],
        names=["route_id", "direction_id", "stop_sequence", "date", "slot_start"],
    ).to_frame(index=False)
    n = len(keys)
    boardings = rng.gamma(2.0, 6.0, n)
    load = boardings * rng.uniform(3, 8, n)
    level = np.digitize(load, [40, 80]) + 1
    keys["stop_id"] = keys["route_id"] + "S" + keys["stop_sequence"].astype(str).str.zfill(2)
    frame = keys.assign(
        route_name=keys["route_id"], stop_name=keys["stop_id"], trip_id="", slot_minutes=60,
        expected_boardings=boardings.round(1), boardings_p10=(boardings * 0.6).round(1),
        boardings_p90=(boardings * 1.5).round(1), expected_load=load.round(1),
        load_p10=(load * 0.7).round(1), load_p90=(load * 1.4).round(1), capacity=np.nan,
        occupancy_percentage=np.nan,
        occupancy_status=np.where(level == 3, "STANDING_ROOM_ONLY", "MANY_SEATS_AVAILABLE"),
        crowding_level=level, crowding_class=np.array(["low", "medium", "high"])[level - 1],
        reports=0, source="model",
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--stops", type=int, default=26)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    storage = tempfile.mkdtemp(prefix="affluence-bench-")
    os.environ["CKAN_STORAGE_PATH"] = storage
    config = load_config(args.ini)
    config["ckan.plugins"] = "spmd_search scheming_datasets scheming_organizations affluence"
    config["ckan.storage_path"] = storage
    config["WTF_CSRF_ENABLED"] = False
    app = make_app(config)
    flask_app = app._wsgi_app

    from ckan.plugins import toolkit

    from ckanext.affluence import pagedata
    from ckanext.affluence import storage as outputs

    with flask_app.test_request_context():
        site = {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
                "ignore_auth": True, "affluence_job": True}
        suffix = uuid.uuid4().hex[:8]
        org = toolkit.get_action("organization_create")(dict(site), {"name": f"bench-{suffix}"})
        dataset = toolkit.get_action("package_create")(dict(site), {
            "type": "transit-occupancy", "name": f"bench-affluence-{suffix}",
            "title": "Bench", "owner_org": org["id"]})

    frame = synthetic_forecast(args.lines, args.stops, args.days)
    staged = outputs.staging_dir(dataset["id"], "bench")
    frame.to_csv(staged / "forecast.csv", index=False)
    started = time.perf_counter()
    pagedata.build(staged, None)
    build_s = time.perf_counter() - started
    outputs.publish(dataset["id"], "bench", staged)

    client = flask_app.test_client()
    # a fresh process compiles the site's templates and loads its catalogues
    # on its first page, whatever the page: not the forecast's cost
    t0 = time.perf_counter()
    assert client.get("/").status_code == 200
    process_first = (time.perf_counter() - t0) * 1000
    rng = random.Random(2)
    dates = sorted(frame["date"].unique())
    timings = []
    first = None
    for i in range(args.requests + 1):
        line = f"L{rng.randint(1, args.lines):02d}"
        query = {"line": line, "direction": rng.randint(0, 1),
                 "stop": f"{line}S{rng.randint(1, args.stops):02d}", "day": rng.choice(dates)}
        t0 = time.perf_counter()
        response = client.get(f"/affluence/{dataset['name']}", query_string=query)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200 and b"affluence-heatmap" in response.data
        if i == 0:
            first = elapsed
        else:
            timings.append(elapsed)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"forecast rows: {len(frame):,}  ({args.lines} lines x {args.stops} stops x 2 "
          f"directions x {args.days} days x 19 slots)")
    print(f"page precomputation per run (pagedata.build): {build_s:.1f} s")
    print(f"{'request':<34}{'ms':>10}{'target':>10}")
    print(f"{'(process warm-up: home page)':<34}{process_first:>10.0f}")
    print(f"{'first (slice read from disk)':<34}{first:>10.0f}{TARGET_MS:>10}")
    print(f"{'p50 next requests':<34}{statistics.median(timings):>10.0f}{TARGET_MS:>10}")
    print(f"{'p95 next requests':<34}{p95:>10.0f}{TARGET_MS:>10}")
    print(f"{'max':<34}{max(timings):>10.0f}{TARGET_MS:>10}")
    ok = p95 < TARGET_MS and first < TARGET_MS
    print("OK: under the target" if ok else "SLOWER than the target")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
