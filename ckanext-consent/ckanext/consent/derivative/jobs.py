"""Debounced regeneration of the open derivative through CKAN's jobs API.

Bursts of consent events (a mailing campaign, a bulk withdrawal) must give
one regeneration, not one per event. rq cannot delay a job without its
scheduler (``ckan jobs worker --no-scheduler`` and burst workers have
none), so the debounce is done by the job itself:

* ``request_regeneration`` records the time of the request and bumps a
  per-dataset "dirty" counter in Redis, and enqueues a job only when no job
  holds the dataset's lease (``SET NX``): a burst enqueues one job.
* The job waits until no request arrived for the debounce window (bounded
  by a maximum wait so that a steady stream of events cannot starve it),
  regenerates, then subtracts the requests it covered from the dirty
  counter in one Lua script; if requests arrived during the run it runs
  again, otherwise it releases the lease in the same script, so a request
  is never lost between "job finished" and "lease released".
* Transient failures are retried by rq with a backoff (``Retry``); the
  lease is kept meanwhile. Input errors (bad rows, bad settings) are
  deterministic: recorded in the status and not retried. In every case the
  previously published aggregate stays in place (see ``publish``).

Redis keys live under the site id so that several portals can share a
Redis database, as CKAN's own queues do.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from ckan.plugins import toolkit

from ckanext.consent.derivative.errors import DerivativeInputError

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_SECONDS = 30.0
DEFAULT_MAX_WAIT_SECONDS = 300.0
DEFAULT_JOB_TIMEOUT = 900
# rq retry intervals (seconds) for transient failures: database or storage
# hiccups. Honoured by workers running rq's scheduler (the default of
# `ckan jobs worker`); without it rq re-queues at once.
RETRY_INTERVALS = (30, 120, 600)
# A job that keeps seeing new requests hands over to a fresh job after this
# many rounds so that no single job runs (or holds its worker) forever.
MAX_ROUNDS = 5
ENQUEUING = "enqueuing"

# Subtract the requests a run covered; release the lease when none is left.
# ARGV[2] == "1" forces the release (the caller then enqueues a fresh job).
_FINISH_SCRIPT = """
local left = redis.call('DECRBY', KEYS[1], ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('DEL', KEYS[2])
  return 0
end
if ARGV[2] == '1' then
  redis.call('DEL', KEYS[2])
end
return left
"""

# Delete the lease only if it still names the given job (compare-and-delete).
_RELEASE_IF_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Keys:
    last: str
    dirty: str
    lease: str
    status: str

    @classmethod
    def of(cls, dataset_id: str) -> Keys:
        base = "ckan:{}:consent:derivative:{}".format(
            toolkit.config.get("ckan.site_id"), dataset_id)
        return cls(f"{base}:last", f"{base}:dirty", f"{base}:lease", f"{base}:status")


def _redis() -> Any:
    # The jobs queue's own connection: the Redis CKAN is configured with,
    # reached through the toolkit rather than ckan.lib.redis.
    return toolkit.get_job_queue().connection


def _float_option(name: str, default: float) -> float:
    value = toolkit.config.get(name)
    return default if value in (None, "") else float(value)


def debounce_seconds() -> float:
    return _float_option("ckanext.consent.derivative.debounce_seconds", DEFAULT_DEBOUNCE_SECONDS)


def max_wait_seconds() -> float:
    return _float_option("ckanext.consent.derivative.max_wait_seconds", DEFAULT_MAX_WAIT_SECONDS)


def job_timeout() -> int:
    return int(_float_option("ckanext.consent.derivative.job_timeout", DEFAULT_JOB_TIMEOUT))


def _lease_ttl() -> int:
    # Outlives a job and its retries; a worker killed mid-job leaves a lease
    # that request_regeneration detects as dead (see _lease_is_dead) anyway.
    return job_timeout() + sum(RETRY_INTERVALS) + 60


def request_regeneration(dataset_id: str) -> None:
    """Ask for the open derivative of ``dataset_id`` to be regenerated.

    Cheap and safe to call on every consent event or upload: requests
    arriving within the debounce window of each other give one run.
    """
    redis = _redis()
    keys = Keys.of(dataset_id)
    with redis.pipeline() as pipe:
        pipe.set(keys.last, repr(time.time()))
        pipe.incr(keys.dirty)
        pipe.execute()
    _ensure_job(redis, keys, dataset_id)


def _ensure_job(redis: Any, keys: Keys, dataset_id: str) -> None:
    for _attempt in range(2):
        if redis.set(keys.lease, ENQUEUING, nx=True, ex=_lease_ttl()):
            _enqueue(redis, keys, dataset_id)
            return
        holder = redis.get(keys.lease)
        holder = holder.decode() if isinstance(holder, bytes) else holder
        if holder is None:
            continue  # released meanwhile: take it on the next attempt
        if not _lease_is_dead(holder):
            return  # the pending job will see this request
        log.warning("Open derivative of %s: job %s vanished, enqueuing a new one",
                    dataset_id, holder)
        redis.eval(_RELEASE_IF_SCRIPT, 1, keys.lease, holder)


def _enqueue(redis: Any, keys: Keys, dataset_id: str) -> None:
    from rq import Retry

    try:
        job = toolkit.enqueue_job(
            run_regeneration, [dataset_id],
            title=f"consent: open derivative of {dataset_id}",
            rq_kwargs={"timeout": job_timeout(),
                       "retry": Retry(max=len(RETRY_INTERVALS),
                                      interval=list(RETRY_INTERVALS))})
    except Exception:
        redis.eval(_RELEASE_IF_SCRIPT, 1, keys.lease, ENQUEUING)
        raise
    redis.set(keys.lease, job.id, xx=True, ex=_lease_ttl())
    redis.hset(keys.status, mapping={"state": "queued", "job_id": job.id})


def _lease_is_dead(holder: str) -> bool:
    if holder == ENQUEUING:
        return False  # another process is between SET NX and enqueue
    try:
        job = toolkit.job_from_id(holder)
    except KeyError:
        return True
    return job.get_status(refresh=True) in ("failed", "stopped", "canceled", "finished")


def _wait_until_quiet(redis: Any, keys: Keys) -> None:
    window = debounce_seconds()
    deadline = time.time() + max_wait_seconds()
    while True:
        last = float(redis.get(keys.last) or 0.0)
        now = time.time()
        quiet_at = min(last + window, deadline)
        if now >= quiet_at:
            return
        redis.expire(keys.lease, _lease_ttl())
        time.sleep(quiet_at - now)


def _retries_left() -> int:
    from rq import get_current_job

    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0


def _record(redis: Any, keys: Keys, **fields: Any) -> None:
    redis.hset(keys.status, mapping={k: "" if v is None else str(v) for k, v in fields.items()})


def run_regeneration(dataset_id: str) -> None:
    """The background job: debounce, regenerate, re-run if needed."""
    from ckanext.consent.derivative import publish

    redis = _redis()
    keys = Keys.of(dataset_id)
    for round_number in range(1, MAX_ROUNDS + 1):
        _record(redis, keys, state="waiting")
        _wait_until_quiet(redis, keys)
        covered = int(redis.get(keys.dirty) or 0)
        try:
            _run_recorded(redis, keys, dataset_id, publish.regenerate_now)
        except DerivativeInputError as error:
            log.warning("Open derivative of %s not regenerated: %s", dataset_id, error)
            _record(redis, keys, state="error", last_error=str(error), last_error_at=_now())
        except Exception as error:
            retry = _retries_left() > 0
            log.exception("Open derivative of %s failed (%s)", dataset_id,
                          "will retry" if retry else "no retry left")
            _record(redis, keys, state="retrying" if retry else "error",
                    last_error=f"{type(error).__name__}: {error}", last_error_at=_now())
            if retry:
                redis.expire(keys.lease, _lease_ttl())
                raise
            _finish(redis, keys, dataset_id, covered, handover=True)
            raise
        if _finish(redis, keys, dataset_id, covered,
                   handover=round_number == MAX_ROUNDS) == 0:
            return


def _run_recorded(redis: Any, keys: Keys, dataset_id: str,
                  regenerate: Any) -> dict[str, Any]:
    _record(redis, keys, state="running", started_at=_now())
    redis.incr(f"{keys.status}:runs")
    summary = regenerate(dataset_id)
    _record(redis, keys, state="ok", last_success_at=_now(), last_error="",
            **{k: v for k, v in summary.items() if k in SUMMARY_FIELDS})
    _schedule_expiry(redis, keys, dataset_id, summary.get("next_expiry") or "")
    return summary


def _schedule_expiry(redis: Any, keys: Keys, dataset_id: str, moment: str) -> None:
    """Ask for a run when the next counted consent expires.

    Expiry is not an event: without this the aggregate would count an
    expired consent until the next change. Uses rq's scheduled jobs (run by
    the worker's scheduler, on by default in ``ckan jobs worker``); one
    entry per distinct moment, a request at a moment already planned is not
    planned twice.
    """
    import datetime as dt

    planned = redis.hget(keys.status, "expiry_planned")
    planned = planned.decode() if isinstance(planned, bytes) else planned
    if not moment or planned == moment:
        return
    when = dt.datetime.fromisoformat(moment) + dt.timedelta(seconds=1)
    toolkit.get_job_queue().enqueue_at(when, request_regeneration, dataset_id,
                                       job_timeout=60)
    redis.hset(keys.status, "expiry_planned", moment)


def run_once(dataset_id: str) -> dict[str, Any]:
    """Regenerate now in this process (CLI, demo), recording the status.

    No debounce and no retry: the caller sees the error. A job already
    pending still runs afterwards and finds nothing to change.
    """
    from ckanext.consent.derivative import publish

    redis = _redis()
    keys = Keys.of(dataset_id)
    try:
        return _run_recorded(redis, keys, dataset_id, publish.regenerate_now)
    except Exception as error:
        _record(redis, keys, state="error", last_error=f"{error}", last_error_at=_now())
        raise


SUMMARY_FIELDS = ("derivative_id", "resource_id", "published_cells",
                  "suppressed_persons", "changed", "next_expiry")


def _finish(redis: Any, keys: Keys, dataset_id: str, covered: int, handover: bool) -> int:
    left = int(redis.eval(_FINISH_SCRIPT, 2, keys.dirty, keys.lease, covered,
                          "1" if handover else "0"))
    if left and handover:
        _ensure_job(redis, keys, dataset_id)
    return left


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def status(dataset_id: str) -> dict[str, Any]:
    """The last known state of the dataset's derivative job (from Redis)."""
    redis = _redis()
    keys = Keys.of(dataset_id)
    raw = redis.hgetall(keys.status)
    result = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
              for k, v in raw.items()}
    result["runs"] = int(redis.get(f"{keys.status}:runs") or 0)
    result["pending"] = bool(redis.exists(keys.lease))
    result["pending_requests"] = int(redis.get(keys.dirty) or 0)
    return result
