"""Embedded search index: documents table and French/English text search.

Revision ID: 0001_search_index
Revises:
Create Date: 2026-11-22
"""
from alembic import op

revision = "0001_search_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # unaccent is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, base in (("spmd_fr", "french"), ("spmd_en", "english")):
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR "
            "hword, hword_part, word, asciiword, asciihword, hword_asciipart "
            f"WITH unaccent, {base}_stem"
        )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION spmd_search_join(j jsonb) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE jsonb_typeof(j)
                WHEN 'array' THEN (SELECT coalesce(string_agg(value, E'\\n'), '')
                                   FROM jsonb_array_elements_text(j))
                ELSE coalesce(j #>> '{}', '') END
        $$
        """
    )
    # Filtering, faceting and ranking read only this table; `fields` stays
    # inline (STORAGE MAIN) so that no TOAST lookup is needed per matched
    # row. `tsv` (all text, often compressed) is matched through its GIN
    # index; ranking reads the small `tsv_head` (name, title, tags, groups).
    op.execute(
        """
        CREATE TABLE spmd_search_doc (
            index_id text PRIMARY KEY,
            id text NOT NULL,
            site_id text NOT NULL,
            fields jsonb NOT NULL DEFAULT '{}'::jsonb,
            texts jsonb NOT NULL DEFAULT '{}'::jsonb,
            tsv tsvector NOT NULL,
            tsv_head tsvector NOT NULL DEFAULT ''::tsvector,
            indexed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("ALTER TABLE spmd_search_doc ALTER COLUMN fields SET STORAGE MAIN")
    # What Solr returns (stored fields, data_dict...), read for one page only.
    op.execute(
        """
        CREATE TABLE spmd_search_stored (
            index_id text PRIMARY KEY
                REFERENCES spmd_search_doc (index_id) ON DELETE CASCADE,
            stored jsonb NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX spmd_search_doc_id_idx ON spmd_search_doc (id)")
    op.execute(
        "CREATE INDEX spmd_search_doc_fields_idx ON spmd_search_doc "
        "USING gin (fields jsonb_path_ops)"
    )
    op.execute("CREATE INDEX spmd_search_doc_tsv_idx ON spmd_search_doc USING gin (tsv)")
    # package_autocomplete: substring matches on names and titles, and
    # words of titles.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in ("name_ngram", "title_ngram"):
        op.execute(
            f"CREATE INDEX spmd_search_doc_{field}_idx ON spmd_search_doc "
            f"USING gin (spmd_search_join(fields->'{field}') gin_trgm_ops)"
        )
    op.execute(
        "CREATE INDEX spmd_search_doc_title_idx ON spmd_search_doc USING gin (("
        "to_tsvector('spmd_fr', spmd_search_join(texts->'title')) || "
        "to_tsvector('spmd_en', spmd_search_join(texts->'title'))))"
    )


def downgrade():
    op.execute("DROP TABLE IF EXISTS spmd_search_stored")
    op.execute("DROP TABLE IF EXISTS spmd_search_doc")
    op.execute("DROP FUNCTION IF EXISTS spmd_search_join(jsonb)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS spmd_fr")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS spmd_en")
