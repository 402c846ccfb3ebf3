"""Loads the demo territory of ``catalogue.py`` into CKAN (``ckan spmd demo load``).

Idempotent: organisations, groups and datasets are found by name and only
touched when they differ from the catalogue; resources are found by name
within their dataset and never uploaded twice. A second run therefore
creates nothing and leaves every ``metadata_modified`` as it was.
"""
from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from ckan.lib import uploader
from ckan.plugins import toolkit
from werkzeug.datastructures import FileStorage

from . import access_requests, catalogue, files, qualification, tables
from .catalogue import DatasetSpec, GroupSpec, OrganizationSpec, ResourceSpec
from .qualification import UseCaseSpec

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
STATUSES = (CREATED, UPDATED, UNCHANGED)
DATASET_FIELDS = ("name", "title", "notes", "owner_org", "license_id", "maintainer",
                  "private", "state")
# The SPMD fields of the dataset schema (every typology's, so that a change
# of typology in the catalogue is seen).
SPMD_FIELDS = ("territorial_typology", "access_class", "frequency", "spatial",
               "temporal_start", "temporal_end", "certifying_authority", "reference_scope",
               "service_commitment", "continuity_contact", "public_service", "producer_status",
               "legal_basis", "served_authority", "production_mode", "method_notes")
USE_CASE_FIELDS = ("title", "notes", "owner_org", "partners", "datasets_used", "data_needs",
                   "status", "contribution", "state")

Echo = Callable[[str], None]
Summary = dict[str, dict[str, int]]


class DemoLoadError(Exception):
    """The portal cannot hold the demo territory as configured."""


def load(echo: Echo) -> Summary:
    """Create whatever part of the demo territory is missing or different."""
    started = time.monotonic()
    check_storage()
    user = site_user()
    summary: dict[str, Counter[str]] = {
        kind: Counter()
        for kind in ("organizations", "groups", "datasets", "resources", "use_cases")
    }
    org_ids: dict[str, str] = {}
    for org in organizations():
        status, org_ids[org["name"]] = ensure_group(user, "organization", org)
        summary["organizations"][status] += 1
        echo(f"organisation {org['name']}: {status}")
    for group in catalogue.GROUPS:
        status, _id = ensure_group(user, "group", group)
        summary["groups"][status] += 1
        echo(f"group {group['name']}: {status}")
    for dataset in catalogue.DATASETS:
        status, resources = ensure_dataset(user, dataset, org_ids[dataset["organization"]])
        summary["datasets"][status] += 1
        summary["resources"].update(resources)
        echo(f"dataset {dataset['name']}: {status}{describe(resources)}")
    for use_case in qualification.USE_CASES:
        status = ensure_use_case(user, use_case, org_ids[use_case["organization"]])
        summary["use_cases"][status] += 1
        echo(f"use case {use_case['name']}: {status}")
    # Demo access requests (ckanext/spmd/demo/access_requests.py, written with
    # the access plugin) are loaded here, once everything they refer to exists.
    access_requests.load(echo, user)
    result = {kind: {s: counts[s] for s in STATUSES} for kind, counts in summary.items()}
    totals = "; ".join(f"{kind}: {counted(counts)}" for kind, counts in result.items())
    echo(f"demo territory loaded in {time.monotonic() - started:.1f}s ({totals})")
    return result


def counted(counts: Counter[str] | dict[str, int]) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))


def describe(resources: Counter[str]) -> str:
    return f" (resources: {counted(resources)})" if resources else ""


def organizations() -> list[dict[str, Any]]:
    """The catalogue's organisations with their partner roles."""
    return [{**org, "partner_roles": qualification.PARTNER_ROLES[org["name"]]}
            for org in [*catalogue.ORGANIZATIONS, *qualification.EXTRA_ORGANIZATIONS]]


def check_storage() -> None:
    if not uploader.get_storage_path():
        raise DemoLoadError(
            "ckan.storage_path is not set: the demo territory uploads its CSV and "
            "GeoJSON files, so the portal needs a file storage directory."
        )


def site_user() -> str:
    return toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def call(action: str, user: str, data: dict[str, Any], **context: Any) -> Any:
    # A fresh context per call: CKAN actions cache objects in the context they get.
    return toolkit.get_action(action)({"user": user, "ignore_auth": True, **context}, data)


def ensure_group(
    user: str, kind: str, spec: OrganizationSpec | GroupSpec | dict[str, Any]
) -> tuple[str, str]:
    """Organisation or group (``kind``): returns its status and its id."""
    try:
        existing = call(f"{kind}_show", user, {
            "id": spec["name"], "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_followers": False,
            # the partner roles of organisations are extras
            "include_extras": kind == "organization",
        })
    except toolkit.ObjectNotFound:
        created = call(f"{kind}_create", user, dict(spec))
        return CREATED, created["id"]
    wanted: dict[str, Any] = {**spec, "state": "active"}
    if all(existing.get(key) == value for key, value in wanted.items()):
        return UNCHANGED, existing["id"]
    call(f"{kind}_patch", user, {**wanted, "id": existing["id"]})
    return UPDATED, existing["id"]


def dataset_dict(spec: DatasetSpec, org_id: str) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "title": spec["title"],
        "notes": spec["notes"],
        "owner_org": org_id,
        "license_id": spec["license_id"],
        "maintainer": spec["maintainer"],
        "private": spec.get("private", False),
        "tags": [{"name": tag} for tag in spec["tags"]],
        "groups": [{"name": spec["group"]}],
        **qualification.dataset_fields(spec["name"]),
    }


def comparable(pkg: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's view of a dataset, whichever way CKAN orders its lists."""
    fields = {key: pkg.get(key) for key in DATASET_FIELDS + SPMD_FIELDS}
    fields["tags"] = sorted(tag["name"] for tag in pkg.get("tags", []))
    fields["groups"] = sorted(group["name"] for group in pkg.get("groups", []))
    return fields


def ensure_dataset(user: str, spec: DatasetSpec, org_id: str) -> tuple[str, Counter[str]]:
    wanted = dataset_dict(spec, org_id)
    try:
        pkg = call("package_show", user, {"id": spec["name"]})
    except toolkit.ObjectNotFound:
        return CREATED, create_dataset(user, wanted, spec["resources"], data_date(spec))
    wanted["state"] = "active"
    if comparable(pkg) == comparable(wanted):
        status = UNCHANGED
    else:
        pkg = call("package_patch", user, {**wanted, "id": pkg["id"]})
        status = UPDATED
    return status, ensure_resources(user, pkg, spec["resources"], data_date(spec))


def data_date(spec: DatasetSpec) -> dict[str, str]:
    """The date of a dataset's data, given to its new resources: the catalogue
    map measures freshness with it. Not compared on reload (an upload through
    package_update stamps the resource with the current time)."""
    day = qualification.QUALIFICATIONS[spec["name"]].get("last_update")
    return {"last_modified": f"{day}T00:00:00"} if day else {}


def create_dataset(
    user: str, wanted: dict[str, Any], specs: list[ResourceSpec], dated: dict[str, str]
) -> Counter[str]:
    """One package_create with every resource, then the files into storage:
    half the writes of package_create followed by resource uploads."""
    uploads = {spec["name"]: (spec["file"], file_content(spec)) for spec in specs
               if "file" in spec}
    resources = []
    for spec in specs:
        fields = {**resource_fields(spec), **dated}
        if spec["name"] in uploads:
            filename, content = uploads[spec["name"]]
            fields.update(url=filename, url_type="upload", size=len(content),
                          mimetype=files.MIMETYPES[fields["format"]])
        resources.append(fields)
    pkg = call("package_create", user, {**wanted, "resources": resources})
    for resource in pkg["resources"]:
        if resource["name"] in uploads:
            store(resource["id"], *uploads[resource["name"]])
    return Counter({CREATED: len(resources)})


def store(resource_id: str, filename: str, content: bytes) -> None:
    # Through the configured uploader, as package_update does for a form upload.
    upload = uploader.get_resource_uploader(
        {"url": filename, "upload": FileStorage(io.BytesIO(content), filename=filename)}
    )
    upload.upload(resource_id, uploader.get_max_resource_size())


def resource_fields(spec: ResourceSpec) -> dict[str, Any]:
    if "url" in spec:
        return {"name": spec["name"], "description": spec["description"],
                "format": spec["format"], "url": spec["url"]}
    return {"name": spec["name"], "description": spec["description"],
            "format": files.file_format(spec["file"])}


def file_content(spec: ResourceSpec) -> bytes:
    fmt = files.file_format(spec["file"])
    return files.render(tables.build(spec["table"]), fmt, spec.get("separator", ";"))


def upload(spec: ResourceSpec) -> dict[str, Any]:
    """The fields that make package_update store the generated file."""
    if "url" in spec:
        return {}
    mimetype = files.MIMETYPES[files.file_format(spec["file"])]
    stream = FileStorage(io.BytesIO(file_content(spec)), filename=spec["file"],
                         content_type=mimetype)
    return {"upload": stream, "mimetype": mimetype}


def ensure_resources(
    user: str, pkg: dict[str, Any], specs: list[ResourceSpec], dated: dict[str, str]
) -> Counter[str]:
    counts: Counter[str] = Counter()
    resources = [dict(resource) for resource in pkg["resources"]]
    by_name = {resource["name"]: resource for resource in resources}
    for spec in specs:
        wanted = resource_fields(spec)
        existing = by_name.get(spec["name"])
        if existing is None:
            resources.append({**wanted, **dated, **upload(spec)})
            counts[CREATED] += 1
        elif any(existing.get(key) != value for key, value in wanted.items()):
            existing.update(wanted)
            counts[UPDATED] += 1
        else:
            counts[UNCHANGED] += 1
    if counts[CREATED] or counts[UPDATED]:
        update_resources(user, pkg, resources, views=bool(counts[CREATED]))
    return counts


def update_resources(
    user: str, pkg: dict[str, Any], resources: list[dict[str, Any]], views: bool
) -> None:
    data = {key: value for key, value in pkg.items() if key != "metadata_modified"}
    data["resources"] = resources
    # original_package lets CKAN keep the untouched resources as they are.
    updated = call("package_update", user, data, original_package=pkg)
    if views:
        # resource_create would add the default views; package_update does not.
        call("package_create_default_resource_views", user, {"package": updated})


def use_case_dict(spec: UseCaseSpec, org_id: str) -> dict[str, Any]:
    return {
        "type": "use-case", "name": spec["name"], "title": spec["title"],
        "notes": spec["notes"], "owner_org": org_id, "partners": spec["partners"],
        "datasets_used": spec["datasets_used"], "data_needs": spec["data_needs"],
        "status": spec["status"], "contribution": spec["contribution"],
    }


def comparable_use_case(pkg: dict[str, Any]) -> dict[str, Any]:
    return {key: pkg.get(key) or None for key in USE_CASE_FIELDS}


def ensure_use_case(user: str, spec: UseCaseSpec, org_id: str) -> str:
    wanted = use_case_dict(spec, org_id)
    try:
        pkg = call("package_show", user, {"id": spec["name"]})
    except toolkit.ObjectNotFound:
        call("package_create", user, wanted)
        return CREATED
    wanted["state"] = "active"
    if comparable_use_case(pkg) == comparable_use_case(wanted):
        return UNCHANGED
    call("package_patch", user, {**wanted, "id": pkg["id"]})
    return UPDATED
