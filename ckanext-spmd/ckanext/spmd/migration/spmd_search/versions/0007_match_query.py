"""Embedded search index: one prefix scan where French and English agree.

A user's term is matched in both languages: ``to_tsquery('spmd_fr', t) ||
to_tsquery('spmd_en', t)``. For "energie" that is ``'energ':* | 'energi':*``;
the GIN index then reads every posting list under "energ" twice (at 100k
datasets, about 15 ms of a 160 ms search), though the first prefix already
covers the second. ``spmd_search_match`` gives the same set of rows with
one operand when one language's prefix covers the other's (or when both
are the same), and the plain union otherwise. Searches use it to match
only: ranking keeps both operands, so scores do not change.

Revision ID: 0007_match_query
Revises: 0006_row_ordinals
Create Date: 2026-11-23
"""
from alembic import op

revision = "0007_match_query"
down_revision = "0006_row_ordinals"
branch_labels = None
depends_on = None


def upgrade():
    # A single prefix operand prints as 'lexeme':* (lexemes from our own
    # tokens are word characters only); anything else keeps the union.
    op.execute(
        r"""
        CREATE OR REPLACE FUNCTION spmd_search_match(a tsquery, b tsquery) RETURNS tsquery
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT CASE
                WHEN a = b THEN a
                WHEN starts_with(pb, pa) THEN a
                WHEN starts_with(pa, pb) THEN b
                ELSE a || b
            END
            FROM (SELECT substring(a::text FROM '^''(\w+)'':\*$') AS pa,
                         substring(b::text FROM '^''(\w+)'':\*$') AS pb) prefixes
        $$
        """
    )


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS spmd_search_match(tsquery, tsquery)")
