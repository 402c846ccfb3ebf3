"""The generated columns of hot fields (migration 0002) stay equal to the
document's ``fields``: on create, update, delete, and across the migration."""
from __future__ import annotations

import dataclasses
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from ckanext.spmd.search.columns import COLUMNS, column_for
from ckanext.spmd.search.schema import load_schema

pytestmark = pytest.mark.usefixtures("search_backend")


@pytest.fixture(autouse=True)
def embedded_only(search_backend):
    if search_backend != "postgres":
        pytest.skip("reads the embedded index table")


def _derived(name: str) -> str:
    """The column's value computed in SQL from ``fields`` (as migration 0002)."""
    col = COLUMNS[name]
    if col.multi:
        return (f"CASE WHEN jsonb_typeof(fields->'{name}') = 'array' THEN "
                f"ARRAY(SELECT jsonb_array_elements_text(fields->'{name}')) END")
    return f"CASE WHEN jsonb_typeof(fields->'{name}') = 'string' THEN fields->>'{name}' END"


def out_of_sync() -> list[tuple[str, str]]:
    """(dataset id, column) of every column that differs from ``fields``."""
    bad = []
    for name, col in COLUMNS.items():
        rows = model.Session.execute(sa.text(
            f"SELECT id FROM spmd_search_doc WHERE {col.sql} IS DISTINCT FROM ({_derived(name)})"
        ))
        bad.extend((r[0], col.sql) for r in rows)
    return bad


def columns_of(name: str) -> dict:
    row = model.Session.execute(sa.text(
        f"SELECT {', '.join(c.sql for c in COLUMNS.values())} FROM spmd_search_doc "
        "WHERE c_name = :n"), {"n": name}).mappings().one()
    return dict(row)


@pytest.fixture
def dataset():
    org = factories.Organization(name="metropole")
    group = factories.Group(name="energie")
    return factories.Dataset(
        name="conso", title="Consommation d'Énergie", owner_org=org["id"],
        license_id="odc-odbl", tags=[{"name": "énergie"}, {"name": "bus"}],
        groups=[{"name": group["name"]}],
        resources=[{"url": "http://example.org/a.csv", "format": "CSV"},
                   {"url": "http://example.org/b.json", "format": "JSON"}],
    )


def test_columns_hold_the_document_values(dataset):
    cols = columns_of("conso")
    assert cols["c_state"] == "active" and cols["c_capacity"] == "public"
    assert cols["c_organization"] == "metropole"
    assert sorted(cols["c_tags"]) == ["bus", "énergie"]
    assert sorted(cols["c_res_format"]) == ["CSV", "JSON"]
    assert cols["c_groups"] == ["energie"]
    assert cols["c_permission_labels"] == ["public"]
    assert cols["c_title_ngram"] == "consommation d'energie"  # folded like Solr's n-grams
    assert cols["c_metadata_modified"].endswith("Z")
    assert out_of_sync() == []


@pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
def test_columns_follow_updates_and_deletes(dataset):
    other = factories.Organization(name="star")
    helpers.call_action("package_patch", id="conso", owner_org=other["id"], private=True,
                        tags=[{"name": "tram"}], resources=[], license_id="cc-by")
    cols = columns_of("conso")
    assert cols["c_organization"] == "star" and cols["c_capacity"] == "private"
    assert cols["c_tags"] == ["tram"] and cols["c_license_id"] == "cc-by"
    assert cols["c_res_format"] is None  # absent field: NULL, so `res_format:*` fails
    assert cols["c_permission_labels"] == [f"member-{other['id']}"]
    assert out_of_sync() == []
    assert helpers.call_action("package_search", q="tags:tram", include_private=True,
                               context={"ignore_auth": True})["count"] == 1

    helpers.call_action("package_delete", id="conso")
    assert columns_of("conso")["c_state"] == "deleted"
    assert out_of_sync() == []
    helpers.call_action("dataset_purge", id="conso")
    assert model.Session.execute(sa.text("SELECT count(*) FROM spmd_search_doc")).scalar() == 0


def test_columns_serve_only_the_shape_they_were_made_for():
    schema = load_schema()
    assert column_for(schema.field("tags")).sql == "c_tags"
    assert column_for(schema.field("name_ngram")).sql == "c_name_ngram"
    # a custom schema making tags single-valued falls back to `fields`
    assert column_for(dataclasses.replace(schema.field("tags"), multi=False)) is None
    assert column_for(dataclasses.replace(schema.field("state"), kind="text")) is None
    assert column_for(schema.field("notes")) is None


def test_wide_values_are_stored_out_of_line(dataset):
    """Matched rows read a narrow heap row: fields/texts/tsv live in TOAST."""
    storage = dict(model.Session.execute(sa.text(
        "SELECT attname, attstorage FROM pg_attribute "
        "WHERE attrelid = 'spmd_search_doc'::regclass AND attnum > 0")).all())
    assert storage["fields"] == storage["texts"] == "e"
    assert storage["tsv_head"] == storage["c_tags"] == storage["c_state"] == "m"
    # migration 0003: the short keys stay in the row (with the 512-byte
    # target they went out of line too, and every sort tie-break on
    # index_id fetched it from TOAST)
    assert storage["index_id"] == storage["id"] == storage["site_id"] == "p"
    options = model.Session.execute(sa.text(
        "SELECT reloptions FROM pg_class WHERE relname = 'spmd_search_doc'")).scalar()
    assert "toast_tuple_target=512" in options


def _column_names() -> set[str]:
    return set(model.Session.execute(sa.text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'spmd_search_doc'")).scalars())


def test_migration_down_and_up_refills_the_columns(cli, dataset):
    model.Session.remove()
    result = cli.invoke(ckan_command, ["db", "downgrade", "-p", "spmd_search",
                                       "-v", "0001_search_index"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert not _column_names() & {c.sql for c in COLUMNS.values()}
    # 0001's own autocomplete indexes are back, and search still works
    indexes = set(model.Session.execute(sa.text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'spmd_search_doc'")).scalars())
    assert {"spmd_search_doc_name_ngram_idx", "spmd_search_doc_title_ngram_idx",
            "spmd_search_doc_title_idx"} <= indexes
    assert "c_facets" not in _column_names() and "c_title_tsv" not in _column_names()
    model.Session.remove()

    result = cli.invoke(ckan_command, ["db", "upgrade", "-p", "spmd_search"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert {c.sql for c in COLUMNS.values()} | {"c_facets", "c_title_tsv"} <= _column_names()
    assert sorted(columns_of("conso")["c_tags"]) == ["bus", "énergie"]
    assert out_of_sync() == []
    assert [r["name"] for r in helpers.call_action("package_autocomplete", q="conso")] == [
        "conso"]


def test_keyed_and_generic_facet_counts_agree(dataset):
    """The usual facets are counted from c_facets in one pass; asking for
    one more field takes the generic path: both give the same counts."""
    org = factories.Organization(name="star")
    factories.Dataset(name="bus", owner_org=org["id"], license_id="cc-by",
                      tags=[{"name": "bus"}], resources=[{"url": "http://e.org/x", "format": "CSV"}])
    factories.Dataset(name="velo", owner_org=org["id"], tags=[{"name": "vélo"}])
    usual = ["organization", "groups", "tags", "res_format", "license_id"]

    def facets(fields, **kwargs):
        return helpers.call_action("package_search", **{"facet.field": json.dumps(fields),
                                                        "facet.limit": -1, **kwargs})

    for kwargs in ({}, {"q": "bus"}, {"fq": "-tags:bus"}, {"q": "nothing-matches"}):
        keyed, generic = facets(usual, **kwargs), facets(usual + ["name"], **kwargs)
        assert keyed["count"] == generic["count"]
        assert {f: keyed["facets"][f] for f in usual} == {f: generic["facets"][f] for f in usual}
        assert [r["name"] for r in keyed["results"]] == [r["name"] for r in generic["results"]]
    everything = facets(usual)
    assert everything["count"] == 3
    assert everything["facets"]["tags"] == {"bus": 2, "énergie": 1, "vélo": 1}
    assert everything["facets"]["organization"] == {"metropole": 1, "star": 2}


@pytest.mark.parametrize("sort, index", [
    ("metadata_modified desc", "spmd_search_doc_sort_modified_desc_idx"),
    ("score desc, metadata_modified desc", "spmd_search_doc_sort_modified_desc_idx"),
    ("title_string asc", "spmd_search_doc_sort_title_asc_idx"),
    ("title_string desc", "spmd_search_doc_sort_title_desc_idx"),
    ("name asc", "spmd_search_doc_sort_name_asc_idx"),
])
def test_listing_sorts_read_their_index(sort, index, search_statements):
    """The ORDER BY the backend writes for a listing matches an index of
    migration 0004 (value, NULLS LAST, ICU collation, index_id), so that a
    page of a large catalogue reads a few index entries instead of sorting
    every visible row. Fails if either side changes alone."""
    org = factories.Organization()
    for i in range(3):
        factories.Dataset(title=f"Jeu {i}", owner_org=org["id"])
    helpers.call_action("package_search", sort=sort, rows=5)
    assert search_statements.seen, "the search statement was not seen"
    # without a sort node to fall back on, only an index in the same order
    # can give the page
    model.Session.execute(sa.text("SET LOCAL enable_sort = off"))
    model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(model.Session.execute(
        sa.text("EXPLAIN " + search_statements.seen[-1].sql.replace(":", r"\:"))).scalars())
    model.Session.rollback()
    assert index in plan, plan
