"""Harvest source configuration and per-source mapping (pure Python).

A harvest source's config JSON may hold, besides the harvester's own keys::

    {
      "spmd_default_typology": "reference",
      "spmd_defaults": {"certifying_authority": "IGN", "frequency": "ANNUAL"},
      "spmd_local_edits": "keep"
    }

- ``spmd_default_typology``: the ``territorial_typology`` of harvested
  datasets whose record does not state one (national reference bases:
  ``reference``);
- ``spmd_defaults``: field values given to harvested datasets whose record
  lacks them (a reference typology requires its certifying authority,
  scope, commitment and continuity contact);
- ``spmd_local_edits``: what the next run does to fields edited on our
  portal since the last import: ``overwrite`` (the source wins, default)
  or ``keep`` (the local value stays; fields not edited locally follow the
  source).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

TYPOLOGIES = ("reference", "territorial-interest", "territory")
LOCAL_EDITS = ("keep", "overwrite")
ACCESS_CLASSES = ("open", "restricted")
KEYS = ("spmd_default_typology", "spmd_defaults", "spmd_local_edits")

# Fields CKAN or the harvest manages, never "edited locally".
SYSTEM_FIELDS = frozenset({
    "id", "name", "type", "state", "owner_org", "organization", "private",
    "metadata_created", "metadata_modified", "creator_user_id", "revision_id",
    "num_resources", "num_tags", "resources", "tags", "groups", "extras",
    "relationships_as_object", "relationships_as_subject", "license_title",
    "license_url", "isopen", "tracking_summary", "harvest", "spmd_masked",
})


class SourceConfigError(ValueError):
    """The harvest source configuration is not usable: ``field`` says which key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    default_typology: str | None = None
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    local_edits: str = "overwrite"


def parse_config(text: str | None) -> SourceConfig:
    if not text or not text.strip():
        return SourceConfig()
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise SourceConfigError("config", f"not valid JSON ({e})") from e
    if not isinstance(raw, dict):
        raise SourceConfigError("config", "must be a JSON object")
    typology = raw.get("spmd_default_typology")
    if typology is not None and typology not in TYPOLOGIES:
        raise SourceConfigError("spmd_default_typology",
                                f"{typology!r} is not one of {', '.join(TYPOLOGIES)}")
    local_edits = raw.get("spmd_local_edits", "overwrite")
    if local_edits not in LOCAL_EDITS:
        raise SourceConfigError("spmd_local_edits",
                                f"{local_edits!r} is not one of {', '.join(LOCAL_EDITS)}")
    defaults = raw.get("spmd_defaults", {})
    if not isinstance(defaults, dict):
        raise SourceConfigError("spmd_defaults", "must be an object of field: value")
    bad = sorted(k for k in defaults if k in SYSTEM_FIELDS)
    if bad:
        raise SourceConfigError("spmd_defaults", f"cannot set {', '.join(bad)}")
    access = defaults.get("access_class")
    if access is not None and access not in ACCESS_CLASSES:
        raise SourceConfigError("spmd_defaults",
                                f"access_class {access!r} is not one of {', '.join(ACCESS_CLASSES)}")
    return SourceConfig(typology, dict(defaults), local_edits)


def apply(dataset: dict[str, Any], config: SourceConfig) -> dict[str, Any]:
    """The record's own values win; the source's defaults fill the gaps."""
    dataset["type"] = "dataset"
    for key, value in config.defaults.items():
        if dataset.get(key) in (None, "", []):
            dataset[key] = value
    if not dataset.get("territorial_typology") and config.default_typology:
        dataset["territorial_typology"] = config.default_typology
    if not dataset.get("access_class"):
        dataset["access_class"] = "open"
    return dataset


def snapshot(pkg: dict[str, Any]) -> dict[str, Any]:
    """The fields a local edit can change (scalars outside SYSTEM_FIELDS)."""
    return {k: v for k, v in pkg.items()
            if k not in SYSTEM_FIELDS and (v is None or isinstance(v, str | int | float | bool))}


def keep_local_edits(new: dict[str, Any], current: dict[str, Any],
                     imported: dict[str, Any]) -> list[str]:
    """Fields edited on the portal since the last import (``current`` differs
    from the ``imported`` snapshot) keep their local value in ``new``.
    Returns the names of the fields kept."""
    now = snapshot(current)
    kept = []
    for key in sorted(set(now) | set(imported)):
        if now.get(key) != imported.get(key):
            new[key] = now.get(key)
            kept.append(key)
    return kept
