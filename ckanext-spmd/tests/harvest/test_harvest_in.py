"""Harvesting a national-style DCAT catalogue in, with ckanext-dcat's RDF
harvester and our per-source mapping (spmd_harvest)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.plugins import toolkit
from ckan.tests import factories
from national_catalogue import Catalogue, record, served

from ckanext.spmd.harvest import cli as harvest_cli
from ckanext.spmd.harvest import mapping

PLUGINS = ("spmd_search scheming_datasets scheming_organizations spmd spmd_access harvest "
           "dcat dcat_rdf_harvester spmd_dcat spmd_harvest")
DEFAULTS = {
    "certifying_authority": "Institut national de l'information géographique",
    "reference_scope": "Territoire de la métropole de Rivebelle",
    "service_commitment": "Mise à jour hebdomadaire depuis la base nationale",
    "continuity_contact": "donnees@rivebelle.example.org",
}

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 spmd_dcat_ap"),
    pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins"),
]


@pytest.fixture
def national() -> Iterator[Catalogue]:
    catalogue = Catalogue()
    catalogue.pages = {
        1: [record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses."),
            record("sans-titre", None, "Un enregistrement sans titre."),
            record("cadastre-rivebelle", "Cadastre, Rivebelle", "Parcelles.", "MONTHLY")],
        2: [record("iris-rivebelle", "Contours IRIS, Rivebelle", "IRIS.", "ANNUAL")],
    }
    with served(catalogue) as running:
        yield running


def create_source(url: str, local_edits: str) -> dict[str, Any]:
    org = factories.Organization(partner_roles=["producer"])
    return toolkit.get_action("harvest_source_create")({"ignore_auth": True, "user": ""}, {
        "name": "national", "title": "Portail national", "url": url,
        "source_type": "dcat_rdf", "owner_org": org["id"],
        "config": json.dumps({"rdf_format": "turtle", "spmd_default_typology": "reference",
                              "spmd_defaults": DEFAULTS, "spmd_local_edits": local_edits})})


def harvested() -> dict[str, dict[str, Any]]:
    found = toolkit.get_action("package_search")({"ignore_auth": True},
                                                 {"rows": 100, "include_private": True})
    return {p["title"]: p for p in found["results"]}


def run(source: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    lines: list[str] = []
    return harvest_cli.run_source(source["id"], echo=lines.append), lines


def test_national_catalogue_comes_in_with_typology_paging_and_errors(
        national: Catalogue) -> None:
    source = create_source(f"{national.base}/catalog.ttl", "keep")
    report, lines = run(source)

    assert {"/catalog.ttl", "/catalog.ttl?page=2"} <= set(national.requests)
    assert report["created"] == 3 and report["deleted"] == 0
    assert len(report["errors"]) == 1
    assert "sans-titre skipped: no dct:title" in report["errors"][0]
    assert "3 records to process" in lines
    assert any(line.startswith("[3/3] ") for line in lines)
    assert "report: created 3, updated 0, deleted 0, unchanged 0" in lines

    datasets = harvested()
    assert set(datasets) == {"Base adresse nationale, Rivebelle", "Cadastre, Rivebelle",
                             "Contours IRIS, Rivebelle"}
    ban = datasets["Base adresse nationale, Rivebelle"]
    assert ban["territorial_typology"] == "reference"
    assert ban["access_class"] == "open"
    assert ban["frequency"] == "WEEKLY"
    assert datasets["Cadastre, Rivebelle"]["frequency"] == "MONTHLY"
    assert ban["certifying_authority"] == DEFAULTS["certifying_authority"]
    assert json.loads(ban["spatial"])["type"] == "Polygon"
    assert ban["temporal_start"].startswith("2024-01-01")
    assert ban["resources"][0]["url"] == "https://national.example.org/files/ban-rivebelle.csv"


def test_second_run_updates_deletes_and_keeps_local_edits(national: Catalogue) -> None:
    source = create_source(f"{national.base}/catalog.ttl", "keep")
    run(source)
    ban = harvested()["Base adresse nationale, Rivebelle"]
    toolkit.get_action("package_patch")({"ignore_auth": True, "user": ""}, {
        "id": ban["id"], "title": "Adresses de Rivebelle (édition locale)"})

    # Upstream: the BAN description changes, IRIS disappears.
    national.pages = {1: [
        record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses, v2."),
        record("sans-titre", None, "Toujours sans titre."),
        record("cadastre-rivebelle", "Cadastre, Rivebelle", "Parcelles.", "MONTHLY")]}
    report, lines = run(source)
    assert (report["created"], report["updated"], report["deleted"]) == (0, 2, 1)
    assert len(report["errors"]) == 1
    datasets = harvested()
    assert "Contours IRIS, Rivebelle" not in datasets
    local = datasets["Adresses de Rivebelle (édition locale)"]
    assert local["notes"] == "Adresses, v2."  # not edited locally: follows the source
    assert local["certifying_authority"] == DEFAULTS["certifying_authority"]

    # The rule changes: the source wins again.
    config = json.loads(source["config"])
    toolkit.get_action("harvest_source_update")({"ignore_auth": True, "user": ""}, {
        **{k: source[k] for k in ("id", "name", "title", "url", "source_type", "owner_org")},
        "config": json.dumps({**config, "spmd_local_edits": "overwrite"})})
    run(source)
    assert "Base adresse nationale, Rivebelle" in harvested()


def test_a_record_turning_malformed_keeps_its_dataset(national: Catalogue) -> None:
    """ckanext-dcat deletes the datasets whose records are missing from the
    source; a record that is only malformed must not lose its dataset."""
    source = create_source(f"{national.base}/catalog.ttl", "overwrite")
    run(source)
    before = harvested()["Cadastre, Rivebelle"]

    national.pages = {1: [
        record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses."),
        record("cadastre-rivebelle", None, "Parcelles, sans titre cette fois."),
        record("iris-rivebelle", "Contours IRIS, Rivebelle", "IRIS.", "ANNUAL")]}
    report, lines = run(source)
    assert report["deleted"] == 0 and report["created"] == 0
    assert len(report["errors"]) == 1
    assert "cadastre-rivebelle: no dct:title; its dataset is kept unchanged" in report["errors"][0]
    kept = harvested()["Cadastre, Rivebelle"]
    assert kept["notes"] == before["notes"] == "Parcelles."
    assert kept["metadata_modified"] == before["metadata_modified"]
    assert not [t for t in harvested() if t.startswith("spmd:")]  # no stand-in dataset

    # fixed upstream: updated as usual
    national.pages = {1: [
        record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses."),
        record("cadastre-rivebelle", "Cadastre, Rivebelle", "Parcelles, v2.", "MONTHLY"),
        record("iris-rivebelle", "Contours IRIS, Rivebelle", "IRIS.", "ANNUAL")]}
    report, _ = run(source)
    assert report["errors"] == [] and report["deleted"] == 0
    assert harvested()["Cadastre, Rivebelle"]["notes"] == "Parcelles, v2."

    # malformed again, then gone upstream: the link to the dataset held,
    # so the removal still deletes it
    national.pages = {1: [
        record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses."),
        record("cadastre-rivebelle", None, "Sans titre."),
        record("iris-rivebelle", "Contours IRIS, Rivebelle", "IRIS.", "ANNUAL")]}
    run(source)
    assert "Cadastre, Rivebelle" in harvested()
    national.pages = {1: [
        record("ban-rivebelle", "Base adresse nationale, Rivebelle", "Adresses."),
        record("iris-rivebelle", "Contours IRIS, Rivebelle", "IRIS.", "ANNUAL")]}
    report, _ = run(source)
    assert report["deleted"] == 1
    assert set(harvested()) == {"Base adresse nationale, Rivebelle", "Contours IRIS, Rivebelle"}


def test_bad_source_config_is_refused_with_the_key_at_fault() -> None:
    org = factories.Organization(partner_roles=["producer"])
    with pytest.raises(toolkit.ValidationError) as error:
        toolkit.get_action("harvest_source_create")({"ignore_auth": True, "user": ""}, {
            "name": "bad", "url": "http://127.0.0.1:9/catalog.ttl", "source_type": "dcat_rdf",
            "owner_org": org["id"],
            "config": json.dumps({"spmd_default_typology": "national"})})
    assert "spmd_default_typology" in str(error.value.error_dict["config"])


@pytest.mark.usefixtures("with_extended_cli")
def test_cli_creates_and_runs_a_source(cli: Any, national: Catalogue) -> None:
    org = factories.Organization(partner_roles=["producer"])
    result = cli.invoke(ckan_command, [
        "spmd-harvest", "source-create", "national-cli", f"{national.base}/catalog.ttl",
        "--organization", org["name"], "--typology", "reference", "--local-edits", "keep",
        "--defaults", json.dumps(DEFAULTS)])
    assert result.exit_code == 0, result.output
    result = cli.invoke(ckan_command, ["spmd-harvest", "run", "national-cli"])
    # One malformed record: reported, and the exit status says so.
    assert result.exit_code == 1, result.output
    assert "report: created 3, updated 0, deleted 0" in result.output
    assert "Malformed record" in result.output


def test_mapping_rules() -> None:
    config = mapping.parse_config(json.dumps({"spmd_default_typology": "territory",
                                              "spmd_defaults": {"method_notes": "x"}}))
    assert config.local_edits == "overwrite"
    stated = mapping.apply({"territorial_typology": "reference"}, config)
    assert stated["territorial_typology"] == "reference"
    assert mapping.apply({}, config)["method_notes"] == "x"
    for bad in ('{"spmd_local_edits": "merge"}', '{"spmd_defaults": {"id": "x"}}', "[1]",
                "{nope"):
        with pytest.raises(mapping.SourceConfigError):
            mapping.parse_config(bad)
    new = {"title": "Source v2", "notes": "Source notes v2"}
    kept = mapping.keep_local_edits(new, current={"title": "Local", "notes": "Source notes"},
                                    imported={"title": "Source", "notes": "Source notes"})
    assert kept == ["title"] and new == {"title": "Local", "notes": "Source notes v2"}
