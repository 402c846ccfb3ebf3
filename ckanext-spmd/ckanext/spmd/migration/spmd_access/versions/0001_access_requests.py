"""Access requests, grants and the append-only audit log.

Revision ID: 0001_access_requests
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0001_access_requests"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spmd_access_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_ids", ARRAY(sa.UnicodeText), nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("producer_org_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("use_case", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=False),
        sa.Column("duration_days", sa.Integer, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False, index=True),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("conditions", sa.UnicodeText),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("revoked_by", sa.UnicodeText),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'revoked')",
            name="spmd_access_request_status",
        ),
        sa.CheckConstraint("duration_days > 0", name="spmd_access_request_duration"),
    )
    op.create_table(
        "spmd_access_grant",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "request_id", sa.UnicodeText, sa.ForeignKey("spmd_access_request.id"),
            nullable=False, index=True,
        ),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("conditions", sa.UnicodeText, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_index(
        "spmd_access_grant_pkg_org", "spmd_access_grant", ["package_id", "organization_id"]
    )
    op.create_table(
        "spmd_access_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("timestamp", sa.DateTime, nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False, index=True),
        sa.Column("actor", sa.UnicodeText),
        sa.Column("request_id", sa.UnicodeText, index=True),
        sa.Column("package_id", sa.UnicodeText, index=True),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("producer_org_id", sa.UnicodeText, index=True),
        sa.Column("detail", sa.UnicodeText),
    )
    # Append-only: rows are never rewritten. (DELETE stays possible for the
    # database owner, so that CKAN's test reset can empty the table.)
    op.execute(
        """
        CREATE OR REPLACE FUNCTION spmd_access_audit_no_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'spmd_access_audit is append-only';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER spmd_access_audit_append_only BEFORE UPDATE ON spmd_access_audit "
        "FOR EACH ROW EXECUTE FUNCTION spmd_access_audit_no_update()"
    )


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS spmd_access_audit_append_only ON spmd_access_audit")
    op.execute("DROP FUNCTION IF EXISTS spmd_access_audit_no_update()")
    op.drop_table("spmd_access_audit")
    op.drop_index("spmd_access_grant_pkg_org", table_name="spmd_access_grant")
    op.drop_table("spmd_access_grant")
    op.drop_table("spmd_access_request")
