"""Search facets and the index document of ckanext-spmd datasets."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from . import roles, typologies

_ = toolkit._

SCHEMAS: dict[str, list[str]] = {
    "dataset": ["ckanext.spmd:schemas/dataset.yaml", "ckanext.spmd:schemas/use_case.yaml"],
    "organization": ["ckanext.spmd:schemas/organization.yaml"],
    "presets": ["ckanext.spmd:schemas/presets.yaml"],
}

# The contract's ``spmd_partner_roles``, under CKAN's ``vocab_`` prefix: CKAN's
# Solr schema (used by both search backends) has no multi-valued field for
# arbitrary names, and ``vocab_*`` is its multi-valued string convention.
PARTNER_ROLES_FIELD = "vocab_spmd_partner_roles"

# field -> vocabulary of value labels (English msgids)
LABELLED = {
    "territorial_typology": typologies.TYPOLOGIES,
    "access_class": typologies.ACCESS_CLASSES,
    PARTNER_ROLES_FIELD: typologies.PARTNER_ROLES,
}


def facet_titles() -> dict[str, str]:
    """Facet field -> title, in display order (translated at call time)."""
    return {
        "territorial_typology": _("Typologies"),
        "access_class": _("Access classes"),
        PARTNER_ROLES_FIELD: _("Producer roles"),
        "groups": _("Themes"),
        "organization": _("Organizations"),
        "res_format": _("Formats"),
        "license_id": _("Licenses"),
        "tags": _("Tags"),
    }


def dataset_facets(facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
    if package_type not in ("dataset", None):
        return facets_dict
    ordered = facet_titles()
    # keep what other plugins added, after ours
    ordered.update({k: v for k, v in facets_dict.items() if k not in ordered})
    facets_dict.clear()
    facets_dict.update(ordered)
    return facets_dict


def organization_facets(facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
    """As on /dataset, without the organisation (the page's own)."""
    facets = dataset_facets(facets_dict, package_type)
    facets.pop("organization", None)
    return facets


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The owner's partner roles (multi-valued) and the access class, which
    is ``open`` when missing (datasets from before the plugin)."""
    pkg_dict[PARTNER_ROLES_FIELD] = roles.organization_roles(pkg_dict.get("owner_org"))
    if pkg_dict.get("type", "dataset") == "dataset" and not pkg_dict.get("access_class"):
        pkg_dict["access_class"] = typologies.DEFAULT_ACCESS_CLASS
    return pkg_dict


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Readable (translated) names for the coded facet values."""
    facets = search_results.get("search_facets") or {}
    for field, vocabulary in LABELLED.items():
        for item in (facets.get(field) or {}).get("items", []):
            if item.get("name") in vocabulary:
                item["display_name"] = _(vocabulary[item["name"]])
    return search_results
