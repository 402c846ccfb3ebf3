"""What the plugin does when CKAN calls it: start-up check, terms versions
on dataset changes, validation of uploads, derivative regeneration."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.exceptions import CkanConfigurationException
from ckan.plugins import toolkit

from . import access, csvdata, registry, storage

log = logging.getLogger(__name__)


def check_start_up(config: Any, require: Callable[[Any], None]) -> None:
    """Refuse to start when a requirement (``require`` raises) is not met:
    the masking plugin, a storage behind the gate. Test sessions load plugins
    and configure storages per test (``with_plugins``): there it is only
    logged, and the tests that need the requirement set it up themselves."""
    try:
        require(config)
    except (RuntimeError, CkanConfigurationException) as err:
        if toolkit.asbool(config.get("testing", False)):
            log.warning("%s (tests only)", err)
            return
        raise


def storage_problem() -> str | None:
    """Why this portal's resource storage cannot hold personal data."""
    found = storage.resource_files_storage()
    if found is None:
        return None
    name, public = found
    served = (" and, being public, serves every upload to anyone at /file/public-download"
              if public else "")
    return (f"resource uploads go to the file storage {name!r}{served}; personal-data "
            "files need CKAN's classic resource storage (ckan.storage_path), behind the "
            "consent gate: remove the ckan.files.storage.* options that give resources "
            "a storage")


def require_safe_storage(config: Any) -> None:
    """A start-up requirement (``check_start_up``): no storage that would
    bypass the consent gate."""
    if (problem := storage_problem()) is not None:
        raise CkanConfigurationException(f"ckanext-consent: {problem}")


def _personal(package_id: str | None) -> model.Package | None:
    pkg = model.Package.get(package_id) if package_id else None
    return pkg if pkg is not None and pkg.type == access.DATASET_TYPE else None


def after_dataset_change(pkg_dict: dict[str, Any]) -> None:
    """Record the terms as stored (an API update may omit ``type``, a
    partial dict must not read as a change of terms)."""
    if not pkg_dict.get("id") or _personal(pkg_dict["id"]) is None:
        return
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    stored = toolkit.get_action("package_show")(
        {"ignore_auth": True, "user": site_user["name"], "use_cache": False},
        {"id": pkg_dict["id"]})
    version, created = registry.record_terms(stored)
    if created and version > 1:
        # Older consents stop counting: the derivative must follow.
        registry.notify_change(stored["id"])


def _uploaded_file(resource: dict[str, Any]) -> Any:
    upload = resource.get("upload")
    return upload if getattr(upload, "filename", None) else None


def check_upload(resource: dict[str, Any], package_id: str | None) -> None:
    """A new file of a personal-data dataset is checked whole before CKAN
    stores it: on error nothing is written and the previous file stays."""
    upload = _uploaded_file(resource)
    pkg = _personal(package_id or resource.get("package_id"))
    if upload is None or pkg is None or not access.is_rows_resource(resource):
        return
    if (problem := storage_problem()) is not None:
        raise toolkit.ValidationError({"upload": [toolkit._("Not stored: {0}").format(problem)]})
    key_column = pkg.extras.get("key_column") or ""
    stream = upload.stream
    start = stream.tell()
    try:
        rows = csvdata.validate(stream, upload.filename, key_column)
    except csvdata.CsvDataError as err:
        raise toolkit.ValidationError({"upload": [str(err)]})
    finally:
        stream.seek(start)
    log.info("personal-data upload %s: %d rows", upload.filename, rows)


def after_upload(resource: dict[str, Any]) -> None:
    if resource.get("url_type") == "upload" and _personal(resource.get("package_id")):
        registry.notify_change(resource["package_id"])
