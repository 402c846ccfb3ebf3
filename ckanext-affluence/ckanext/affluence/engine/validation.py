"""Validation of the input files against their Table Schemas.

Small files (up to ``FRICTIONLESS_MAX_BYTES``) are validated by frictionless
itself. Larger files (millions of rows) are checked chunk by chunk by a
vectorised checker that applies the same Table Schema rules (type, required,
minimum/maximum, enum, pattern), because a row-by-row validator would take
far longer than the whole forecast on 10 M rows. Errors name the file, the
1-based data row, the column and the reason, and are capped per column.
"""
from __future__ import annotations

import codecs
import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .api import COUNTS_SCHEMAS, OTHER_SCHEMAS, InputError, InputFiles

FRICTIONLESS_MAX_BYTES = 512 * 1024
CHUNK_ROWS = 1_000_000
MAX_ERRORS_PER_COLUMN = 20
MAX_ERRORS = 200


def load_schema(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _label(role: str, path: Path) -> str:
    return f"{role} ({Path(path).name})"


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    return [c.strip() for c in next(csv.reader([first]))] if first.strip() else []


def detect_format(counts: Path) -> str | None:
    try:
        header = set(read_header(counts))
    except (OSError, UnicodeDecodeError, StopIteration):
        return None
    if {"trip_id", "stop_sequence"} <= header:
        return "board_alight"
    if "slot_start" in header:
        return "stop_slot"
    return None


def check_encoding(path: Path, label: str) -> InputError | None:
    """Stream the file through a strict UTF-8 decoder; report the first bad byte."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    lines = 0
    with open(path, "rb") as fh:
        while block := fh.read(8 * 1024 * 1024):
            try:
                dec.decode(block)
            except UnicodeDecodeError as exc:
                line = lines + block[: exc.start].count(b"\n")
                return InputError(
                    label, line if line > 0 else None, None,
                    f"not UTF-8 text (byte 0x{block[exc.start]:02x} at offset {offset + exc.start}); "
                    "save the file as UTF-8")
            lines += block.count(b"\n")
            offset += len(block)
    return None


def _field_errors(values: pd.Series, spec: dict[str, Any], first_row: int) -> list[tuple[int, str]]:
    """Vectorised Table Schema checks of one column; returns (row, reason)."""
    out: list[tuple[int, str]] = []
    s = values.astype("string").str.strip()
    empty = s.isna() | (s == "")
    cons = spec.get("constraints", {})

    def add(mask: np.ndarray, reason: str) -> None:
        for i in np.flatnonzero(mask)[:MAX_ERRORS_PER_COLUMN]:
            out.append((first_row + int(i), reason))

    if cons.get("required"):
        add(empty.to_numpy(), "value is required")
    present = ~empty.to_numpy()
    typ = spec.get("type", "string")
    parsed: pd.Series | None = None
    if typ in ("integer", "number"):
        parsed = pd.to_numeric(s, errors="coerce")
        bad = present & parsed.isna().to_numpy()
        if typ == "integer":
            bad |= present & ~bad & (parsed.fillna(0) % 1 != 0).to_numpy()
        add(bad, f"not a valid {typ}")
    elif typ in ("date", "datetime"):
        fmt = spec.get("format", "default")
        if fmt not in ("default", "any"):
            parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        else:
            parsed = pd.to_datetime(s, format="ISO8601", errors="coerce")
        add(present & parsed.isna().to_numpy(),
            f"not a valid {typ}" + (f" (expected {fmt})" if fmt not in ("default", "any") else " (expected ISO 8601)"))
    if parsed is not None and typ in ("integer", "number"):
        if "minimum" in cons:
            add(present & (parsed < cons["minimum"]).fillna(False).to_numpy(),
                f"must be at least {cons['minimum']}")
        if "maximum" in cons:
            add(present & (parsed > cons["maximum"]).fillna(False).to_numpy(),
                f"must be at most {cons['maximum']}")
        if "enum" in cons:
            add(present & parsed.notna().to_numpy() & ~parsed.isin(cons["enum"]).to_numpy(),
                f"must be one of {cons['enum']}")
    elif "enum" in cons:
        add(present & ~s.isin([str(v) for v in cons["enum"]]).to_numpy(),
            f"must be one of {cons['enum']}")
    if "pattern" in cons and typ == "string":
        rx = re.compile(f"^(?:{cons['pattern']})$")
        add(present & ~s.fillna("").map(lambda v: bool(rx.match(v))).to_numpy().astype(bool),
            f"does not match the pattern {cons['pattern']}")
    return out


def _vectorised(path: Path, label: str, schema: dict[str, Any], header: list[str]) -> list[InputError]:
    specs = {f["name"]: f for f in schema["fields"] if f["name"] in header}
    errors: list[InputError] = []
    per_col: dict[str, int] = {}
    row0 = 1
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=list(specs),
                         chunksize=CHUNK_ROWS, encoding="utf-8-sig", skipinitialspace=True)
    for chunk in reader:
        for name, spec in specs.items():
            for row, reason in _field_errors(chunk[name], spec, row0):
                if per_col.get(name, 0) < MAX_ERRORS_PER_COLUMN:
                    errors.append(InputError(label, row, name, reason))
                per_col[name] = per_col.get(name, 0) + 1
        row0 += len(chunk)
    for name, n in per_col.items():
        if n > MAX_ERRORS_PER_COLUMN:
            errors.append(InputError(label, None, name,
                                     f"{n - MAX_ERRORS_PER_COLUMN} more rows with errors in this column"))
    return errors


def _frictionless(path: Path, label: str, schema: dict[str, Any], header: list[str]) -> list[InputError]:
    from frictionless import Detector, Dialect, Resource, Schema, formats

    by_name = {f["name"]: f for f in schema["fields"]}
    fields = [by_name.get(h, {"name": h, "type": "any"}) for h in header]
    descriptor = {"fields": fields, "missingValues": schema.get("missingValues", [""])}
    resource = Resource(
        path=path.name, basepath=str(path.parent), format="csv", encoding="utf-8-sig",
        schema=Schema.from_descriptor(descriptor),
        dialect=Dialect(controls=[formats.CsvControl(delimiter=",")]),
        detector=Detector(schema_sync=False))
    report = resource.validate(limit_errors=MAX_ERRORS)
    errors: list[InputError] = []
    per_col: dict[str | None, int] = {}
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            col = getattr(err, "field_name", None) or getattr(err, "label", None)
            per_col[col] = per_col.get(col, 0) + 1
            if per_col[col] > MAX_ERRORS_PER_COLUMN:
                continue
            note = getattr(err, "note", "") or ""
            cell = getattr(err, "cell", None)
            reason = f"{err.title.lower()}: {note}" if note else err.message
            if cell not in (None, ""):
                reason += f" (value {cell!r})"
            errors.append(InputError(label, row - 1 if row else None, col or None, reason))
    for col, n in per_col.items():
        if n > MAX_ERRORS_PER_COLUMN:
            errors.append(InputError(label, None, col,
                                     f"{n - MAX_ERRORS_PER_COLUMN} more rows with errors in this column"))
    return errors


def check_table(path: Path | None, role: str, schema_path: Path,
                force_vectorised: bool = False) -> tuple[list[InputError], list[str]]:
    """Generic checks of one CSV input: existence, emptiness, encoding,
    required columns, Table Schema rules. Returns (errors, header)."""
    if path is None:
        return [], []
    path = Path(path)
    label = _label(role, path)
    if not path.is_file():
        return [InputError(label, None, None, "file not found")], []
    if path.stat().st_size == 0:
        return [InputError(label, None, None, "empty file")], []
    enc = check_encoding(path, label)
    if enc:
        return [enc], []
    header = read_header(path)
    if not header:
        return [InputError(label, None, None, "empty file (no header)")], []
    schema = load_schema(schema_path)
    errors = [InputError(label, 0, f["name"], "required column is missing")
              for f in schema["fields"]
              if f.get("constraints", {}).get("required") and f["name"] not in header]
    dupes = {h for h in header if header.count(h) > 1}
    errors += [InputError(label, 0, h, "duplicate column") for h in sorted(dupes)]
    if errors:
        return errors, header
    with open(path, encoding="utf-8-sig") as fh:
        fh.readline()
        if not fh.readline().strip():
            return [InputError(label, None, None, "no data rows (header only)")], header
    if force_vectorised or path.stat().st_size > FRICTIONLESS_MAX_BYTES:
        errors = _vectorised(path, label, schema, header)
    else:
        errors = _frictionless(path, label, schema, header)
    return errors, header


def _reference_errors(path: Path, label: str, column: str, known: set[str], what: str) -> list[InputError]:
    """Rows whose ``column`` value is not in ``known`` (chunked)."""
    errors: list[InputError] = []
    more = 0
    row0 = 1
    for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[column],
                             chunksize=CHUNK_ROWS * 2, encoding="utf-8-sig", skipinitialspace=True):
        vals = chunk[column].str.strip()
        bad = np.flatnonzero(~vals.isin(known).to_numpy() & (vals != "").to_numpy())
        for i in bad:
            if len(errors) < MAX_ERRORS_PER_COLUMN:
                errors.append(InputError(label, row0 + int(i), column,
                                         f"unknown {what} {vals.iloc[i]!r} (not in the GTFS timetable)"))
            else:
                more += 1
        row0 += len(chunk)
    if more:
        errors.append(InputError(label, None, column, f"{more} more rows with an unknown {what}"))
    return errors


def validate_inputs(inputs: InputFiles, force_vectorised: bool = False) -> list[InputError]:
    from . import gtfs

    errors: list[InputError] = []
    feed = None
    if inputs.timetable is not None:
        feed, gtfs_errors = gtfs.load_feed(Path(inputs.timetable))
        errors += gtfs_errors
    counts = Path(inputs.counts)
    label = _label("counts", counts)
    fmt = inputs.counts_format
    if fmt is not None and fmt not in COUNTS_SCHEMAS:
        errors.append(InputError(label, None, None,
                                 f"unknown counts format {fmt!r} (expected board_alight or stop_slot)"))
        return errors
    if fmt is None and counts.is_file() and counts.stat().st_size > 0 and check_encoding(counts, label) is None:
        fmt = detect_format(counts)
        if fmt is None:
            errors.append(InputError(label, 0, None,
                                     "unknown counts format: the header must contain trip_id and "
                                     "stop_sequence (GTFS-ride board_alight) or stop_id, slot_start "
                                     "and boardings (stop_slot)"))
            return errors
    cerr, header = check_table(counts, "counts", COUNTS_SCHEMAS[fmt or "stop_slot"], force_vectorised)
    errors += cerr
    if not cerr and fmt == "board_alight":
        if feed is None and inputs.timetable is None and "service_departure_time" not in header:
            errors.append(InputError(label, 0, "service_departure_time",
                                     "trip-level counts need a GTFS timetable or a service_departure_time column"))
        if not any(c in header for c in ("boardings", "current_load")):
            errors.append(InputError(label, 0, "boardings", "board_alight counts need boardings (or current_load)"))
    if not cerr and feed is not None:
        errors += _reference_errors(counts, label, "stop_id", set(feed.stops["stop_id"]), "stop_id")
        if fmt == "board_alight":
            errors += _reference_errors(counts, label, "trip_id", set(feed.trips["trip_id"]), "trip_id")
        elif "route_id" in header:
            errors += _reference_errors(counts, label, "route_id", set(feed.routes["route_id"]), "route_id")
    for role in ("capacities", "weather", "reports"):
        p = getattr(inputs, role)
        if p is not None:
            errors += check_table(Path(p), role, OTHER_SCHEMAS[role])[0]
    return errors[:MAX_ERRORS]
