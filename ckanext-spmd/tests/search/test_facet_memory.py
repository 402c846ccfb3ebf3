"""Facets counted from the in-process facet copy: the same counts as SQL,
for every user and filter, and never from a copy of another generation."""
from __future__ import annotations

import json
import random
import struct
import threading

import numpy as np
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.spmd.search import connection as search_connection
from ckanext.spmd.search.facet_memory import FacetMemory, FacetMemoryHolder

SEP = "\x1f"
FACETS = ["organization", "tags", "res_format", "license_id", "groups"]


# -- the counting itself (no CKAN) ----------------------------------------

def _packed(ords: list[int]) -> bytes:
    """bigint[] as PostgreSQL's array_send writes it (oid 20: int8)."""
    if not ords:
        return struct.pack(">iii", 0, 0, 20)
    return struct.pack(">iiiii", 1, 0, 20, len(ords), 1) + b"".join(
        struct.pack(">iq", 8, o) for o in ords)


def _brute_force(rows: dict[int, list[str]], matched: set[int], fields: list[str],
                 mincount: int, limit: int) -> list[list]:
    out = []
    for position, name in enumerate(fields):
        counts: dict[str, int] = {}
        for ord_, keys in rows.items():
            if ord_ in matched:
                for key in keys:
                    field, _, value = key.partition(SEP)
                    if field == name:
                        counts[value] = counts.get(value, 0) + 1
        ranked = sorted((-c, v) for v, c in counts.items() if c >= max(mincount, 1))
        out.extend([position, v, -c] for c, v in ranked[:limit])
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_match_a_brute_force_count(seed):
    rng = random.Random(seed)
    values = {"tags": ["énergie", "Eau", "eau", "air", "zèbre", "Z"], "organization": ["a", "b"],
              "res_format": ["CSV", "csv", "JSON"]}
    # sparse ordinals, as after deletions and reindexing
    rows = {o: sorted({f"{f}{SEP}{rng.choice(v)}" for f, v in values.items()
                       for _ in range(rng.randint(0, 3))})
            for o in rng.sample(range(1, 5000), 300)}
    postings: dict[str, list[int]] = {}
    for ord_, keys in rows.items():
        for key in keys:
            postings.setdefault(key, []).append(ord_)
    memory = FacetMemory.from_postings(
        7, ((k, _packed(v)) for k, v in postings.items()), SEP)
    for _ in range(20):
        matched = set(rng.sample(sorted(rows), rng.randint(0, 300)))
        fields = rng.sample(["tags", "organization", "res_format", "unknown"], 3)
        mincount, limit = rng.choice([0, 1, 2, 5]), rng.choice([1, 3, 50])
        got = memory.count(np.array(sorted(matched), dtype=np.int64), fields, mincount, limit)
        assert got == _brute_force(rows, matched, fields, mincount, limit)


def test_the_page_follows_ckans_default_sort():
    rng = random.Random(5)
    ords = rng.sample(range(1, 1000), 200)
    index_ids = {o: f"{rng.getrandbits(32):08x}" for o in ords}
    modified = {o: rng.choice([None, "2024", "2025", "2026"]) for o in ords}
    by_id = sorted(ords, key=lambda o: index_ids[o])
    # desc nulls last, then index_id
    by_modified = sorted(ords, key=lambda o: (modified[o] is None,
                                              [-ord(c) for c in modified[o] or ""],
                                              index_ids[o]))
    memory = FacetMemory.from_postings(3, [], SEP, by_id=[(o, index_ids[o]) for o in by_id],
                                       by_modified=_packed(by_modified))
    matched = rng.sample(ords, 120)
    scores = np.array([rng.choice([0.0, 0.1, 0.25, 1.0]) for _ in matched], dtype=np.float32)
    for use_modified in (True, False):
        tie = by_modified if use_modified else by_id
        expected = sorted(zip(matched, scores, strict=True),
                          key=lambda p: (-p[1], tie.index(p[0])))
        for start, rows in [(10, 25), (0, 1), (0, 0), (100, 50), (0, 120), (119, 5), (3, 200)]:
            page = memory.page(np.array(matched), scores, use_modified, start, rows)
            # scores as PostgreSQL prints a real: its shortest exact digits
            assert page == [[index_ids[o], float(str(s))] for o, s in expected[start:start + rows]]
    # a row the copy does not know: no page from it
    assert memory.page(np.array([5000]), np.array([1.0], np.float32), True, 0, 10) is None


def test_a_load_that_was_slow_goes_to_the_background():
    holder = FacetMemoryHolder(sync_load_ms=10)
    started, release = threading.Event(), threading.Event()

    def quick() -> FacetMemory:
        return FacetMemory.from_postings(1, [], SEP)

    def slow() -> FacetMemory:
        started.set()
        release.wait(5)
        return FacetMemory.from_postings(2, [], SEP)

    assert holder.refresh(quick).generation == 1  # first load: on the spot
    holder._last_load_ms = 500  # as if it had taken half a second
    assert holder.refresh(slow) is None  # counted in SQL meanwhile
    assert started.wait(5)
    assert holder.refresh(quick) is None  # one load at a time
    assert holder.current(1) is not None and holder.current(2) is None
    release.set()
    for thread in threading.enumerate():
        if thread.name == "spmd-facet-memory":
            thread.join(5)
    assert holder.current(2) is not None and holder.current(1) is None


def test_a_failed_load_leaves_searches_to_sql():
    holder = FacetMemoryHolder()

    def broken() -> FacetMemory:
        raise RuntimeError("connection lost")

    assert holder.refresh(broken) is None and holder.current(0) is None
    assert holder.refresh(lambda: FacetMemory.from_postings(4, [], SEP)).generation == 4


# -- through package_search -----------------------------------------------

@pytest.fixture
def embedded(search_backend):
    if search_backend != "postgres":
        pytest.skip("the embedded backend's facet copy")
    search_connection._memory_holder().clear()


@pytest.fixture
def catalogue(embedded):
    rng = random.Random(11)
    orgs = [factories.Organization(name=f"org-{i}") for i in range(3)]
    groups = [factories.Group(name=g) for g in ("mobilite", "energie")]
    words = ["énergie", "eau", "vélo", "air", "bruit", "budget"]
    for i in range(24):
        tags = sorted({rng.choice(words) for _ in range(rng.randint(1, 3))})
        factories.Dataset(
            owner_org=rng.choice(orgs)["id"], private=rng.random() < 0.3,
            title=f"{' '.join(tags).capitalize()} {i}", tags=[{"name": t} for t in tags],
            license_id=rng.choice(["cc-by", "odc-odbl"]),
            groups=[{"name": rng.choice(groups)["name"]}],
            resources=[{"url": f"http://example.org/{i}", "format": rng.choice(["CSV", "JSON"])}])
    return orgs


def _search(user: str, **kwargs) -> dict:
    kwargs.setdefault("facet.field", json.dumps(FACETS))
    kwargs.setdefault("facet.limit", 3)
    context = {"user": user, "ignore_auth": False}
    return helpers.call_action("package_search", context=context, **kwargs)


QUERIES = [{}, {"q": "energie"}, {"q": "velo OR air"}, {"fq": "tags:eau"},
           {"q": "budget", "facet.mincount": 2}, {"include_private": True},
           {"q": "title:bruit", "include_private": True, "facet.limit": -1},
           {"q": "eau", "sort": "title_string asc", "rows": 5, "start": 2},
           {"q": "energie OR eau", "sort": "score desc", "rows": 4, "start": 3},
           {"q": "introuvable"}, {"q": "introuvable", "sort": "name asc"}]


def test_same_facets_as_sql_for_every_user(catalogue, search_statements, ckan_config,
                                           monkeypatch):
    member = factories.User()
    helpers.call_action("organization_member_create", id=catalogue[0]["id"],
                        username=member["name"], role="editor")
    sysadmin = factories.Sysadmin()
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.cache_size", 0)
    users = ["", member["name"], sysadmin["name"]]
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.facet_memory", True)
    from_memory = [_search(u, **q) for u in users for q in QUERIES]
    assert sum("(d.ord)" in s.sql for s in search_statements.seen) == len(from_memory)
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.facet_memory", False)
    in_sql = [_search(u, **q) for u in users for q in QUERIES]
    assert from_memory == in_sql
    # the cases are not trivial: private datasets change the counts
    anonymous, sysadmin_view = from_memory[5], from_memory[2 * len(QUERIES) + 5]
    assert 0 < anonymous["count"] < sysadmin_view["count"]
    assert anonymous["search_facets"] != sysadmin_view["search_facets"]
    assert all(len(f["items"]) <= 3 for f in anonymous["search_facets"].values())


def test_a_change_is_counted_at_once(catalogue, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.cache_size", 0)

    def tram_count() -> int:
        items = _search("", q="tramway", **{"facet.limit": -1})["search_facets"]["tags"]["items"]
        return sum(i["count"] for i in items if i["name"] == "tramway")

    assert tram_count() == 0
    dataset = factories.Dataset(owner_org=catalogue[0]["id"], title="Tramway",
                                tags=[{"name": "tramway"}])
    assert tram_count() == 1
    helpers.call_action("package_patch", id=dataset["id"], tags=[{"name": "bus"}])
    assert tram_count() == 0


def test_a_copy_of_another_generation_is_never_used(catalogue, ckan_config, monkeypatch):
    """A change committed elsewhere while the copy is being refreshed in the
    background: searches count in SQL until the new copy is in place."""
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.cache_size", 0)
    holder = search_connection._memory_holder()
    before = _search("", q="energie")
    old, gate = holder._memory, threading.Event()
    monkeypatch.setattr(holder, "sync_load_ms", -1)  # every reload in the background
    # ... which does not arrive before the searches below
    monkeypatch.setattr(search_connection, "_load_facet_memory",
                        lambda engine: (gate.wait(30), old)[1])
    model.Session.commit()
    with model.meta.engine.begin() as other:  # another worker deletes a dataset
        other.execute(sa.text(
            "DELETE FROM spmd_search_doc WHERE id = (SELECT id FROM spmd_search_doc "
            "WHERE c_tags @> '{énergie}' AND c_capacity = 'public' LIMIT 1)"))
    after = _search("", q="energie")
    gate.set()
    assert after["count"] == before["count"] - 1
    assert sum(i["count"] for i in after["search_facets"]["organization"]["items"]) == \
        sum(i["count"] for i in before["search_facets"]["organization"]["items"]) - 1
    for thread in threading.enumerate():
        if thread.name == "spmd-facet-memory":
            thread.join(5)
    assert holder.current(old.generation) is old  # the stale copy stayed unused


RANKED_WITHOUT_FACETS = [{"q": "energie"}, {"q": "velo OR air", "rows": 3, "start": 2},
                         {"q": "title:bruit", "sort": "score desc"}, {"q": "introuvable"}]


def test_ranked_searches_without_facets_page_from_the_copy(catalogue, search_statements,
                                                           ckan_config, monkeypatch):
    """Free text and package_autocomplete ask for no facet, but rank every
    match: the copy gives their hits and page from one pass, exactly as SQL
    does. A listing without a text query keeps its sort index."""
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.cache_size", 0)

    def run() -> list:
        found = [helpers.call_action("package_search", **q) for q in RANKED_WITHOUT_FACETS]
        return found + [helpers.call_action("package_autocomplete", q=q)
                        for q in ("ene", "bud", "zzz")]

    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.facet_memory", True)
    from_memory = run()
    assert sum("(d.ord)" in s.sql for s in search_statements.seen) == len(from_memory)
    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.facet_memory", False)
    assert run() == from_memory
    assert from_memory[0]["count"] > 0 and len(from_memory[1]["results"]) == 3
    assert from_memory[4] and not from_memory[6]  # "ene" completes, "zzz" does not

    monkeypatch.setitem(ckan_config, "ckanext.spmd.search.facet_memory", True)
    search_statements.seen.clear()
    helpers.call_action("package_search", rows=5)
    assert search_statements.seen and not any("(d.ord)" in s.sql for s in search_statements.seen)
