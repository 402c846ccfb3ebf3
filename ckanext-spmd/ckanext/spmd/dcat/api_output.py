"""What national CKAN harvesters read in our API output.

The national portal's CKAN harvester reads ``spatial`` (a GeoJSON polygon),
``frequency``, ``temporal_start`` and ``temporal_end`` from the ``extras``
list of ``package_show`` / ``package_search``. With ckanext-scheming these
are top-level fields, so reads also list them as extras; writes fold such
extras back into the top-level fields, so that a client's show-then-update
round trip (and a CKAN harvesting another portal of the bundle) still
validates. An open-ended temporal coverage gets the date of the last update
as ``temporal_end`` in these extras (the stored field stays empty).
"""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit

from . import spatial

MIRRORED = ("spatial", "frequency", "temporal_start", "temporal_end")


def national_polygon(value: str) -> str | None:
    """Polygons as they are; any other geometry as its bounding box
    (a point gets a box of about 100 m)."""
    geometry = spatial.parse(value)
    if geometry is None:
        return None
    if geometry["type"] in ("Polygon", "MultiPolygon"):
        return json.dumps(geometry)
    polygon = spatial.bbox_polygon(geometry)
    ring = polygon["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    if max(xs) - min(xs) < 1e-6 or max(ys) - min(ys) < 1e-6:
        x, y, d = min(xs), min(ys), 0.0005
        polygon = {"type": "Polygon", "coordinates": [[
            [x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]]}
    return json.dumps({"type": "Polygon", "coordinates": [list(map(list, r))
                                                          for r in polygon["coordinates"]]})


def is_api_read(context: dict[str, Any]) -> bool:
    """A read for a client: not an edit, a page, nor the indexing of the
    dataset (``validate=False``: what is indexed is served back to
    package_show for updates, so it must stay as stored)."""
    return not (context.get("for_update") or context.get("for_edit")
                or context.get("for_view") or context.get("validate") is False)


def mirror_extras(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    extras = pkg_dict.get("extras")
    if not isinstance(extras, list):
        extras = []
    keys = {e.get("key") for e in extras}
    for key in MIRRORED:
        value = pkg_dict.get(key)
        if key in keys or value in (None, ""):
            continue
        if key == "spatial":
            value = national_polygon(value)
            if value is None:
                continue
        extras.append({"key": key, "value": str(value)})
        keys.add(key)
    if "temporal_start" in keys and "temporal_end" not in keys and pkg_dict.get(
            "metadata_modified"):
        # An open-ended coverage (a current state, still updated) is known
        # up to the last update; harvesters that need an end get that date.
        extras.append({"key": "temporal_end", "value": pkg_dict["metadata_modified"][:10]})
    pkg_dict["extras"] = extras
    return pkg_dict


def schema_fields(dataset_type: str) -> set[str]:
    try:
        schema = toolkit.get_action("scheming_dataset_schema_show")(
            {}, {"type": dataset_type})
    except (KeyError, toolkit.ObjectNotFound):
        return set()
    return {f["field_name"] for f in schema.get("dataset_fields", [])}


def fold_extras(data_dict: dict[str, Any]) -> dict[str, Any]:
    """Extras named like a schema field become (or give way to) that field."""
    extras = data_dict.get("extras")
    if not isinstance(extras, list) or not extras:
        return data_dict
    fields = schema_fields(data_dict.get("type") or "dataset")
    if not fields:
        return data_dict
    # Our own output coming back (a show-then-update round trip, a portal of
    # the bundle harvested by another): the top-level fields are the truth
    # and the mirrored extras are dropped. Otherwise (plain CKAN, extras
    # only) an extra fills its empty field.
    own_output = any(data_dict.get(key) not in (None, "") for key in MIRRORED)
    data_dict = dict(data_dict)
    kept = []
    for extra in extras:
        key = extra.get("key")
        if key not in fields:
            kept.append(extra)
        elif not (own_output and key in MIRRORED) and not extra.get("deleted") and (
                data_dict.get(key) in (None, "")):
            data_dict[key] = extra.get("value")
    data_dict["extras"] = kept
    return data_dict


@toolkit.chained_action
def package_create(up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up_func(context, fold_extras(data_dict))


@toolkit.chained_action
def package_update(up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up_func(context, fold_extras(data_dict))
