"""Embedded search index: a compact ordinal per row, for facet counting.

Each process keeps the facet values of every row in memory, by row ordinal
(``search/facet_memory.py``); a search statement then returns the matched
rows as an array of ordinals, instead of counting facets in
SQL. An identity column: a row keeps its ordinal when it is updated in
place (the upsert of a reindexed dataset), a new row takes a new one.

``spmd_search_collect`` gathers values into an array like ``array_agg``,
but with a combine function, so that PostgreSQL 15 can share the pass
among parallel workers (its own ``array_agg`` and ``string_agg`` only can
from version 16). Two calls in one statement see the rows in the same
order, so the arrays they return stay aligned.

Revision ID: 0006_row_ordinals
Revises: 0005_generation
Create Date: 2026-11-23
"""
from alembic import op

revision = "0006_row_ordinals"
down_revision = "0005_generation"
branch_labels = None
depends_on = None

TYPES = ("bigint", "real")  # row ordinals, scores


def upgrade():
    # (functions outlive tables: `ckan db clean` drops only the latter)
    op.execute("ALTER TABLE spmd_search_doc ADD COLUMN ord bigint GENERATED ALWAYS AS IDENTITY")
    for sql_type in TYPES:
        op.execute(
            f"CREATE OR REPLACE AGGREGATE spmd_search_collect({sql_type}) (sfunc = array_append, "
            f"stype = {sql_type}[], combinefunc = array_cat, parallel = safe, initcond = '{{}}')"
        )
    # adding the column rewrote every row without firing row triggers: a
    # running process must not take its facet copy for the current one
    op.execute("UPDATE spmd_search_generation SET generation = generation + 1")


def downgrade():
    for sql_type in TYPES:
        op.execute(f"DROP AGGREGATE IF EXISTS spmd_search_collect({sql_type})")
    op.execute("ALTER TABLE spmd_search_doc DROP COLUMN IF EXISTS ord")
    op.execute("UPDATE spmd_search_generation SET generation = generation + 1")
