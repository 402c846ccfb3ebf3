"""Where CKAN keeps an uploaded resource's file.

CKAN has no interface to read a stored upload back; ``get_resource_uploader``
is the function its own download view uses. Kept in this one module so that
``tests/test_uploads.py`` fails if CKAN changes under it.

Personal-data files must stay behind the consent gate, so they need CKAN's
classic resource storage (``ckan.storage_path``), which CKAN serves only
through the resource download route. When a file storage of CKAN 2.12
(``ckan.files.storage.*``) holds resources, CKAN stores uploads there and
may serve them through its ``/file/`` routes (to anyone, if the storage is
public), and the gated reads below cannot find them: ``resource_files_storage``
tells, and the plugin refuses that setup.
"""
from __future__ import annotations

import os
from typing import Any

from ckan.lib import files, uploader
from ckan.plugins import toolkit


def upload_path(resource: dict[str, Any]) -> str | None:
    """The local path of an uploaded resource's file, or None."""
    if resource.get("url_type") != "upload":
        return None
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    return path if path and os.path.exists(path) else None


def resource_files_storage() -> tuple[str, bool] | None:
    """(name, public) of the CKAN file storage that receives resource
    uploads, or None when uploads go to the classic storage."""
    name = toolkit.config.get("ckan.files.default_storages.resource")
    try:
        store = files.get_storage(name)
    except files.exc.UnknownStorageError:
        return None
    return name, bool(store.settings.public)
