"""Pytest fixtures shared by the bundle's test suites.

CKAN's ``clean_db`` drops every table on its first use and recreates only
CKAN core's; plugin tables come back through their migrations, as
ckanext-activity does in its own test suite.
"""
from __future__ import annotations

from typing import Any

import pytest

MIGRATED_PLUGINS = ("spmd_search",)


@pytest.fixture
def clean_db(reset_db: Any, migrate_db_for: Any, with_plugins: Any) -> None:
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
