"""Tables of ckanext-affluence (created by the ``affluence`` alembic migration).

Declared on CKAN's metadata so that CKAN's database tooling (``ckan db
clean``, the test fixtures that empty every table) treats them like CKAN's.

- ``affluence_run``: one row per regeneration job (history and progress).
- ``affluence_validation``: the last validation result of each input resource.
- ``affluence_report``: travellers' crowding reports. No personal data: no
  user, no IP address, no free text; only what the form's choices allow.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import JSONB

run_table = sa.Table(
    "affluence_run",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("package_id", sa.Text, nullable=False, index=True),
    sa.Column("state", sa.Text, nullable=False),  # queued|running|failed|succeeded
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("job_id", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("errors", JSONB),
    sa.Column("metrics", JSONB),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("duration", sa.Float),
    extend_existing=True,
)

validation_table = sa.Table(
    "affluence_validation",
    toolkit.BaseModel.metadata,
    sa.Column("resource_id", sa.Text, primary_key=True),
    sa.Column("package_id", sa.Text, nullable=False, index=True),
    sa.Column("status", sa.Text, nullable=False),  # valid|invalid|pending
    sa.Column("errors", JSONB, nullable=False),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.Text),
    extend_existing=True,
)

report_table = sa.Table(
    "affluence_report",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("package_id", sa.Text, nullable=False),
    sa.Column("stop_id", sa.Text, nullable=False),
    sa.Column("route_id", sa.Text, nullable=False),
    sa.Column("direction_id", sa.Integer, nullable=False),
    sa.Column("level", sa.SmallInteger, nullable=False),  # 1 low, 2 medium, 3 high
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("affluence_report_package_time", "package_id", "reported_at"),
    extend_existing=True,
)

__all__ = ["report_table", "run_table", "validation_table"]
