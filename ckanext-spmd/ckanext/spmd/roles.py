"""Partner roles of organisations, read from their ``partner_roles`` field.

Public helpers (the access-request module calls ``organization_has_role``):
``organization_roles``, ``organization_has_role``, ``user_organizations_with_role``,
``may_manage_roles``. They read the database directly (one small query each)
because they run inside auth functions and indexing, once per dataset.
"""
from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckan.plugins import toolkit

from .typologies import PARTNER_ROLES

ROLES_FIELD = "partner_roles"


def parse_roles(value: Any) -> list[str]:
    """The stored JSON list (or a list) of roles, unknown values left out."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else value.split()
        except ValueError:
            return []
    if not isinstance(value, (list, tuple)):
        return []
    return [role for role in value if role in PARTNER_ROLES]


def _group(org_id_or_name: str) -> model.Group | None:
    group = model.Group.get(org_id_or_name)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def organization_exists(org_id_or_name: str) -> bool:
    return _group(org_id_or_name) is not None


def organization_roles(org_id_or_name: str | None) -> list[str]:
    """The partner roles of an organisation (empty if unknown or none)."""
    if not org_id_or_name:
        return []
    group = _group(org_id_or_name)
    if group is None:
        return []
    extra = (group.extras or {}).get(ROLES_FIELD)
    return parse_roles(extra)


def organization_has_role(org_id_or_name: str | None, role: str) -> bool:
    """Whether the organisation holds ``role`` (e.g. ``project-holder``)."""
    return role in organization_roles(org_id_or_name)


def organizations_by_role() -> dict[str, list[str]]:
    """Organisation id -> roles, for every active organisation with roles."""
    rows = (model.Session.query(model.Group.id, model.Group.extras)
            .filter(model.Group.state == "active",
                    model.Group.is_organization.is_(True))
            .all())
    found = {group_id: parse_roles((extras or {}).get(ROLES_FIELD)) for group_id, extras in rows}
    return {group_id: found_roles for group_id, found_roles in found.items() if found_roles}


def user_organizations(user_name: str | None) -> list[str]:
    """Ids of the organisations the user belongs to (any capacity)."""
    if not user_name:
        return []
    user = model.User.get(user_name)
    if user is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user",
                    model.Member.table_id == user.id,
                    model.Member.state == "active",
                    model.Group.state == "active",
                    model.Group.is_organization.is_(True))
            .all())
    return [row[0] for row in rows]


def user_organizations_with_role(user_name: str | None, role: str) -> list[str]:
    return [org for org in user_organizations(user_name) if organization_has_role(org, role)]


def is_sysadmin(user_name: str | None) -> bool:
    if not user_name:
        return False
    user = model.User.get(user_name)
    return bool(user and user.sysadmin)


def may_manage_roles(user_name: str | None) -> bool:
    """Sysadmins, and members (any capacity) of an animator organisation."""
    return is_sysadmin(user_name) or bool(user_organizations_with_role(user_name, "animator"))


def strict() -> bool:
    return toolkit.asbool(toolkit.config.get("ckanext.spmd.roles.strict"))


def may_own_datasets(org_id_or_name: str | None) -> bool:
    """Only producer organisations own datasets. An organisation without any
    declared role (one from before the partnership) keeps publishing unless
    ``ckanext.spmd.roles.strict`` is set."""
    org_roles = organization_roles(org_id_or_name)
    if not org_roles:
        return not strict() if org_id_or_name and organization_exists(org_id_or_name) else True
    return "producer" in org_roles


def may_file_use_cases(org_id_or_name: str | None) -> bool:
    org_roles = organization_roles(org_id_or_name)
    return bool({"project-holder", "animator"} & set(org_roles))
