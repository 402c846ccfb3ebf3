"""Migrations 0007 and 0008: a search matches each term with one index scan
where French and English agree, and reads rows laid out hot columns first.
Neither may change what a search finds."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from ckanext.spmd.search.text import tokens

pytestmark = pytest.mark.usefixtures("search_backend")


@pytest.fixture(autouse=True)
def embedded_only(search_backend):
    if search_backend != "postgres":
        pytest.skip("reads the embedded index table")


def _sql(statement: str, **params):
    return model.Session.execute(sa.text(statement), params)


# -- one scan per term (0007) ------------------------------------------------

def _match(term: str) -> str:
    return _sql("SELECT spmd_search_match(to_tsquery('spmd_fr', :t), "
                "to_tsquery('spmd_en', :t))::text", t=term).scalar_one()


@pytest.mark.parametrize("term, merged", [
    ("'energie':*", "'energ':*"),  # fr 'energ':* covers en 'energi':*
    ("'cities':*", "'cit':*"),  # en 'cit':* covers fr 'citi':* (the other way round)
    ("'transports':*", "'transport':*"),  # both the same
    ("'eau'", "'eau'"),  # exact and the same
])
def test_a_prefix_covering_the_other_language_is_scanned_once(term, merged):
    assert _match(term) == merged


@pytest.mark.parametrize("a, b", [
    ("'energ'", "'energi'"),  # exact lexemes: neither covers the other
    ("'energ'", "'energi':*"),
    ("'eau':*", "'bus':*"),
    ("'l' <-> 'eau'", "'eau':*"),  # not a single operand
])
def test_other_pairs_keep_the_union(a, b):
    merged = _sql("SELECT spmd_search_match(CAST(:a AS tsquery), CAST(:b AS tsquery)) = "
                  "CAST(:a AS tsquery) || CAST(:b AS tsquery)", a=a, b=b).scalar_one()
    assert merged is True


TEXTS = ["Consommation d'énergie des bâtiments", "Énergétique des réseaux de chaleur",
         "Energy use of the cities' buildings", "Qualité de l'eau potable",
         "Transports en commun", "Citizens and city data", "Parcs de stationnement"]


def test_searches_match_the_same_rows_as_the_union():
    org = factories.Organization()
    for i, text in enumerate(TEXTS):
        factories.Dataset(name=f"jeu-{i}", title=text, notes=text, owner_org=org["id"])
    words = {w for t in TEXTS for w in tokens(t) if len(w) > 2}
    assert len(words) > 20
    for word in sorted(words):
        term = f"'{word}':*"
        merged, union = _sql(
            "SELECT count(*) FILTER (WHERE tsv @@ spmd_search_match(to_tsquery('spmd_fr', :t), "
            "to_tsquery('spmd_en', :t))), count(*) FILTER (WHERE tsv @@ (to_tsquery('spmd_fr', "
            ":t) || to_tsquery('spmd_en', :t))) FROM spmd_search_doc", t=term).one()
        assert merged == union, word
    found = helpers.call_action("package_search", q="energie")
    assert {r["name"] for r in found["results"]} == {"jeu-0", "jeu-1", "jeu-2"}


def test_the_search_statement_scans_the_merged_prefix(search_statements):
    factories.Dataset(title="Consommation d'énergie", owner_org=factories.Organization()["id"])
    helpers.call_action("package_search", q="energie", rows=5)
    sql = search_statements.seen[-1].sql
    model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(_sql("EXPLAIN " + sql.replace(":", r"\:")).scalars())
    model.Session.rollback()
    assert "Index Cond: (tsv @@ '''energ'':*'::tsquery)" in plan, plan


# -- hot columns first (0008) -------------------------------------------------

def _layout() -> list[str]:
    return list(_sql("SELECT attname FROM pg_attribute WHERE attrelid = "
                     "'spmd_search_doc'::regclass AND attnum > 0 AND NOT attisdropped "
                     "ORDER BY attnum").scalars())


def test_the_columns_every_search_reads_come_first():
    layout = _layout()
    assert layout[:2] == ["ord", "indexed_at"]  # fixed width: no walk to reach them
    hot = ["site_id", "c_state", "c_capacity", "c_dataset_type", "c_permission_labels",
           "tsv_head"]
    assert layout[2:8] == hot
    assert layout[-3:] == ["fields", "texts", "tsv"]  # the wide document columns last


def _snapshot() -> dict:
    table = "'spmd_search_doc'::regclass"
    return {
        "columns": set(_sql(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull, attgenerated, "
            "attidentity, attstorage, pg_get_expr(adbin, adrelid) FROM pg_attribute "
            "LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum "
            f"WHERE attrelid = {table} AND attnum > 0 AND NOT attisdropped").all()),
        "indexes": set(_sql("SELECT indexdef FROM pg_indexes "
                            "WHERE tablename = 'spmd_search_doc'").scalars()),
        "constraints": set(_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            f"FROM pg_constraint WHERE {table} IN (conrelid, confrelid)").all()),
        "triggers": set(_sql(f"SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                             f"WHERE tgrelid = {table} AND NOT tgisinternal").scalars()),
        "options": _sql("SELECT reloptions FROM pg_class WHERE oid = "
                        f"{table}").scalar_one(),
        "rows": set(_sql("SELECT ord, index_id, fields::text, c_facets::text, tsv::text "
                         "FROM spmd_search_doc").all()),
        "layout": _layout(),
    }


def _generation() -> int:
    return _sql("SELECT generation FROM spmd_search_generation").scalar_one()


def test_the_rewrite_keeps_columns_rows_ordinals_indexes_and_triggers(cli):
    org = factories.Organization()
    for i, text in enumerate(TEXTS):
        factories.Dataset(name=f"jeu-{i}", title=text, owner_org=org["id"],
                          tags=[{"name": f"tag-{i % 2}"}])
    before = _snapshot()
    assert len(before["rows"]) == len(TEXTS)
    assert len(before["indexes"]) > 10 and len(before["triggers"]) == 2
    model.Session.remove()
    for args in (["downgrade", "-v", "0007_match_query"], ["upgrade"]):
        result = cli.invoke(ckan_command, ["db", *args, "-p", "spmd_search"])
        assert result.exit_code == 0, result.output
        model.Session.remove()
    assert _snapshot() == before

    # the rebuilt table works: the identity goes on, triggers fire, the
    # stored documents follow their rows
    generation = _generation()
    model.Session.commit()
    factories.Dataset(name="nouveau", title="Nouveau jeu", owner_org=org["id"])
    new_ord = _sql("SELECT ord FROM spmd_search_doc WHERE c_name = 'nouveau'").scalar_one()
    assert new_ord > max(row[0] for row in before["rows"])
    assert _generation() > generation
    helpers.call_action("dataset_purge", id="jeu-0")
    assert _sql("SELECT count(*) FROM spmd_search_stored").scalar_one() == len(TEXTS)
    result = helpers.call_action("package_search", q="tags:tag-1",
                                 **{"facet.field": '["tags"]'})
    assert result["count"] == 3 and result["facets"]["tags"] == {"tag-1": 3}
