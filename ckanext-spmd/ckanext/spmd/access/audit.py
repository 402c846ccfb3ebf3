"""The append-only audit log of restricted data: grants, refusals,
revocations, downloads (and refused downloads). Rows are only ever added."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ckan import model

from .model import AuditEvent, as_dict

EVENTS = ("request_created", "granted", "refused", "revoked", "download", "download_refused")
CSV_COLUMNS = ("id", "timestamp", "event", "actor", "request_id", "package_id", "resource_id",
               "organization_id", "producer_org_id", "detail")


def record(event: str, *, actor: str | None = None, request_id: str | None = None,
           package_id: str | None = None, resource_id: str | None = None,
           organization_id: str | None = None, producer_org_id: str | None = None,
           detail: str | None = None) -> AuditEvent:
    """Add one event to the session (the caller commits with its own work)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    row = AuditEvent(event=event, actor=actor, request_id=request_id, package_id=package_id,
                     resource_id=resource_id, organization_id=organization_id,
                     producer_org_id=producer_org_id, detail=detail)
    model.Session.add(row)
    return row


def query(producer_org_ids: list[str] | None = None, package_id: str | None = None,
          request_id: str | None = None, event: str | None = None) -> Any:
    """Events, oldest first; ``producer_org_ids`` None means all of them."""
    q = model.Session.query(AuditEvent)
    if producer_org_ids is not None:
        q = q.filter(AuditEvent.producer_org_id.in_(producer_org_ids))
    if package_id:
        q = q.filter(AuditEvent.package_id == package_id)
    if request_id:
        q = q.filter(AuditEvent.request_id == request_id)
    if event:
        q = q.filter(AuditEvent.event == event)
    return q.order_by(AuditEvent.id)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def rows(q: Any, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [as_dict(r) for r in q]
