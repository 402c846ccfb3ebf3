"""Template helpers of ckanext-consent."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit

from . import access, registry, rules

_ = toolkit._


def purpose_labels() -> dict[str, str]:
    # Literal msgids so that the extractor finds them (same as the schema).
    return {
        "service-provision": _("Provision of the service"),
        "energy-advice": _("Personalised energy advice"),
        "research": _("Scientific research"),
        "public-policy": _("Public policy evaluation"),
        rules.OPEN_STATISTICS: _("Anonymised open statistics"),
    }


def consent_purpose_label(value: str) -> str:
    return purpose_labels().get(value, value)


def consent_state_label(state: str) -> str:
    return {
        rules.STATE_GIVEN: _("Given"),
        rules.STATE_REFUSED: _("Refused"),
        rules.STATE_WITHDRAWN: _("Withdrawn"),
        rules.STATE_EXPIRED: _("Expired"),
        rules.STATE_INVALIDATED: _("Invalidated by a change of terms"),
    }.get(state, state)


def consent_organization_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    orgs = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    ).order_by(model.Group.title)
    return [{"value": o.id, "label": o.title or o.name} for o in orgs]


def consent_org_title(org_id: str) -> str:
    group = model.Group.get(org_id)
    return (group.title or group.name) if group else org_id


def consent_as_list(value: Any) -> list[str]:
    return rules.as_list(value)


def consent_is_producer(pkg: dict[str, Any]) -> bool:
    return access.is_producer(toolkit.g.user if hasattr(toolkit.g, "user") else None, pkg)


def consent_member_recipients(pkg: dict[str, Any]) -> list[str]:
    return access.member_recipients(getattr(toolkit.g, "user", None), pkg)


def consent_terms_version(pkg: dict[str, Any]) -> int:
    return registry.current_terms(pkg["id"])[0]


def consent_choice_label(field_name: str, value: str) -> str:
    """The label of a choice of the personal-data schema, in the page's language."""
    schema = toolkit.h.scheming_get_dataset_schema(access.DATASET_TYPE) or {}
    field = toolkit.h.scheming_field_by_name(schema.get("dataset_fields", []), field_name)
    if not field or "choices" not in field:
        return value
    return toolkit.h.scheming_choices_label(field["choices"], value)


def consent_timestamp(value: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(value), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def get_helpers() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("consent_") and callable(fn)}
