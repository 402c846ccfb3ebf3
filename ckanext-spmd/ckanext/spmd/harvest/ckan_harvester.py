"""``spmd_ckan_harvester``: ckanext-harvest's CKAN harvester with the SPMD
per-source mapping (default typology, field defaults, local-edits rule).

Its own plugin module, not plugin.py: it subclasses ckanext-harvest's
harvester, whose model registers the harvest tables on CKAN's metadata, so
it is imported only where this harvester is enabled.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import SingletonPlugin, toolkit

from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

from ..dcat import api_output
from . import hooks, mapping


class SpmdCKANHarvester(CKANHarvester):
    def __new__(cls, *args: Any, **kwargs: Any) -> SpmdCKANHarvester:
        # SingletonPlugin keeps its instance in ``cls._instance``, which a
        # subclass inherits: once CKANHarvester exists, the subclass would get
        # *its* instance. Our own singleton, looked up on this class only.
        if "_instance" not in cls.__dict__:
            cls._instance = super(SingletonPlugin, cls).__new__(cls)
        return cls._instance

    def info(self) -> dict[str, str]:
        return {
            "name": "spmd_ckan",
            "title": "CKAN (SPMD mapping)",
            "description": "Harvests a remote CKAN with the SPMD mapping: default "
                           "typology, field defaults, local edits kept or overwritten.",
        }

    def validate_config(self, config: str | None) -> str | None:
        config = super().validate_config(config)
        try:
            mapping.parse_config(config)
        except mapping.SourceConfigError as e:
            raise ValueError(str(e)) from e
        return config

    def modify_package_dict(self, package_dict: dict[str, Any],
                            harvest_object: Any) -> dict[str, Any]:
        package_dict = super().modify_package_dict(package_dict, harvest_object)
        # The remote's extras (plain CKAN, or our mirrored ones) become fields.
        package_dict = api_output.fold_extras({**package_dict, "type": "dataset"})
        # The remote's masking flag says what *it* hid; here the copy simply
        # has no data URL (and a flagged dict could not be updated next run).
        package_dict.pop("spmd_masked", None)
        for resource in package_dict.get("resources") or []:
            resource.pop("spmd_masked", None)
        config = hooks.source_config(harvest_object)
        mapping.apply(package_dict, config)
        if config.local_edits == "keep":
            imported = hooks.last_snapshot(harvest_object)
            current = self._current(package_dict.get("id"))
            if imported is not None and current is not None:
                mapping.keep_local_edits(package_dict, current, imported)
        return package_dict

    def _current(self, package_id: str | None) -> dict[str, Any] | None:
        if not package_id:
            return None
        try:
            return toolkit.get_action("package_show")(
                {"ignore_auth": True, "for_update": True}, {"id": package_id})
        except toolkit.ObjectNotFound:
            return None

    def import_stage(self, harvest_object: Any) -> Any:
        result = super().import_stage(harvest_object)
        if result is True and harvest_object.package_id:
            hooks.after_import(harvest_object, {"id": harvest_object.package_id}, {})
            harvest_object.add()
            harvest_object.save()
        return result
