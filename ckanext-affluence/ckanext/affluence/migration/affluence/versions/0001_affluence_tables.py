"""Runs, input validations and travellers' reports of ckanext-affluence.

Revision ID: 0001_affluence_tables
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_affluence_tables"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "affluence_run",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("state", sa.Text, nullable=False),
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
    )
    op.create_table(
        "affluence_validation",
        sa.Column("resource_id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("errors", JSONB, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Text),
    )
    op.create_table(
        "affluence_report",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("stop_id", sa.Text, nullable=False),
        sa.Column("route_id", sa.Text, nullable=False),
        sa.Column("direction_id", sa.Integer, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("affluence_report_package_time", "affluence_report",
                    ["package_id", "reported_at"])


def downgrade():
    op.drop_table("affluence_report")
    op.drop_table("affluence_validation")
    op.drop_table("affluence_run")
