"""Actions and auth of the open derivative.

``consent_derivative_regenerate`` asks for a run on demand (debounced like
the automatic requests, so a click during a burst of consent events joins
it); ``consent_derivative_status`` says where the job stands and which open
dataset holds the aggregate. Both are for the producer: editors and admins
of the owning organisation (CKAN's ``package_update`` rule) and sysadmins.
The status names no person and no row.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.consent.derivative import jobs, publish

Context = dict[str, Any]
DataDict = dict[str, Any]


def _personal(data_dict: DataDict) -> dict[str, Any]:
    dataset_id = toolkit.get_or_bust(data_dict, "id")
    pkg = toolkit.get_action("package_show")(publish._context(), {"id": dataset_id})
    if pkg.get("type") != publish.PERSONAL_TYPE:
        raise toolkit.ValidationError(
            {"id": [toolkit._("Not a personal-data dataset: it has no open derivative.")]})
    return pkg


def consent_derivative_regenerate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Regenerate the open derivative of a personal-data dataset.

    :param id: id or name of the personal-data dataset
    :returns: the status (see ``consent_derivative_status``)
    """
    toolkit.check_access("consent_derivative_regenerate", context, data_dict)
    pkg = _personal(data_dict)
    jobs.request_regeneration(pkg["id"])
    return _status(pkg)


@toolkit.side_effect_free
def consent_derivative_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Where the open derivative of a personal-data dataset stands.

    :param id: id or name of the personal-data dataset
    :returns: ``state`` (queued, waiting, running, retrying, ok, error),
        ``runs``, ``pending``, ``last_success_at``, ``last_error``,
        ``derivative`` (name of the open dataset, or null) ...
    """
    toolkit.check_access("consent_derivative_status", context, data_dict)
    return _status(_personal(data_dict))


def _status(pkg: dict[str, Any]) -> dict[str, Any]:
    result = jobs.status(pkg["id"])
    derivative = publish.derivative_of(pkg)
    result["derivative"] = derivative["name"] if derivative else None
    result["derivative_id"] = derivative["id"] if derivative else None
    return result


def producer_only(context: Context, data_dict: DataDict) -> dict[str, Any]:
    dataset_id = data_dict.get("id")
    if not dataset_id:
        return {"success": False, "msg": toolkit._("Missing dataset id.")}
    try:
        toolkit.check_access("package_update", context, {"id": dataset_id})
    except toolkit.NotAuthorized:
        return {"success": False,
                "msg": toolkit._("Only the producer of the dataset may do this.")}
    return {"success": True}


def get_actions() -> dict[str, Any]:
    return {"consent_derivative_regenerate": consent_derivative_regenerate,
            "consent_derivative_status": consent_derivative_status}


def get_auth_functions() -> dict[str, Any]:
    return {"consent_derivative_regenerate": producer_only,
            "consent_derivative_status": producer_only}
