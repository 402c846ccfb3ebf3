"""Embedded search index: a compact ordinal per row, for facet counting.

Each process keeps the facet values of every row in memory, by row ordinal
(``search/facet_memory.py``); a search statement then returns the matched
rows as ordinals packed eight bytes each, instead of counting facets in
SQL. An identity column: a row keeps its ordinal when it is updated in
place (the upsert of a reindexed dataset), a new row takes a new one.

Revision ID: 0006_row_ordinals
Revises: 0005_generation
Create Date: 2026-11-23
"""
from alembic import op

revision = "0006_row_ordinals"
down_revision = "0005_generation"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE spmd_search_doc ADD COLUMN ord bigint GENERATED ALWAYS AS IDENTITY")
    # adding the column rewrote every row without firing row triggers: a
    # running process must not take its facet copy for the current one
    op.execute("UPDATE spmd_search_generation SET generation = generation + 1")


def downgrade():
    op.execute("ALTER TABLE spmd_search_doc DROP COLUMN IF EXISTS ord")
    op.execute("UPDATE spmd_search_generation SET generation = generation + 1")
