"""What happens when resources change or datasets are shown."""
from __future__ import annotations

from typing import Any

from . import jobs
from .model import records


def input_changed(context: Any, resource: dict[str, Any]) -> None:
    """An input resource was uploaded or replaced: mark it pending and queue
    a regeneration (which validates it first). Output resources, written by
    the jobs themselves, trigger nothing."""
    if resource.get("role") not in jobs.INPUT_ROLES or context.get("affluence_job"):
        return
    package_id = resource.get("package_id")
    if not package_id:
        return
    records.set_validation(resource["id"], package_id, [], None, status="pending")
    jobs.enqueue(package_id, f"input {resource['role']}")


def add_validation(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``affluence_validation`` on every input resource (status and errors)."""
    if pkg_dict.get("type") != "transit-occupancy" or not pkg_dict.get("id"):
        return pkg_dict
    found = records.validations(pkg_dict["id"])
    for resource in pkg_dict.get("resources", []):
        if resource.get("role") in jobs.INPUT_ROLES:
            check = found.get(resource.get("id"))
            resource["affluence_validation"] = (
                {"status": check["status"], "errors": check["errors"],
                 "checked_at": check["checked_at"]}
                if check else {"status": "unchecked", "errors": []})
    return pkg_dict
