"""Harvest sources refuse an unusable SPMD mapping (from the web form, the
API or the CLI), with the key at fault."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from . import mapping


def check_config(data_dict: dict[str, Any]) -> None:
    try:
        mapping.parse_config(data_dict.get("config"))
    except mapping.SourceConfigError as e:
        raise toolkit.ValidationError({"config": [str(e)]}) from e


@toolkit.chained_action
def harvest_source_create(up_func: Any, context: dict[str, Any],
                          data_dict: dict[str, Any]) -> Any:
    # Auth first (an anonymous call learns nothing about the config rules);
    # also what CKAN's audit of chained actions expects.
    toolkit.check_access("harvest_source_create", context, data_dict)
    check_config(data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def harvest_source_update(up_func: Any, context: dict[str, Any],
                          data_dict: dict[str, Any]) -> Any:
    toolkit.check_access("harvest_source_update", context, data_dict)
    check_config(data_dict)
    return up_func(context, data_dict)


def get_actions() -> dict[str, Any]:
    return {"harvest_source_create": harvest_source_create,
            "harvest_source_update": harvest_source_update}
