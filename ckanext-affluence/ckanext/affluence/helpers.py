"""Template helpers of ckanext-affluence."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from .model import records
from .outputs import OUTPUT_ROLES


def affluence_runs(package_id: str, limit: int = 5) -> list[dict[str, Any]]:
    return records.list_runs(package_id, limit)


def affluence_validation(resource_id: str) -> dict[str, Any] | None:
    return records.get_validation(resource_id)


def affluence_can_regenerate(package_id: str) -> bool:
    try:
        toolkit.check_access("affluence_regenerate", {"user": toolkit.current_user.name
                                                      if toolkit.current_user.is_authenticated
                                                      else ""}, {"id": package_id})
    except toolkit.NotAuthorized:
        return False
    return True


def affluence_is_output(resource: dict[str, Any]) -> bool:
    return resource.get("role") in OUTPUT_ROLES


def affluence_state_label(state: str) -> str:
    return {"queued": toolkit._("queued"), "running": toolkit._("running"),
            "failed": toolkit._("failed"), "succeeded": toolkit._("succeeded")}.get(state, state)


def get_helpers() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "affluence_runs", "affluence_validation", "affluence_can_regenerate",
        "affluence_is_output", "affluence_state_label")}
