"""GeoJSON geometry helpers for the RDF output (pure Python, shapely)."""
from __future__ import annotations

import json
from typing import Any

from shapely.geometry import box, mapping, shape


def parse(value: str | dict[str, Any]) -> dict[str, Any] | None:
    """A GeoJSON geometry (string or dict) or None when it is not one."""
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        shape(geometry)
    except (TypeError, ValueError, AttributeError, KeyError):
        return None
    return geometry if isinstance(geometry, dict) else None


def wkt(geometry: dict[str, Any]) -> str:
    return shape(geometry).wkt


def bbox_wkt(geometry: dict[str, Any]) -> str:
    return box(*shape(geometry).bounds).wkt


def centroid_wkt(geometry: dict[str, Any]) -> str:
    return shape(geometry).centroid.wkt


def bbox_polygon(geometry: dict[str, Any]) -> dict[str, Any]:
    """The bounding box as a GeoJSON Polygon."""
    return dict(mapping(box(*shape(geometry).bounds)))
