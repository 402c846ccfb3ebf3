"""Benchmark of the embedded PostgreSQL search backend.

    python bench/search.py [--sizes 1000,10000,100000] [--queries 200]

Uses its own database (env BENCH_DB_URL, default
postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd_bench), created and
migrated when missing. For each size it bulk-indexes generated CKAN index
documents (shaped like the ones CKAN sends to Solr), then measures p50/p95
latency of CKAN's own actions: free text + 4 facets, the landing listing +
4 facets, fq filters, a sorted listing and package_autocomplete, first with
the result cache off (every query computed), then on (as deployed).
Finally it creates real datasets through
package_create and times a full rebuild (CKAN's ``search.rebuild`` and our
batched ``ckan spmd-search rebuild``). Prints a table with the targets.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

ROOT = pathlib.Path(__file__).resolve().parents[1]
DB_URL = os.environ.get(
    "BENCH_DB_URL", "postgresql://ckan_spmd:ckan_spmd@localhost/ckan_spmd_bench"
)

WORDS = (
    "énergie électricité chaleur réseau transport bus tramway métro vélo stationnement "
    "eau potable assainissement déchets collecte tri recyclage qualité air pollution "
    "bruit urbanisme permis construire logement social population recensement emploi "
    "école santé culture sport parc arbre biodiversité climat température pluie "
    "consommation production solaire éolien compteur capteur trafic accident voirie "
    "adresse cadastre parcelle bâtiment commune quartier iris budget subvention marché"
).split()
ORGS = [f"org-{i}" for i in range(12)]
GROUPS = ["mobilite", "energie", "eau", "dechets", "environnement", "urbanisme", "social"]
FORMATS = ["CSV", "GeoJSON", "JSON", "XLSX", "PDF", "GTFS", "SHP"]
LICENSES = ["odc-odbl", "cc-by", "cc-zero", "other-closed", "notspecified"]


def ensure_database() -> None:
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=DB_URL)
    name = DB_URL.rsplit("/", 1)[1]
    exists = subprocess.run(
        ["psql", DB_URL, "-c", "select 1"], capture_output=True, env=env
    ).returncode == 0
    if not exists:
        subprocess.run(
            ["su", "postgres", "-c", f"createdb -O ckan_spmd -E utf-8 {name}"], check=True
        )
    ckan = str(pathlib.Path(sys.executable).parent / "ckan")
    for step in (["db", "init"], ["db", "upgrade"]):
        subprocess.run([ckan, "-c", str(ROOT / "test.ini"), *step], check=True,
                       env=env, capture_output=True)


def load_ckan():
    os.environ["CKAN_SQLALCHEMY_URL"] = DB_URL
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(str(ROOT / "test.ini"))
    make_app(config)


# A catalogue's vocabulary is wide and skewed: a few words are everywhere,
# most are rare. Draw from the themes' words plus a long tail of numbered
# terms (street names, places, measures...) with a Zipf-like law.
VOCABULARY = WORDS + [f"{w}{i}" for i in range(1, 40) for w in ("rue", "lieu", "mesure")]
ZIPF = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def word(rng: random.Random) -> str:
    return rng.choices(VOCABULARY, weights=ZIPF)[0]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(word(rng) for _ in range(n))


def make_doc(rng: random.Random, i: int, site_id: str) -> dict:
    """A document shaped like CKAN's index documents."""
    pkg_id = str(uuid.UUID(int=rng.getrandbits(128)))
    title = sentence(rng, 4).capitalize()
    tags = sorted({word(rng) for _ in range(rng.randint(1, 5))})
    formats = [rng.choice(FORMATS) for _ in range(rng.randint(1, 3))]
    org = rng.choice(ORGS)
    modified = f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    private = rng.random() < 0.1
    data = {"id": pkg_id, "name": f"dataset-{i}", "title": title,
            "notes": sentence(rng, 40), "tags": [{"name": t} for t in tags],
            "resources": [{"format": f, "url": f"http://example.org/{i}.{f.lower()}"}
                          for f in formats]}
    return {
        "id": pkg_id, "index_id": uuid.uuid4().hex, "site_id": site_id,
        "name": f"dataset-{i}", "title": title, "title_string": title,
        "notes": data["notes"], "tags": tags, "groups": [rng.choice(GROUPS)],
        "organization": org, "owner_org": org, "res_format": formats,
        "res_name": [sentence(rng, 2) for _ in formats],
        "res_description": [sentence(rng, 6) for _ in formats],
        "res_url": [r["url"] for r in data["resources"]],
        "license_id": rng.choice(LICENSES), "state": "active", "type": "dataset",
        "dataset_type": "dataset", "entity_type": "package",
        "capacity": "private" if private else "public", "private": private,
        "permission_labels": [f"member-{org}"] if private else ["public"],
        "metadata_created": modified + "T08:00:00Z",
        "metadata_modified": modified + "T10:00:00Z",
        "num_resources": len(formats), "num_tags": len(tags),
        "extras_frequency": rng.choice(["annuelle", "mensuelle", "quotidienne"]),
        "data_dict": json.dumps(data), "validated_data_dict": json.dumps(data),
    }


def bulk_index(n: int) -> float:
    from ckan import model
    from ckan.plugins import toolkit

    from ckanext.spmd.search.ckan_internals import postgres_connection

    site_id = toolkit.config["ckan.site_id"]
    model.Session.execute(sa.text("TRUNCATE spmd_search_doc CASCADE"))
    model.Session.commit()
    conn = postgres_connection()
    rng = random.Random(n)
    started = time.perf_counter()
    batch = []
    for i in range(n):
        batch.append(make_doc(rng, i, site_id))
        if len(batch) == 500:
            conn.add(batch)
            model.Session.commit()
            batch = []
    if batch:
        conn.add(batch)
    model.Session.commit()
    rate = n / (time.perf_counter() - started)
    settle()
    return rate


def settle() -> None:
    """The state a catalogue is in between bursts of writes: statistics
    fresh and the GIN indexes' pending lists merged (what autovacuum does
    within a minute of a bulk load; a plain ANALYZE leaves them to be read
    linearly by every search)."""
    from ckan import model

    with model.meta.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.text("VACUUM ANALYZE spmd_search_doc"))


def backend_cpu_ms() -> float | None:
    """CPU time used so far by this session's PostgreSQL backend (local
    server only). Unlike latency, it hardly depends on what else the shared
    cores are doing, so runs under different loads can be compared."""
    from ckan import model

    pid = model.Session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def copy_documents(copies: int) -> float:
    """Grow the index to ``copies`` times its generated documents by copying
    rows in SQL (new ids): much faster than indexing when the shared cores
    are busy; the copies keep the vocabulary's skew, so they time the same."""
    from ckan import model

    started = time.perf_counter()
    n = model.Session.execute(sa.text("SELECT count(*) FROM spmd_search_doc")).scalar()
    for k in range(1, copies):
        model.Session.execute(sa.text(
            "INSERT INTO spmd_search_doc (index_id, id, site_id, fields, texts, tsv, tsv_head) "
            "SELECT index_id || :k, id || :k, site_id, fields, texts, tsv, tsv_head "
            "FROM spmd_search_doc WHERE index_id NOT LIKE '%-%'"), {"k": f"-{k}"})
        model.Session.execute(sa.text(
            "INSERT INTO spmd_search_stored (index_id, stored) SELECT index_id || :k, stored "
            "FROM spmd_search_stored WHERE index_id NOT LIKE '%-%'"), {"k": f"-{k}"})
        model.Session.commit()
    rate = n * (copies - 1) / (time.perf_counter() - started)
    settle()
    return rate


def timed(fn, runs: int) -> tuple[float, float, float | None]:
    """p50 and p95 latency (ms), and mean server CPU per query (ms)."""
    fn(0)  # warm-up
    samples = []
    cpu_start = backend_cpu_ms()
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    cpu_end = backend_cpu_ms()
    samples.sort()
    cpu = None if cpu_start is None or cpu_end is None else (cpu_end - cpu_start) / runs
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], cpu


def query_suite(runs: int) -> dict[str, tuple[float, float, float | None]]:
    from ckan.plugins import toolkit

    rng = random.Random(7)
    search = toolkit.get_action("package_search")
    autocomplete = toolkit.get_action("package_autocomplete")

    def anon() -> dict:
        return {"user": "", "auth_user_obj": None}

    facets = json.dumps(["organization", "tags", "res_format", "license_id"])
    return {
        "free text + 4 facets": timed(lambda i: search(anon(), {
            "q": word(rng), "facet.field": facets, "rows": 20}), runs),
        # /dataset without a query: every visible dataset counted
        "listing + 4 facets": timed(lambda i: search(anon(), {
            "facet.field": facets, "rows": 20}), runs),
        "fq filters": timed(lambda i: search(anon(), {
            "fq": f'+tags:"{word(rng)}" +res_format:({rng.choice(FORMATS)} OR CSV) '
                  f"-license_id:other-closed", "rows": 20}), runs),
        "sorted listing": timed(lambda i: search(anon(), {
            "sort": rng.choice(["metadata_modified desc", "title_string asc", "name asc"]),
            "rows": 20, "start": rng.randint(0, 200)}), runs),
        "autocomplete": timed(lambda i: autocomplete({"ignore_auth": True}, {
            "q": word(rng)[:3], "limit": 10}), runs),
    }


def rebuild_rates(n: int) -> tuple[float, float]:
    """Real datasets through package_create, then both rebuild paths."""
    from ckan import model
    from ckan.cli.cli import ckan as ckan_command
    from ckan.lib import search
    from ckan.plugins import toolkit
    from click.testing import CliRunner

    model.repo.delete_all()
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = {"user": site_user["name"], "ignore_auth": True}
    toolkit.get_action("organization_create")(dict(ctx), {"name": "bench-org"})
    rng = random.Random(1)
    for i in range(n):
        toolkit.get_action("package_create")(dict(ctx), {
            "name": f"bench-{i}", "title": sentence(rng, 4), "notes": sentence(rng, 30),
            "owner_org": "bench-org",
            "tags": [{"name": t} for t in {word(rng) for _ in range(3)}],
            "resources": [{"url": f"http://example.org/{i}.csv", "format": "CSV"}]})
    started = time.perf_counter()
    search.rebuild(quiet=True)
    core = n / (time.perf_counter() - started)
    started = time.perf_counter()
    result = CliRunner().invoke(
        ckan_command, ["-c", str(ROOT / "test.ini"), "spmd-search", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    ours = n / (time.perf_counter() - started)
    return core, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild-datasets", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=1,
                        help="index each size / COPIES generated documents, then copy "
                             "them in SQL up to the size (quicker on busy cores)")
    args = parser.parse_args()
    ensure_database()
    load_ckan()

    targets = {1000: None, 10000: 50.0, 100000: 200.0}
    print(f"uptime: {os.getloadavg()[0]:.1f} load average on {os.cpu_count()} cores")
    print("cache off: every query computed; cache on: as deployed (repeated queries, like "
          "the landing page, answered from the result cache while the index is unchanged)")
    print(f"{'datasets':>9} {'index/s':>8}  {'query':<22} {'cache':>5} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'pg cpu ms':>9}  target p95")
    from ckan.plugins import toolkit

    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        rate = bulk_index(n // args.copies)
        if args.copies > 1:
            copy_documents(args.copies)
        for cache in ("off", "on"):
            toolkit.config["ckanext.spmd.search.cache_size"] = 0 if cache == "off" else 500
            for k, (p50, p95, cpu) in query_suite(args.queries).items():
                target = targets.get(n)
                verdict = "" if target is None else (
                    f"< {target:.0f} ms {'OK' if p95 < target else 'MISSED'}")
                cpu_text = "-" if cpu is None else f"{cpu:.1f}"
                print(f"{n:>9} {rate:>8.0f}  {k:<22} {cache:>5} {p50:>7.1f} {p95:>7.1f} "
                      f"{cpu_text:>9}  {verdict}")
    if args.rebuild_datasets:
        core, ours = rebuild_rates(args.rebuild_datasets)
        print(f"\nrebuild of {args.rebuild_datasets} real datasets (package_show per dataset):")
        print(f"  ckan search-index rebuild   {core:7.0f} datasets/s")
        print(f"  ckan spmd-search rebuild    {ours:7.0f} datasets/s   target >= 300 "
              f"{'OK' if ours >= 300 else 'MISSED'}")


if __name__ == "__main__":
    main()
