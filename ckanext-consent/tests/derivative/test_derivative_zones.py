"""IRIS assignment with shapely (point in polygon through an STRtree)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from ckanext.consent.derivative.aggregation import Spec, Zones, aggregate
from ckanext.consent.derivative.errors import DerivativeInputError


def square(code: str, name: str, x0: float, y0: float, size: float = 1.0) -> dict:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


ZONES = {"type": "FeatureCollection",
         "features": [square("A", "Zone A", 0, 0), square("B", "Zone B", 1, 0)]}


def test_points_are_assigned_to_the_polygon_that_contains_them() -> None:
    zones = Zones.from_geojson(json.dumps(ZONES))
    codes = zones.locate([0.5, 0.5, 5.0, float("nan")], [0.5, 1.5, 5.0, 0.5])
    assert list(codes) == ["A", "B", None, None]
    assert zones.name_of("B") == "Zone B"


def test_a_point_on_a_shared_border_goes_to_the_first_zone_of_the_file() -> None:
    zones = Zones.from_geojson(ZONES)
    assert list(zones.locate([0.5], [1.0])) == ["A"]
    reverse = Zones.from_geojson({"type": "FeatureCollection",
                                  "features": list(reversed(ZONES["features"]))})
    assert list(reverse.locate([0.5], [1.0])) == ["B"]


def test_multipolygons_and_many_points() -> None:
    multi = {"type": "Feature", "properties": {"code": "M", "name": "Two islands"},
             "geometry": {"type": "MultiPolygon", "coordinates": [
                 square("x", "x", 10, 10)["geometry"]["coordinates"],
                 square("y", "y", 20, 20)["geometry"]["coordinates"]]}}
    zones = Zones.from_geojson({"type": "FeatureCollection", "features": [multi]})
    codes = zones.locate([10.5, 20.5, 15.0] * 1000, [10.5, 20.5, 15.0] * 1000)
    assert list(codes[:3]) == ["M", "M", None] and (codes == "M").sum() == 2000


def test_aggregation_uses_zones_when_the_iris_column_is_empty() -> None:
    frame = pd.DataFrame({
        "pid": [f"p{i}" for i in range(7)],
        "iris": [None, None, None, None, None, None, "B"],   # the column wins when set
        "lat": [0.5, 0.2, 0.8, 0.5, 0.5, 0.5, 0.5],
        "lon": [0.5, 0.2, 0.8, 1.5, 1.6, 1.7, 0.5],
        "kwh": [1.0] * 7})
    spec = Spec(key_column="pid", measure_columns=("kwh",), iris_column="iris",
                latitude_column="lat", longitude_column="lon", threshold=3)
    table = aggregate(frame, spec, Zones.from_geojson(ZONES)).table
    assert table[["zone_code", "zone_label", "persons"]].values.tolist() == [
        ["iris:A", "Zone A", 3], ["iris:B", "Zone B", 4]]


@pytest.mark.parametrize("document, message", [
    ("not json", "zones file: not valid JSON"),
    ({"type": "Feature"}, "expected a GeoJSON FeatureCollection"),
    ({"type": "FeatureCollection", "features": []}, "zones file: no feature"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": ZONES["features"][0]["geometry"]}]},
     "feature 1: missing property 'code'"),
    ({"type": "FeatureCollection", "features": [ZONES["features"][0], ZONES["features"][0]]},
     "feature 2: code 'A' repeated"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "P"},
         "geometry": {"type": "Point", "coordinates": [0, 0]}}]},
     r"feature 1 \(P\): expected a Polygon or MultiPolygon, got Point"),
])
def test_bad_zones_files_get_a_clear_error(document: object, message: str) -> None:
    with pytest.raises(DerivativeInputError, match=message):
        Zones.from_geojson(document if isinstance(document, str) else json.dumps(document))
