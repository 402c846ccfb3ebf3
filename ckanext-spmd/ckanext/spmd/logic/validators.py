"""Validators of the SPMD schemas (registered through IValidators).

The per-typology fields are required here, on the server, whatever the
client: a dataset of a typology must carry that typology's fields
(``typologies.REQUIRED_FIELDS``). Values of fields that another typology
requires are kept when the typology changes.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ckan.plugins import toolkit

from ckanext.scheming.validation import scheming_validator

from .. import roles, typologies

_ = toolkit._
missing = toolkit.missing
Invalid = toolkit.Invalid
StopOnError = toolkit.StopOnError

Key = tuple[Any, ...]
Data = dict[Key, Any]
Errors = dict[Key, list[str]]


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _typology_label(typology: str) -> str:
    return _(typologies.TYPOLOGIES[typology])


def spmd_typology(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> Any:
    """One of the three typologies. Users must choose one; internal processes
    (``ignore_auth``: harvesters, the demo loader, factories) may leave it
    empty, and the dataset is then listed as to be qualified."""
    value = data.get(key)
    if _empty(value):
        if context.get("ignore_auth"):
            data.pop(key, None)
            raise StopOnError
        errors[key].append(_("Missing value: choose the dataset's typology "
                             "(reference, territorial-interest or territory)"))
        raise StopOnError
    if value not in typologies.TYPOLOGIES:
        errors[key].append(_('Unknown typology "%s": expected one of %s')
                           % (value, ", ".join(typologies.TYPOLOGIES)))
        raise StopOnError


@scheming_validator
def spmd_typology_required(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Required when the dataset's typology requires this field, otherwise
    optional (and kept as it is)."""
    name = field["field_name"]
    needing = [t for t, names in typologies.REQUIRED_FIELDS.items() if name in names]

    def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
        value = data.get(key)
        if not _empty(value):
            return
        typology = data.get(("territorial_typology",))
        # ``ckan spmd qualify`` backfills the typology alone; the fields it
        # requires then show as missing on the catalogue map.
        if typology in needing and not context.get("spmd_backfill"):
            errors[key].append(_("Missing value: required for %s")
                               % _typology_label(typology))
        else:
            data.pop(key, None)
        raise StopOnError

    return validator


def spmd_frequency(value: Any) -> Any:
    if _empty(value):
        return value
    code = str(value).strip().upper()
    if code not in typologies.FREQUENCIES:
        raise Invalid(_('Unknown frequency "%s": use a code of the EU frequency '
                        "vocabulary (e.g. DAILY, MONTHLY, ANNUAL, IRREG)") % value)
    return code


def spmd_geojson_geometry(value: Any) -> Any:
    """A GeoJSON geometry, stored as a compact JSON string."""
    if _empty(value):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except ValueError as e:
        raise Invalid(_("Not valid JSON: %s") % e)
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise Invalid(_("Expected a GeoJSON geometry object with a type"))
    from shapely.geometry import shape

    try:
        if not shape(geometry).is_valid:
            raise Invalid(_("The GeoJSON geometry is not valid (self-intersection?)"))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        raise Invalid(_("Not a GeoJSON geometry: %s") % e)
    return json.dumps(geometry, separators=(",", ":"))


def spmd_iso_date(value: Any) -> Any:
    if _empty(value):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise Invalid(_('Not a date "%s": expected YYYY-MM-DD') % value)


def spmd_temporal_end(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    start, end = data.get(("temporal_start",)), data.get(key)
    if _empty(start) or _empty(end) or errors.get(("temporal_start",)):
        return
    if str(end) < str(start):
        errors[key].append(_("The end of the temporal coverage is before its start"))


def spmd_partner_roles_change(
    key: Key, data: Data, errors: Errors, context: dict[str, Any]
) -> None:
    """Partner roles change only by sysadmins and animator members."""
    if errors.get(key) or context.get("ignore_auth"):
        return
    value = data.get(key)
    wanted = sorted(json.loads(value)) if isinstance(value, str) and value else []
    group_id = data.get(("id",))
    current = sorted(roles.organization_roles(group_id)) if group_id else []
    if wanted != current and not roles.may_manage_roles(context.get("user")):
        errors[key].append(_("Only sysadmins and members of an animator "
                             "organisation may change partner roles"))


@scheming_validator
def spmd_organization_names(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A list of existing organisation names, stored as JSON."""

    def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
        value = data.get(key)
        if _empty(value):
            data[key] = "[]"
            return
        names = _as_list(value)
        unknown = [n for n in names if not roles.organization_exists(n)]
        if unknown:
            errors[key].append(_("Unknown organisation(s): %s") % ", ".join(unknown))
            return
        data[key] = json.dumps(names)

    return validator


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = [text]
        else:
            value = text.split(",")
    return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def spmd_dataset_links(value: Any, context: dict[str, Any]) -> Any:
    """Datasets used by a use case: names or ids (a list or comma-separated),
    stored as a JSON list of names. Only datasets of the catalogue."""
    if _empty(value):
        return value
    from .. import use_cases

    names, unknown = use_cases.resolve_dataset_names(_as_list(value))
    if unknown:
        raise Invalid(_("Unknown dataset(s): %s") % ", ".join(unknown))
    return json.dumps(names)


def spmd_dataset_links_output(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def get_validators() -> dict[str, Any]:
    return {
        "spmd_typology": spmd_typology,
        "spmd_typology_required": spmd_typology_required,
        "spmd_frequency": spmd_frequency,
        "spmd_geojson_geometry": spmd_geojson_geometry,
        "spmd_iso_date": spmd_iso_date,
        "spmd_temporal_end": spmd_temporal_end,
        "spmd_partner_roles_change": spmd_partner_roles_change,
        "spmd_organization_names": spmd_organization_names,
        "spmd_dataset_links": spmd_dataset_links,
        "spmd_dataset_links_output": spmd_dataset_links_output,
    }
