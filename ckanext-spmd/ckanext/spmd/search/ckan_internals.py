"""The one place where ckanext-spmd reaches into CKAN internals.

CKAN has no interface for search backends: ``ckan.lib.search`` talks to
Solr through ``make_connection()``, imported by name into three modules.
We replace that function in those modules by a dispatcher that returns our
PostgreSQL connection when ``ckanext.spmd.search.backend = postgres``, and
CKAN's own Solr connection otherwise, so switching back to Solr is a
configuration change. Everything else (document building, permission
labels, query building, result handling) stays CKAN's.

``tests/test_ckan_internals.py`` fails if CKAN changes any of this.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ckan.lib.search as search_package
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan import model
from ckan.plugins import toolkit

from .connection import PostgresSearchConnection
from .schema import load_schema

log = logging.getLogger(__name__)

PATCHED_MODULES = (search_common, search_index, search_query)
BACKEND_OPTION = "ckanext.spmd.search.backend"
SCHEMA_OPTION = "ckanext.spmd.search.schema_file"

_original_make_connection: Callable[..., Any] = search_common.make_connection
_original_schema_check: Callable[..., bool] = search_package.check_solr_schema_version


def backend() -> str:
    # An explicit default: the dispatcher stays installed when tests unload
    # the plugin (and its declarations), and must not warn on every search.
    return str(toolkit.config.get(BACKEND_OPTION, "postgres") or "postgres")


def configured_schema_file() -> str | None:
    return toolkit.config.get(SCHEMA_OPTION, "") or None


def postgres_connection() -> PostgresSearchConnection:
    return PostgresSearchConnection(
        model.Session, load_schema(configured_schema_file())
    )


def make_connection(decode_dates: bool = True) -> Any:
    if backend() == "postgres":
        return postgres_connection()
    return _original_make_connection(decode_dates)


make_connection.spmd_dispatcher = True  # type: ignore[attr-defined]


def check_solr_schema_version(schema_file: str | None = None) -> bool:
    """At start-up CKAN fetches Solr's schema over HTTP; the embedded
    backend reads CKAN's schema file instead, so there is nothing to fetch."""
    if backend() == "postgres":
        load_schema(configured_schema_file())
        return True
    return _original_schema_check(schema_file)


check_solr_schema_version.spmd_dispatcher = True  # type: ignore[attr-defined]


def install() -> None:
    """Route CKAN's search through the dispatcher (idempotent)."""
    for module in PATCHED_MODULES:
        if not getattr(module.make_connection, "spmd_dispatcher", False):
            module.make_connection = make_connection
    search_package.check_solr_schema_version = check_solr_schema_version
    log.debug("Search backend dispatcher installed (backend: %s)", backend())


def uninstall() -> None:
    for module in PATCHED_MODULES:
        module.make_connection = _original_make_connection
    search_package.check_solr_schema_version = _original_schema_check


def installed() -> bool:
    return all(
        getattr(m.make_connection, "spmd_dispatcher", False) for m in PATCHED_MODULES
    ) and getattr(search_package.check_solr_schema_version, "spmd_dispatcher", False)
