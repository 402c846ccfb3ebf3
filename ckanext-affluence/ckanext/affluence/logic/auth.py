"""Authorisation of the affluence actions (delegating to CKAN's own rules)."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit


def _dataset_auth(action: str, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        toolkit.check_access(action, context, {"id": data_dict.get("id")})
    except toolkit.NotAuthorized:
        return {"success": False}
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def affluence_run_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _dataset_auth("package_show", context, data_dict)


@toolkit.auth_allow_anonymous_access
def affluence_run_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # The action resolves the run's dataset and checks package_show on it.
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def affluence_validation_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        toolkit.check_access("resource_show", context, {"id": data_dict.get("resource_id")})
    except toolkit.NotAuthorized:
        return {"success": False}
    return {"success": True}


def affluence_regenerate(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _dataset_auth("package_update", context, data_dict)


@toolkit.auth_allow_anonymous_access
def affluence_report_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # Anyone who can see the dataset may report (anonymous included).
    return _dataset_auth("package_show", context, data_dict)


@toolkit.auth_allow_anonymous_access
def affluence_report_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _dataset_auth("package_show", context, data_dict)


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "affluence_run_list", "affluence_run_show", "affluence_validation_show",
        "affluence_regenerate", "affluence_report_create", "affluence_report_list")}
