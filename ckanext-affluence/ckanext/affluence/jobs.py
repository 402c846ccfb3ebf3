"""Regeneration of a dataset's outputs by background jobs (CKAN's jobs API, rq).

One job id per dataset (``affluence-regenerate-<package id>``) keeps at most
one queued job per dataset; a Redis lock keeps at most one running. A trigger
that arrives while a run is in progress sets a "rerun" flag: the running job
queues a follow-up when it ends, so no input change is lost. rq retries a
failed job with back-off (``Retry``) and stops it after ``job_timeout``.
Invalid inputs fail the run at once (retrying cannot fix them) and record
their errors per resource. Outputs are written to a staging folder and
swapped in atomically (``storage.publish``): a failed run leaves the last
good forecast published.
"""
from __future__ import annotations

import csv
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import rq
from ckan.plugins import toolkit
from rq.job import JobStatus

from . import ckan_internals, outputs, pagedata, settings, storage
from .engine import api as engine
from .model import records

log = logging.getLogger(__name__)

INPUT_ROLES = ("timetable", "counts", "capacities", "weather")
LOCK_KEY = "affluence:lock:{}"
ENQUEUE_GUARD = "affluence:enqueue:{}"
WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def job_ids(package_id: str) -> tuple[str, str]:
    """The two job ids of a dataset: at most one job runs, at most one waits."""
    base = f"affluence-regenerate-{package_id}"
    return base, f"{base}-next"


def _site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, "affluence_job": True}


# -- enqueueing ---------------------------------------------------------------

def enqueue(package_id: str, reason: str) -> dict[str, Any]:
    """Queue a regeneration of the dataset unless one is already waiting.

    Returns the run that will do the work: the new one or the one already
    waiting. A trigger during a run queues one follow-up (under the
    dataset's second job id), which waits for the running one's lock.
    """
    redis = ckan_internals.redis()
    guard = ENQUEUE_GUARD.format(package_id)
    # Two web processes triggering at once must not both enqueue.
    for _ in range(100):
        if redis.set(guard, "1", nx=True, ex=10):
            break
        time.sleep(0.05)
    try:
        statuses = {}
        for candidate in job_ids(package_id):
            job = ckan_internals.fetch_job(candidate)
            statuses[candidate] = job.get_status() if job else None
        for candidate, status in statuses.items():
            if status in WAITING:
                run = records.waiting_run(package_id, candidate)
                if run:
                    return run
        free = next(c for c, status in statuses.items() if status != JobStatus.STARTED)
        run = records.create_run(package_id, reason, free)
        retries = settings.integer("job_retries")
        rq_kwargs: dict[str, Any] = {
            "job_id": free,
            "timeout": settings.integer("job_timeout"),
            "result_ttl": 3600,
            "failure_ttl": 86400,
        }
        if retries > 0:
            rq_kwargs["retry"] = rq.Retry(max=retries, interval=settings.retry_intervals())
        toolkit.enqueue_job(
            run_job, [package_id, run["id"]], title=f"affluence regenerate {package_id}",
            queue=queue_name(), rq_kwargs=rq_kwargs,
        )
        return run
    finally:
        redis.delete(guard)


def queue_name() -> str:
    return str(settings.get("queue") or "default")


def run_now(package_id: str, reason: str) -> dict[str, Any]:
    """Run a regeneration in this process (CLI ``--sync``, demo loader)."""
    run = records.create_run(package_id, reason, job_id="")
    run_job(package_id, run["id"])
    return records.get_run(run["id"]) or run


# -- the job ------------------------------------------------------------------

class _Progress:
    """Engine progress callback writing the run's progress, at most every 5 %."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.last = (None, -1.0)

    def __call__(self, step: str, fraction: float) -> None:
        if step == self.last[0] and fraction - self.last[1] < 0.05:
            return
        self.last = (step, fraction)
        records.update_run(self.run_id, progress=f"{step} {int(fraction * 100)}%")


def run_job(package_id: str, run_id: str) -> dict[str, Any]:
    """Entry point of the rq job: regenerate one dataset's outputs."""
    redis = ckan_internals.redis()
    timeout = settings.integer("job_timeout")
    lock = LOCK_KEY.format(package_id)
    current = rq.get_current_job()
    started = time.monotonic()
    # Wait at most half of our own time limit for a run in progress.
    if not _acquire(lock, run_id, max(timeout // 2, 1)):
        records.update_run(run_id, state="failed", finished_at=records.now(),
                           error="The previous run of this dataset did not end in time.",
                           progress="failed")
        return {"state": "failed"}
    run = records.get_run(run_id) or {}
    records.update_run(run_id, state="running", started_at=records.now(), error=None,
                       attempts=int(run.get("attempts") or 0) + 1, progress="collecting inputs")
    staged: Path | None = None
    try:
        dataset = toolkit.get_action("package_show")(_site_context(), {"id": package_id})
        staged = storage.staging_dir(package_id, run_id)
        inputs, by_role, errors = collect_inputs(dataset, staged)
        if not errors:
            records.update_run(run_id, progress="validate 0%")
            errors = [e.as_dict() for e in engine.validate(inputs)]
        record_validation(package_id, run_id, by_role, errors)
        if errors:
            return _fail_invalid(run_id, staged, errors, started)
        result = engine.regenerate(
            inputs, staged, horizon_days=settings.integer("horizon_days"),
            slot_minutes=settings.integer("slot_minutes"), calendar=settings.calendar(),
            progress=_Progress(run_id),
        )
        records.update_run(run_id, progress="publish")
        publish(dataset, run_id, staged, inputs.timetable)
        staged = None
        duration = time.monotonic() - started
        metrics = dict(result.metrics, used=result.used, rows=result.rows,
                       training_window=[d.isoformat() for d in result.training_window],
                       warnings=list(result.warnings))
        records.update_run(run_id, state="succeeded", finished_at=records.now(),
                           duration=duration, metrics=metrics, progress="done")
        return {"state": "succeeded", "run_id": run_id}
    except engine.InputValidationError as e:
        errors = [err.as_dict() for err in e.errors]
        record_validation(package_id, run_id, by_role_of(package_id), errors)
        return _fail_invalid(run_id, staged, errors, started)
    except Exception as e:  # noqa: BLE001  (recorded, then re-raised for rq's retry)
        retrying = current is not None and (current.retries_left or 0) > 0
        records.update_run(
            run_id, state="queued" if retrying else "failed", error=f"{type(e).__name__}: {e}",
            finished_at=None if retrying else records.now(),
            duration=time.monotonic() - started,
            progress="retrying" if retrying else "failed",
        )
        raise
    finally:
        if staged is not None:
            storage.discard(staged)
        if redis.get(lock) in (run_id, run_id.encode()):
            redis.delete(lock)


def publish(dataset: dict[str, Any], run_id: str, staged: Path, timetable: Path | None) -> None:
    """Complete a run's folder (page slices, timetable), swap it in, refresh
    the output resources, drop old runs."""
    pagedata.build(staged, timetable)
    if timetable is not None:
        # The feed needs the timetable the forecast was made with.
        shutil.copyfile(timetable, staged / "timetable.zip")
    storage.publish(dataset["id"], run_id, staged)
    outputs.ensure_resources(dataset, _site_context())
    storage.prune(dataset["id"], settings.integer("keep_runs"))


def _fail_invalid(run_id: str, staged: Path | None, errors: list[dict[str, Any]],
                  started: float) -> dict[str, Any]:
    if staged is not None:
        storage.discard(staged)
    head = "; ".join(_error_text(e) for e in errors[:3])
    more = f" (+{len(errors) - 3})" if len(errors) > 3 else ""
    records.update_run(run_id, state="failed", finished_at=records.now(),
                       duration=time.monotonic() - started, errors=errors,
                       error=f"Invalid inputs: {head}{more}", progress="invalid inputs")
    return {"state": "failed", "errors": errors}


def _error_text(error: dict[str, Any]) -> str:
    where = str(error.get("file") or "")
    if error.get("row") is not None:
        where += f", row {error['row']}"
    if error.get("column"):
        where += f", column {error['column']}"
    return f"{where}: {error.get('reason')}"


def _acquire(lock: str, run_id: str, wait: int) -> bool:
    """Take the dataset's run lock, waiting for a running job to end.

    The lock expires on its own after the job timeout, so a killed worker
    cannot block a dataset for ever.
    """
    redis = ckan_internals.redis()
    deadline = time.monotonic() + wait
    waiting = False
    expiry = settings.integer("job_timeout") + 60
    while not redis.set(lock, run_id, nx=True, ex=expiry):
        if time.monotonic() > deadline:
            return False
        if not waiting:
            records.update_run(run_id, progress="waiting for the previous run")
            waiting = True
        time.sleep(0.5)
    return True


# -- inputs -------------------------------------------------------------------

def input_resources(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The input resource of each role (the most recently modified one)."""
    chosen: dict[str, dict[str, Any]] = {}
    for resource in dataset.get("resources", []):
        role = resource.get("role")
        if role not in INPUT_ROLES:
            continue
        stamp = resource.get("last_modified") or resource.get("created") or ""
        if role not in chosen or stamp >= (chosen[role].get("last_modified")
                                           or chosen[role].get("created") or ""):
            chosen[role] = resource
    return chosen


def by_role_of(package_id: str) -> dict[str, dict[str, Any]]:
    dataset = toolkit.get_action("package_show")(_site_context(), {"id": package_id})
    return input_resources(dataset)


def collect_inputs(dataset: dict[str, Any], staged: Path
                   ) -> tuple[engine.InputFiles, dict[str, dict[str, Any]], list[dict[str, Any]]]:
    by_role = input_resources(dataset)
    paths: dict[str, Path | None] = {}
    errors: list[dict[str, Any]] = []
    for role in INPUT_ROLES:
        resource = by_role.get(role)
        if resource is None:
            paths[role] = None
            if role == "counts":
                errors.append({"file": "counts", "row": None, "column": None,
                               "reason": "The dataset has no passenger counts resource (role counts)."})
            continue
        local = ckan_internals.upload_path(resource)
        if not local or not Path(local).is_file():
            errors.append({"file": f"{role} ({resource.get('name') or resource['id']})",
                           "row": None, "column": None,
                           "reason": "The file must be uploaded to the portal (links are not read)."})
            paths[role] = None
        else:
            paths[role] = Path(local)
    # The engine refuses a header-only reports file: no reports, no file.
    reports: Path | None = staged / "reports_input.csv"
    if not write_reports_input(dataset["id"], reports):
        reports = None
    inputs = engine.InputFiles(
        counts=paths.get("counts") or staged / "missing.csv",
        timetable=paths.get("timetable"), capacities=paths.get("capacities"),
        weather=paths.get("weather"), reports=reports,
    )
    return inputs, by_role, errors


def write_reports_input(package_id: str, path: Path) -> int:
    """Travellers' reports of the last 90 days, in the engine's reports format."""
    found = records.all_reports(package_id)
    if not found:
        return 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["reported_at", "route_id", "direction_id", "stop_id", "level"])
        for report in found:
            writer.writerow([report["reported_at"], report["route_id"], report["direction_id"],
                             report["stop_id"], report["level"]])
    return len(found)


def record_validation(package_id: str, run_id: str, by_role: dict[str, dict[str, Any]],
                      errors: list[dict[str, Any]]) -> None:
    """Store each input resource's errors (matched by the role in ``file``)."""
    for role, resource in by_role.items():
        mine = [e for e in errors if str(e.get("file") or "").split(" ")[0] == role]
        records.set_validation(resource["id"], package_id, mine, run_id)
