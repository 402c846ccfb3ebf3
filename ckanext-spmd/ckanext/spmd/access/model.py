"""Tables of access requests, grants and the append-only audit log.

Created by the alembic migrations of ``migration/spmd_access``; declared on
CKAN's metadata (``toolkit.BaseModel``) so that the test reset empties them.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY

from . import clock

PENDING, APPROVED, REJECTED, REVOKED = "pending", "approved", "rejected", "revoked"
EXPIRED = "expired"  # derived: an approved request past its expiry
STATUSES = (PENDING, APPROVED, REJECTED, REVOKED)


def _uuid() -> str:
    return str(uuid.uuid4())


class AccessRequest(toolkit.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "spmd_access_request"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    package_ids = sa.Column(ARRAY(sa.UnicodeText), nullable=False)
    organization_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    producer_org_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    user_id = sa.Column(sa.UnicodeText, nullable=False)
    use_case = sa.Column(sa.UnicodeText, nullable=False)
    purpose = sa.Column(sa.UnicodeText, nullable=False)
    duration_days = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.UnicodeText, nullable=False, default=PENDING, index=True)
    decided_by = sa.Column(sa.UnicodeText)
    decided_at = sa.Column(sa.DateTime)
    conditions = sa.Column(sa.UnicodeText)
    expires_at = sa.Column(sa.DateTime)
    reason = sa.Column(sa.UnicodeText)
    revoked_by = sa.Column(sa.UnicodeText)
    revoked_at = sa.Column(sa.DateTime)
    created = sa.Column(sa.DateTime, nullable=False, default=lambda: clock.now())
    modified = sa.Column(sa.DateTime, nullable=False, default=lambda: clock.now())

    def effective_status(self, at: dt.datetime | None = None) -> str:
        if self.status == APPROVED and self.expires_at is not None:
            if self.expires_at <= (at or clock.now()):
                return EXPIRED
        return str(self.status)


class AccessGrant(toolkit.BaseModel):  # type: ignore[misc,valid-type]
    """One dataset released to one organisation, until expiry or revocation."""

    __tablename__ = "spmd_access_grant"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    request_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("spmd_access_request.id"), nullable=False, index=True
    )
    package_id = sa.Column(sa.UnicodeText, nullable=False)
    organization_id = sa.Column(sa.UnicodeText, nullable=False)
    conditions = sa.Column(sa.UnicodeText, nullable=False, default="")
    expires_at = sa.Column(sa.DateTime, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=lambda: clock.now())
    revoked_at = sa.Column(sa.DateTime)

    __table_args__ = (sa.Index("spmd_access_grant_pkg_org", "package_id", "organization_id"),)


class AuditEvent(toolkit.BaseModel):  # type: ignore[misc,valid-type]
    """Append-only (a trigger refuses UPDATE): who did what, when."""

    __tablename__ = "spmd_access_audit"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    timestamp = sa.Column(sa.DateTime, nullable=False, default=lambda: clock.now())
    event = sa.Column(sa.UnicodeText, nullable=False, index=True)
    actor = sa.Column(sa.UnicodeText)  # user name, None for anonymous
    request_id = sa.Column(sa.UnicodeText, index=True)
    package_id = sa.Column(sa.UnicodeText, index=True)
    resource_id = sa.Column(sa.UnicodeText)
    organization_id = sa.Column(sa.UnicodeText)  # the requesting organisation
    producer_org_id = sa.Column(sa.UnicodeText, index=True)
    detail = sa.Column(sa.UnicodeText)


def as_dict(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.name)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        out[column.name] = value
    return out
