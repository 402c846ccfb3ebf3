"""Typed access to the plugin's options (declared in config_declaration.yaml)."""
from __future__ import annotations

import os
from pathlib import Path

from ckan.plugins import toolkit

from .engine.api import CalendarSettings

PREFIX = "ckanext.affluence."


def get(name: str) -> object:
    return toolkit.config.get(PREFIX + name)


def integer(name: str) -> int:
    return int(get(name) or 0)


def calendar() -> CalendarSettings:
    country = str(get("calendar.country") or "FR").upper()
    zone = str(get("calendar.school_zone") or "").strip() or None
    return CalendarSettings(country=country, school_zone=zone if country == "FR" else None)


def storage_root() -> Path:
    configured = str(get("storage_path") or "")
    if configured:
        return Path(configured)
    base = toolkit.config.get("ckan.storage_path") or os.path.join(os.getcwd(), ".affluence")
    return Path(base) / "affluence"


def retry_intervals() -> list[int]:
    return [int(v) for v in str(get("job_retry_intervals") or "0").split()] or [0]


def report_secret() -> bytes:
    secret = str(get("report_secret") or toolkit.config.get("SECRET_KEY") or "")
    return secret.encode()
