"""Where CKAN keeps an uploaded resource's file.

CKAN has no interface to read a stored upload back; ``get_resource_uploader``
is the function its own download view uses. Kept in this one module so that
``tests/test_storage.py`` fails if CKAN changes under it.
"""
from __future__ import annotations

import os
from typing import Any

from ckan.lib import uploader


def upload_path(resource: dict[str, Any]) -> str | None:
    """The local path of an uploaded resource's file, or None."""
    if resource.get("url_type") != "upload":
        return None
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    return path if path and os.path.exists(path) else None
