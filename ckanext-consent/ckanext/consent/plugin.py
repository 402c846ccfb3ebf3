"""Plugin of ckanext-consent. Interface methods only delegate."""
from __future__ import annotations

from ckan import plugins as p
from ckan.plugins import toolkit

from . import model  # noqa: F401  (declares the registry tables)


class ConsentPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
