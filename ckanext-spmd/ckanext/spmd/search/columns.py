"""Hot fields copied out of the JSONB document into plain columns (pure Python).

Every query CKAN sends filters on ``site_id``, ``state``, ``capacity`` and
``permission_labels``, and the search page facets on a handful of fields.
Read from the ``fields`` JSONB, each of these costs a decompression and a
lookup per matched row, and their containment tests steer the planner onto
the ``fields`` GIN index (which matches nearly every row) instead of the
text index. Generated ``text`` / ``text[]`` columns hold the very same typed
values, computed by PostgreSQL from ``fields`` (which stays complete and
authoritative), so they can never drift from it; filters, facets and sorts
on these fields read a column instead.

A field is served by its column only while the Solr schema gives it the
shape the column was made for; with a custom schema that changes it, the
generic JSONB path is used, so semantics never depend on this list.
"""
from __future__ import annotations

import dataclasses

from .schema import Field


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    sql: str  # column name in spmd_search_doc
    multi: bool  # text[] (multi-valued string field) or text
    kinds: tuple[str, ...]  # schema kinds the column serves


SINGLE_VALUED = ("name", "state", "capacity", "dataset_type", "organization",
                 "license_id", "title_string")
MULTI_VALUED = ("permission_labels", "tags", "groups", "res_format")
NGRAM = ("name_ngram", "title_ngram")

COLUMNS: dict[str, Column] = {
    **{f: Column(f, f"c_{f}", False, ("string",)) for f in SINGLE_VALUED},
    "metadata_modified": Column("metadata_modified", "c_metadata_modified", False, ("date",)),
    **{f: Column(f, f"c_{f}", True, ("string",)) for f in MULTI_VALUED},
    # substring matching (package_autocomplete): the folded text (a trigram
    # index serves LIKE '%...%')
    **{f: Column(f, f"c_{f}", False, ("ngram",)) for f in NGRAM},
}


def column_for(field: Field) -> Column | None:
    """The plain column serving ``field``, when its schema shape matches."""
    col = COLUMNS.get(field.name)
    if col is None or field.kind not in col.kinds:
        return None
    if field.multi != col.multi:
        return None
    return col


def expression(col: Column) -> str:
    """The column's generation expression (migration 0002): the same typed
    value as in ``fields``, NULL when the field is absent or has another
    shape, so ``field:*`` is ``column IS NOT NULL``."""
    f = col.field
    if col.multi:
        return (f"CASE WHEN jsonb_typeof(fields->'{f}') = 'array' "
                f"THEN spmd_search_text_array(fields->'{f}') END")
    return f"CASE WHEN jsonb_typeof(fields->'{f}') = 'string' THEN fields->>'{f}' END"


# Facet fields counted from one generated ``c_facets`` array per row: every
# value as "field<US>value" (US = \x1f), plus one "" per row, so that one
# unnest and one hash aggregate count every facet and the hits together.
# CKAN's default facets and the SPMD contract's.
FACET_KEY_FIELDS = ("organization", "groups", "tags", "res_format", "license_id",
                    "territorial_typology", "access_class", "vocab_spmd_partner_roles")
FACET_KEY_SEPARATOR = "\x1f"
FACETS_COLUMN = "c_facets"
FACETS_EXPRESSION = (
    "spmd_search_facet_keys(fields, ARRAY["
    + ", ".join(f"'{f}'" for f in FACET_KEY_FIELDS) + "])"
)


def facet_key_field(field: Field) -> bool:
    """Whether ``c_facets`` holds this field's values (exact string kinds)."""
    return field.name in FACET_KEY_FIELDS and field.kind == "string"


# Analysed text fields with a generated tsvector column (French and English,
# as the catch-all ``tsv``): ``title:word`` (package_autocomplete sends it)
# reads it instead of re-analysing the title, stored out of line, per row.
TEXT_COLUMNS = {"title": "c_title_tsv"}
TEXT_COLUMN_EXPRESSION = (
    "to_tsvector('spmd_fr'::regconfig, spmd_search_join(texts->'{f}')) || "
    "to_tsvector('spmd_en'::regconfig, spmd_search_join(texts->'{f}'))"
)


def text_column_for(field: Field) -> str | None:
    if field.kind != "text":
        return None
    return TEXT_COLUMNS.get(field.name)
