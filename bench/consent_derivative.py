"""Benchmark of the open derivative's aggregation (pure: no CKAN, no database).

    python bench/consent_derivative.py [--rows 10000,100000,1000000] [--zones 26]

For each size, generates consenting rows over the demo territory of
Rivebelle (``ckanext.consent.derivative.demo``: IRIS-like zones, apartment
blocks and houses), then times:

* the IRIS assignment of every row by point in polygon, with the shapely
  STRtree used by ``Zones.locate`` against a plain loop over the polygons
  (the loop is timed on at most 20,000 rows and extrapolated);
* the whole ``aggregate`` (validation, assignment, three levels), and the
  ``audit`` the job runs before publishing.
"""
from __future__ import annotations

import argparse
import random
import time

import numpy as np
import pandas as pd
import shapely

from ckanext.consent.derivative import aggregation, demo


def rows(count: int, seed: int = 1) -> pd.DataFrame:
    base = pd.DataFrame(demo.residents(300, seed=seed))
    generator = random.Random(seed)
    picks = [generator.randrange(len(base)) for _ in range(count)]
    frame = base.iloc[picks].reset_index(drop=True)
    frame["person_key"] = [f"P{i:07d}" for i in range(count)]
    jitter = np.random.default_rng(seed)
    frame["latitude"] = frame["latitude"] + jitter.normal(0, 0.0005, count)
    frame["longitude"] = frame["longitude"] + jitter.normal(0, 0.0007, count)
    return frame


def naive_locate(zones: aggregation.Zones, lat: np.ndarray, lon: np.ndarray) -> list[str | None]:
    points = shapely.points(lon, lat)
    found: list[str | None] = []
    for point in points:
        found.append(next((code for code, geometry in zip(zones.codes, zones.geometries,
                                                           strict=True)
                           if geometry.intersects(point)), None))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000,1000000")
    args = parser.parse_args()
    zones = aggregation.Zones.from_geojson(demo.zones_geojson())
    spec = aggregation.Spec(key_column="person_key", measure_columns=("kwh",),
                            address_column="address", street_column="street",
                            latitude_column="latitude", longitude_column="longitude")
    print(f"{'rows':>9} {'STRtree':>9} {'loop':>10} {'speed-up':>8} {'aggregate':>10} "
          f"{'audit':>8} {'cells':>6} {'withheld':>8}")
    for count in (int(n) for n in args.rows.split(",")):
        frame = rows(count)
        lat, lon = frame["latitude"].to_numpy(), frame["longitude"].to_numpy()
        start = time.perf_counter()
        indexed = zones.locate(lat, lon)
        tree = time.perf_counter() - start
        sample = min(count, 20_000)
        start = time.perf_counter()
        looped = naive_locate(zones, lat[:sample], lon[:sample])
        loop = (time.perf_counter() - start) * count / sample
        assert list(indexed[:sample]) == looped, "the two assignments differ"
        start = time.perf_counter()
        release = aggregation.aggregate(frame, spec, zones)
        aggregate = time.perf_counter() - start
        start = time.perf_counter()
        aggregation.audit(frame, release, spec, zones)
        audit = time.perf_counter() - start
        print(f"{count:>9} {tree:>8.3f}s {loop:>9.2f}s {loop / tree:>7.0f}x {aggregate:>9.2f}s "
              f"{audit:>7.2f}s {len(release.table):>6} {release.note['suppressed_persons']:>8}")


if __name__ == "__main__":
    main()
