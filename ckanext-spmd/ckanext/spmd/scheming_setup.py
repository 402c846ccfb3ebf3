"""Registers a plugin's scheming schemas and presets in the site config.

Plugins add their own schema files to ``scheming.dataset_schemas`` (and
``scheming.organization_schemas``, ``scheming.presets``), so enabling a
plugin is enough. Scheming reads these options in its own ``update_config``:
when it ran before ours (it is listed first in ``ckan.plugins``), its
schemas are reloaded through that same public method.
"""
from __future__ import annotations

from typing import Any

from ckan import plugins

SCHEMING_DEFAULT_PRESETS = "ckanext.scheming:presets.json"
OPTIONS = {
    "dataset": ("scheming.dataset_schemas", "scheming_datasets"),
    "organization": ("scheming.organization_schemas", "scheming_organizations"),
}


def _add(config: Any, option: str, values: list[str], default: str = "") -> bool:
    current = (config.get(option) or default).split()
    added = [v for v in values if v not in current]
    if added:
        config[option] = " ".join(current + added)
    return bool(added)


def register(config: Any, dataset: list[str] = (), organization: list[str] = (),  # type: ignore[assignment]
             presets: list[str] = ()) -> None:  # type: ignore[assignment]
    presets_added = _add(config, "scheming.presets", list(presets), SCHEMING_DEFAULT_PRESETS)
    for kind, schemas in (("dataset", dataset), ("organization", organization)):
        option, plugin_name = OPTIONS[kind]
        if (_add(config, option, list(schemas)) or presets_added) and \
                plugins.plugin_loaded(plugin_name):
            plugin = plugins.get_plugin(plugin_name)
            if getattr(plugin, "_schemas", None) is not None:
                # scheming already read the options: read them again
                plugin.update_config(config)
