"""Embedded search index: generated columns for hot fields, narrow rows.

Speed only, same semantics (see ``ckanext.spmd.search.columns``):

- one generated ``c_facets`` array per row holds every value of the usual
  facet fields, so that one pass counts all facets and the hits;
- the always-present filters (state, capacity, permission labels), the usual
  facets and sorts, and the n-gram fields of package_autocomplete get
  generated columns, computed by PostgreSQL from ``fields`` (which stays
  complete), so they can never drift from the document;
- the wide columns (``fields``, ``texts``, ``tsv``) move out of line (TOAST)
  so that a matched row that is only filtered, ranked and faceted reads a
  few hundred bytes instead of a couple of kilobytes: ``tsv`` is matched
  through its GIN index, ``fields`` and ``texts`` are read for rarer
  filters only.

Adding stored generated columns rewrites the table once, with the new
storage settings, and leaves no dead rows behind.

Revision ID: 0002_hot_columns
Revises: 0001_search_index
Create Date: 2026-11-22
"""
from alembic import op

revision = "0002_hot_columns"
down_revision = "0001_search_index"
branch_labels = None
depends_on = None

# Frozen here (not imported from the code) so that this revision never changes.
SINGLE = ("name", "state", "capacity", "dataset_type", "organization", "license_id",
          "title_string", "metadata_modified", "name_ngram", "title_ngram")
MULTI = ("permission_labels", "tags", "groups", "res_format")
# name: the exact-name branch of package_autocomplete's OR needs an index
# for the planner to combine the branches' bitmaps
INDEXED = ("name",)
NGRAM = ("name_ngram", "title_ngram")
FACETS = ("organization", "groups", "tags", "res_format", "license_id",
          "territorial_typology", "access_class", "vocab_spmd_partner_roles")


def upgrade():
    op.execute(
        """
        CREATE OR REPLACE FUNCTION spmd_search_text_array(j jsonb) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(value), '{}') FROM jsonb_array_elements_text(j)
        $$
        """
    )
    # facet counting: every value of the usual facet fields as
    # "field<US>value", plus "" once per row (the hits)
    op.execute(
        """
        CREATE OR REPLACE FUNCTION spmd_search_facet_keys(j jsonb, keys text[])
        RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT '{""}'::text[] || coalesce(array_agg(e.key || chr(31) || v.value), '{}')
            FROM jsonb_each(j) e,
                 jsonb_array_elements_text(CASE jsonb_typeof(e.value) WHEN 'array'
                     THEN e.value ELSE jsonb_build_array(e.value) END) v
            WHERE e.key = ANY(keys)
        $$
        """
    )
    # Row layout, before the rewrite below applies it to every row: wide
    # values out of line first (rows over 512 bytes), hot ones kept inline.
    op.execute("ALTER TABLE spmd_search_doc SET (toast_tuple_target = 512)")
    op.execute(
        "ALTER TABLE spmd_search_doc ALTER COLUMN fields SET STORAGE EXTERNAL, "
        "ALTER COLUMN texts SET STORAGE EXTERNAL, ALTER COLUMN tsv_head SET STORAGE MAIN"
    )
    columns = [
        f"ADD COLUMN c_{f} text GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(fields->'{f}') "
        f"= 'string' THEN fields->>'{f}' END) STORED"
        for f in SINGLE
    ] + [
        f"ADD COLUMN c_{f} text[] GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(fields->'{f}') "
        f"= 'array' THEN spmd_search_text_array(fields->'{f}') END) STORED"
        for f in MULTI
    ]
    columns.append(
        "ADD COLUMN c_facets text[] GENERATED ALWAYS AS (spmd_search_facet_keys(fields, "
        f"ARRAY[{', '.join(repr(f) for f in FACETS)}])) STORED"
    )
    # `title:word` (package_autocomplete) reads this instead of analysing
    # the title per row
    columns.append(
        "ADD COLUMN c_title_tsv tsvector GENERATED ALWAYS AS ("
        "to_tsvector('spmd_fr'::regconfig, spmd_search_join(texts->'title')) || "
        "to_tsvector('spmd_en'::regconfig, spmd_search_join(texts->'title'))) STORED"
    )
    storage = [f"ALTER COLUMN c_{f} SET STORAGE MAIN"
               for f in SINGLE + MULTI + ("facets", "title_tsv")]
    op.execute(f"ALTER TABLE spmd_search_doc {', '.join(columns + storage)}")
    for f in ("tags", "groups", "res_format"):
        op.execute(f"CREATE INDEX spmd_search_doc_c_{f}_idx ON spmd_search_doc USING gin (c_{f})")
    for f in INDEXED:
        op.execute(f"CREATE INDEX spmd_search_doc_c_{f}_idx ON spmd_search_doc (c_{f})")
    op.execute("DROP INDEX IF EXISTS spmd_search_doc_title_idx")
    op.execute(
        "CREATE INDEX spmd_search_doc_c_title_tsv_idx ON spmd_search_doc USING gin (c_title_tsv)"
    )
    # package_autocomplete: substring matches on the plain n-gram columns
    for f in NGRAM:
        op.execute(f"DROP INDEX IF EXISTS spmd_search_doc_{f}_idx")
        op.execute(
            f"CREATE INDEX spmd_search_doc_c_{f}_idx ON spmd_search_doc "
            f"USING gin (c_{f} gin_trgm_ops)"
        )
    op.execute("ANALYZE spmd_search_doc")


def downgrade():
    for f in NGRAM:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS spmd_search_doc_{f}_idx ON spmd_search_doc "
            f"USING gin (spmd_search_join(fields->'{f}') gin_trgm_ops)"
        )
    op.execute(
        "CREATE INDEX IF NOT EXISTS spmd_search_doc_title_idx ON spmd_search_doc USING gin (("
        "to_tsvector('spmd_fr', spmd_search_join(texts->'title')) || "
        "to_tsvector('spmd_en', spmd_search_join(texts->'title'))))"
    )
    # dropping the columns drops their indexes
    op.execute(
        "ALTER TABLE spmd_search_doc "
        + ", ".join(f"DROP COLUMN IF EXISTS c_{f}"
                   for f in SINGLE + MULTI + ("facets", "title_tsv"))
    )
    op.execute("DROP FUNCTION IF EXISTS spmd_search_text_array(jsonb)")
    op.execute("DROP FUNCTION IF EXISTS spmd_search_facet_keys(jsonb, text[])")
    op.execute("ALTER TABLE spmd_search_doc RESET (toast_tuple_target)")
    op.execute(
        "ALTER TABLE spmd_search_doc ALTER COLUMN fields SET STORAGE MAIN, "
        "ALTER COLUMN texts SET STORAGE EXTENDED, ALTER COLUMN tsv_head SET STORAGE EXTENDED"
    )
