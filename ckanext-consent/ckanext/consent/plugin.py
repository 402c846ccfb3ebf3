"""ckanext-consent: consent-gated personal data (scaffold of the package).

The package installs and loads on its own; the personal-data dataset type,
the consent registry and the gated downloads are built on top of it.
"""
from __future__ import annotations

from ckan import plugins as p
from ckan.plugins import toolkit


class ConsentPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
