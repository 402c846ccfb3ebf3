"""Backfill of territorial typologies (``ckan spmd qualify``).

The rules come from the config (``ckanext.spmd.qualify.*``); the first that
matches a dataset gives its typology: harvest source, then tag, then
organisation, then the default. Pure matching here; the command applies it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .typologies import TYPOLOGIES

RULE_KINDS = ("by_harvest_source", "by_tag", "by_organization")


class RuleError(ValueError):
    """A rule of the config that cannot be applied."""


@dataclass(frozen=True)
class Rules:
    by_harvest_source: dict[str, str]
    by_tag: dict[str, str]
    by_organization: dict[str, str]
    default: str | None = None


def parse_rules(text: str, option: str) -> dict[str, str]:
    """``key = typology`` entries separated by ``;`` or new lines."""
    rules: dict[str, str] = {}
    for number, entry in enumerate(re.split(r"[;\n]", text or ""), start=1):
        entry = entry.strip()
        if not entry:
            continue
        key, sep, typology = entry.rpartition("=")
        key, typology = key.strip(), typology.strip()
        if not sep or not key:
            raise RuleError(f"{option}: rule {number} ({entry!r}) is not 'key = typology'")
        if typology not in TYPOLOGIES:
            raise RuleError(f"{option}: rule {number} ({entry!r}): unknown typology "
                            f"{typology!r}, expected one of {', '.join(TYPOLOGIES)}")
        rules[key.casefold()] = typology
    return rules


def rules_from_config(config: Any) -> Rules:
    parsed = {kind: parse_rules(config.get(f"ckanext.spmd.qualify.{kind}") or "",
                                f"ckanext.spmd.qualify.{kind}") for kind in RULE_KINDS}
    default = (config.get("ckanext.spmd.qualify.default") or "").strip() or None
    if default and default not in TYPOLOGIES:
        raise RuleError(f"ckanext.spmd.qualify.default: unknown typology {default!r}")
    return Rules(default=default, **parsed)


def harvest_keys(pkg: dict[str, Any]) -> list[str]:
    """What identifies a dataset's harvest source (ckanext-harvest puts it in
    the extras: ``harvest_source_id``/``harvest_source_title``)."""
    values = [pkg.get("harvest_source_id"), pkg.get("harvest_source_title"),
              pkg.get("harvest_source_name")]
    for extra in pkg.get("extras") or []:
        if extra.get("key") in ("harvest_source_id", "harvest_source_title",
                                "harvest_source_name"):
            values.append(extra.get("value"))
    return [str(v).casefold() for v in values if v]


def typology_for(pkg: dict[str, Any], rules: Rules) -> tuple[str | None, str]:
    """The typology a dataset gets, and why (the rule that matched)."""
    for key in harvest_keys(pkg):
        if key in rules.by_harvest_source:
            return rules.by_harvest_source[key], f"harvest source {key}"
    for tag in pkg.get("tags") or []:
        name = (tag.get("name") if isinstance(tag, dict) else tag) or ""
        if name.casefold() in rules.by_tag:
            return rules.by_tag[name.casefold()], f"tag {name}"
    org = ((pkg.get("organization") or {}).get("name") or "").casefold()
    if org in rules.by_organization:
        return rules.by_organization[org], f"organization {org}"
    if rules.default:
        return rules.default, "default"
    return None, "no rule"
