"""Links between use cases and the datasets they use."""
from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckan.plugins import toolkit

USE_CASE = "use-case"


def resolve_dataset_names(values: list[str]) -> tuple[list[str], list[str]]:
    """Names of the given datasets (by name or id), and the unknown ones."""
    names, unknown = [], []
    for value in values:
        pkg = model.Package.get(value)
        if pkg is None or pkg.state == "deleted" or pkg.type == USE_CASE:
            unknown.append(value)
        else:
            names.append(pkg.name)
    return list(dict.fromkeys(names)), unknown


def datasets_used(use_case: dict[str, Any]) -> list[str]:
    value = use_case.get("datasets_used") or []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def use_cases_of(context: dict[str, Any], dataset_name: str) -> list[dict[str, Any]]:
    """The use cases (that the caller may see) listing ``dataset_name``.

    ``datasets_used`` is stored as a JSON list in an extra, indexed as text
    (``extras_datasets_used``); the search narrows, the exact check follows.
    """
    result = toolkit.get_action("package_search")(
        {"user": context.get("user")},
        {"fq": f'+dataset_type:{USE_CASE} +extras_datasets_used:"{dataset_name}"',
         "rows": 100, "include_private": True},
    )
    return [uc for uc in result["results"] if dataset_name in datasets_used(uc)]
