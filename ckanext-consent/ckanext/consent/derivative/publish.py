"""Regenerate and publish the open derivative of one personal-data dataset.

Reads the stored CSV uploads of the dataset (CKAN's uploader path, through
``ckanext.consent.storage``), keeps the rows of persons consenting to the
``open-statistics`` purpose, aggregates them (``aggregation``), audits the
result, and publishes it as the CSV resource of an open dataset
``<name>-agrege`` owned by the same organisation (created on first run).

Failure keeps the previous aggregate: everything is computed and audited in
memory first; the stored file is then replaced by writing a sibling file and
renaming it over the old one (``os.replace`` is atomic on one filesystem),
and only then is the resource's metadata updated. A run whose output equals
the published file changes nothing (idempotent); a run interrupted between
the swap and the metadata update is completed by the next run, which
compares the stored file itself, not the metadata.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import tempfile
from typing import Any

import pandas as pd
from ckan.plugins import toolkit

from ckanext.consent import access, csvdata, storage
from ckanext.consent.derivative import aggregation
from ckanext.consent.derivative.errors import DerivativeInputError

log = logging.getLogger(__name__)

PURPOSE = "open-statistics"
PERSONAL_TYPE = "personal-data"
ZONES_ROLE = access.ZONES_ROLE
SUFFIX = "-agrege"
RESOURCE_NAME = "agregat-anonymise.csv"
NAME_MAX = 100


def derivative_name(pkg: dict[str, Any]) -> str:
    return pkg["name"][: NAME_MAX - len(SUFFIX)] + SUFFIX


def _context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _columns(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else re.split(r"[,;\n]", str(value))
    return tuple(dict.fromkeys(c.strip() for c in items if c and c.strip()))


def _optional(pkg: dict[str, Any], field: str) -> str | None:
    value = pkg.get(field)
    return str(value).strip() or None if value not in (None, "") else None


def default_threshold() -> int:
    return int(toolkit.config.get("ckanext.consent.derivative.threshold")
               or aggregation.DEFAULT_THRESHOLD)


def spec_of(pkg: dict[str, Any]) -> aggregation.Spec:
    """The aggregation settings from the dataset's fields (schema block)."""
    threshold = pkg.get("derivative_threshold")
    measure_threshold = pkg.get("derivative_measure_threshold")
    try:
        threshold = int(threshold) if threshold not in (None, "") else default_threshold()
        measure_threshold = (float(measure_threshold)
                             if measure_threshold not in (None, "") else None)
    except (TypeError, ValueError):
        raise DerivativeInputError(
            "derivative_threshold / derivative_measure_threshold: not a number")
    return aggregation.Spec(
        key_column=_optional(pkg, "key_column") or "",
        measure_columns=_columns(pkg.get("measure_columns")),
        address_column=_optional(pkg, "address_column"),
        street_column=_optional(pkg, "street_column"),
        iris_column=_optional(pkg, "iris_column"),
        latitude_column=_optional(pkg, "latitude_column"),
        longitude_column=_optional(pkg, "longitude_column"),
        threshold=threshold,
        measure_threshold=measure_threshold,
    )


def is_zones(resource: dict[str, Any]) -> bool:
    return resource.get("resource_role") == ZONES_ROLE


def _read_zones(pkg: dict[str, Any]) -> aggregation.Zones | None:
    declared = [r for r in pkg.get("resources", []) if is_zones(r)]
    if not declared:
        return None
    path = storage.upload_path(declared[0])
    if path is None:
        raise StorageUnavailable(f"zones resource {declared[0]['id']}: stored file not found")
    with open(path, "rb") as stream:
        return aggregation.Zones.from_geojson(stream.read())


class StorageUnavailable(RuntimeError):
    """A stored file is missing: possibly transient (storage mount), retried."""


def _read_rows(pkg: dict[str, Any], key_column: str, keys: set[str]) -> pd.DataFrame:
    frames = []
    for resource in pkg.get("resources", []):
        if not access.is_rows_resource(resource) or resource.get("url_type") != "upload":
            continue
        path = storage.upload_path(resource)
        if path is None:
            raise StorageUnavailable(f"resource {resource['id']}: stored file not found")
        name = resource.get("name") or resource["id"]
        try:
            # All rows, to know each kept row's number (1 = header) for errors.
            header, rows = csvdata.read_rows(path, key_column, lambda key: True)
        except csvdata.CsvDataError as error:
            raise DerivativeInputError(
                f"file {name!r}: {error.reason}" + (f" (row {error.row})" if error.row else ""))
        k = header.index(key_column)
        kept = [(number, row) for number, row in enumerate(rows, start=2) if row[k] in keys]
        for number, row in kept:
            if len(row) != len(header):
                raise DerivativeInputError(
                    f"file {name!r}, row {number}: {len(row)} values where the header has "
                    f"{len(header)}")
        frame = pd.DataFrame([row for _, row in kept], columns=header, dtype=object)
        frame[aggregation.SOURCE_ROW] = [number for number, _ in kept]
        frame[aggregation.SOURCE_FILE] = name
        frames.append(frame)
    if not frames:
        raise DerivativeInputError("the dataset has no uploaded CSV file to aggregate")
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def build(pkg: dict[str, Any]) -> tuple[aggregation.Release, bytes]:
    """Aggregate and audit the consenting rows; nothing is written."""
    from ckanext.consent.registry import consenting_keys

    spec = spec_of(pkg)
    zones = _read_zones(pkg)
    keys = set(consenting_keys(pkg["id"], PURPOSE))
    frame = _read_rows(pkg, spec.key_column, keys)
    release = aggregation.aggregate(frame, spec, zones)
    # Defence in depth: a release that fails its audit is a bug, never output.
    aggregation.audit(frame, release, spec, zones)
    return release, aggregation.to_csv(release)


def regenerate_now(dataset_id: str) -> dict[str, Any]:
    """Build and publish; returns a summary (no per-person figure)."""
    context = _context()
    try:
        pkg = toolkit.get_action("package_show")(dict(context), {"id": dataset_id})
    except toolkit.ObjectNotFound:
        raise DerivativeInputError(f"dataset {dataset_id}: not found")
    if pkg.get("type") != PERSONAL_TYPE:
        raise DerivativeInputError(f"dataset {pkg['name']}: not a personal-data dataset")
    release, content = build(pkg)
    derivative = _ensure_derivative(pkg, context)
    resource, changed = _publish(derivative, content, release.note, context)
    expiry = next_expiry(pkg["id"])
    return {"derivative_id": derivative["id"], "resource_id": resource["id"],
            "published_cells": len(release.table),
            "suppressed_persons": release.note["suppressed_persons"], "changed": changed,
            "next_expiry": expiry.isoformat() if expiry else ""}


def next_expiry(package_id: str) -> Any:
    """When the next counted consent expires (no event marks an expiry, so
    the job schedules a run for that moment), or None."""
    from ckanext.consent import registry, rules

    version, _ = registry.current_terms(package_id)
    now = rules.utcnow()
    moments = [s.expires_at for s in registry.snapshots(package_id)
               if s.expires_at is not None and rules.covers(s, PURPOSE)
               and rules.state(s, version, now) == rules.STATE_GIVEN]
    return min(moments) if moments else None


# --- the open dataset ------------------------------------------------------------

METHOD = (
    "Anonymised aggregate of the rows of the persons who consented to open "
    "statistics. A figure is published per address when the address gathers at "
    "least {threshold} distinct persons{measure}; the other rows are aggregated per "
    "street (within each IRIS), then per IRIS, under the same condition; what "
    "remains below it is withheld. Each person's row counts at one level only, so "
    "no difference between published figures isolates a withheld group. "
    "Regenerated automatically when the data or the consents change.\n\n"
    "Agrégat anonymisé des lignes des personnes ayant consenti aux statistiques "
    "ouvertes : un chiffre est publié par adresse si elle regroupe au moins "
    "{threshold} personnes distinctes{measure_fr} ; sinon les lignes sont agrégées "
    "par rue (dans chaque IRIS), puis par IRIS, à la même condition ; le reste est "
    "masqué. Chaque ligne compte à un seul niveau : aucune différence entre chiffres "
    "publiés n'isole un groupe masqué."
)


def _method(spec: aggregation.Spec) -> str:
    measure = measure_fr = ""
    if spec.measure_threshold is not None:
        measure = f" and at least {spec.measure_threshold:g} of {spec.measure_columns[0]}"
        measure_fr = f" et au moins {spec.measure_threshold:g} de {spec.measure_columns[0]}"
    return METHOD.format(threshold=spec.threshold, measure=measure, measure_fr=measure_fr)


def _ensure_derivative(pkg: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    name = derivative_name(pkg)
    method = _method(spec_of(pkg))
    try:
        existing = toolkit.get_action("package_show")(dict(context), {"id": name})
    except toolkit.ObjectNotFound:
        existing = None
    if existing is not None:
        if existing.get("state") == "deleted":
            # Deleting it is how a producer stops the publication: no revival.
            raise DerivativeInputError(
                f"the open derivative {name!r} was deleted: restore it to publish again")
        # Never write into a dataset someone else created under our name.
        if (existing.get("owner_org") != pkg.get("owner_org") or existing.get("type") != "dataset"
                or existing.get("access_class", "open") != "open"):
            raise DerivativeInputError(
                f"the name {name!r} is taken by another dataset; rename it to publish")
        if existing.get("method_notes") != method or existing.get("private"):
            existing = toolkit.get_action("package_patch")(
                dict(context), {"id": existing["id"], "method_notes": method, "private": False})
        return existing
    return toolkit.get_action("package_create")(dict(context), {
        "type": "dataset",
        "name": name,
        "title": f"{pkg.get('title') or pkg['name']} (agrégat anonymisé)",
        "notes": (f"Open, anonymised aggregate of the personal-data dataset "
                  f"“{pkg.get('title') or pkg['name']}”.\n\n"
                  f"Agrégat ouvert et anonymisé du jeu de données personnelles "
                  f"« {pkg.get('title') or pkg['name']} »."),
        "owner_org": pkg.get("owner_org"),
        "private": False,
        "license_id": "odc-odbl",
        "access_class": "open",
        "territorial_typology": "territory",
        "production_mode": "private-source",
        "method_notes": method,
    })


def _note_text(note: dict[str, Any]) -> str:
    measure = (f", {note['measure_threshold']:g} {note['measure_threshold_column']} minimum"
               if note.get("measure_threshold") is not None else "")
    return (f"Generated {note['generated_at']}: threshold {note['threshold']} persons{measure}; "
            f"{note['suppressed_persons']} persons withheld. Columns: level (address, street "
            f"or iris: each row of the source counts at one level only), zone_code, zone_label, "
            f"iris_code, iris_label, street, persons, <measure>_sum.\n\n"
            f"Généré le {note['generated_at']} : seuil {note['threshold']} personnes; "
            f"{note['suppressed_persons']} personnes masquées.\n\n"
            f"```json\n{json.dumps(note, ensure_ascii=False, sort_keys=True)}\n```")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_hash(resource: dict[str, Any]) -> str | None:
    path = storage.upload_path(resource)
    if path is None:
        return None
    with open(path, "rb") as stream:
        return _sha256(stream.read())


def _file(content: bytes) -> Any:
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=RESOURCE_NAME,
                       content_type="text/csv")


def _publish(derivative: dict[str, Any], content: bytes, note: dict[str, Any],
             context: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    digest = _sha256(content)
    current = next((r for r in derivative.get("resources", []) if r.get("name") == RESOURCE_NAME),
                   None)
    if current is None:
        resource = toolkit.get_action("resource_create")(dict(context), {
            "package_id": derivative["id"], "name": RESOURCE_NAME, "format": "CSV",
            "mimetype": "text/csv", "url": RESOURCE_NAME, "upload": _file(content),
            "hash": digest, "description": _note_text(note)})
        return resource, True
    if _stored_hash(current) == digest:
        if current.get("hash") == digest:
            return current, False  # same figures: nothing to do (idempotent)
        # A previous run swapped the file but not the metadata: finish it.
        return _patch(current, content, digest, note, context), True
    path = storage.upload_path(current)
    if path is None:
        # Not a local file (another uploader plugin): CKAN's own upload path,
        # which writes its own temporary file before replacing the old one.
        resource = toolkit.get_action("resource_patch")(dict(context), {
            "id": current["id"], "upload": _file(content), "url": RESOURCE_NAME,
            "hash": digest, "size": len(content), "description": _note_text(note)})
        return resource, True
    _replace_file(path, content)
    return _patch(current, content, digest, note, context), True


def _replace_file(path: str, content: bytes) -> None:
    """Write beside the stored file, flush to disk, then rename over it."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix=".derivative-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _patch(resource: dict[str, Any], content: bytes, digest: str, note: dict[str, Any],
           context: dict[str, Any]) -> dict[str, Any]:
    return toolkit.get_action("resource_patch")(dict(context), {
        "id": resource["id"], "hash": digest, "size": len(content),
        "last_modified": note["generated_at"].rstrip("Z"), "description": _note_text(note)})


def derivative_of(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The open derivative of a personal-data dataset, if published."""
    try:
        found = toolkit.get_action("package_show")(_context(), {"id": derivative_name(pkg)})
    except toolkit.ObjectNotFound:
        return None
    return found if found.get("state") == "active" else None
