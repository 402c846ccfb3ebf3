"""The catalogue in headless Chromium: a producer publishes a dataset of each
typology through the web form (the form asks for the typology's fields), and
the catalogue map renders its counts and charts."""
from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config(
        "ckan.plugins", "spmd_search scheming_datasets scheming_organizations spmd"),
    pytest.mark.usefixtures("empty_site", "with_plugins"),
]

PASSWORD = "Mot-de-passe-2025!"

# typology -> (title, slug, [(field id, kind, value)])
TYPOLOGIES: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "reference": ("Base adresse locale", "base-adresse-locale", [
        ("certifying_authority", "fill", "Communes de la métropole"),
        ("reference_scope", "fill", "Adresses des huit communes"),
        ("frequency", "select", "WEEKLY"),
        ("service_commitment", "fill", "Publiée sous 7 jours"),
        ("continuity_contact", "fill", "sig@rivebelle.example"),
    ]),
    "territorial-interest": ("Horaires du réseau BEL", "horaires-du-reseau-bel", [
        ("public_service", "select", "transport"),
        ("producer_status", "select", "delegatee"),
        ("legal_basis", "fill", "Contrat de DSP 2021-2030, article 38"),
        ("served_authority", "fill", "Métropole de Rivebelle"),
    ]),
    "territory": ("Comptages vélo", "comptages-velo", [
        ("production_mode", "select", "sensors"),
        ("method_notes", "fill", "Boucles de comptage électromagnétiques."),
    ]),
}


@pytest.fixture
def producer_editor(empty_site: None, with_plugins: None) -> dict[str, Any]:
    editor = factories.User(name="productrice", password=PASSWORD)
    factories.Organization(
        name="metropole", title="Métropole de Rivebelle", partner_roles=["producer"],
        users=[{"name": editor["name"], "capacity": "editor"}],
    )
    return editor


def log_in(page: Page, user: dict[str, Any]) -> None:
    page.goto("/user/login")
    page.locator("#field-login").fill(user["name"])
    page.locator("#field-password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".account-masthead")).to_contain_text(user["fullname"])


def fill_fields(page: Page, fields: list[tuple[str, str, str]]) -> None:
    for field, kind, value in fields:
        locator = page.locator(f"#field-{field}")
        if kind == "select":
            locator.select_option(value)
        else:
            locator.fill(value)


def test_publish_a_dataset_of_each_typology(page: Page, shot: Any,
                                            producer_editor: dict[str, Any]) -> None:
    log_in(page, producer_editor)
    for typology, (title, slug, fields) in TYPOLOGIES.items():
        page.goto("/dataset/new")
        # the slug module is ready once it shows its preview of the URL
        expect(page.locator(".slug-preview")).to_be_visible()
        page.locator("#field-title").fill(title)
        expect(page.locator("#field-name")).to_have_value(slug)
        page.locator("#field-organizations").select_option(label="Métropole de Rivebelle")
        page.locator("#field-private").select_option("False")
        page.locator("#field-territorial_typology").select_option(typology)
        page.locator("button[name=save]", has_text="Suivant").click()
        # the server asks for the typology's own fields, one error per field
        errors = page.locator(".error-explanation")
        expect(errors).to_be_visible()
        for field, _kind, _value in fields:
            expect(page.locator(f"#field-{field}").locator(
                "xpath=ancestor::div[contains(@class,'form-group')]")).to_contain_text(
                "obligatoire pour la typologie")
        # what was typed is kept
        expect(page.locator("#field-title")).to_have_value(title)
        shot(f"{typology}-erreurs")
        fill_fields(page, fields)
        page.locator("button[name=save]", has_text="Suivant").click()

        expect(page).to_have_url(re.compile(rf"/dataset/{slug}/resource/new$"))
        page.locator("#resource-link-button").click()
        page.locator("#field-resource-url").fill(f"https://data.example.org/{slug}.csv")
        page.locator("#field-name").fill(title)
        page.locator("#field-format").fill("CSV")
        page.locator("button[name=save][value=go-metadata]").click()

        expect(page).to_have_url(re.compile(rf"/dataset/{slug}$"))
        info = page.locator(".additional-info")
        expect(info).to_contain_text(
            {"reference": "Donnée de référence",
             "territorial-interest": "Donnée d'intérêt territorial",
             "territory": "Donnée du territoire"}[typology])
        expect(info).to_contain_text(fields[-1][2] if fields[-1][1] == "fill" else "")
        shot(f"{typology}-publie")

    page.goto("/dataset/")
    expect(page.locator(".dataset-list .dataset-item")).to_have_count(3)
    facet = page.locator('#search-facets nav[aria-label="Filter by: Typologies"]')
    expect(facet.locator("a")).to_have_count(3)
    facet.locator("a", has_text="Donnée de référence").click()
    expect(page.locator(".dataset-list .dataset-item")).to_have_count(1)
    expect(page.locator(".dataset-list")).to_contain_text("Base adresse locale")
    shot("facette-typologie")


def test_catalogue_map_page_renders(page: Page, shot: Any,
                                    producer_editor: dict[str, Any]) -> None:
    org = factories.Organization(name="delegataire", title="Belle Mobilités",
                                 partner_roles=["producer", "service-producer"])
    factories.Dataset(name="frequentation", title="Fréquentation du réseau",
                      owner_org=org["id"], territorial_typology="territorial-interest",
                      public_service="transport", producer_status="delegatee",
                      legal_basis="DSP", served_authority="Métropole",
                      access_class="restricted", frequency="MONTHLY",
                      resources=[{"url": "https://example.org/f.csv", "format": "CSV",
                                  "last_modified": "2024-01-01T00:00:00"}])
    factories.Dataset(name="interne", title="Compteurs internes confidentiels",
                      owner_org=org["id"], private=True, territorial_typology="territory",
                      production_mode="sensors", method_notes="n")

    page.goto("/")
    page.locator("header.masthead a", has_text="Cartographie des données").click()
    expect(page).to_have_url(re.compile(r"/catalogue-map$"))
    expect(page.locator("h1")).to_have_text("Cartographie des données")
    expect(page.locator("#spmd-total")).to_have_text("2")
    expect(page.locator("#chart-typology svg rect")).to_have_count(2)
    expect(page.locator("#chart-access")).to_contain_text("Restreinte")
    expect(page.locator("#spmd-overdue")).to_contain_text("Fréquentation du réseau")
    expect(page.locator("#spmd-completeness")).to_contain_text("Jeu de données non consultable")
    expect(page.get_by_text("Compteurs internes confidentiels")).to_have_count(0)
    shot("cartographie")

    page.locator("a", has_text="JSON").first.click()
    expect(page.locator("body")).to_contain_text('"total": 2')
