"""Anonymised aggregation of personal rows (pure Python: pandas + shapely).

The operator's rule (domain brief, "Access classes"): a figure is released
per address only where the address holds enough delivery points (persons),
otherwise per street, then per IRIS; what is still too small is withheld.

How the hierarchy is made safe against differencing
---------------------------------------------------
Classic tables publish a total per address, per street and per IRIS; then
"street total minus the published addresses" gives away the small
addresses that were withheld, and complementary suppression has to hide
more cells. Here every row counts at exactly one level instead:

* address cells with at least ``threshold`` distinct persons (and, when
  set, at least ``measure_threshold`` of the first measure) are published;
* the rows left (small addresses, rows without an address) are grouped by
  street *within their IRIS*: the street remainder is published when it
  passes the same test;
* the rows still left are grouped by IRIS: the IRIS remainder is published
  when it passes;
* whatever is left is withheld, and only its number of persons is given in
  the metadata note, for the whole table.

Published figures are therefore disjoint sets of rows, each holding at
least ``threshold`` persons. Any sum or difference of published figures is
a signed combination of whole cells, so it never singles out fewer than
``threshold`` persons; no total is published that a withheld cell could be
differenced from. Streets are split by IRIS so that the levels nest (a
street crossing two IRIS gives two street cells), which keeps "a row counts
once" true at every level. ``audit`` re-checks a release against its rows
before anything is published.

What this does not protect against (see the package README): differences
between successive releases (one withdrawal between two runs changes a
cell by one person) and dominance (one large consumer inside a big cell).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from ckanext.consent.derivative.errors import DerivativeInputError

LEVELS = ("address", "street", "iris")
# INSEE's rule of statistical secrecy: never fewer than three units.
MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 10
BASE_COLUMNS = ("level", "zone_code", "zone_label", "iris_code", "iris_label", "street", "persons")

_PERSON, _IRIS, _STREET, _ADDRESS = "_person", "_iris", "_street", "_address"
_STREET_LABEL, _ADDRESS_LABEL = "_street_label", "_address_label"
_KEYS = {
    "address": [_IRIS, _STREET, _ADDRESS],
    "street": [_IRIS, _STREET],
    "iris": [_IRIS],
}
_DECIMAL_COMMA = r"^(-?\d+),(\d+)$"
_REQUIRED = {"address": _ADDRESS, "street": _STREET, "iris": _IRIS}


@dataclass(frozen=True)
class Spec:
    """Which columns hold what, and the disclosure thresholds."""

    key_column: str
    measure_columns: tuple[str, ...]
    address_column: str | None = None
    street_column: str | None = None
    iris_column: str | None = None
    latitude_column: str | None = None
    longitude_column: str | None = None
    threshold: int = DEFAULT_THRESHOLD
    # Minimum sum of the first measure column for a cell to be published
    # (the operator's 200 MWh). It only ever makes publication stricter:
    # the persons threshold stays a hard floor.
    measure_threshold: float | None = None

    def __post_init__(self) -> None:
        if not self.key_column:
            raise DerivativeInputError("key column: not set")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int):
            raise DerivativeInputError(f"threshold: {self.threshold!r} is not a whole number")
        if self.threshold < MIN_THRESHOLD:
            raise DerivativeInputError(
                f"threshold: {self.threshold} is below the minimum of {MIN_THRESHOLD} persons")
        if self.measure_threshold is not None:
            if not math.isfinite(self.measure_threshold) or self.measure_threshold < 0:
                raise DerivativeInputError(
                    f"measure threshold: {self.measure_threshold!r} is not a positive number")
            if not self.measure_columns:
                raise DerivativeInputError(
                    "measure threshold: set, but no measure column to apply it to")
        if (self.latitude_column is None) != (self.longitude_column is None):
            raise DerivativeInputError(
                "coordinates: latitude and longitude columns must be given together")
        if not (self.address_column or self.street_column or self.iris_column
                or self.latitude_column):
            raise DerivativeInputError(
                "geography: set at least one of the address, street, IRIS or coordinate columns")
        if len(set(self.measure_columns)) != len(self.measure_columns):
            raise DerivativeInputError("measure columns: a column is listed twice")
        named = {self.key_column, self.address_column, self.street_column, self.iris_column,
                 self.latitude_column, self.longitude_column} - {None}
        clash = sorted(named & set(self.measure_columns))
        if clash:
            raise DerivativeInputError(
                f"measure columns: {', '.join(clash)} already hold the key or the geography")

    @property
    def source_columns(self) -> list[str]:
        named = [self.key_column, self.address_column, self.street_column, self.iris_column,
                 self.latitude_column, self.longitude_column, *self.measure_columns]
        return [c for c in named if c]


@dataclass
class Zones:
    """IRIS-like polygons with a spatial index for point-in-polygon lookups."""

    codes: list[str]
    names: list[str]
    geometries: list[Any]
    tree: STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tree = STRtree(self.geometries)
        self._names = dict(zip(self.codes, self.names, strict=True))

    @classmethod
    def from_geojson(cls, data: str | bytes | dict[str, Any]) -> Zones:
        """Parse a FeatureCollection whose features carry ``code``/``name``."""
        try:
            doc = json.loads(data) if isinstance(data, str | bytes) else data
        except (ValueError, UnicodeDecodeError) as error:
            raise DerivativeInputError(f"zones file: not valid JSON ({error})")
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise DerivativeInputError("zones file: expected a GeoJSON FeatureCollection")
        codes: list[str] = []
        names: list[str] = []
        geometries: list[Any] = []
        for number, feature in enumerate(doc.get("features") or [], start=1):
            properties = (feature or {}).get("properties") or {}
            code = str(properties.get("code") or "").strip()
            if not code:
                raise DerivativeInputError(f"zones file, feature {number}: missing property 'code'")
            if code in codes:
                raise DerivativeInputError(f"zones file, feature {number}: code {code!r} repeated")
            try:
                geometry = shape(feature["geometry"])
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise DerivativeInputError(
                    f"zones file, feature {number} ({code}): invalid geometry ({error})")
            if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
                raise DerivativeInputError(
                    f"zones file, feature {number} ({code}): expected a Polygon or MultiPolygon, "
                    f"got {geometry.geom_type}")
            if not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
            codes.append(code)
            names.append(str(properties.get("name") or code))
            geometries.append(geometry)
        if not codes:
            raise DerivativeInputError("zones file: no feature")
        return cls(codes, names, geometries)

    def name_of(self, code: str) -> str:
        return self._names.get(code, code)

    def locate(self, latitudes: Sequence[float], longitudes: Sequence[float]) -> np.ndarray:
        """Zone code of each point (None outside every zone).

        A point on a shared border belongs to the first zone of the file, so
        that the assignment does not depend on the index's internal order.
        """
        lat = np.asarray(latitudes, dtype=float)
        lon = np.asarray(longitudes, dtype=float)
        result = np.full(len(lat), None, dtype=object)
        known = ~(np.isnan(lat) | np.isnan(lon))
        if not known.any():
            return result
        positions = np.flatnonzero(known)
        points = shapely.points(lon[known], lat[known])
        point_idx, zone_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), len(self.codes))
        np.minimum.at(best, point_idx, zone_idx)
        found = best < len(self.codes)
        codes = np.asarray(self.codes, dtype=object)
        result[positions[found]] = codes[best[found]]
        return result


@dataclass
class Release:
    """A publishable table and its note; ``row_cells`` stays private.

    ``row_cells[i]`` is the index in ``table`` of the published cell that
    counts input row ``i``, or -1 when the row is withheld. It is kept for
    ``audit`` and tests, never written anywhere.
    """

    table: pd.DataFrame
    note: dict[str, Any]
    row_cells: np.ndarray


def _normalise(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = " ".join(str(value).split())
    return text or None


def _texts(values: pd.Series) -> np.ndarray:
    # A plain object array: pandas' string dtype would turn None back to NaN.
    return np.array([_normalise(v) for v in values.tolist()], dtype=object)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


# Optional columns naming where each row comes from, for error messages
# (the job filters and concatenates files, so positions alone would mislead).
SOURCE_FILE, SOURCE_ROW = "_source_file", "_source_row"


def _where(frame: pd.DataFrame, position: int) -> str:
    if SOURCE_ROW in frame.columns:
        row = frame[SOURCE_ROW].iloc[position]
        name = frame[SOURCE_FILE].iloc[position] if SOURCE_FILE in frame.columns else None
        return f"file {name!r}, row {row}" if name else f"row {row}"
    # A plain frame: line numbers as in a CSV file whose header is line 1.
    return f"line {position + 2}"


def _numbers(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(float).reset_index(drop=True)
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        # French spreadsheets write decimals with a comma ("12,5").
        raw = raw.astype(str).str.strip().str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
        raw = raw.where(~frame[column].isna(), None)
    values = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | (raw.astype(str).str.strip() == "")
    bad = values.isna() & ~blank
    if bad.any():
        # Line numbers as in the CSV file: the header is line 1.
        where = _where(frame, int(np.flatnonzero(bad.to_numpy())[0]))
        raise DerivativeInputError(f"{where}, column {column!r}: {what} is not a number")
    return values.astype(float)


def prepare(frame: pd.DataFrame, spec: Spec, zones: Zones | None = None) -> pd.DataFrame:
    """Validate the rows and derive the geography of each row.

    Returns a frame with the person key, the IRIS code (from the IRIS
    column, else from the coordinates and the zones), the normalised street
    and address keys with their labels, and the measures as floats.
    """
    missing = [c for c in spec.source_columns if c not in frame.columns]
    if missing:
        raise DerivativeInputError(
            "columns missing from the rows: " + ", ".join(repr(c) for c in missing))
    columns: dict[str, Any] = {}
    persons = _texts(frame[spec.key_column])
    empty = np.array([p is None for p in persons], dtype=bool)
    if empty.any():
        where = _where(frame, int(np.flatnonzero(empty)[0]))
        raise DerivativeInputError(f"{where}, column {spec.key_column!r}: empty person key")
    columns[_PERSON] = persons

    iris = (_texts(frame[spec.iris_column]) if spec.iris_column
            else np.full(len(frame), None, dtype=object))
    if spec.latitude_column and spec.longitude_column:
        lat = _numbers(frame, spec.latitude_column, "latitude").to_numpy()
        lon = _numbers(frame, spec.longitude_column, "longitude").to_numpy()
        out_of_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
        if out_of_range.any():
            where = _where(frame, int(np.flatnonzero(out_of_range)[0]))
            raise DerivativeInputError(f"{where}: coordinates out of range")
        if zones is not None:
            todo = np.array([code is None for code in iris], dtype=bool)
            if todo.any():
                iris[todo] = zones.locate(lat[todo], lon[todo])
    columns[_IRIS] = iris

    for column, key, label in ((spec.street_column, _STREET, _STREET_LABEL),
                               (spec.address_column, _ADDRESS, _ADDRESS_LABEL)):
        labels = (_texts(frame[column]) if column
                  else np.full(len(frame), None, dtype=object))
        columns[label] = labels
        columns[key] = np.array([None if v is None else v.casefold() for v in labels],
                                dtype=object)
    for column in spec.measure_columns:
        columns[column] = _numbers(frame, column, "measure").to_numpy()
    return pd.DataFrame(columns, index=range(len(frame)))


def _passes(persons: pd.Series, sums: pd.DataFrame, spec: Spec) -> pd.Series:
    ok = persons >= spec.threshold
    if spec.measure_threshold is not None:
        ok &= sums[spec.measure_columns[0]].fillna(0.0) >= spec.measure_threshold
    return ok


def aggregate(frame: pd.DataFrame, spec: Spec, zones: Zones | None = None, *,
              generated_at: datetime | None = None) -> Release:
    """Aggregate the rows of consenting persons into a publishable release."""
    rows = prepare(frame, spec, zones)
    n = len(rows)
    row_cells = np.full(n, -1, dtype=np.int64)
    cells: list[dict[str, Any]] = []
    for level in LEVELS:
        keys = _KEYS[level]
        candidate = (row_cells < 0) & rows[_REQUIRED[level]].notna().to_numpy()
        if not candidate.any():
            continue
        sub = rows.loc[candidate]
        grouped = sub.groupby(keys, dropna=False, sort=True)
        persons = grouped[_PERSON].nunique()
        sums = (grouped[list(spec.measure_columns)].sum(min_count=1)
                if spec.measure_columns else pd.DataFrame(index=persons.index))
        passing = _passes(persons, sums, spec)
        if not passing.any():
            continue
        group_ids = grouped.ngroup().to_numpy()
        positions = np.flatnonzero(candidate)
        # Labels: the smallest spelling among the rows (deterministic).
        street_labels = grouped[_STREET_LABEL].min()
        address_labels = grouped[_ADDRESS_LABEL].min()
        for group_number in np.flatnonzero(passing.to_numpy()):
            key = persons.index[group_number]
            key = key if isinstance(key, tuple) else (key,)
            members = positions[group_ids == group_number]
            row_cells[members] = len(cells)
            cell_key = {k: _normalise(v) for k, v in zip(keys, key, strict=True)}
            cells.append(_cell(
                level, cell_key,
                _normalise(street_labels.iloc[group_number]),
                _normalise(address_labels.iloc[group_number]),
                int(persons.iloc[group_number]), sums.iloc[group_number], spec, zones)
                | {"_key": "\x1f".join(v or "" for v in cell_key.values())})
    _unique_codes(cells)
    table = _table(cells, spec)
    # Sorting the table must not break row_cells: remap through the order.
    order = table.index.to_numpy()
    table = table.reset_index(drop=True)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    if len(order):
        row_cells = np.where(row_cells >= 0, remap[np.maximum(row_cells, 0)], -1)
    withheld = row_cells < 0
    note = {
        "threshold": spec.threshold,
        "measure_threshold": spec.measure_threshold,
        "measure_threshold_column": spec.measure_columns[0] if spec.measure_threshold is not None
        else None,
        "generated_at": (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "levels": list(LEVELS),
        "published_cells": {level: int((table["level"] == level).sum()) for level in LEVELS},
        "suppressed_persons": int(rows.loc[withheld, _PERSON].nunique()),
    }
    return Release(table=table, note=note, row_cells=row_cells)


def _cell(level: str, key: dict[str, Any], street_label: str | None,
          address_label: str | None, persons: int, sums: pd.Series, spec: Spec,
          zones: Zones | None) -> dict[str, Any]:
    iris = key[_IRIS]
    street_label = street_label if level != "iris" else None
    iris_label = (zones.name_of(iris) if zones is not None else iris) if iris else None
    iris_part = iris or "-"
    if level == "iris":
        code, label = f"iris:{iris}", iris_label
    elif level == "street":
        code, label = f"street:{iris_part}:{_slug(key[_STREET])}", street_label
    else:
        code = f"address:{iris_part}:{_slug(key[_STREET] or '-')}:{_slug(key[_ADDRESS])}"
        label = address_label
    cell = {"level": level, "zone_code": code, "zone_label": label, "iris_code": iris,
            "iris_label": iris_label, "street": street_label, "persons": persons}
    for column in spec.measure_columns:
        value = sums[column]
        cell[f"{column}_sum"] = None if pd.isna(value) else round(float(value), 3)
    return cell


def _unique_codes(cells: list[dict[str, Any]]) -> None:
    # Two spellings can share a slug ("1 rue É" and "1 rue E"): suffix the
    # colliding codes with a hash of their full key, stable from run to run.
    counts: dict[str, int] = {}
    for cell in cells:
        counts[cell["zone_code"]] = counts.get(cell["zone_code"], 0) + 1
    for cell in cells:
        if counts[cell["zone_code"]] > 1:
            digest = hashlib.sha1(cell["_key"].encode()).hexdigest()[:8]
            cell["zone_code"] = f"{cell['zone_code']}~{digest}"


def _table(cells: list[dict[str, Any]], spec: Spec) -> pd.DataFrame:
    columns = [*BASE_COLUMNS, *(f"{c}_sum" for c in spec.measure_columns)]
    table = pd.DataFrame(cells, columns=columns)
    if table.empty:
        return table
    rank = table["level"].map({"iris": 0, "street": 1, "address": 2})
    ordering = pd.DataFrame({"iris": table["iris_code"].fillna(""),
                             "street": table["street"].fillna("").str.casefold(),
                             "rank": rank, "code": table["zone_code"]})
    return table.loc[ordering.sort_values(["iris", "street", "rank", "code"]).index]


class DisclosureError(DerivativeInputError):
    """A release breaks the disclosure rules; it must not be published.

    Never expected (``aggregate`` builds safe releases); deterministic, so
    the job records it and does not retry.
    """


def audit(frame: pd.DataFrame, release: Release, spec: Spec, zones: Zones | None = None) -> None:
    """Re-check a release against its rows; raise ``DisclosureError``.

    Independent of how ``aggregate`` built it: recomputes each published
    figure from the rows it claims to count, checks that every row counts
    at most once, that each published cell is homogeneous at its level
    (so that no total of a coarser level is published) and holds at least
    ``threshold`` persons, and that the note's withheld count matches.
    """
    rows = prepare(frame, spec, zones)
    table = release.table
    cells = release.row_cells
    if len(cells) != len(rows):
        raise DisclosureError("release does not map every input row")
    if ((cells < -1) | (cells >= len(table))).any():
        raise DisclosureError("release maps rows to unknown cells")
    published = cells >= 0
    grouped = rows.loc[published].assign(_cell=cells[published]).groupby("_cell")
    every = range(len(table))
    persons = grouped[_PERSON].nunique().reindex(every, fill_value=0)
    distinct = grouped[[_IRIS, _STREET, _ADDRESS]].nunique(dropna=False).reindex(
        every, fill_value=0)
    sums = grouped[list(spec.measure_columns)].sum(min_count=1).reindex(every)
    for index, cell in enumerate(table.to_dict("records")):
        code = cell["zone_code"]
        if persons[index] < spec.threshold or persons[index] != cell["persons"]:
            raise DisclosureError(f"cell {code}: {persons[index]} persons behind the figure")
        for column in _KEYS[cell["level"]]:
            if distinct.loc[index, column] != 1:
                raise DisclosureError(f"cell {code}: mixes several {column}")
        for column in spec.measure_columns:
            expected = sums.loc[index, column]
            figure = cell[f"{column}_sum"]
            if pd.isna(expected) != pd.isna(figure) or (
                    not pd.isna(expected) and abs(round(float(expected), 3) - figure) > 1e-6):
                raise DisclosureError(f"cell {code}: {column} sum does not match")
        if spec.measure_threshold is not None and (
                (cell[f"{spec.measure_columns[0]}_sum"] or 0.0) < spec.measure_threshold):
            raise DisclosureError(f"cell {code}: below the measure threshold")
    if table["zone_code"].duplicated().any():
        raise DisclosureError("a zone is published twice")
    withheld = int(rows.loc[cells < 0, _PERSON].nunique())
    if withheld != release.note.get("suppressed_persons"):
        raise DisclosureError("the note's withheld persons do not match the rows")


def to_csv(release: Release) -> bytes:
    """The published CSV (UTF-8, comma-separated, no person key anywhere)."""
    return release.table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def keep_persons(frame: pd.DataFrame, key_column: str, keys: Iterable[str]) -> pd.DataFrame:
    """Rows of the given persons only (consenting keys), index reset."""
    wanted = {str(k).strip() for k in keys}
    if key_column not in frame.columns:
        raise DerivativeInputError(f"columns missing from the rows: {key_column!r}")
    mask = np.array([v in wanted for v in _texts(frame[key_column])], dtype=bool)
    return frame.loc[mask].reset_index(drop=True)
