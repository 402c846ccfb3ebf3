"""Tables of ckanext-consent (created by the ``consent`` migrations).

Declared on CKAN's metadata so that CKAN's database tooling (``ckan db
clean``, the test fixtures that empty every table) treats them like its own.
``consent_event`` is the append-only registry: rows are only ever inserted
(a trigger refuses updates), each carries the hash of the previous one, and
``consent_chain_head`` anchors the last one so that a deleted tail shows.
"""
import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = toolkit.BaseModel.metadata
TS = sa.DateTime(timezone=True)

terms_table = sa.Table(
    "consent_terms", metadata,
    sa.Column("package_id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("terms_hash", sa.Text, nullable=False),
    sa.Column("terms", JSONB, nullable=False),
    sa.Column("created", TS, nullable=False),
    extend_existing=True,
)

event_table = sa.Table(
    "consent_event", metadata,
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
    sa.Index("consent_event_package_idx", "package_id", "consent_id", "seq"),
    sa.Index("consent_event_user_idx", "user_id"),
    extend_existing=True,
)

chain_head_table = sa.Table(
    "consent_chain_head", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    extend_existing=True,
)

code_table = sa.Table(
    "consent_code", metadata,
    sa.Column("code_hash", sa.Text, primary_key=True),
    sa.Column("package_id", sa.Text, nullable=False, index=True),
    sa.Column("person_key", sa.Text, nullable=False),
    sa.Column("created", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("used_at", TS),
    sa.Column("used_by", sa.Text),
    extend_existing=True,
)

link_table = sa.Table(
    "consent_link", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("package_id", sa.Text, nullable=False),
    sa.Column("person_key", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, nullable=False, index=True),
    sa.Column("created", TS, nullable=False),
    sa.Column("ended_at", TS),
    extend_existing=True,
)

download_table = sa.Table(
    "consent_download", metadata,
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
    extend_existing=True,
)

erasure_table = sa.Table(
    "consent_erasure", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("package_id", sa.Text, nullable=False, index=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("person_key", sa.Text, nullable=False),
    sa.Column("created", TS, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    # the producer's answer (migration 0002)
    sa.Column("handled_at", TS),
    sa.Column("handled_by", sa.Text),
    sa.Column("note", sa.Text),
    extend_existing=True,
)
