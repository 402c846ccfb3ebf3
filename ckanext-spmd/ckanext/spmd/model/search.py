"""The embedded search index table (created by the spmd_search migration).

It is declared on CKAN's metadata so that CKAN's own database tooling
(``ckan db clean``, the test fixtures that empty every table) treats the
index like any other table: an emptied database has an empty index.
"""
import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from ckanext.spmd.search.columns import (
    COLUMNS,
    FACETS_COLUMN,
    FACETS_EXPRESSION,
    TEXT_COLUMN_EXPRESSION,
    TEXT_COLUMNS,
    expression,
)

# The migrations create the table; this declaration only names its columns
# for CKAN's tooling. Their physical order (hot columns first) is migration
# 0008's.
search_doc_table = sa.Table(
    "spmd_search_doc",
    toolkit.BaseModel.metadata,
    # row ordinal for the facet copy (migration 0006)
    sa.Column("ord", sa.BigInteger, sa.Identity(always=True), nullable=False),
    sa.Column("index_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, nullable=False, index=True),
    sa.Column("site_id", sa.Text, nullable=False),
    sa.Column("fields", JSONB, nullable=False),
    sa.Column("texts", JSONB, nullable=False),
    sa.Column("tsv", TSVECTOR, nullable=False),
    sa.Column("tsv_head", TSVECTOR, nullable=False),
    sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
    # generated copies of hot fields (migration 0002, search/columns.py)
    *(
        sa.Column(c.sql, ARRAY(sa.Text) if c.multi else sa.Text,
                  sa.Computed(expression(c), persisted=True))
        for c in COLUMNS.values()
    ),
    sa.Column(FACETS_COLUMN, ARRAY(sa.Text), sa.Computed(FACETS_EXPRESSION, persisted=True)),
    *(
        sa.Column(col, TSVECTOR, sa.Computed(TEXT_COLUMN_EXPRESSION.format(f=f), persisted=True))
        for f, col in TEXT_COLUMNS.items()
    ),
    extend_existing=True,
)

search_stored_table = sa.Table(
    "spmd_search_stored",
    toolkit.BaseModel.metadata,
    sa.Column("index_id", sa.Text, sa.ForeignKey("spmd_search_doc.index_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("stored", JSONB, nullable=False),
    extend_existing=True,
)
