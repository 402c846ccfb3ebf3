"""Who may do what with a personal-data dataset.

- the producer (editors and admins of the owning organisation) and
  sysadmins hold the rows (``IDataAccess``: everyone else sees them masked
  by ``spmd_access`` in every channel);
- members of a recipient organisation get rows only through the
  consent-gated download, which reads the stored file itself;
- ``package_search`` leaves personal-data datasets out unless the query asks
  for the type explicitly, so harvesters and the DCAT catalogue never list
  them.
"""
from __future__ import annotations

import re
from typing import Any

from ckan import authz, model

from . import rules

DATASET_TYPE = "personal-data"
PERSONAL = "personal"
PRODUCER_ROLES = ("admin", "editor")
# A personal-data dataset may also hold the zones file of its open
# derivative (GeoJSON polygons, no person in it): not rows.
ZONES_ROLE = "zones"

_TYPE_QUERY = re.compile(r"(?:dataset_)?type:\"?personal-data\"?")


def is_personal(pkg_dict: dict[str, Any]) -> bool:
    return pkg_dict.get("type") == DATASET_TYPE or pkg_dict.get("access_class") == PERSONAL


def is_rows_resource(resource: dict[str, Any]) -> bool:
    return resource.get("resource_role") != ZONES_ROLE


def _user(user_name: str | None) -> model.User | None:
    return model.User.get(user_name) if user_name else None


def is_producer(user_name: str | None, pkg_dict: dict[str, Any]) -> bool:
    """Sysadmin, or editor/admin of the organisation that owns the dataset."""
    user = _user(user_name)
    if user is None:
        return False
    if user.sysadmin:
        return True
    org_id = pkg_dict.get("owner_org")
    return bool(org_id) and authz.users_role_for_group_or_org(org_id, user.name) in PRODUCER_ROLES


def can_access_data(user_name: str | None, pkg_dict: dict[str, Any]) -> bool | None:
    if pkg_dict.get("access_class") != PERSONAL and pkg_dict.get("type") != DATASET_TYPE:
        return None
    return is_producer(user_name, pkg_dict)


def member_recipients(user_name: str | None, pkg_dict: dict[str, Any]) -> list[str]:
    """The dataset's recipient organisations (ids) the user is a member of."""
    user = _user(user_name)
    if user is None:
        return []
    return [org_id for org_id in rules.as_list(pkg_dict.get("recipients"))
            if authz.users_role_for_group_or_org(org_id, user.name)]


def search_params(params: dict[str, Any]) -> dict[str, Any]:
    """Leave personal-data datasets out unless the query names the type."""
    asked = " ".join(str(params.get(k) or "") for k in ("q", "fq"))
    fq_list = params.get("fq_list") or []
    asked += " " + " ".join(str(v) for v in fq_list)
    if _TYPE_QUERY.search(asked):
        return params
    params["fq"] = f"{params.get('fq') or ''} -dataset_type:\"{DATASET_TYPE}\"".strip()
    return params
