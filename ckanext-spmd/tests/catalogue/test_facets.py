"""Facets of the catalogue: typology, access class, producer's role, theme..."""
from __future__ import annotations

import html

import pytest
from catalogue_support import FIELDS, PLUGINS, dataset_data
from ckan.plugins import toolkit
from ckan.tests import factories

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]

FACETS = ["territorial_typology", "access_class", "vocab_spmd_partner_roles", "groups",
          "organization", "res_format", "license_id"]


@pytest.fixture
def catalogue(catalogue_site: None) -> dict:
    site = {"ignore_auth": True, "user": factories.Sysadmin()["name"]}
    transport = factories.Organization(name="delegataire", partner_roles=["producer",
                                                                          "service-producer"])
    lab = factories.Organization(name="labo", partner_roles=["producer", "project-holder"])
    theme = factories.Group(name="mobilite", title="Mobilité")
    resource = [{"url": "https://example.org/a.csv", "format": "CSV"}]
    create = toolkit.get_action("package_create")
    create(dict(site), {**dataset_data(transport, "territorial-interest", "horaires"),
                        "groups": [{"name": theme["name"]}], "resources": resource,
                        "license_id": "odc-odbl"})
    create(dict(site), {**dataset_data(transport, "territorial-interest", "comptages"),
                        "access_class": "restricted", "resources": resource,
                        "license_id": "odc-odbl"})
    create(dict(site), {**dataset_data(lab, "territory", "ilots"), "license_id": "cc-by"})
    create(dict(site), {"name": "ancien", "owner_org": lab["id"]})  # before the plugin
    return {"transport": transport, "lab": lab}


def facet_counts(**params) -> dict:
    result = toolkit.get_action("package_search")({}, {
        "facet.field": FACETS, "rows": 0, **params})
    return {field: {i["name"]: i["count"] for i in facet["items"]}
            for field, facet in result["search_facets"].items()}


def test_package_search_facets_by_the_catalogue_fields(catalogue: dict) -> None:
    counts = facet_counts()
    assert counts["territorial_typology"] == {"territorial-interest": 2, "territory": 1}
    # a dataset without access class counts as open
    assert counts["access_class"] == {"open": 3, "restricted": 1}
    assert counts["vocab_spmd_partner_roles"] == {"producer": 4, "service-producer": 2,
                                            "project-holder": 2}
    assert counts["groups"] == {"mobilite": 1}
    assert counts["organization"] == {"delegataire": 2, "labo": 2}
    assert counts["res_format"] == {"CSV": 2}
    assert counts["license_id"] == {"odc-odbl": 2, "cc-by": 1}
    assert set(FIELDS) >= set(counts["territorial_typology"])


def test_facets_filter_and_carry_labels(catalogue: dict) -> None:
    result = toolkit.get_action("package_search")({}, {
        "fq": 'vocab_spmd_partner_roles:"project-holder"', "facet.field": FACETS})
    assert sorted(r["name"] for r in result["results"]) == ["ancien", "ilots"]
    items = {i["name"]: i["display_name"]
             for i in result["search_facets"]["territorial_typology"]["items"]}
    assert items == {"territory": "Territory data"}
    restricted = toolkit.get_action("package_search")({}, {"fq": "access_class:restricted"})
    assert [r["name"] for r in restricted["results"]] == ["comptages"]


def test_search_page_shows_the_facets_in_french_and_english(catalogue: dict, app) -> None:
    page = html.unescape(app.get("/dataset/").get_data(as_text=True))
    for title in ("Typologies", "Classes d'accès", "Rôles du producteur", "Thèmes"):
        assert title in page, title
    assert "Donnée d'intérêt territorial" in page
    english = html.unescape(app.get("/en/dataset/").get_data(as_text=True))
    for title in ("Typologies", "Access classes", "Producer roles", "Themes"):
        assert title in english
    assert "Territorial-interest data" in english
