"""The one place where the access module reaches into CKAN internals.

ckanext-activity stores a full dataset dict in each activity (to show past
versions) and has no hook between building and storing it. We mask the
data of non-open datasets in that stored copy with a SQLAlchemy
``before_insert`` listener on its ``Activity`` model (columns ``data``,
``object_id``, ``activity_type``), so that no channel we do not know of
(e-mail notifications, exports, a database dump) carries restricted URLs.
Activities recorded before a dataset was restricted are masked on the way
out by the chained activity actions (``channels``).

``tests/access/test_ckan_internals.py`` fails if ckanext-activity changes
under this.
"""
from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa
from ckan import model

from . import masking

_installed = False


def activity_model() -> Any:
    from ckanext.activity.model import Activity

    return Activity


def _stored_access_class(connection: Any, package_id: str) -> str:
    # Inside a flush: the connection, not the session (CKAN 2.12 keeps
    # extras in the package row's JSONB ``extras`` column).
    extras = connection.execute(
        sa.select(model.Package.extras).where(model.Package.id == package_id)
    ).scalar()
    return str((extras or {}).get(masking.ACCESS_CLASS_FIELD) or masking.OPEN)


def mask_stored_activity(connection: Any, data: Any, object_id: str | None) -> Any:
    """The activity data to store: non-open data masked, for everyone."""
    if not isinstance(data, dict):
        return data
    pkg = data.get("package")
    if isinstance(pkg, dict):
        if masking.is_open(pkg) and _stored_access_class(
                connection, pkg.get("id") or object_id or "") == masking.OPEN:
            return data
        data = dict(data, package=masking.mask_package(copy.deepcopy(pkg)))
    elif data.get("resource_id") and data.get("package_id"):  # a resource view
        if _stored_access_class(connection, data["package_id"]) != masking.OPEN:
            from .channels import blank_urls

            data = blank_urls(data)
    return data


def _before_insert(mapper: Any, connection: Any, target: Any) -> None:
    from ckan import plugins

    if not plugins.plugin_loaded("spmd_access"):
        return
    target.data = mask_stored_activity(connection, target.data, target.object_id)


def install() -> None:
    """Listen to activity inserts (idempotent; no-op without ckanext-activity)."""
    global _installed
    if _installed:
        return
    try:
        activity = activity_model()
    except ImportError:  # pragma: no cover
        return
    sa.event.listen(activity, "before_insert", _before_insert)
    _installed = True


def installed() -> bool:
    try:
        return sa.event.contains(activity_model(), "before_insert", _before_insert)
    except ImportError:  # pragma: no cover
        return False
