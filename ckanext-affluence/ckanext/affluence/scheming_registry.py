"""Registration of the plugin's dataset schema in ckanext-scheming.

Scheming reads ``scheming.dataset_schemas`` in its own ``update_config``:
when it runs before this plugin's, it has already loaded its schemas, so
they are reloaded here with the same (private) loaders. A test fails if
scheming changes under this module (``tests/test_dataset_type.py``).
"""
from __future__ import annotations

from typing import Any

SCHEMA = "ckanext.affluence:schemas/transit_occupancy.yaml"
OPTION = "scheming.dataset_schemas"


def register(config: Any) -> None:
    schemas = str(config.get(OPTION) or "").split()
    if SCHEMA not in schemas:
        schemas.append(SCHEMA)
        config[OPTION] = " ".join(schemas)
    try:
        from ckanext.scheming import plugins as scheming
    except ImportError:
        return
    instance = getattr(scheming.SchemingDatasetsPlugin, "instance", None)
    loaded = getattr(instance, "_schema_urls", None)
    if instance is None or loaded is None or SCHEMA in loaded:
        return
    instance._schema_urls = schemas
    instance._schemas = scheming._load_schemas(schemas, instance.SCHEMA_TYPE_FIELD)
    instance._expanded_schemas = scheming._expand_schemas(instance._schemas)
