"""Reads and writes of the plugin's tables (runs, validations, reports)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from ckan import model

from . import report_table, run_table, validation_table

ACTIVE = ("queued", "running")


def now() -> datetime:
    return datetime.now(UTC)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def run_dict(row: Any) -> dict[str, Any]:
    return {key: _iso(value) for key, value in row._mapping.items()}


def create_run(package_id: str, reason: str, job_id: str) -> dict[str, Any]:
    run_id = uuid.uuid4().hex
    model.Session.execute(run_table.insert().values(
        id=run_id, package_id=package_id, state="queued", reason=reason, job_id=job_id,
        queued_at=now(), progress="queued",
    ))
    model.Session.commit()
    return get_run(run_id) or {}


def update_run(run_id: str, **values: Any) -> None:
    model.Session.execute(run_table.update().where(run_table.c.id == run_id).values(**values))
    model.Session.commit()


def get_run(run_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(run_table).where(run_table.c.id == run_id)).first()
    return run_dict(row) if row else None


def list_runs(package_id: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(run_table).where(run_table.c.package_id == package_id)
        .order_by(run_table.c.queued_at.desc()).limit(limit)
    )
    return [run_dict(r) for r in rows]


def active_run(package_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(
        sa.select(run_table).where(run_table.c.package_id == package_id,
                                   run_table.c.state.in_(ACTIVE))
        .order_by(run_table.c.queued_at.desc()).limit(1)
    ).first()
    return run_dict(row) if row else None


def last_run(package_id: str, state: str | None = None) -> dict[str, Any] | None:
    query = sa.select(run_table).where(run_table.c.package_id == package_id)
    if state:
        query = query.where(run_table.c.state == state)
    row = model.Session.execute(query.order_by(run_table.c.queued_at.desc()).limit(1)).first()
    return run_dict(row) if row else None


def set_validation(resource_id: str, package_id: str, errors: list[dict[str, Any]],
                   run_id: str | None, status: str | None = None) -> None:
    values = {
        "package_id": package_id, "status": status or ("invalid" if errors else "valid"),
        "errors": errors, "checked_at": now(), "run_id": run_id,
    }
    table = validation_table
    exists = model.Session.execute(
        sa.select(table.c.resource_id).where(table.c.resource_id == resource_id)).first()
    if exists:
        model.Session.execute(table.update().where(table.c.resource_id == resource_id)
                              .values(**values))
    else:
        model.Session.execute(table.insert().values(resource_id=resource_id, **values))
    model.Session.commit()


def get_validation(resource_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(validation_table).where(
        validation_table.c.resource_id == resource_id)).first()
    return run_dict(row) if row else None


def validations(package_id: str) -> dict[str, dict[str, Any]]:
    rows = model.Session.execute(sa.select(validation_table).where(
        validation_table.c.package_id == package_id))
    return {r.resource_id: run_dict(r) for r in rows}


def add_report(package_id: str, stop_id: str, route_id: str, direction_id: int,
               level: int, reported_at: datetime) -> int:
    result = model.Session.execute(report_table.insert().values(
        package_id=package_id, stop_id=stop_id, route_id=route_id, direction_id=direction_id,
        level=level, reported_at=reported_at,
    ).returning(report_table.c.id))
    report_id = result.scalar_one()
    model.Session.commit()
    return int(report_id)


def reports_since(package_id: str, since: datetime) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(report_table).where(report_table.c.package_id == package_id,
                                      report_table.c.reported_at >= since)
        .order_by(report_table.c.reported_at.desc())
    )
    return [run_dict(r) for r in rows]


def count_reports_since(package_id: str, since: datetime | None) -> int:
    query = sa.select(sa.func.count()).select_from(report_table).where(
        report_table.c.package_id == package_id)
    if since is not None:
        query = query.where(report_table.c.reported_at >= since)
    return int(model.Session.execute(query).scalar_one())


def all_reports(package_id: str, days: int = 90) -> list[dict[str, Any]]:
    return reports_since(package_id, now() - timedelta(days=days))


def waiting_run(package_id: str, job_id: str) -> dict[str, Any] | None:
    """The queued run of a dataset's waiting job."""
    row = model.Session.execute(
        sa.select(run_table).where(run_table.c.package_id == package_id,
                                   run_table.c.job_id == job_id,
                                   run_table.c.state == "queued")
        .order_by(run_table.c.queued_at.desc()).limit(1)
    ).first()
    return run_dict(row) if row else None
