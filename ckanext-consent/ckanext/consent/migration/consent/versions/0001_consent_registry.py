"""Consent registry: terms versions, append-only event log, enrolment codes,
links, gated-download log, erasure requests.

Revision ID: 0001_consent_registry
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0001_consent_registry"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "consent_terms",
        sa.Column("package_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("terms_hash", sa.Text, nullable=False),
        sa.Column("terms", JSONB, nullable=False),
        sa.Column("created", TS, nullable=False),
    )
    op.create_table(
        "consent_event",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("consent_id", sa.Text, nullable=False),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("person_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("terms_version", sa.Integer, nullable=False),
        sa.Column("purposes", JSONB, nullable=False),
        sa.Column("recipients", JSONB, nullable=False),
        sa.Column("expires_at", TS),
        sa.Column("created", TS, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_index("consent_event_package_idx", "consent_event",
                    ["package_id", "consent_id", "seq"])
    op.create_index("consent_event_user_idx", "consent_event", ["user_id"])
    # The registry is append-only: the database itself refuses rewrites
    # (deletions are caught by `ckan consent verify` through the chain).
    op.execute(
        """
        CREATE OR REPLACE FUNCTION consent_event_no_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'consent_event is append-only';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER consent_event_append_only BEFORE UPDATE ON consent_event "
        "FOR EACH ROW EXECUTE FUNCTION consent_event_no_update()"
    )
    op.create_table(
        "consent_chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_table(
        "consent_code",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("person_key", sa.Text, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("used_by", sa.Text),
    )
    op.create_table(
        "consent_link",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("person_key", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False, index=True),
        sa.Column("created", TS, nullable=False),
        sa.Column("ended_at", TS),
    )
    # One active link per person and dataset, and per key and dataset.
    op.create_index("consent_link_user_active", "consent_link", ["package_id", "user_id"],
                    unique=True, postgresql_where=sa.text("ended_at IS NULL"))
    op.create_index("consent_link_key_active", "consent_link", ["package_id", "person_key"],
                    unique=True, postgresql_where=sa.text("ended_at IS NULL"))
    op.create_table(
        "consent_download",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("organization_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("keys", ARRAY(sa.Text), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("created", TS, nullable=False),
    )
    # "Which downloads included my rows": keys && ARRAY[key].
    op.create_index("consent_download_keys_idx", "consent_download", ["keys"],
                    postgresql_using="gin")
    op.create_table(
        "consent_erasure",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("person_key", sa.Text, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
    )


def downgrade():
    for table in ("consent_erasure", "consent_download", "consent_link", "consent_code",
                  "consent_chain_head", "consent_event", "consent_terms"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS consent_event_no_update()")
