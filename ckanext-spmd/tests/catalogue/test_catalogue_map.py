"""The catalogue map: counts of everything, titles only for those who may read."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json

import pytest
from catalogue_support import PLUGINS, call, dataset_data, editor_of
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd import catalogue_map

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]

SECRET = "Compteurs internes confidentiels"


@pytest.fixture
def territory(catalogue_site: None) -> dict:
    site = {"ignore_auth": True, "user": factories.Sysadmin()["name"]}
    create = toolkit.get_action("package_create")
    energy = factories.Organization(name="energie", title="Énergie",
                                    partner_roles=["producer"])
    lab = factories.Organization(name="labo", title="Labo",
                                 partner_roles=["producer", "project-holder"])
    theme = factories.Group(name="energie-theme")
    old = [{"url": "https://example.org/a.csv", "format": "CSV",
            "last_modified": "2024-01-01T00:00:00"}]
    create(dict(site), {**dataset_data(energy, "territorial-interest", "conso"),
                        "title": "Consommation", "frequency": "DAILY", "resources": old,
                        "groups": [{"name": theme["name"]}], "notes": "n",
                        "license_id": "odc-odbl"})
    create(dict(site), {**dataset_data(energy, "territorial-interest", "compteurs"),
                        "title": SECRET, "private": True, "frequency": "DAILY",
                        "access_class": "restricted", "resources": old})
    create(dict(site), {**dataset_data(lab, "territory", "ilots"), "title": "Îlots",
                        "frequency": "IRREG",
                        "resources": [{"url": "https://example.org/b.csv", "format": "CSV"}]})
    create(dict(site), {"name": "ancien", "title": "Ancien jeu", "owner_org": lab["id"]})
    return {"energy": energy, "lab": lab}


def titles_in(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_map_counts_everything_including_non_open_and_private(territory: dict) -> None:
    result = call("spmd_catalogue_map", None)
    assert result["total"] == 4
    assert result["by_typology"] == {"territorial-interest": 2, "territory": 1,
                                     "(to be qualified)": 1}
    assert result["by_access_class"] == {"open": 3, "restricted": 1}
    assert result["by_partner_role"] == {"producer": 4, "project-holder": 2}
    assert {"typology": "territorial-interest", "theme": "energie-theme",
            "access_class": "open", "count": 1} in result["matrix"]
    assert {"typology": "territorial-interest", "theme": "(none)",
            "access_class": "restricted", "count": 1} in result["matrix"]
    producers = {p["name"]: p for p in result["producers"]}
    assert producers["energie"]["count"] == 2
    assert producers["energie"]["by_access_class"] == {"open": 1, "restricted": 1}
    assert 0 < producers["labo"]["completeness"] < 1


def test_freshness_lists_overdue_datasets(territory: dict) -> None:
    result = call("spmd_catalogue_map", factories.Sysadmin())
    freshness = result["freshness"]
    # "ancien" declares no frequency, "ilots" an irregular one
    assert freshness["overdue"] == 2 and freshness["no_schedule"] == 2
    overdue = {o["name"]: o for o in freshness["overdue_list"]}
    assert set(overdue) == {"conso", "compteurs"}
    assert overdue["conso"]["days_late"] > 300
    assert overdue["conso"]["last_update"].startswith("2024-01-01")


def test_private_titles_do_not_leak_to_those_who_cannot_read(territory: dict, app) -> None:
    anonymous = call("spmd_catalogue_map", None)
    assert SECRET not in titles_in(anonymous) and "compteurs" not in titles_in(anonymous)
    hidden = [d for d in anonymous["completeness"]["datasets"] if d.get("hidden")]
    assert len(hidden) == 1 and hidden[0]["organization"] == "energie"
    assert hidden[0]["missing"] == []
    outsider = call("spmd_catalogue_map", editor_of(territory["lab"]))
    assert SECRET not in titles_in(outsider)
    insider = call("spmd_catalogue_map", editor_of(territory["energy"], capacity="member"))
    assert SECRET in titles_in(insider)
    assert not [d for d in insider["completeness"]["datasets"] if d.get("hidden")]

    for url in ("/catalogue-map", "/catalogue-map.json", "/catalogue-map.csv",
                "/catalogue-map.csv?table=matrix", "/catalogue-map.csv?table=producers"):
        response = app.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert SECRET not in body and "/dataset/compteurs" not in body, url


def test_page_and_exports_render(territory: dict, app) -> None:
    page = html.unescape(app.get("/catalogue-map").get_data(as_text=True))
    assert "Cartographie des données" in page
    assert '<svg role="img"' in page and 'id="spmd-total">4<' in page
    assert "Consommation" in page and "Donnée d'intérêt territorial" in page
    assert "Jeu de données non consultable" in page
    assert "Cartography" not in page
    english = app.get("/en/catalogue-map").get_data(as_text=True)
    assert "Catalogue map" in english and "Territorial-interest data" in english

    exported = json.loads(app.get("/catalogue-map.json").get_data(as_text=True))
    assert exported["total"] == 4
    rows = list(csv.DictReader(io.StringIO(
        app.get("/catalogue-map.csv").get_data(as_text=True))))
    assert len(rows) == 4
    assert {r["name"] for r in rows} == {"conso", "ilots", "ancien", ""}
    matrix = list(csv.DictReader(io.StringIO(
        app.get("/catalogue-map.csv?table=matrix").get_data(as_text=True))))
    assert sum(int(r["count"]) for r in matrix) == 4
    assert app.get("/catalogue-map.csv?table=nope").status_code == 400
    assert app.get("/catalogue-map.xml").status_code == 404


def test_overdue_days_follow_the_declared_frequency() -> None:
    now = dt.datetime(2025, 1, 31)
    summary = catalogue_map.Summary(
        id="x", name="x", title="x", organization=None, organization_title=None,
        partner_roles=[], typology="territory", access_class="open", themes=[],
        frequency="MONTHLY", last_update=dt.datetime(2024, 12, 1), completeness=1.0)
    assert catalogue_map.overdue_days(summary, now) == 30
    assert catalogue_map.overdue_days(summary, dt.datetime(2024, 12, 20)) is None
    summary.frequency = "IRREG"
    assert catalogue_map.overdue_days(summary, now) is None
