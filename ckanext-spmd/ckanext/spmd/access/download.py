"""The download route of restricted resources.

CKAN's ``resource.download`` view serves uploaded files itself, whatever
the resource URL shown: masking the URL is not enough. A ``before_app_request``
hook (a public Flask mechanism, registered by our blueprint) refuses it with
a 403 page explaining how to request access, for every dataset type
(``<type>_resource.download``), and audits every download of restricted data.
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit
from flask import make_response, request

from . import audit, channels, masking

DOWNLOAD_ENDPOINTS = ("resource.download", "dataset_resource.download")


def is_download_endpoint(endpoint: str | None) -> bool:
    return bool(endpoint) and (
        endpoint in DOWNLOAD_ENDPOINTS or str(endpoint).endswith("_resource.download")
    )


def current_user_name() -> str | None:
    user = toolkit.current_user
    return user.name if user and user.is_authenticated else None  # type: ignore[union-attr]


def guard_download() -> Any:
    """Runs before every request; acts on resource downloads only."""
    if not is_download_endpoint(request.endpoint):
        return None
    view_args = request.view_args or {}
    resource = model.Resource.get(view_args.get("resource_id") or "")
    if resource is None:
        return None  # CKAN answers 404
    probe = channels.package_probe(resource.package_id)
    if probe is None or masking.is_open(probe):
        return None
    user_name = current_user_name()
    allowed = masking.data_access_allowed(user_name, probe)
    audit.record(
        "download" if allowed else "download_refused", actor=user_name,
        package_id=probe["id"], resource_id=resource.id,
        producer_org_id=probe.get("owner_org"),
        detail=probe[masking.ACCESS_CLASS_FIELD],
    )
    model.Session.commit()
    if allowed:
        return None
    pkg = model.Package.get(probe["id"])
    body = toolkit.render("spmd_access/download_refused.html", extra_vars={
        "pkg": pkg, "resource": resource,
        "access_class": probe[masking.ACCESS_CLASS_FIELD],
        "may_request": probe[masking.ACCESS_CLASS_FIELD] == masking.RESTRICTED,
    })
    return make_response(body, 403)
