"""Who files, sees and decides access requests. Data masking itself is not
an auth matter (metadata stays public): see ``masking`` and ``channels``."""
from __future__ import annotations

from typing import Any

from ckan import authz, model
from ckan.plugins import toolkit

from ... import roles
from .. import channels
from ..model import AccessRequest

_ = toolkit._
AuthResult = dict[str, Any]
PROJECT_HOLDER = "project-holder"


def _refuse(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _request(data_dict: dict[str, Any] | None) -> AccessRequest | None:
    request_id = (data_dict or {}).get("id")
    if not request_id:
        return None
    return model.Session.get(AccessRequest, str(request_id))


def spmd_access_request_create(context: dict[str, Any],
                               data_dict: dict[str, Any] | None) -> AuthResult:
    user = context.get("user")
    org_id = (data_dict or {}).get("organization_id")
    if not user:
        return _refuse(_("You must be logged in to request access"))
    if org_id and org_id not in roles.user_organizations(user):
        return _refuse(_("Only members of the requesting organisation may file its requests"))
    if org_id and not roles.organization_has_role(org_id, PROJECT_HOLDER):
        return _refuse(_("Only project-holder organisations request access to restricted data"))
    if not org_id and not roles.user_organizations_with_role(user, PROJECT_HOLDER):
        return _refuse(_("Only members of a project-holder organisation request access"))
    return {"success": True}


def spmd_access_request_show(context: dict[str, Any],
                             data_dict: dict[str, Any] | None) -> AuthResult:
    user = context.get("user")
    request = _request(data_dict)
    if request is None:
        return _refuse(_("Access request not found"))
    orgs = roles.user_organizations(user)
    if request.organization_id in orgs or request.producer_org_id in orgs:
        return {"success": True}
    return _refuse(_("Only the organisations involved see this request"))


def logged_in(context: dict[str, Any], data_dict: dict[str, Any] | None) -> AuthResult:
    if context.get("user"):
        return {"success": True}
    return _refuse(_("You must be logged in"))


def _producer_admin(context: dict[str, Any], data_dict: dict[str, Any] | None) -> AuthResult:
    request = _request(data_dict)
    if request is None:
        return _refuse(_("Access request not found"))
    user = context.get("user")
    if user and authz.users_role_for_group_or_org(request.producer_org_id, user) == "admin":
        return {"success": True}
    return _refuse(_("Only the admins of the producing organisation decide on this request"))


def spmd_access_audit_list(context: dict[str, Any],
                           data_dict: dict[str, Any] | None) -> AuthResult:
    from .action import audit_scope

    user = context.get("user")
    if user and audit_scope(user):
        return {"success": True}
    return _refuse(_("Only producers and sysadmins read the audit log"))


def get_auth_functions() -> dict[str, Any]:
    functions: dict[str, Any] = {
        "spmd_access_request_create": spmd_access_request_create,
        "spmd_access_request_show": spmd_access_request_show,
        "spmd_access_request_list": logged_in,
        "spmd_access_request_approve": _producer_admin,
        "spmd_access_request_reject": _producer_admin,
        "spmd_access_request_revoke": _producer_admin,
        "spmd_access_grant_list": logged_in,
        "spmd_access_audit_list": spmd_access_audit_list,
    }
    functions.update(channels.auth_functions())
    return functions
