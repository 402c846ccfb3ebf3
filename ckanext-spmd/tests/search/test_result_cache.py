"""The result cache: a repeated search is answered without running the
query again, and never once the index has changed (committed here or
elsewhere), nor inside a transaction that has written to the index."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.spmd.search.cache import GENERATION_SQL, ResultCache, cache_key
from ckanext.spmd.search.ckan_internals import postgres_connection

pytestmark = pytest.mark.usefixtures("search_backend")


@pytest.fixture(autouse=True)
def embedded_only(search_backend):
    if search_backend != "postgres":
        pytest.skip("the embedded backend's own cache")


@pytest.fixture
def org():
    return factories.Organization()


def generation() -> int:
    return model.Session.execute(sa.text(GENERATION_SQL)).scalar_one()


def search(**kwargs) -> dict:
    kwargs.setdefault("facet.field", json.dumps(["tags", "organization"]))
    return helpers.call_action("package_search", **kwargs)


def test_a_repeated_search_does_not_run_again(search_statements, org):
    factories.Dataset(owner_org=org["id"], title="Qualité de l'air", tags=[{"name": "air"}])
    first = search(q="air")
    second = search(q="air")
    assert first["count"] == 1 and first == second
    assert search_statements.ran("air") == 1
    search(q="air", rows=5)  # another query: computed
    assert search_statements.ran("air") == 2


def test_committed_changes_are_seen_at_once(search_statements, org):
    velo = factories.Dataset(owner_org=org["id"], title="Vélos en libre-service")
    assert search(q="velo")["count"] == 1
    factories.Dataset(owner_org=org["id"], title="Stations vélo")
    assert search(q="velo")["count"] == 2
    helpers.call_action("package_patch", id=velo["id"], title="Trottinettes")
    result = search(q="velo")
    assert [d["title"] for d in result["results"]] == ["Stations vélo"]
    helpers.call_action("package_delete", id=velo["id"])
    assert search(q="trottinettes")["count"] == 0
    # every search ran: the index had changed each time
    assert search_statements.ran("velo") == 3 and search_statements.ran("trottinet") == 1


def test_the_generation_moves_once_per_committed_change(org):
    model.Session.commit()
    before = generation()
    factories.Dataset(owner_org=org["id"])  # one transaction, however many rows
    assert generation() == before + 1
    conn = postgres_connection()
    docs = [{"id": f"id-{i}", "index_id": f"ix-{i}", "site_id": "spmd-test", "name": f"n{i}",
             "title": "t", "state": "active", "capacity": "public"} for i in range(3)]
    conn.add(docs)
    model.Session.rollback()
    assert generation() == before + 1  # nothing committed
    conn.add(docs)
    model.Session.commit()
    assert generation() == before + 2
    model.Session.execute(sa.text("TRUNCATE spmd_search_doc CASCADE"))
    model.Session.commit()
    assert generation() == before + 3


def test_own_uncommitted_writes_are_seen(search_statements):
    conn = postgres_connection()

    def hits() -> int:
        return conn.search(q="tramway", defType="dismax", fq="+state:active").hits

    assert hits() == 0
    assert hits() == 0
    assert search_statements.ran("tramway") == 1
    conn.add([{"id": "tram", "index_id": "ix-tram", "site_id": "spmd-test", "name": "tram",
               "title": "Lignes de tramway", "state": "active", "capacity": "public"}])
    # written in this transaction, not committed: the cache must not answer
    assert hits() == 1
    model.Session.rollback()
    assert hits() == 0


def test_a_change_committed_by_another_process_is_seen(org):
    factories.Dataset(owner_org=org["id"], name="eau", title="Qualité de l'eau")
    assert search(q="eau")["count"] == 1
    model.Session.commit()
    with model.meta.engine.begin() as other:  # another connection, as another worker
        other.execute(sa.text("DELETE FROM spmd_search_doc WHERE fields->>'name' = 'eau'"))
    assert search(q="eau")["count"] == 0


def test_users_who_see_different_datasets_never_share_an_entry(org):
    factories.Dataset(owner_org=org["id"], private=True, title="Budget confidentiel")
    sysadmin = factories.Sysadmin()
    seen = helpers.call_action("package_search", q="budget", include_private=True,
                               context={"user": sysadmin["name"], "ignore_auth": False})
    assert seen["count"] == 1
    anonymous = helpers.call_action("package_search", q="budget", include_private=True,
                                    context={"user": "", "ignore_auth": False})
    assert anonymous["count"] == 0 and anonymous["results"] == []


@pytest.mark.ckan_config("ckanext.spmd.search.cache_size", "0")
def test_size_zero_disables_it(search_statements, org):
    factories.Dataset(owner_org=org["id"], title="Déchets")
    search(q="dechets")
    search(q="dechets")
    assert search_statements.ran("dechet") == 2


def test_the_cache_is_a_bounded_lru():
    cache = ResultCache(2)
    cache.put("a", 1, "A")
    cache.put("b", 1, "B")
    assert cache.get("a", 1) == "A"  # a is now the most recent
    cache.put("c", 1, "C")
    assert cache.get("b", 1) is None and cache.get("a", 1) == "A" and len(cache) == 2
    assert cache.get("a", 2) is None  # another generation: a miss
    assert cache_key("q", {"p0": ["x"]}) != cache_key("q", {"p0": ["y"]})
