"""Demo of the open derivative over the fictional Métropole de Rivebelle.

``ckan consent demo load`` (ckanext-consent's demo) calls ``load`` once its
energy-challenge dataset, residents and consents exist: ``load`` adds the
IRIS zones file to the dataset, fills the derivative's settings that are
still empty, and runs the first regeneration in-process.

``zones_geojson`` draws IRIS-like polygons: the Voronoi cells of the IRIS
centres of ``ckanext.spmd.demo.territory`` clipped to the communes' discs,
so that they tile the territory without overlapping. ``residents`` is an
optional generator of synthetic rows (with a few apartment blocks, so that
some addresses gather enough consenting persons to be published alone).
"""
from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry import Point, mapping

from ckanext.consent.derivative import aggregation

ZONES_NAME = "IRIS (zones de l'agrégat)"
DEFAULT_FIELDS: dict[str, Any] = {
    "address_column": "address",
    "street_column": "street",
    "latitude_column": "latitude",
    "longitude_column": "longitude",
    "measure_columns": ["kwh"],
}
KM_PER_DEGREE = 111.32


def _disc(lat: float, lon: float, radius_km: float) -> Any:
    # An ellipse in degrees: a circle on the ground at this latitude.
    circle = Point(0, 0).buffer(1.0, quad_segs=16)
    return shapely.affinity.translate(shapely.affinity.scale(
        circle, radius_km / (KM_PER_DEGREE * math.cos(math.radians(lat))),
        radius_km / KM_PER_DEGREE, origin=(0, 0)), lon, lat)


def zones_geojson() -> dict[str, Any]:
    """IRIS-like polygons (``code``, ``name``, ``commune``, ``population``)."""
    import shapely.affinity  # noqa: F401  (used by _disc)

    from ckanext.spmd.demo import territory

    land = shapely.union_all([_disc(c.lat, c.lon, c.radius_km) for c in territory.COMMUNES])
    centres = shapely.multipoints([(i.lon, i.lat) for i in territory.IRIS])
    cells = shapely.get_parts(shapely.voronoi_polygons(centres, extend_to=land.envelope))
    features = []
    for iris in territory.IRIS:
        centre = Point(iris.lon, iris.lat)
        cell = next(c for c in cells if c.contains(centre))
        features.append({
            "type": "Feature",
            "properties": {"code": iris.code, "name": iris.name,
                           "commune": iris.commune_code, "population": iris.population},
            "geometry": mapping(shapely.set_precision(cell.intersection(land), 1e-6)),
        })
    return {"type": "FeatureCollection", "features": features}


def residents(count: int = 300, seed: int = 2026) -> list[dict[str, Any]]:
    """Synthetic residents, one row each: key, address, street, coordinates, kWh.

    Half live in four apartment blocks (one address each), the rest in
    houses spread over the IRIS in proportion to their population.
    """
    from ckanext.spmd.demo import territory

    generator = random.Random(seed)
    zones = aggregation.Zones.from_geojson(zones_geojson())
    iris_list = list(territory.IRIS)
    weights = [i.population for i in iris_list]
    blocks = [(iris_list[n], territory.STREETS[n % len(territory.STREETS)], 10 + n)
              for n in (0, 4, 14, 18)]
    rows: list[dict[str, Any]] = []
    for number in range(count):
        if number % 2 == 0:
            iris, street, house = blocks[(number // 2) % len(blocks)]
            kwh = generator.gauss(2600, 500)
        else:
            iris = generator.choices(iris_list, weights)[0]
            street = territory.STREETS[(iris_list.index(iris) * 3 + generator.randrange(3))
                                       % len(territory.STREETS)]
            house = generator.randrange(1, 40)
            kwh = generator.gauss(4800, 1200)
        lat, lon = _inside(zones, iris, generator)
        commune = territory.commune(iris.commune_code)
        rows.append({"person_key": f"RB-{number + 1:05d}",
                     "address": f"{house} {street}, {commune.postcode} {commune.name}",
                     "street": f"{street}, {commune.name}",
                     "latitude": round(lat, 6), "longitude": round(lon, 6),
                     "kwh": round(max(kwh, 300.0), 1)})
    return rows


def _inside(zones: aggregation.Zones, iris: Any, generator: random.Random) -> tuple[float, float]:
    for _attempt in range(50):
        lat = iris.lat + generator.gauss(0, 0.0015)
        lon = iris.lon + generator.gauss(0, 0.0022)
        if zones.locate([lat], [lon])[0] == iris.code:
            return lat, lon
    return iris.lat, iris.lon


def load(dataset: str, echo: Callable[[str], Any] = print,
         fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """Zones file, settings and first run of the derivative (idempotent)."""
    from ckan.plugins import toolkit

    from ckanext.consent.derivative import jobs, publish

    context = publish._context()
    pkg = toolkit.get_action("package_show")(dict(context), {"id": dataset})
    if not any(publish.is_zones(r) for r in pkg.get("resources", [])):
        import io

        from werkzeug.datastructures import FileStorage

        content = json.dumps(zones_geojson(), ensure_ascii=False).encode()
        toolkit.get_action("resource_create")(dict(context), {
            "package_id": pkg["id"], "name": ZONES_NAME, "format": "GeoJSON",
            "resource_role": publish.ZONES_ROLE, "url": "iris.geojson",
            "description": "Polygones IRIS fictifs de la Métropole de Rivebelle "
                           "(placement des lignes par leurs coordonnées).",
            "upload": FileStorage(io.BytesIO(content), filename="iris.geojson",
                                  content_type="application/geo+json")})
        echo(f"{pkg['name']}: zones file added")
    wanted = {k: v for k, v in (fields or DEFAULT_FIELDS).items() if not pkg.get(k)}
    if wanted:
        toolkit.get_action("package_patch")(dict(context), {"id": pkg["id"], **wanted})
    summary = jobs.run_once(pkg["id"])
    echo(f"{publish.derivative_name(pkg)}: {summary['published_cells']} figures published, "
         f"{summary['suppressed_persons']} persons withheld")
    return summary
