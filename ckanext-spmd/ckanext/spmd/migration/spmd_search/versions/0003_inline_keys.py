"""Embedded search index: keep the keys in the heap row.

With ``toast_tuple_target = 512`` (0002), PostgreSQL keeps moving values
out of line until a row fits 512 bytes; the hot generated columns alone
take more than that, so every remaining TOAST-able value over a TOAST
pointer's size went out of line too, short ones included: ``index_id`` and
``id`` (34 bytes each). Reading them then costs a TOAST fetch per row, and
the page's tie-break on ``index_id`` fetched it at every comparison (seven
buffer reads per matched row: package_autocomplete, whose ranks all tie,
took 0.8 s at 100k datasets instead of 0.1 s).

PLAIN storage keeps these short keys inline; ``CLUSTER`` rewrites the rows
once, bringing the values already out of line back in.

Revision ID: 0003_inline_keys
Revises: 0002_hot_columns
Create Date: 2026-11-22
"""
from alembic import op

revision = "0003_inline_keys"
down_revision = "0002_hot_columns"
branch_labels = None
depends_on = None

KEYS = ("index_id", "id", "site_id")


def _storage(kind: str) -> None:
    op.execute("ALTER TABLE spmd_search_doc "
               + ", ".join(f"ALTER COLUMN {k} SET STORAGE {kind}" for k in KEYS))
    op.execute(f"ALTER TABLE spmd_search_stored ALTER COLUMN index_id SET STORAGE {kind}")


def upgrade():
    _storage("PLAIN")
    # a rewrite (allowed in a transaction, unlike VACUUM FULL) re-applies
    # the storage rules to every row; the clustering mark is not kept
    op.execute("CLUSTER spmd_search_doc USING spmd_search_doc_pkey")
    op.execute("ALTER TABLE spmd_search_doc SET WITHOUT CLUSTER")
    op.execute("ANALYZE spmd_search_doc")


def downgrade():
    _storage("EXTENDED")
