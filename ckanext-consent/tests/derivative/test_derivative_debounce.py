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


@pytest.mark.parametrize("window, max_wait, shortest, longest", [
    ("0.3", "5", 0.25, 2.0),    # waits for a quiet window after the last request
    ("30", "0.2", 0.0, 1.0),    # a steady stream of events cannot starve the job
])
def test_the_job_waits_for_a_quiet_window_within_a_bound(
        ckan_config: dict, monkeypatch: pytest.MonkeyPatch, window: str, max_wait: str,
        shortest: float, longest: float) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.consent.derivative.debounce_seconds", window)
    monkeypatch.setitem(ckan_config, "ckanext.consent.derivative.max_wait_seconds", max_wait)
    redis, keys = jobs._redis(), jobs.Keys.of("dataset-a")
    jobs.request_regeneration("dataset-a")
    start = time.monotonic()
    jobs._wait_until_quiet(redis, keys)
    assert shortest <= time.monotonic() - start < longest
