"""Embedded search index: btree indexes for the listing sorts.

A listing (``/dataset`` without a query, the API's sorted pages) used to
sort every visible row to return twenty: at 100k datasets, a top-N sort of
the whole table per page. With an index in the exact order the query asks
for (``connection._sort``: the sort value, NULLS LAST, then ``index_id``
for stable paging; strings in the ICU root collation), PostgreSQL reads the
first rows of the index and stops.

Indexed: the sorts CKAN's own pages offer (last modified; name A-Z and
Z-A, which sort ``title_string``) and ``name asc`` (API clients paging
through the catalogue).

Revision ID: 0004_sort_indexes
Revises: 0003_inline_keys
Create Date: 2026-11-22
"""
from alembic import op

revision = "0004_sort_indexes"
down_revision = "0003_inline_keys"
branch_labels = None
depends_on = None

# index name suffix -> key, frozen here so that this revision never changes
INDEXES = {
    "modified_desc": "c_metadata_modified DESC NULLS LAST, index_id",
    "title_asc": 'c_title_string COLLATE "und-x-icu" ASC NULLS LAST, index_id',
    "title_desc": 'c_title_string COLLATE "und-x-icu" DESC NULLS LAST, index_id',
    "name_asc": 'c_name COLLATE "und-x-icu" ASC NULLS LAST, index_id',
}


def upgrade():
    for suffix, key in INDEXES.items():
        op.execute(f"CREATE INDEX spmd_search_doc_sort_{suffix}_idx ON spmd_search_doc ({key})")


def downgrade():
    for suffix in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS spmd_search_doc_sort_{suffix}_idx")
