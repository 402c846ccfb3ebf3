"""The few CKAN internals this plugin needs, where the toolkit has no API.

- the Redis connection CKAN uses (rate limits, locks, caches, job lookup);
- the rq queue behind ``toolkit.enqueue_job`` (to look a job up by id, for
  the per-dataset deduplication);
- the local path of an uploaded resource (the engine reads files).

``tests/test_ckan_internals.py`` fails if CKAN changes under any of them.
"""
from __future__ import annotations

from typing import Any

import rq
from ckan.lib import jobs as ckan_jobs
from ckan.lib import uploader
from ckan.lib.redis import connect_to_redis
from redis import Redis


def redis() -> Redis:
    return connect_to_redis()


def queue(name: str) -> rq.Queue:
    return ckan_jobs.get_queue(name)


def fetch_job(job_id: str) -> rq.job.Job | None:
    try:
        return rq.job.Job.fetch(job_id, connection=redis())
    except rq.exceptions.NoSuchJobError:
        return None


def upload_path(resource: dict[str, Any]) -> str | None:
    """Local file of an uploaded resource, None for a link."""
    if resource.get("url_type") != "upload":
        return None
    return uploader.get_resource_uploader(resource).get_path(resource["id"])


def worker(queues: list[str]) -> Any:
    """CKAN's rq worker class on the given queues (tests and the demo)."""
    return ckan_jobs.Worker(queues)


def light_dataset(id_or_name: str) -> dict[str, Any] | None:
    """id, name, title, type, private, owner_org and extras of a dataset,
    straight from CKAN's model: the public page and the files need no full
    ``package_show`` (dictization and plugin hooks cost a third of the page's
    time budget). Authorisation is still CKAN's ``package_show`` check."""
    from ckan import model

    package = model.Package.get(id_or_name)
    if package is None or package.state != "active":
        return None
    return {
        "id": package.id, "name": package.name, "title": package.title, "type": package.type,
        "private": package.private, "owner_org": package.owner_org,
        **{key: value for key, value in package.extras.items()},
    }
