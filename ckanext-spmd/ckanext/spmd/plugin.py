"""Plugins of ckanext-spmd. Interface methods only delegate."""
from __future__ import annotations

from ckan import plugins as p
from ckan.plugins import toolkit

from . import cli, model  # noqa: F401  (registers the index tables)
from .search import ckan_internals


@toolkit.blanket.cli(cli.get_commands)
class SpmdPlugin(p.SingletonPlugin):
    """The metropolitan public data service: typologies, partners, access."""

    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")


@toolkit.blanket.config_declarations("search/config_declaration.yaml")
@toolkit.blanket.cli(cli.get_search_commands)
class SpmdSearchPlugin(p.SingletonPlugin):
    """CKAN's search index in PostgreSQL (or Solr, by configuration)."""

    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        # Before CKAN's start-up check of the Solr schema, which follows.
        ckan_internals.install()
