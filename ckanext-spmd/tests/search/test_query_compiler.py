"""Pure-Python parts of the search backend: schema, text, query parsing."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.spmd.search import text
from ckanext.spmd.search.documents import DocumentError, build_row, normalise_date
from ckanext.spmd.search.lucene import (
    Compiler,
    Params,
    QuerySyntaxError,
    min_should_match,
    solr_date,
)
from ckanext.spmd.search.schema import load_schema


@pytest.fixture(scope="module")
def schema():
    return load_schema()


class TestSchema:
    def test_field_kinds_follow_ckan_solr_schema(self, schema):
        assert schema.field("title").kind == "text"
        assert schema.field("name").kind == "string"
        assert schema.field("tags").multi is True
        assert schema.field("metadata_modified").kind == "date"
        assert schema.field("views_total").kind == "int"
        # not declared in CKAN's schema: the catch-all string field, as in Solr
        assert schema.field("num_resources").kind == "string"
        assert schema.field("name_ngram").kind == "ngram"

    def test_dynamic_fields_resolve_longest_pattern(self, schema):
        assert schema.field("extras_frequency").kind == "text"
        assert schema.field("temporal_start_date").kind == "date"
        assert schema.field("vocab_themes").kind == "string"
        catch_all = schema.field("territorial_typology")
        assert (catch_all.kind, catch_all.stored) == ("string", False)

    def test_text_gathers_what_solr_copies(self, schema):
        for source in ("name", "title", "notes", "tags", "groups", "organization",
                       "res_name", "res_description", "author", "maintainer",
                       "extras_theme"):
            assert "text" in schema.copy_targets(source), source
        assert "text" not in schema.copy_targets("state")


class TestText:
    def test_fold_strips_accents_and_case(self):
        assert text.fold("Énergie Électrique") == "energie electrique"

    def test_tsquery_source_is_always_safe(self):
        assert text.tsquery_source("l'énergie") == "'l' <-> 'energie':*"
        assert text.tsquery_source("a&b|!c") == "'a' <-> 'b' <-> 'c'"
        assert text.tsquery_source("&|!") == ""
        assert text.tsquery_source("bus lines", phrase=True) == "'bus' <-> 'lines'"

    def test_wildcards_become_like_patterns(self):
        assert text.wildcard_to_like("bus*") == "bus%"
        assert text.wildcard_to_like("b?s_100%") == "b_s\\_100\\%"
        assert text.wildcard_to_like(r"a\*b*") == "a*b%"
        assert text.has_wildcard(r"a\*b") is False


class TestDocuments:
    def test_row_splits_kinds_and_weights(self, schema):
        row = build_row(
            {
                "index_id": "x", "id": "1", "site_id": "s", "name": "bus-lines",
                "title": "Lignes de bus", "tags": ["transport", "bus"],
                "notes": "Réseau", "metadata_modified": "2024-01-02T03:04:05Z",
                "private": False, "num_resources": 2, "data_dict": "{}",
            },
            schema,
        )
        assert row.fields["tags"] == ["transport", "bus"]
        assert row.texts["title"] == ["Lignes de bus"]
        # single-valued fields are plain values, multi-valued ones lists
        assert row.fields["metadata_modified"] == "2024-01-02T03:04:05.000000Z"
        assert row.fields["private"] == "false"
        assert "data_dict" not in row.fields and row.stored["data_dict"] == "{}"
        assert "bus-lines" in row.weighted_text["A"]
        assert "transport" in row.weighted_text["B"]
        assert "Réseau" in row.weighted_text["D"]
        assert row.fields["name_ngram"] == "bus-lines"

    def test_several_values_for_a_single_valued_field_are_refused(self, schema):
        with pytest.raises(DocumentError, match="multiple values.*license_id"):
            build_row({"index_id": "x", "id": "1", "license_id": ["a", "b"]}, schema)

    def test_bad_values_are_refused_like_solr(self, schema):
        with pytest.raises(DocumentError, match="views_total"):
            build_row({"index_id": "x", "id": "1", "views_total": "many"}, schema)
        with pytest.raises(DocumentError, match="Invalid Date"):
            build_row({"index_id": "x", "id": "1", "metadata_created": "yesterday"}, schema)

    def test_dates_normalise_to_one_sortable_form(self):
        assert normalise_date("2024-01-02T03:04:05Z") < normalise_date("2024-01-02T03:04:05.5Z")
        assert normalise_date("2024-01-02T04:04:05+01:00") == "2024-01-02T03:04:05.000000Z"


class TestParsing:
    def compile(self, schema, q):
        return Compiler(schema, Params()).lucene(q)

    @pytest.mark.parametrize("bad", ['"unbalanced', "(a OR b", "title:", "foo]", "/regex/"])
    def test_bad_syntax_is_a_clear_error(self, schema, bad):
        with pytest.raises(QuerySyntaxError, match="Search Query is invalid"):
            self.compile(schema, bad)

    def test_bad_typed_values_are_errors(self, schema):
        with pytest.raises(QuerySyntaxError, match="views_total"):
            self.compile(schema, "views_total:many")
        with pytest.raises(QuerySyntaxError, match="date"):
            self.compile(schema, "metadata_modified:[yesterday TO *]")

    def test_string_fields_use_containment(self, schema):
        params = Params()
        sql = Compiler(schema, params).lucene('+vocab_themes:"bus" -extras_x:CSV')
        assert "d.fields @>" in sql and "NOT" in sql
        assert '{"vocab_themes": ["bus"]}' in params.values.values()

    def test_hot_fields_use_their_plain_columns(self, schema):
        params = Params()
        sql = Compiler(schema, params).lucene(
            '+tags:"bus" -res_format:CSV +state:active +site_id:"s" organization:*')
        assert "d.fields" not in sql
        assert "d.c_tags @> ARRAY" in sql and "d.c_res_format @> ARRAY" in sql
        assert "d.c_state = " in sql and "d.site_id = " in sql
        assert "d.c_organization IS NOT NULL" in sql
        assert {"bus", "CSV", "active", "s"} <= set(params.values.values())

    def test_title_words_use_the_title_tsvector_column(self, schema):
        sql = Compiler(schema, Params()).lucene('title:"bus"')
        assert "d.c_title_tsv @@" in sql and "texts" not in sql
        # other analysed fields are analysed from `texts`
        assert "d.texts" in Compiler(schema, Params()).lucene("notes:bus")

    def test_min_should_match_ckan_default(self):
        assert [min_should_match(n, None) for n in range(1, 8)] == [1, 2, 2, 3, 4, 4, 5]
        assert min_should_match(4, "1") == 1
        assert min_should_match(4, "50%") == 2

    def test_date_math(self):
        now = dt.datetime(2026, 3, 15, 10, 30)
        assert solr_date("NOW", now) == "2026-03-15T10:30:00.000000Z"
        assert solr_date("NOW-7DAYS", now) == "2026-03-08T10:30:00.000000Z"
        assert solr_date("NOW/DAY", now) == "2026-03-15T00:00:00.000000Z"
        assert solr_date("NOW-1MONTH/MONTH", now) == "2026-02-01T00:00:00.000000Z"
