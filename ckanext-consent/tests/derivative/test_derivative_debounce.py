"""The debounce bookkeeping in Redis (no database, no worker run)."""
from __future__ import annotations

import time

import pytest
from ckan.plugins import toolkit

from ckanext.consent.derivative import jobs

pytestmark = [pytest.mark.usefixtures("clean_redis")]


def queued() -> int:
    return len(toolkit.get_job_queue().get_job_ids())


def test_requests_share_one_job_until_it_finishes() -> None:
    for _ in range(3):
        jobs.request_regeneration("dataset-a")
    jobs.request_regeneration("dataset-b")
    assert queued() == 2
    status = jobs.status("dataset-a")
    assert status["pending"] and status["pending_requests"] == 3 and status["state"] == "queued"


def test_a_vanished_job_does_not_block_later_requests() -> None:
    jobs.request_regeneration("dataset-a")
    toolkit.get_job_queue().empty()          # the job was lost (worker killed, Redis flush)
    jobs.request_regeneration("dataset-a")
    assert queued() == 1


def test_finishing_releases_the_lease_only_when_no_request_came_meanwhile() -> None:
    redis, keys = jobs._redis(), jobs.Keys.of("dataset-a")
    jobs.request_regeneration("dataset-a")
    covered = int(redis.get(keys.dirty))
    jobs.request_regeneration("dataset-a")   # arrives during the run
    assert jobs._finish(redis, keys, "dataset-a", covered, handover=False) == 1
    assert redis.exists(keys.lease)          # the same job runs another round
    assert jobs._finish(redis, keys, "dataset-a", 1, handover=False) == 0
    assert not redis.exists(keys.lease) and not redis.exists(keys.dirty)


@pytest.mark.ckan_config("ckanext.consent.derivative.debounce_seconds", "0.3")
@pytest.mark.ckan_config("ckanext.consent.derivative.max_wait_seconds", "5")
def test_the_job_waits_for_a_quiet_window() -> None:
    redis, keys = jobs._redis(), jobs.Keys.of("dataset-a")
    jobs.request_regeneration("dataset-a")
    start = time.monotonic()
    jobs._wait_until_quiet(redis, keys)
    assert 0.25 <= time.monotonic() - start < 2


@pytest.mark.ckan_config("ckanext.consent.derivative.debounce_seconds", "30")
@pytest.mark.ckan_config("ckanext.consent.derivative.max_wait_seconds", "0.2")
def test_a_steady_stream_of_events_cannot_starve_the_job() -> None:
    redis, keys = jobs._redis(), jobs.Keys.of("dataset-a")
    jobs.request_regeneration("dataset-a")
    start = time.monotonic()
    jobs._wait_until_quiet(redis, keys)
    assert time.monotonic() - start < 1
