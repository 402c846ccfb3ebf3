"""Demo zones and residents of the open derivative (pure: no CKAN)."""
from __future__ import annotations

import pandas as pd
from shapely.geometry import Point, shape

from ckanext.consent.derivative import demo
from ckanext.consent.derivative.aggregation import Spec, Zones, aggregate, audit
from ckanext.spmd.demo import territory


def test_demo_zones_tile_the_territory_one_polygon_per_iris() -> None:
    document = demo.zones_geojson()
    zones = Zones.from_geojson(document)
    assert zones.codes == [i.code for i in territory.IRIS]
    geometries = [shape(f["geometry"]) for f in document["features"]]
    for iris, geometry in zip(territory.IRIS, geometries, strict=True):
        assert geometry.contains(Point(iris.lon, iris.lat)), iris.code
    overlaps = sum(a.intersection(b).area for i, a in enumerate(geometries)
                   for b in geometries[i + 1:])
    assert overlaps < 1e-9


def test_demo_residents_give_published_and_withheld_figures() -> None:
    rows = pd.DataFrame(demo.residents(300))
    assert rows["person_key"].is_unique and len(rows) == 300
    consenting = rows.sample(frac=0.35, random_state=7)
    spec = Spec(key_column="person_key", measure_columns=("kwh",), address_column="address",
                street_column="street", latitude_column="latitude",
                longitude_column="longitude")
    zones = Zones.from_geojson(demo.zones_geojson())
    release = aggregate(consenting, spec, zones)
    audit(consenting, release, spec, zones)
    assert (release.table["level"] == "address").sum() >= 2
    assert release.note["suppressed_persons"] > 0
    assert (release.table["persons"] >= 10).all()
