"""Fails when CKAN changes the internals the embedded backend relies on.

ckan_internals replaces ``make_connection`` where ``ckan.lib.search``
imported it, and the start-up Solr schema check. If CKAN renames, moves or
stops calling these, these tests say so before users do.
"""
from __future__ import annotations

import inspect

import ckan.lib.search as search_package
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
import pytest
from ckan.config import environment
from ckan.plugins import toolkit

from ckanext.spmd.search import ckan_internals
from ckanext.spmd.search.connection import PostgresSearchConnection


def test_ckan_version_is_the_one_we_pinned():
    assert toolkit.check_ckan_version(min_version="2.12", max_version="2.12.99")


@pytest.mark.parametrize("module", [search_common, search_index, search_query])
def test_make_connection_is_a_module_global_used_by_name(module):
    source = inspect.getsource(module)
    assert "make_connection(" in source
    assert hasattr(module, "make_connection")


def test_index_and_query_call_only_what_the_connection_provides():
    """CKAN calls add/delete/commit/search on the connection, nothing else."""
    used = set()
    for module in (search_common, search_index, search_query):
        source = inspect.getsource(module)
        for method in ("add", "delete", "commit", "search"):
            if f"conn.{method}(" in source:
                used.add(method)
    assert used == {"add", "delete", "commit", "search"}
    for method in used:
        assert callable(getattr(PostgresSearchConnection, method))


def test_start_up_check_is_called_through_the_package_attribute():
    assert "search.check_solr_schema_version()" in inspect.getsource(environment)


def test_install_routes_every_module_through_the_dispatcher():
    ckan_internals.install()
    assert ckan_internals.installed()
    for module in ckan_internals.PATCHED_MODULES:
        assert module.make_connection is ckan_internals.make_connection
    assert search_package.check_solr_schema_version is ckan_internals.check_solr_schema_version


@pytest.mark.ckan_config("ckanext.spmd.search.backend", "solr")
def test_solr_backend_gets_ckans_own_connection(ckan_config):
    ckan_config["solr_url"] = "http://127.0.0.1:8983/solr/ckan"
    conn = search_common.make_connection()
    assert not isinstance(conn, PostgresSearchConnection)
    assert conn.url == "http://127.0.0.1:8983/solr/ckan"


@pytest.mark.ckan_config("ckanext.spmd.search.backend", "postgres")
def test_postgres_backend_gets_ours():
    assert isinstance(search_common.make_connection(), PostgresSearchConnection)
    assert search_package.check_solr_schema_version() is True
