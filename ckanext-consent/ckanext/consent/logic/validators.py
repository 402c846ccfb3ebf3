"""Validators of the personal-data schema."""
from __future__ import annotations

import re
from typing import Any

from ckan import model
from ckan.plugins import toolkit

from .. import rules

_COLUMN = re.compile(r"^[^,;\"\n\r]{1,100}$")
MAX_CONSENT_DAYS = 5 * 365


def consent_personal_access_class(key: Any, data: dict[Any, Any], errors: Any, context: Any) -> None:
    """The access class of a personal-data dataset is always ``personal``,
    whatever the form or the API sends."""
    data[key] = "personal"


def consent_column_name(value: str) -> str:
    if not _COLUMN.match(value or ""):
        raise toolkit.Invalid(toolkit._("A column name: no comma, semicolon, quote or line break."))
    return value


def consent_consent_days(value: Any) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise toolkit.Invalid(toolkit._("A whole number of days."))
    if not 1 <= days <= MAX_CONSENT_DAYS:
        raise toolkit.Invalid(toolkit._("Between 1 and {max} days.").format(max=MAX_CONSENT_DAYS))
    return days


def consent_organization_ids(key: Any, data: dict[Any, Any], errors: Any, context: Any) -> None:
    """Recipients: organisations given by id or name, stored as ids (JSON list)."""
    import json

    values = rules.as_list(data.get(key))
    ids = []
    for value in values:
        group = model.Group.get(value)
        if group is None or not group.is_organization or group.state != "active":
            errors[key].append(toolkit._("Unknown organisation: {name}").format(name=value))
            continue
        if group.id not in ids:
            ids.append(group.id)
    data[key] = json.dumps(ids)


def get_validators() -> dict[str, Any]:
    return {
        "consent_personal_access_class": consent_personal_access_class,
        "consent_column_name": consent_column_name,
        "consent_consent_days": consent_consent_days,
        "consent_organization_ids": consent_organization_ids,
    }
