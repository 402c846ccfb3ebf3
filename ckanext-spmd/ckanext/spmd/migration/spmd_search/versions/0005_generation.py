"""Embedded search index: a generation number for the result cache.

Every transaction that inserts, updates, deletes or truncates index rows
adds one to ``spmd_search_generation.generation`` when it commits (a
deferred constraint trigger, so the single row is locked only while the
transaction commits, and writers never wait for each other's work). Since
the increments happen in commit order, two statements that read the same
generation see the same committed index: ``search/cache.py`` serves a
cached result only then.

Revision ID: 0005_generation
Revises: 0004_sort_indexes
Create Date: 2026-11-22
"""
from alembic import op

revision = "0005_generation"
down_revision = "0004_sort_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE spmd_search_generation (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            generation bigint NOT NULL DEFAULT 0,
            -- the last transaction that counted: once per transaction
            xact xid8
        )
        """
    )
    # start from the clock (microseconds), not 0: if the table is ever
    # dropped and created again, its numbers never meet the ones that
    # running processes already keep in their caches
    op.execute("INSERT INTO spmd_search_generation (generation) "
               "VALUES ((extract(epoch FROM clock_timestamp()) * 1000000)::bigint)")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION spmd_search_next_generation() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE spmd_search_generation
               SET generation = generation + 1, xact = pg_current_xact_id()
             WHERE xact IS DISTINCT FROM pg_current_xact_id();
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER spmd_search_doc_changed
        AFTER INSERT OR UPDATE OR DELETE ON spmd_search_doc
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION spmd_search_next_generation()
        """
    )
    # TRUNCATE has no row triggers (nor deferred ones)
    op.execute(
        """
        CREATE TRIGGER spmd_search_doc_truncated AFTER TRUNCATE ON spmd_search_doc
        FOR EACH STATEMENT EXECUTE FUNCTION spmd_search_next_generation()
        """
    )


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS spmd_search_doc_truncated ON spmd_search_doc")
    op.execute("DROP TRIGGER IF EXISTS spmd_search_doc_changed ON spmd_search_doc")
    op.execute("DROP FUNCTION IF EXISTS spmd_search_next_generation()")
    op.execute("DROP TABLE IF EXISTS spmd_search_generation")
