"""The consent-gated download: members of a recipient organisation get, for
a stated purpose, only the rows of people whose active consent covers that
organisation and purpose.

The allowed keys are computed once per request (two queries, whatever the
number of people), the file is streamed in chunks (memory flat), and the
download is logged with the keys actually sent, so that each person can see
the downloads that included their rows.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ckan import model
from ckan.plugins import toolkit

from . import access, csvdata, registry, rules, storage
from .model import download_table

log = logging.getLogger(__name__)


@dataclass
class Grant:
    pkg: dict[str, Any]
    resource: dict[str, Any]
    path: str
    user_id: str
    organization_id: str
    purpose: str
    keys: set[str]


def authorise(user_name: str | None, pkg: dict[str, Any], resource_id: str, purpose: str,
              organization: str | None) -> Grant:
    """Check the request; NotAuthorized / ValidationError / ObjectNotFound."""
    user = model.User.get(user_name) if user_name else None
    if user is None:
        raise toolkit.NotAuthorized(toolkit._("Sign in as a member of a recipient organisation."))
    memberships = access.member_recipients(user.name, pkg)
    if not memberships:
        raise toolkit.NotAuthorized(toolkit._(
            "Only members of a recipient organisation of this processing may download its rows."))
    if organization:
        group = model.Group.get(organization)
        org_id = group.id if group else organization
        if org_id not in memberships:
            raise toolkit.NotAuthorized(toolkit._(
                "You are not a member of this recipient organisation."))
    elif len(memberships) == 1:
        org_id = memberships[0]
    else:
        raise toolkit.ValidationError({"organization": [toolkit._(
            "State the recipient organisation you download for.")]})
    if purpose not in rules.as_list(pkg.get("purposes")):
        raise toolkit.ValidationError({"purpose": [toolkit._(
            "State one of the purposes of this processing.")]})
    resource = next((r for r in pkg.get("resources", []) if r["id"] == resource_id), None)
    if resource is None:
        raise toolkit.ObjectNotFound(toolkit._("Resource not found."))
    path = storage.upload_path(resource) if access.is_rows_resource(resource) else None
    if path is None:
        raise toolkit.ObjectNotFound(toolkit._("This resource has no uploaded file."))
    keys = registry.consenting_keys_for(pkg["id"], purpose, org_id)
    return Grant(pkg, resource, path, user.id, org_id, purpose, keys)


def stream(grant: Grant) -> Iterator[bytes]:
    """The filtered CSV; the download is logged when the stream ends (also
    when the client goes away: ``complete`` is then false)."""
    stats = csvdata.StreamStats()
    try:
        yield from csvdata.filtered_stream(grant.path, grant.pkg["key_column"], grant.keys, stats)
    finally:
        log_download(grant, stats)


def log_download(grant: Grant, stats: csvdata.StreamStats) -> str:
    download_id = str(uuid.uuid4())
    try:
        model.Session.execute(download_table.insert().values(
            id=download_id, package_id=grant.pkg["id"], resource_id=grant.resource["id"],
            user_id=grant.user_id, organization_id=grant.organization_id,
            purpose=grant.purpose, row_count=stats.rows, keys=sorted(stats.keys),
            complete=stats.complete, created=rules.utcnow()))
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        log.exception("Could not log the gated download of %s", grant.resource["id"])
        raise
    return download_id
