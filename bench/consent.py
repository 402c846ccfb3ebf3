"""Benchmark of the consent-gated download (ckanext-consent).

A personal-data file of 1,000,000 rows x 10 columns about 100,000 people,
30% of whom hold an active consent covering the recipient and the purpose.
Measured, in a fresh process per file size so that peak memory is that of
one download:

* the consent check: the latest event of each of the 100,000 consents
  (what one DISTINCT ON query returns) turned into the set of allowed keys
  by ``rules.active_keys`` (one pass, no query per row or per person);
* the streamed download: ``csvdata.filtered_stream``, the generator the
  gated route returns, read chunk by chunk to the end as a client would;
* peak resident memory, for a 100,000-row and a 1,000,000-row file: flat
  means it does not grow with the file.

Target (issue 4): under 10 s for the 1,000,000-row download, memory flat.

    .venv/bin/python bench/consent.py [--rows 1000000] [--people 100000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 10.0
COLUMNS = ("person_key", "address", "street", "iris_code", "latitude", "longitude",
           "month", "kwh", "tariff", "meter_type")


def write_file(path: str, rows: int, people: int) -> None:
    rng = random.Random(4)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for n in range(rows):
            p = n % people
            out.write(f"P{p:06d},{p % 997} rue des Lilas,rue des Lilas,35901{p % 50:04d},"
                      f"48.{rng.randrange(10**6):06d},-1.{rng.randrange(10**6):06d},"
                      f"2026-{n // people % 12 + 1:02d},{rng.uniform(50, 900):.1f},base,linky\n")


def child(path: str, people: int, share: float) -> None:
    from ckanext.consent import csvdata, rules

    now = rules.utcnow()
    rng = random.Random(7)
    snapshots = []
    for p in range(people):
        consenting = rng.random() < share
        snapshots.append(rules.ConsentSnapshot(
            consent_id=f"c{p}", person_key=f"P{p:06d}",
            event_type=rules.GIVEN if consenting else rules.WITHDRAWN, terms_version=1,
            purposes=("research", "open-statistics"), recipients=("org-recipient",),
            expires_at=now + dt.timedelta(days=30)))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    keys = rules.active_keys(snapshots, 1, "research", "org-recipient", now)
    keyed = time.perf_counter()
    cpu = time.process_time()
    stats = csvdata.StreamStats()
    sent = 0
    for chunk in csvdata.filtered_stream(path, "person_key", keys, stats):
        sent += len(chunk)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{keyed - started:.3f} {done - keyed:.3f} {cpu:.3f} {stats.rows} {len(stats.keys)} {sent} "
          f"{rss_before} {rss_after}")


def run(path: str, people: int, share: float) -> list[float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", path, "--people", str(people),
         "--share", str(share)], check=True, capture_output=True, text=True)
    return [float(v) for v in result.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.people, args.share)
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for rows in (args.rows // 10, args.rows):
            path = os.path.join(tmp, f"rows-{rows}.csv")
            t0 = time.perf_counter()
            write_file(path, rows, args.people)
            size = os.path.getsize(path)
            print(f"file: {rows:,} rows x {len(COLUMNS)} columns, {args.people:,} people, "
                  f"{size / 1e6:.0f} MB (written in {time.perf_counter() - t0:.1f}s)")
            results[rows] = (size, run(path, args.people, args.share))
        print()
        print(f"{'rows':>10} {'file MB':>8} {'keys s':>7} {'stream s':>9} {'(CPU s)':>8} {'total s':>8} "
              f"{'rows sent':>10} {'persons':>8} {'peak RSS MB':>12} {'RSS growth MB':>14}")
        for rows, (size, (keys_s, stream_s, cpu_s, sent, persons, _bytes, rss0, rss1)) in results.items():
            print(f"{rows:>10,} {size / 1e6:>8.0f} {keys_s:>7.3f} {stream_s:>9.2f} {cpu_s:>8.2f} "
                  f"{keys_s + stream_s:>8.2f} {int(sent):>10,} {int(persons):>8,} "
                  f"{rss1 / 1024:>12.0f} {(rss1 - rss0) / 1024:>14.1f}")
        size, (keys_s, stream_s, *_rest, rss0, rss1) = results[args.rows]
        small = results[args.rows // 10][1]
        load = os.getloadavg()[0]
        total = keys_s + stream_s
        print()
        print(f"target: gated download of {args.rows:,} rows under {TARGET_SECONDS:.0f} s "
              f"-> {total:.2f} s: {'OK' if total < TARGET_SECONDS else 'MISSED'}")
        print(f"memory: peak RSS {small[7] / 1024:.0f} MB at {args.rows // 10:,} rows, "
              f"{rss1 / 1024:.0f} MB at {args.rows:,} rows (file {size / 1e6:.0f} MB): "
              f"{'flat' if rss1 - small[7] < 16 * 1024 else 'GROWS'}")
        print(f"machine load average while measuring: {load:.1f} on {os.cpu_count()} CPUs "
              "(wall time includes waiting for the CPU; the CPU column does not)")
        print("queries per download: 2 (current terms version, latest event per consent), "
              "whatever the number of rows or people")


if __name__ == "__main__":
    main()
