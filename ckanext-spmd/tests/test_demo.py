"""The demo territory (``ckan spmd demo load``) against a real CKAN and database."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import uploader
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd import roles, typologies
from ckanext.spmd.demo import catalogue, files, loader, qualification, tables, territory

PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd"
# The territory's bounding box, with a margin: every generated geometry lies inside.
LAT_RANGE = (47.95, 48.30)
LON_RANGE = (-1.95, -1.40)

PLUGINS_MARK = pytest.mark.ckan_config("ckan.plugins", PLUGINS)

PUBLIC = [d for d in catalogue.DATASETS if not d.get("private")]
PRIVATE = [d for d in catalogue.DATASETS if d.get("private")]
# use cases are datasets of another type
DATASETS_ONLY = "+dataset_type:dataset"
RESOURCE_COUNT = sum(len(d["resources"]) for d in catalogue.DATASETS)


class Loaded:
    def __init__(self, summary: loader.Summary, lines: list[str], storage: Path) -> None:
        self.summary = summary
        self.lines = lines
        self.storage = storage


@pytest.fixture
def storage(ckan_config: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def loaded(clean_db: None, clean_index: None, with_plugins: None, storage: Path) -> Loaded:
    lines: list[str] = []
    summary = loader.load(echo=lines.append)
    return Loaded(summary, lines, storage)


def sysadmin_context() -> dict[str, Any]:
    return {"user": loader.site_user(), "ignore_auth": True}


def anonymous_context() -> dict[str, Any]:
    return {"user": ""}


def search(context: dict[str, Any], **params: Any) -> dict[str, Any]:
    return toolkit.get_action("package_search")(context, params)


def show(name: str) -> dict[str, Any]:
    return toolkit.get_action("package_show")(sysadmin_context(), {"id": name})


def uploaded_resources() -> list[dict[str, Any]]:
    return [
        resource
        for dataset in catalogue.DATASETS
        for resource in show(dataset["name"])["resources"]
        if resource.get("url_type") == "upload"
    ]


def stored_bytes(resource: dict[str, Any]) -> bytes:
    return Path(uploader.ResourceUpload(resource).get_path(resource["id"])).read_bytes()


def parse_csv(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def coordinates(geometry: dict[str, Any]) -> list[list[float]]:
    if geometry["type"] == "Point":
        return [geometry["coordinates"]]
    if geometry["type"] == "LineString":
        return geometry["coordinates"]
    return [position for ring in geometry["coordinates"] for position in ring]


def assert_geojson(content: bytes) -> None:
    collection = json.loads(content.decode("utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"]
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["properties"]
        for lon, lat in coordinates(feature["geometry"]):
            assert LAT_RANGE[0] < lat < LAT_RANGE[1] and LON_RANGE[0] < lon < LON_RANGE[1]


def snapshot() -> dict[str, Any]:
    """What a reload must not change: every dataset's modification date and
    resources, the row counts, the stored files."""
    datasets = {}
    for dataset in catalogue.DATASETS:
        pkg = show(dataset["name"])
        datasets[dataset["name"]] = (
            pkg["metadata_modified"],
            [(r["id"], r["url"], r["metadata_modified"]) for r in pkg["resources"]],
        )
    return {
        "datasets": datasets,
        "packages": model.Session.query(model.Package).count(),
        "resources": model.Session.query(model.Resource).count(),
        "groups": model.Session.query(model.Group).count(),
    }


def stored_files(storage: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in storage.rglob("*") if p.is_file()}


# The catalogue and the generated files, without CKAN.

def test_catalogue_is_consistent() -> None:
    org_names = {org["name"] for org in catalogue.ORGANIZATIONS}
    group_names = {group["name"] for group in catalogue.GROUPS}
    assert len(org_names) == len(catalogue.ORGANIZATIONS) >= 12
    assert len(group_names) == len(catalogue.GROUPS) == 7
    names = [d["name"] for d in catalogue.DATASETS]
    assert len(set(names)) == len(names)
    assert 35 <= len(names) <= 50
    for dataset in catalogue.DATASETS:
        assert dataset["organization"] in org_names
        assert dataset["group"] in group_names
        assert 1 <= len(dataset["resources"]) <= 3
        resource_names = [r["name"] for r in dataset["resources"]]
        assert len(set(resource_names)) == len(resource_names), dataset["name"]
        for resource in dataset["resources"]:
            assert ("url" in resource) != ("file" in resource), resource
            if "file" in resource:
                assert resource["table"] in tables.TABLES
    assert 2 <= len(PRIVATE) <= 4


def test_generated_files_are_deterministic_and_well_formed() -> None:
    for dataset in catalogue.DATASETS:
        for resource in dataset["resources"]:
            if "file" not in resource:
                continue
            content = loader.file_content(resource)
            assert content == loader.file_content(resource), resource["file"]
            if files.file_format(resource["file"]) == "CSV":
                rows = parse_csv(content)
                assert 8 <= len(rows) <= 200, resource["file"]
                assert all(None not in row and len(row) == len(rows[0]) for row in rows)
            else:
                assert_geojson(content)


def test_csv_and_geojson_of_one_table_describe_the_same_features() -> None:
    table = tables.build("arrets")
    rows = parse_csv(files.render(table, "CSV"))
    features = json.loads(files.render(table, "GeoJSON"))["features"]
    assert len(rows) == len(features) == 90
    for row, feature in zip(rows, features, strict=True):
        assert feature["properties"]["code_arret"] == row["code_arret"]
        assert feature["geometry"]["coordinates"] == [float(row["longitude"]),
                                                      float(row["latitude"])]
        assert "latitude" not in feature["properties"]


def test_iris_populations_add_up() -> None:
    table = tables.build("population_iris")
    bands = [table.columns.index(band) for band in tables.AGE_BANDS]
    for row in table.rows:
        assert sum(row[i] for i in bands) == row[table.columns.index("population")]
    assert sum(territory.population(c.code) for c in territory.COMMUNES) == sum(
        i.population for i in territory.IRIS
    )


# Loading into CKAN.

@PLUGINS_MARK
def test_load_creates_the_territory(loaded: Loaded) -> None:
    assert loaded.summary["organizations"] == {
        "created": len(loader.organizations()), "updated": 0, "unchanged": 0}
    assert loaded.summary["use_cases"]["created"] == len(qualification.USE_CASES)
    assert loaded.summary["groups"]["created"] == 7
    assert loaded.summary["datasets"]["created"] == len(catalogue.DATASETS)
    assert loaded.summary["resources"]["created"] == RESOURCE_COUNT
    assert "organisation metropole-rivebelle: created" in loaded.lines
    assert "dataset arrets-reseau-bel: created (resources: 3 created)" in loaded.lines

    context = sysadmin_context()
    organizations = toolkit.get_action("organization_list")(context, {"all_fields": True})
    assert len(organizations) >= 12
    titles = {org["name"]: org["title"] for org in organizations}
    assert titles["metropole-rivebelle"] == "Métropole de Rivebelle"
    assert search(context, rows=0, include_private=True, fq=DATASETS_ONLY)["count"] == len(
        catalogue.DATASETS)
    licences = Counter(show(d["name"])["license_id"] for d in catalogue.DATASETS)
    assert set(licences) >= {"odc-odbl", "cc-by", "cc-zero", "other-closed"}


@PLUGINS_MARK
def test_datasets_carry_the_catalogue_metadata_and_theme(loaded: Loaded) -> None:
    spec = next(d for d in catalogue.DATASETS if d["name"] == "consommation-electricite-iris")
    pkg = show(spec["name"])
    assert pkg["title"] == spec["title"]
    assert pkg["notes"].startswith("Consommation d'électricité en 2023")
    assert pkg["license_id"] == "odc-odbl"
    assert pkg["organization"]["name"] == "ouest-distribution-electricite"
    assert [g["name"] for g in pkg["groups"]] == ["energie"]
    assert sorted(t["name"] for t in pkg["tags"]) == sorted(spec["tags"])
    formats = [(r["name"], r["format"]) for r in pkg["resources"]]
    assert formats == [("Consommation 2023 par IRIS", "CSV"),
                       ("Définition de l'IRIS (Insee)", "HTML")]
    assert pkg["resources"][1]["url"] == catalogue.INSEE_IRIS

    context = sysadmin_context()
    total = 0
    for group in catalogue.GROUPS:
        expected = [d["name"] for d in catalogue.DATASETS if d["group"] == group["name"]]
        found = search(context, fq=f'groups:"{group["name"]}"', include_private=True, rows=100)
        assert found["count"] == len(expected) > 0, group["name"]
        assert sorted(r["name"] for r in found["results"]) == sorted(expected)
        total += found["count"]
    assert total == len(catalogue.DATASETS)


@PLUGINS_MARK
def test_uploaded_files_are_stored_and_download(loaded: Loaded, app: Any) -> None:
    resources = uploaded_resources()
    expected = sum(1 for d in catalogue.DATASETS for r in d["resources"] if "file" in r)
    assert len(resources) == expected
    for resource in resources:
        path = Path(uploader.ResourceUpload(resource).get_path(resource["id"]))
        assert loaded.storage in path.parents
        content = stored_bytes(resource)
        assert resource["size"] == len(content)
        if resource["format"] == "CSV":
            assert resource["mimetype"] == "text/csv"
            assert parse_csv(content)
        else:
            assert resource["format"] == "GeoJSON"
            assert_geojson(content)

    stops = {r["format"]: r for r in show("arrets-reseau-bel")["resources"]}
    csv_response = app.get(urlparse(stops["CSV"]["url"]).path)
    assert csv_response.status_code == 200
    rows = parse_csv(csv_response.data)
    assert len(rows) == 90 and rows[0]["code_arret"] == "RVB0001"
    geojson_response = app.get(urlparse(stops["GeoJSON"]["url"]).path)
    assert geojson_response.status_code == 200
    assert_geojson(geojson_response.data)
    private = show(PRIVATE[0]["name"])["resources"][0]
    assert app.get(urlparse(private["url"]).path).status_code in (403, 404)


@PLUGINS_MARK
def test_search_finds_demo_datasets_and_counts_them_by_organisation(loaded: Loaded) -> None:
    context = anonymous_context()
    cases = {
        "photovoltaïques": "installations-photovoltaiques",
        "déchèteries": "decheteries",
        "fontaines": "fontaines-eau-potable",
        "qualité de l'air": "qualite-air-journaliere",
        "vélo": "comptages-velo",
    }
    for query, name in cases.items():
        found = [r["name"] for r in search(context, q=query, rows=50)["results"]]
        assert name in found, (query, found)
    assert search(context, q="transport en commun", rows=0)["count"] >= 3
    assert search(context, fq='tags:"eau potable"', rows=0)["count"] == 4
    assert search(context, q="zzzintrouvable", rows=0)["count"] == 0

    result = search(context, rows=0, fq=DATASETS_ONLY, **{"facet.field": '["organization"]'})
    items = result["search_facets"]["organization"]["items"]
    assert {item["name"]: item["count"] for item in items} == dict(
        Counter(d["organization"] for d in PUBLIC))
    assert result["count"] == len(PUBLIC)


@PLUGINS_MARK
def test_private_datasets_are_for_organisation_members_only(loaded: Loaded) -> None:
    anonymous = [r["name"] for r in search(anonymous_context(), rows=100,
                                            fq=DATASETS_ONLY)["results"]]
    assert len(anonymous) == len(PUBLIC)
    for dataset in PRIVATE:
        assert dataset["name"] not in anonymous
        with pytest.raises(toolkit.NotAuthorized):
            toolkit.get_action("package_show")(anonymous_context(), {"id": dataset["name"]})

    panel = next(d for d in PRIVATE if d["name"] == "panel-deplacements")
    member = factories.User()
    toolkit.get_action("organization_member_create")(
        sysadmin_context(),
        {"id": panel["organization"], "username": member["name"], "role": "member"},
    )
    context = {"user": member["name"]}
    visible = {r["name"] for r in search(context, rows=100, include_private=True)["results"]}
    assert panel["name"] in visible
    assert visible.isdisjoint(d["name"] for d in PRIVATE if d is not panel)
    assert toolkit.get_action("package_show")(context, {"id": panel["name"]})["private"] is True


@PLUGINS_MARK
def test_second_load_changes_nothing(loaded: Loaded) -> None:
    before = snapshot()
    files_before = stored_files(loaded.storage)
    lines: list[str] = []
    summary = loader.load(echo=lines.append)

    for kind, counts in summary.items():
        assert counts["created"] == counts["updated"] == 0, kind
    assert summary["datasets"]["unchanged"] == len(catalogue.DATASETS)
    assert summary["resources"]["unchanged"] == RESOURCE_COUNT
    assert summary["use_cases"]["unchanged"] == len(qualification.USE_CASES)
    assert summary["organizations"]["unchanged"] == len(loader.organizations())
    assert snapshot() == before
    assert stored_files(loaded.storage) == files_before
    assert "dataset arrets-reseau-bel: unchanged (resources: 3 unchanged)" in lines


@PLUGINS_MARK
def test_load_repairs_what_was_changed_or_removed(loaded: Loaded) -> None:
    context = sysadmin_context()
    stops = show("arrets-reseau-bel")
    geojson = next(r for r in stops["resources"] if r["format"] == "GeoJSON")
    toolkit.get_action("resource_delete")(context, {"id": geojson["id"]})
    toolkit.get_action("package_patch")(context, {"id": "decheteries", "title": "Modifié"})
    untouched = show("comptages-velo")["metadata_modified"]

    summary = loader.load(echo=lambda line: None)

    assert summary["datasets"] == {
        "created": 0, "updated": 1, "unchanged": len(catalogue.DATASETS) - 1}
    assert summary["resources"]["created"] == 1
    assert show("decheteries")["title"] == "Déchèteries et recycleries"
    restored = next(r for r in show("arrets-reseau-bel")["resources"]
                    if r["format"] == "GeoJSON")
    assert restored["id"] != geojson["id"] and restored["url_type"] == "upload"
    assert_geojson(stored_bytes(restored))
    assert show("comptages-velo")["metadata_modified"] == untouched


@PLUGINS_MARK
@pytest.mark.usefixtures("clean_db", "with_plugins")
def test_load_needs_a_file_storage(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", "")
    with pytest.raises(loader.DemoLoadError, match="ckan.storage_path"):
        loader.load(echo=lambda line: None)
    assert toolkit.get_action("organization_list")(sysadmin_context(), {}) == []


@PLUGINS_MARK
@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins", "with_extended_cli", "storage")
def test_cli_command_loads_the_territory(cli: Any) -> None:
    result = cli.invoke(ckan_command, ["spmd", "demo", "load"])
    assert result.exit_code == 0, result.output
    assert "organisation metropole-rivebelle: created" in result.output
    assert "dataset decheteries: created (resources: 1 created)" in result.output
    assert model.Session.query(model.Package).count() == len(catalogue.DATASETS) + len(
        qualification.USE_CASES)


# The SPMD side of the demo: typologies, roles, access classes, use cases.

def test_every_demo_dataset_is_qualified_and_every_role_is_held() -> None:
    assert set(qualification.QUALIFICATIONS) == {d["name"] for d in catalogue.DATASETS}
    for name, q in qualification.QUALIFICATIONS.items():
        fields = qualification.dataset_fields(name)
        assert set(typologies.required_fields(q["typology"])) <= set(fields), name
        assert q["frequency"] in typologies.FREQUENCIES, name
        assert json.loads(fields["spatial"])["type"] == "Polygon"
    held = {role for org_roles in qualification.PARTNER_ROLES.values() for role in org_roles}
    assert held == set(typologies.PARTNER_ROLES)
    assert {q["typology"] for q in qualification.QUALIFICATIONS.values()} == set(
        typologies.TYPOLOGIES)
    owners = {d["organization"] for d in catalogue.DATASETS}
    assert all("producer" in qualification.PARTNER_ROLES[o] for o in owners)
    # the national harvester skips datasets without resources
    assert all(d["resources"] for d in PUBLIC)


@PLUGINS_MARK
def test_loaded_datasets_carry_typology_roles_and_access_classes(loaded: Loaded) -> None:
    pkg = show("base-adresse-locale")
    assert pkg["territorial_typology"] == "reference"
    assert pkg["certifying_authority"] == "Communes de la Métropole de Rivebelle"
    assert pkg["frequency"] == "WEEKLY" and pkg["temporal_start"] == "2024-01-01"
    transport = show("frequentation-reseau-bel")
    assert transport["territorial_typology"] == "territorial-interest"
    assert transport["public_service"] == "transport"
    assert transport["access_class"] == "restricted"
    # dated resources: the catalogue map sees old data as overdue
    assert transport["resources"][0]["last_modified"].startswith("2024-04-05")
    commune = json.loads(show("fontaines-eau-potable")["spatial"])
    assert all(LON_RANGE[0] < lon < LON_RANGE[1] and LAT_RANGE[0] < lat < LAT_RANGE[1]
               for lon, lat in commune["coordinates"][0])

    context = sysadmin_context()
    restricted = search(context, fq="access_class:restricted", rows=0, include_private=True)
    assert restricted["count"] >= 3
    unqualified = search(context, fq="+dataset_type:dataset -territorial_typology:[* TO *]", rows=0,
                         include_private=True)
    assert unqualified["count"] == 0
    assert roles.organization_roles("belle-mobilites") == ["producer", "service-producer"]
    assert roles.organization_has_role("respire", "project-holder")
    assert roles.organization_has_role("cci-rivebelle", "observer")
    assert roles.organization_has_role("metropole-rivebelle", "animator")


@PLUGINS_MARK
def test_loaded_use_cases_link_their_datasets(loaded: Loaded) -> None:
    context = sysadmin_context()
    found = search(context, fq="+dataset_type:use-case", rows=10)
    assert sorted(r["name"] for r in found["results"]) == sorted(
        u["name"] for u in qualification.USE_CASES)
    use_case = show("observatoire-ilots-chaleur")
    assert use_case["datasets_used"][0] == "ilots-chaleur-urbains"
    assert use_case["status"] == "active"
    linked = toolkit.get_action("spmd_use_cases_of_dataset")(
        anonymous_context(), {"id": "population-iris"})
    assert [u["name"] for u in linked] == ["observatoire-ilots-chaleur"]
