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
