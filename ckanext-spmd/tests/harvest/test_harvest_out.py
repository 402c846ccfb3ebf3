"""Harvestable by others: the national portal's expectations on our API
output, and a real harvest of our portal (served on a local port) by a
second CKAN running ckanext-harvest's CKAN harvester."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import served_portal
from ckan.common import config
from ckan.plugins import toolkit
from ckan.tests import factories
from shapely.geometry import shape

from ckanext.spmd.demo import catalogue, loader

SERVED_PLUGINS = ("spmd_search scheming_datasets scheming_organizations spmd spmd_access "
                  "consent dcat spmd_dcat")
DEMO_PLUGINS = ("spmd_search scheming_datasets scheming_organizations spmd spmd_access "
                "dcat spmd_dcat")
HARVESTER_PLUGINS = "spmd_search harvest ckan_harvester"
PUBLIC = [d["name"] for d in catalogue.DATASETS if not d.get("private")]


def extras(pkg: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in pkg.get("extras", [])}


def assert_national_expectations(pkg: dict[str, Any]) -> None:
    """What the national portal's CKAN harvester reads (it skips a dataset
    without resources)."""
    name = pkg["name"]
    assert pkg["type"] == "dataset", name
    assert pkg["license_id"] and pkg.get("license_title"), name
    assert pkg["metadata_created"] and pkg["metadata_modified"], name
    assert pkg["resources"], name
    assert all(r.get("created") for r in pkg["resources"]), name
    found = extras(pkg)
    geometry = json.loads(found["spatial"])
    assert geometry["type"] in ("Polygon", "MultiPolygon"), name
    assert shape(geometry).is_valid, name
    assert found["frequency"].isupper(), name
    for key in ("temporal_start", "temporal_end"):
        assert found[key][:4].isdigit(), (name, key)


@pytest.mark.ckan_config("ckan.plugins", DEMO_PLUGINS)
@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins")
def test_public_demo_datasets_meet_the_national_harvester_expectations(
        ckan_config: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, app: Any) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    loader.load(echo=lambda line: None)
    # As the harvester reads them: anonymous API calls.
    search = app.get("/api/3/action/package_search?rows=1000").json["result"]
    found = {pkg["name"]: pkg for pkg in search["results"]}
    assert set(PUBLIC) <= set(found)
    problems = []
    for name in PUBLIC:
        shown = app.get(f"/api/3/action/package_show?id={name}").json["result"]
        for pkg in (found[name], shown):
            try:
                assert_national_expectations(pkg)
            except (AssertionError, KeyError, ValueError) as e:
                problems.append(f"{name}: {e!r}")
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Our portal with a few datasets, served on a free port."""
    tmp = tmp_path_factory.mktemp("served_portal")
    db_url = served_portal.source_database_url(config["sqlalchemy.url"])
    served_portal.ensure_database(db_url)
    port = served_portal.free_port()
    ini = served_portal.write_ini(tmp / "portal.ini", db_url, port, SERVED_PLUGINS,
                                  config["ckan.redis.url"], tmp / "storage")
    with served_portal.served(ini, port) as (base, content):
        yield {"base": base, **content}


@pytest.mark.ckan_config("ckan.plugins", HARVESTER_PLUGINS)
@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins")
def test_a_ckan_harvester_copies_our_portal_without_restricted_or_personal_data(
        portal: dict[str, Any]) -> None:
    from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
    from ckanext.harvest.model import HarvestObject
    from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
    from ckanext.harvest.tests.lib import run_harvest_job

    assert portal["personal"], "ckanext-consent should give the served portal personal data"
    org = factories.Organization()
    source = HarvestSourceObj(url=portal["base"], source_type="ckan", owner_org=org["id"])
    results = run_harvest_job(HarvestJobObj(source=source, run=False), CKANHarvester())

    errors = [(guid, r["errors"]) for guid, r in results.items() if r["errors"]]
    assert errors == []
    arrived = {r["dataset"]["name"]: r["dataset"] for r in results.values() if "dataset" in r}
    assert set(arrived) == set(portal["public"]) | set(portal["restricted"])

    stops = arrived["arrets-bel"]
    assert stops["title"] == "Arrêts du réseau BEL"
    assert stops["license_id"] == "odc-odbl"
    assert [r["url"] for r in stops["resources"]] == ["http://data.example.org/arrets.csv"]
    assert_national_expectations(stops)
    assert extras(stops)["frequency"] == "MONTHLY"
    assert extras(stops)["temporal_start"] == "2023-01-01"

    restricted = arrived["validations-bel"]
    assert [r["name"] for r in restricted["resources"]] == ["Validations"]
    assert all(not r["url"] for r in restricted["resources"])
    # Nowhere in what the harvester stored, either.
    from ckan import model
    stored = [o.content or "" for o in model.Session.query(HarvestObject)]
    assert stored and not any("secret-validations" in c for c in stored)
    assert not any(name in c for name in portal["personal"] for c in stored)
    harvested = toolkit.get_action("package_search")({"ignore_auth": True}, {"rows": 100})
    assert {p["name"] for p in harvested["results"]} == set(arrived)


def test_served_dcat_catalogue_has_no_personal_data_nor_data_urls(portal: dict[str, Any]) -> None:
    """The same portal's RDF catalogue, with ckanext-consent's personal-data
    type for real: metadata of public and restricted datasets, nothing else."""
    body = requests.get(f"{portal['base']}/catalog.ttl", timeout=30).content.decode()
    for name in portal["public"] + portal["restricted"]:
        assert f"/dataset/{name}>" in body, name
    for name in portal["personal"]:
        assert name not in body
    assert "secret-validations" not in body
    body = requests.get(f"{portal['base']}/dataset/validations-bel.ttl",
                        timeout=30).content.decode()
    assert "Validations par arrêt" in body and "secret-validations" not in body


SPMD_HARVESTER_PLUGINS = ("spmd_search scheming_datasets scheming_organizations spmd spmd_access "
                          "harvest spmd_ckan_harvester dcat spmd_dcat spmd_harvest")


@pytest.mark.ckan_config("ckan.plugins", SPMD_HARVESTER_PLUGINS)
@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins")
def test_another_spmd_portal_harvests_ours_with_its_fields(portal: dict[str, Any]) -> None:
    """The CKAN harvester with our mapping: the remote's typology and fields
    arrive as fields of our schema (the mirrored extras folded back)."""
    from ckanext.spmd.harvest import cli as harvest_cli

    org = factories.Organization(partner_roles=["producer"])
    source = toolkit.get_action("harvest_source_create")({"ignore_auth": True, "user": ""}, {
        "name": "voisin", "url": portal["base"], "source_type": "spmd_ckan",
        "owner_org": org["id"],
        "config": json.dumps({"spmd_default_typology": "territory",
                              "spmd_local_edits": "keep"})})
    lines: list[str] = []
    report = harvest_cli.run_source(source["id"], echo=lines.append)
    assert report["errors"] == []
    assert report["created"] == len(portal["public"]) + len(portal["restricted"])
    stops = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": "arrets-bel"})
    assert stops["territorial_typology"] == "territorial-interest"
    assert stops["public_service"] == "transport"
    assert stops["frequency"] == "MONTHLY"
    assert json.loads(stops["spatial"])["type"] == "Polygon"
    restricted = toolkit.get_action("package_show")({"ignore_auth": True},
                                                    {"id": "validations-bel"})
    assert restricted["access_class"] == "restricted"
    assert all(not r["url"] for r in restricted["resources"])
    # A second run: nothing changed upstream, nothing fails.
    report = harvest_cli.run_source(source["id"], echo=lines.append)
    assert report["errors"] == [] and report["created"] == 0
