"""Tables of the demo territory and how they are written as files.

A table generator (see ``tables.py``) draws rows from a seeded random
generator; ``render`` writes a table as CSV or GeoJSON. The seed depends
only on the table's key, so every run writes the same bytes and the CSV and
GeoJSON files of one table describe the same features.
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import territory

Row = tuple[Any, ...]
Geometry = dict[str, Any]

# Point tables carry their coordinates as columns for CSV readers; in GeoJSON
# they are the geometry, so they are not repeated among the properties.
COORDINATE_COLUMNS = ("latitude", "longitude")
KM_PER_DEGREE_LAT = 111.2

MIMETYPES = {"CSV": "text/csv", "GeoJSON": "application/geo+json"}
FORMATS_BY_EXTENSION = {".csv": "CSV", ".geojson": "GeoJSON"}


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    geometries: list[Geometry] | None = None

    def add(self, row: Row, geometry: Geometry | None = None) -> None:
        if len(row) != len(self.columns):
            raise ValueError(f"row {row!r} does not match columns {self.columns!r}")
        self.rows.append(row)
        if geometry is not None:
            if self.geometries is None:
                self.geometries = []
            self.geometries.append(geometry)


def rng_for(key: str) -> random.Random:
    # A str seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"rivebelle/{key}")


def file_format(filename: str) -> str:
    for extension, fmt in FORMATS_BY_EXTENSION.items():
        if filename.endswith(extension):
            return fmt
    raise ValueError(f"no demo format for {filename}")


def render(table: Table, fmt: str, separator: str = ";") -> bytes:
    if fmt == "CSV":
        return to_csv(table, separator)
    if fmt == "GeoJSON":
        return to_geojson(table)
    raise ValueError(f"cannot write {fmt}")


def to_csv(table: Table, separator: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def to_geojson(table: Table) -> bytes:
    if table.geometries is None or len(table.geometries) != len(table.rows):
        raise ValueError("every row of a GeoJSON table needs a geometry")
    kept = [i for i, name in enumerate(table.columns) if name not in COORDINATE_COLUMNS]
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {table.columns[i]: row[i] for i in kept},
        }
        for row, geometry in zip(table.rows, table.geometries, strict=True)
    ]
    # One feature per line: valid JSON that stays readable and diffable.
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return f'{{"type": "FeatureCollection", "features": [\n{lines}\n]}}\n'.encode()


# Geometry helpers. Coordinates are (lat, lon) in Python, [lon, lat] in GeoJSON.

def offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    km_per_degree_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))
    return lat + north_km / KM_PER_DEGREE_LAT, lon + east_km / km_per_degree_lon


def point_near(
    rng: random.Random, lat: float, lon: float, radius_km: float
) -> tuple[float, float]:
    # sqrt keeps the points evenly spread over the disc instead of bunched at its centre.
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    plat, plon = offset(lat, lon, distance * math.cos(angle), distance * math.sin(angle))
    return round(plat, 6), round(plon, 6)


def point_in(rng: random.Random, commune: territory.Commune) -> tuple[float, float]:
    return point_near(rng, commune.lat, commune.lon, commune.radius_km * 0.8)


def point(lat: float, lon: float) -> Geometry:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(points: Sequence[tuple[float, float]]) -> Geometry:
    return {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in points]}


def polygon_around(
    rng: random.Random, lat: float, lon: float, radius_km: float, vertices: int = 9
) -> Geometry:
    ring = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        r = radius_km * rng.uniform(0.75, 1.15)
        vlat, vlon = offset(lat, lon, r * math.cos(angle), r * math.sin(angle))
        ring.append([round(vlon, 6), round(vlat, 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


# Other helpers shared by the table generators.

def weighted_commune(rng: random.Random) -> territory.Commune:
    weights = [territory.population(c.code) for c in territory.COMMUNES]
    return rng.choices(territory.COMMUNES, weights=weights)[0]


def address(rng: random.Random) -> str:
    return f"{rng.randint(1, 140)} {rng.choice(territory.STREETS)}"


def days(start: date, count: int) -> Iterator[date]:
    for n in range(count):
        yield start + timedelta(days=n)


def months(year: int) -> Iterator[str]:
    for month in range(1, 13):
        yield f"{year}-{month:02d}"
