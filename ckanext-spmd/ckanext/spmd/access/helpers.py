"""Template helpers of access classes."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from .. import roles
from . import download, masking


def spmd_access_class(pkg_dict: dict[str, Any]) -> str:
    return masking.access_class(pkg_dict)


def spmd_data_allowed(pkg_dict: dict[str, Any]) -> bool:
    return masking.data_access_allowed(download.current_user_name(), pkg_dict)


def spmd_requesting_organizations() -> list[dict[str, Any]]:
    """The current user's project-holder organisations (for the form)."""
    out = []
    for org_id in roles.user_organizations_with_role(
            download.current_user_name(), "project-holder"):
        org = toolkit.get_action("organization_show")(
            {"ignore_auth": True}, {"id": org_id, "include_datasets": False,
                                    "include_users": False})
        out.append(org)
    return out


def get_helpers() -> dict[str, Any]:
    return {
        "spmd_access_class": spmd_access_class,
        "spmd_data_allowed": spmd_data_allowed,
        "spmd_requesting_organizations": spmd_requesting_organizations,
    }
