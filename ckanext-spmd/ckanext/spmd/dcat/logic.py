"""Chained ckanext-dcat actions: the public catalogue leaves personal data out.

ckanext-consent already keeps ``personal-data`` datasets out of
``package_search`` unless asked for; the catalogue asks nothing of the kind,
but it filters them itself too, so that no plugin order or configuration can
put a personal-data record into the RDF catalogue.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit


def excluded() -> str:
    """Personal data, whatever its type, and the types that are not data
    (use cases: ``ckanext.spmd.dcat.excluded_types``)."""
    types = toolkit.aslist(toolkit.config.get("ckanext.spmd.dcat.excluded_types"))
    clauses = ['extras_access_class:"personal"', 'dataset_type:"personal-data"']
    clauses += [f'dataset_type:"{t}"' for t in types if t != "personal-data"]
    return " OR ".join(clauses)


def catalogue_filter(fq: str | None) -> str:
    if fq and fq.strip():
        return f"({fq}) AND NOT ({excluded()})"
    return f"*:* AND NOT ({excluded()})"


def _filtered(data_dict: dict[str, Any]) -> dict[str, Any]:
    return {**data_dict, "fq": catalogue_filter(data_dict.get("fq"))}


@toolkit.side_effect_free
@toolkit.chained_action
def dcat_catalog_show(up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up_func(context, _filtered(data_dict))


@toolkit.side_effect_free
@toolkit.chained_action
def dcat_catalog_search(up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up_func(context, _filtered(data_dict))


def get_actions() -> dict[str, Any]:
    from . import api_output

    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search,
            "package_create": api_output.package_create,
            "package_update": api_output.package_update}
