"""Registration of the plugin's dataset schema in ckanext-scheming.

Enabling the plugin is enough: it adds its schema to
``scheming.dataset_schemas``. Scheming reads that option in its own
``update_config``; when scheming ran first (it is listed before us in
``ckan.plugins``), it is asked to read it again through that same public
method. (ckanext-spmd does the same for its schemas; this package does not
depend on it, so that a portal can install it alone.)
"""
from __future__ import annotations

from typing import Any

from ckan import plugins

SCHEMA = "ckanext.affluence:schemas/transit_occupancy.yaml"
OPTION = "scheming.dataset_schemas"
SCHEMING_PLUGIN = "scheming_datasets"


def register(config: Any) -> None:
    schemas = str(config.get(OPTION) or "").split()
    if SCHEMA in schemas:
        return
    config[OPTION] = " ".join(schemas + [SCHEMA])
    if plugins.plugin_loaded(SCHEMING_PLUGIN):
        scheming = plugins.get_plugin(SCHEMING_PLUGIN)
        if getattr(scheming, "_schemas", None) is not None:  # already read the option
            scheming.update_config(config)
