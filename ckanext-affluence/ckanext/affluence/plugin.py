"""ckanext-affluence: transit crowding forecasts (scaffold of the package).

The package installs and loads on its own; the forecasting pipeline, the
background jobs and the public page are built on top of it.
"""
from __future__ import annotations

from ckan import plugins as p
from ckan.plugins import toolkit


class AffluencePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
