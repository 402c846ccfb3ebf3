"""Pytest fixtures shared by the bundle's test suites.

CKAN's ``clean_db`` drops every table on its first use and recreates only
CKAN core's; plugin tables come back through their migrations, as
ckanext-activity does in its own test suite.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

# Plugins whose tables the tests need, in migration order; each is migrated
# when it is loaded and ships alembic migrations (migration/<plugin>/).
MIGRATED_PLUGINS = ("activity", "spmd_search", "spmd", "spmd_access", "consent", "affluence",
                    "harvest")


def has_migrations(plugin: str) -> bool:
    from ckan import plugins

    if not plugins.plugin_loaded(plugin):
        return False
    source = Path(inspect.getfile(type(plugins.get_plugin(plugin))))
    return any((folder / "migration" / plugin / "versions").is_dir()
               for folder in source.parents)


@pytest.fixture
def clean_db(reset_db: Any, migrate_db_for: Any, with_plugins: Any) -> None:
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        if has_migrations(plugin):
            migrate_db_for(plugin)
