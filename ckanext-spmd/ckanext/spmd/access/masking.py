"""Masking the data of datasets whose access class is not ``open``.

The public helpers of the data-masking contract (shared with ckanext-consent):

- :func:`data_access_allowed` says whether a user may have a dataset's data:
  sysadmins always, open datasets always, otherwise whatever the
  :class:`~ckanext.spmd.interfaces.IDataAccess` plugins deciding for the
  dataset's access class answer (a ``False`` vetoes, a ``True`` releases,
  silence refuses);
- :func:`mask_package` keeps the metadata of a dataset and its resources but
  empties every resource URL and flags the dict ``spmd_masked: true``.

The channels (API, search, activity, views, datastore, download route) call
these two functions; they live in :mod:`ckanext.spmd.access.channels`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ckan import authz, model
from ckan.plugins import PluginImplementations

from ckanext.spmd.interfaces import IDataAccess

OPEN = "open"
RESTRICTED = "restricted"
PERSONAL = "personal"
ACCESS_CLASS_FIELD = "access_class"
MASKED_FLAG = "spmd_masked"
# Resource fields that point at the data (CKAN core, and ckanext-dcat's
# scheming presets): all emptied when masked.
URL_FIELDS = ("url", "download_url", "access_url")

_CACHE_KEY = "_spmd_data_access_cache"


def access_class(pkg_dict: dict[str, Any]) -> str:
    """The dataset's access class, top-level (scheming) or in ``extras``.

    Missing or empty means ``open`` (datasets created before the plugin).
    """
    value = pkg_dict.get(ACCESS_CLASS_FIELD)
    if not value:
        for extra in pkg_dict.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == ACCESS_CLASS_FIELD:
                value = extra.get("value")
                break
    return str(value or OPEN).strip() or OPEN


def is_open(pkg_dict: dict[str, Any]) -> bool:
    return access_class(pkg_dict) == OPEN


def package_access_class(package_id: str) -> str:
    """The stored access class of a dataset (by id or name), from its extras."""
    pkg = model.Package.get(package_id)
    if pkg is None:
        return OPEN
    return str(pkg.extras.get(ACCESS_CLASS_FIELD) or OPEN)


def _request_cache() -> dict[tuple[Any, ...], bool] | None:
    """A per-request memo (flask ``g``); None outside a request."""
    try:
        from flask import g, has_app_context
    except ImportError:  # pragma: no cover
        return None
    if not has_app_context():
        return None
    cache = getattr(g, _CACHE_KEY, None)
    if cache is None:
        cache = {}
        setattr(g, _CACHE_KEY, cache)
    return cache


def forget_decisions() -> None:
    """Drop the per-request memo (after a grant is created or revoked)."""
    cache = _request_cache()
    if cache is not None:
        cache.clear()


def data_access_allowed(user_name: str | None, pkg_dict: dict[str, Any]) -> bool:
    """May ``user_name`` (None or "" for anonymous) have the data of ``pkg_dict``?"""
    klass = access_class(pkg_dict)
    if klass == OPEN:
        return True
    if user_name and authz.is_sysadmin(user_name):
        return True
    key = (user_name or "", pkg_dict.get("id") or pkg_dict.get("name"), klass)
    cache = _request_cache()
    if cache is not None and key in cache:
        return cache[key]
    answers = [
        plugin.can_access_data(user_name or None, pkg_dict)
        for plugin in PluginImplementations(IDataAccess)
        if klass in (plugin.data_access_classes() or [])
    ]
    allowed = False if False in answers else True in answers
    if cache is not None:
        cache[key] = allowed
    return allowed


def mask_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """Empty the URLs of one resource dict (in place) and flag it; returns it."""
    for field in URL_FIELDS:
        if field in resource:
            resource[field] = ""
    resource["url"] = ""
    resource[MASKED_FLAG] = True
    return resource


def mask_package(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Mask a dataset dict **in place** (so that it works inside
    ``after_dataset_show``) and return it: metadata stays, every resource
    keeps its metadata with its URLs emptied, and the dataset and its
    resources carry ``spmd_masked: true``."""
    for resource in pkg_dict.get("resources") or []:
        mask_resource(resource)
    pkg_dict[MASKED_FLAG] = True
    return pkg_dict


def mask_if_needed(user_name: str | None, pkg_dict: dict[str, Any]) -> bool:
    """Mask ``pkg_dict`` in place unless the user may have its data.

    Returns whether it was masked.
    """
    if data_access_allowed(user_name, pkg_dict):
        return False
    mask_package(pkg_dict)
    return True


def mask_json_package(user_name: str | None, text: str) -> str:
    """The same for a dataset stored as JSON text (search index fields)."""
    try:
        pkg_dict = json.loads(text)
    except (TypeError, ValueError):
        return text
    if isinstance(pkg_dict, dict) and mask_if_needed(user_name, pkg_dict):
        return json.dumps(pkg_dict)
    return text


def blank_values(values: Any) -> Any:
    """A multi-valued index field with every value emptied (same length)."""
    if isinstance(values, (list, tuple)):
        return ["" for _ in values]
    return ""


def non_open(pkg_dicts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in pkg_dicts if not is_open(p)]
