"""Role-driven permissions. CKAN's capacities (admin, editor, member) are
checked first by the chained core functions; partner roles come on top:
only producer organisations own datasets, only project holders (and the
animator) file use cases, and only sysadmins and animator members manage
partner roles."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit

from .. import roles

_ = toolkit._
USE_CASE = "use-case"
AuthResult = dict[str, Any]


def _owner_check(dataset_type: str, owner_org: str | None) -> AuthResult:
    if not owner_org:
        return {"success": True}
    org = model.Group.get(owner_org)
    org_title = org.title or org.name if org else owner_org
    if dataset_type == USE_CASE:
        if not roles.may_file_use_cases(owner_org):
            return {"success": False, "msg": _(
                "%s is not a project holder of the partnership: only project-holder "
                "organisations file use cases") % org_title}
    elif not roles.may_own_datasets(owner_org):
        return {"success": False, "msg": _(
            "%s is not a data producer of the partnership: only producer "
            "organisations own datasets") % org_title}
    return {"success": True}


# Sysadmins too: the partnership decides who owns datasets, not capacities.
@toolkit.auth_sysadmins_check
@toolkit.chained_auth_function
def package_create(next_auth: Any, context: dict[str, Any],
                   data_dict: dict[str, Any] | None) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success") or not data_dict:
        return result
    return _owner_check(data_dict.get("type") or "dataset", data_dict.get("owner_org"))


# Sysadmins too: the partnership decides who owns datasets, not capacities.
@toolkit.auth_sysadmins_check
@toolkit.chained_auth_function
def package_update(next_auth: Any, context: dict[str, Any],
                   data_dict: dict[str, Any] | None) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success") or not data_dict:
        return result
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    owner = data_dict.get("owner_org") or (pkg.owner_org if pkg else None)
    dataset_type = data_dict.get("type") or (pkg.type if pkg else None) or "dataset"
    return _owner_check(dataset_type, owner)


def spmd_partner_roles_update(context: dict[str, Any],
                              data_dict: dict[str, Any] | None) -> AuthResult:
    if roles.may_manage_roles(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": _(
        "Only sysadmins and members of an animator organisation may change partner roles")}


@toolkit.auth_allow_anonymous_access
def spmd_catalogue_map(context: dict[str, Any], data_dict: dict[str, Any] | None) -> AuthResult:
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def spmd_partner_list(context: dict[str, Any], data_dict: dict[str, Any] | None) -> AuthResult:
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def spmd_use_cases_of_dataset(context: dict[str, Any],
                              data_dict: dict[str, Any] | None) -> AuthResult:
    return {"success": True}


def spmd_to_be_qualified(context: dict[str, Any],
                         data_dict: dict[str, Any] | None) -> AuthResult:
    """Sysadmins and animator members see every unqualified dataset, admins
    of an organisation those of their organisations."""
    user = context.get("user")
    if roles.may_manage_roles(user) or _admin_organizations(user):
        return {"success": True}
    return {"success": False, "msg": _(
        "Only administrators may see the datasets to be qualified")}


def _admin_organizations(user_name: str | None) -> list[str]:
    if not user_name:
        return []
    orgs = toolkit.get_action("organization_list_for_user")(
        {"user": user_name}, {"permission": "admin"})
    return [org["id"] for org in orgs]


def get_auth_functions() -> dict[str, Any]:
    return {
        "package_create": package_create,
        "package_update": package_update,
        "spmd_partner_roles_update": spmd_partner_roles_update,
        "spmd_catalogue_map": spmd_catalogue_map,
        "spmd_partner_list": spmd_partner_list,
        "spmd_use_cases_of_dataset": spmd_use_cases_of_dataset,
        "spmd_to_be_qualified": spmd_to_be_qualified,
    }
