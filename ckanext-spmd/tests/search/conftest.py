"""The search suite runs on the embedded backend, and on a live Solr too
when CKAN_SOLR_URL points at a core with CKAN's schema."""
from __future__ import annotations

import dataclasses
import os

import pytest
import requests
import sqlalchemy as sa
from ckan import model
from ckan.lib import search

from ckanext.spmd.search.connection import SEARCH_MARK


def _solr_reason() -> str | None:
    url = os.environ.get("CKAN_SOLR_URL")
    if not url:
        return "CKAN_SOLR_URL is not set: no live Solr to run the search suite against"
    try:
        requests.get(url.rstrip("/") + "/admin/ping", timeout=3).raise_for_status()
    except requests.RequestException as e:
        return f"Solr at {url} does not answer: {e}"
    return None


@pytest.fixture(params=["postgres", "solr"])
def search_backend(request, clean_db, ckan_config, monkeypatch):
    """Select the backend and start from an empty index."""
    if request.param == "solr":
        reason = _solr_reason()
        if reason:
            pytest.skip(reason)
        monkeypatch.setitem(ckan_config, "solr_url", os.environ["CKAN_SOLR_URL"])
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.backend", request.param)
    search.clear_all()
    return request.param


@dataclasses.dataclass
class SearchStatement:
    sql: str  # with its parameters inlined (for EXPLAIN)
    parameters: dict


class SearchStatements:
    """The search statements the embedded backend sends to PostgreSQL."""

    def __init__(self) -> None:
        self.seen: list[SearchStatement] = []

    def capture(self, conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(SEARCH_MARK):
            sql = cursor.mogrify(statement, parameters).decode()
            self.seen.append(SearchStatement(sql, dict(parameters or {})))

    def ran(self, term: str) -> int:
        """How many were about ``term`` (CKAN also searches on its own,
        e.g. to count an organisation's datasets)."""
        return sum(any(term in str(v) for v in s.parameters.values()) for s in self.seen)


@pytest.fixture
def search_statements():
    statements = SearchStatements()
    sa.event.listen(model.meta.engine, "before_cursor_execute", statements.capture)
    yield statements
    sa.event.remove(model.meta.engine, "before_cursor_execute", statements.capture)
