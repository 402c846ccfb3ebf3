"""Template helpers of ckanext-spmd."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from . import roles, typologies, use_cases

_ = toolkit._


def spmd_frequency_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The EU frequency vocabulary as scheming choices."""
    return [{"value": code, "label": _(label)}
            for code, (label, _period) in typologies.FREQUENCIES.items()]


def spmd_organization_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    orgs = toolkit.get_action("organization_list")(
        {"ignore_auth": True}, {"all_fields": True, "limit": 1000})
    return [{"value": org["name"], "label": org["title"] or org["name"]} for org in orgs]


def spmd_typology_label(value: str | None) -> str:
    if not value:
        return _("To be qualified")
    return _(typologies.TYPOLOGIES.get(value, value))


def spmd_access_class_label(value: str | None) -> str:
    value = value or typologies.DEFAULT_ACCESS_CLASS
    return _(typologies.ACCESS_CLASSES.get(value, value))


def spmd_partner_role_label(value: str) -> str:
    return _(typologies.PARTNER_ROLES.get(value, value))


def spmd_partner_roles() -> dict[str, str]:
    return {key: _(label) for key, label in typologies.PARTNER_ROLES.items()}


def spmd_organization_roles(org_id_or_name: str | None) -> list[str]:
    return roles.organization_roles(org_id_or_name)


def spmd_use_cases_of(dataset_name: str) -> list[dict[str, Any]]:
    """Use cases the current user may see that use this dataset."""
    return use_cases.use_cases_of({"user": toolkit.g.user if toolkit.g else None},
                                  dataset_name)


def spmd_datasets_used(use_case: dict[str, Any]) -> list[dict[str, Any]]:
    """The datasets a use case links, with their titles when readable."""
    linked = []
    for name in use_cases.datasets_used(use_case):
        try:
            pkg = toolkit.get_action("package_show")({"user": toolkit.g.user}, {"id": name})
            linked.append({"name": pkg["name"], "title": pkg["title"]})
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
            continue
    return linked


def spmd_organizations_available(dataset_type: str = "dataset") -> list[dict[str, Any]]:
    """The organisations the user may publish in whose roles allow owning
    ``dataset_type`` (producers; project holders and animators for use cases)."""
    allowed = roles.may_file_use_cases if dataset_type == use_cases.USE_CASE \
        else roles.may_own_datasets
    return [org for org in toolkit.h.organizations_available("create_dataset")
            if allowed(org["id"])]


def spmd_may_see_to_be_qualified() -> bool:
    try:
        toolkit.check_access("spmd_to_be_qualified", {"user": toolkit.g.user}, {})
    except toolkit.NotAuthorized:
        return False
    return True


def get_helpers() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("spmd_") and callable(fn)}
