"""Authorisation of the consent actions.

Data subjects act on their own enrolments and consents (the actions check
ownership of the consent itself); producers (editors/admins of the owning
organisation) manage codes, read the download and erasure logs and answer
erasure requests.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from .. import access

Context = dict[str, Any]


def _signed_in(context: Context) -> dict[str, Any]:
    if not context.get("user") or not context.get("auth_user_obj"):
        return {"success": False, "msg": toolkit._("Sign in first.")}
    return {"success": True}


@toolkit.auth_disallow_anonymous_access
def consent_signed_in(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _signed_in(context)


def consent_producer(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    from ckan import model

    pkg = model.Package.get(str(data_dict.get("id") or ""))
    if pkg is None or pkg.type != access.DATASET_TYPE:
        return {"success": False, "msg": toolkit._("Not a personal-data dataset.")}
    if access.is_producer(context.get("user"), {"owner_org": pkg.owner_org}):
        return {"success": True}
    return {"success": False, "msg": toolkit._("Only the producer of the dataset may do this.")}


def consent_verify(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    # Sysadmins never reach auth functions: everyone else is refused.
    return {"success": False, "msg": toolkit._("Only sysadmins verify the registry.")}


def get_auth_functions() -> dict[str, Any]:
    signed_in = ("consent_code_redeem", "consent_give", "consent_refuse", "consent_renew",
                 "consent_withdraw", "consent_list_mine", "consent_receipt",
                 "consent_rows_mine", "consent_downloads_mine", "consent_unenrol",
                 "consent_gated_download", "consent_erasures_mine")
    producer = ("consent_codes_issue", "consent_erasure_list", "consent_download_list",
                "consent_erasure_handle")
    return {
        **{name: consent_signed_in for name in signed_in},
        **{name: consent_producer for name in producer},
        "consent_verify": consent_verify,
    }
