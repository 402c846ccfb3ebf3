"""The public portal driven in headless Chromium: home, search, facets,
dataset and organisation pages, and dataset creation through the web form.

Every test starts from an empty database (``clean_db``), creates its data
with CKAN factories (committed) and talks to a live server (``live_server``).
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

# The catalogue's schemas (ckanext-scheming) are on: the dataset form asks
# for a territorial typology and its fields.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config(
        "ckan.plugins", "spmd_search scheming_datasets scheming_organizations spmd"),
    pytest.mark.usefixtures("empty_site", "with_plugins"),
]

PASSWORD = "Mot-de-passe-2025!"


def _resource(name: str, fmt: str) -> dict[str, str]:
    ext = fmt.lower()
    return {"name": name, "format": fmt, "url": f"https://data.example.org/{ext}/{name}.{ext}"}


@pytest.fixture
def portal(empty_site: None, with_plugins: None) -> dict[str, Any]:
    """Three organisations, six public datasets and one private dataset."""
    orgs = {
        "energie": factories.Organization(name="direction-energie", title="Direction de l'énergie"),
        "mobilites": factories.Organization(
            name="service-mobilites", title="Service des mobilités"
        ),
        "environnement": factories.Organization(
            name="observatoire-environnement", title="Observatoire de l'environnement"
        ),
    }
    specs = [
        ("consommation-energie", "Consommation d'énergie", "energie",
         "Consommation annuelle d'électricité et de gaz par commune.",
         ["énergie", "consommation"], [_resource("consommation-2024", "CSV")]),
        ("production-photovoltaique", "Production d'électricité photovoltaïque", "energie",
         "Production des installations solaires raccordées au réseau.",
         ["énergie", "solaire"],
         [_resource("production-2024", "CSV"), _resource("installations", "GeoJSON")]),
        ("pistes-cyclables", "Pistes cyclables", "mobilites",
         "Tracé des aménagements cyclables de la métropole.",
         ["vélo", "mobilité"], [_resource("amenagements", "GeoJSON")]),
        ("horaires-tramway", "Horaires des lignes de tramway", "mobilites",
         "Horaires théoriques des lignes de tramway.",
         ["transport", "mobilité"], [_resource("horaires", "CSV")]),
        ("qualite-air", "Qualité de l'air", "environnement",
         "Mesures quotidiennes des stations de surveillance.",
         ["air", "environnement"], [_resource("mesures", "CSV")]),
        ("arbres-alignement", "Arbres d'alignement", "environnement",
         "Inventaire des arbres plantés le long des voies.",
         ["nature", "environnement"], [_resource("arbres", "GeoJSON")]),
    ]
    datasets = {
        name: factories.Dataset(
            name=name, title=title, owner_org=orgs[org]["id"], notes=notes,
            tags=[{"name": t} for t in tags], resources=resources,
        )
        for name, title, org, notes, tags, resources in specs
    }
    datasets["compteurs-internes"] = factories.Dataset(
        name="compteurs-internes", title="Compteurs d'énergie des bâtiments (interne)",
        owner_org=orgs["energie"]["id"], private=True, tags=[{"name": "énergie"}],
        resources=[_resource("compteurs", "CSV")],
    )
    return {"orgs": orgs, "datasets": datasets}


def result_titles(page: Page) -> list[str]:
    links = page.locator(".dataset-list .dataset-heading a")
    return sorted(text.strip() for text in links.all_inner_texts())


def expect_results(page: Page, heading: str, titles: list[str]) -> None:
    """The count heading of a search page and the exact set of listed titles."""
    expect(page.locator(".search-form h1")).to_have_text(heading)
    expect(page.locator(".dataset-list .dataset-item")).to_have_count(len(titles))
    assert result_titles(page) == sorted(titles)


def test_home_page_in_french(page: Page, ckan_config: Any, shot: Any, portal: Any) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    site_title = ckan_config["ckan.site_title"]
    expect(page).to_have_title(re.compile(re.escape(site_title) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header.masthead a.logo img")).to_have_attribute("alt", site_title)
    nav = page.locator("header.masthead .navbar-nav")
    expect(nav).to_contain_text("Jeux de données")
    expect(nav).to_contain_text("Organisations")
    expect(page.locator(".module-search h3.heading")).to_have_text("Chercher des données")
    expect(page.locator(".account-masthead")).to_contain_text("Connexion")
    # the popular tags of the search box come from the index
    expect(page.locator(".module-search .tags a.tag", has_text="environnement")).to_be_visible()
    shot("accueil")

    page.goto("/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".module-search h3.heading")).to_have_text("Search data")
    shot("home-en")


def test_search_folds_accents(page: Page, shot: Any, portal: Any) -> None:
    page.goto("/")
    page.locator("#field-main-search").fill("energie")
    shot("requete")
    page.locator("#field-main-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/dataset/\?q=energie$"))
    expect(page.locator("#field-giant-search")).to_have_value("energie")
    # the private dataset (tagged énergie too) is not shown to a visitor
    expect_results(
        page,
        '2 jeux de données trouvés pour "energie"',
        ["Consommation d'énergie", "Production d'électricité photovoltaïque"],
    )
    shot("resultats")

    # a second query from the results page, accented this time
    page.locator("#field-giant-search").fill("vélo")
    page.locator("#field-giant-search").press("Enter")
    expect_results(page, '1 jeu de données trouvé pour "vélo"', ["Pistes cyclables"])
    shot("resultats-velo")


def test_facets_narrow_results(page: Page, shot: Any, portal: Any) -> None:
    page.goto("/dataset/")
    expect(page.locator(".search-form h1")).to_have_text("6 jeux de données trouvés")
    shot("tous")

    page.locator("#search-facets a", has_text="Service des mobilités").click()
    expect(page).to_have_url(re.compile(r"organization=service-mobilites"))
    expect_results(
        page, "2 jeux de données trouvés", ["Horaires des lignes de tramway", "Pistes cyclables"]
    )
    active = page.locator("#search-facets li.nav-item.active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("Service des mobilités")
    expect(page.locator(".filter-list .filtered.pill")).to_contain_text("Service des mobilités")
    # the other facets are computed on the narrowed results
    formats = page.locator('#search-facets nav[aria-label="Filter by: Formats"] a')
    expect(formats).to_have_count(2)
    shot("organisation")

    formats.filter(has_text="GeoJSON").click()
    expect(page).to_have_url(re.compile(r"res_format=GeoJSON"))
    expect_results(page, "1 jeu de données trouvé", ["Pistes cyclables"])
    expect(page.locator("#search-facets li.nav-item.active")).to_have_count(2)
    shot("organisation-et-format")


def test_dataset_page_from_results(page: Page, shot: Any, portal: Any) -> None:
    page.goto("/dataset/?q=photovoltaique")
    link = page.locator(".dataset-heading a", has_text="Production d'électricité photovoltaïque")
    link.click()
    expect(page).to_have_url(re.compile(r"/dataset/production-photovoltaique$"))
    expect(page.locator("article h1")).to_have_text("Production d'électricité photovoltaïque")
    expect(page.locator(".notes")).to_contain_text("installations solaires")
    resources = page.locator("#dataset-resources .resource-item")
    expect(resources).to_have_count(2)
    expect(resources.locator(".format-label")).to_have_text(["CSV", "GeoJSON"])
    expect(resources.locator("a.heading").first).to_contain_text("production-2024")
    expect(page.locator(".tag-list")).to_contain_text("solaire")
    expect(page.locator("aside")).to_contain_text("Direction de l'énergie")
    expect(page.locator(".breadcrumb")).to_contain_text("Direction de l'énergie")
    shot("jeu-de-donnees")


def test_organisation_page_hides_private_dataset(page: Page, shot: Any, portal: Any) -> None:
    page.goto("/organization/")
    card = page.locator("li.media-item", has_text="Direction de l'énergie")
    expect(card.locator(".count").first).to_have_text("2 Jeux de données")
    shot("organisations")
    card.locator("a.media-view").click()

    expect(page).to_have_url(re.compile(r"/organization/direction-energie$"))
    info = page.locator("#organization-info")
    expect(info.locator("h2.heading")).to_have_text("Direction de l'énergie")
    expect(info.locator("dl", has_text="Jeux de données").locator("dd")).to_have_text("2")
    expect_results(
        page,
        "2 jeux de données trouvés",
        ["Consommation d'énergie", "Production d'électricité photovoltaïque"],
    )
    expect(page.get_by_text("Compteurs d'énergie des bâtiments")).to_have_count(0)
    expect(page.locator(".dataset-private")).to_have_count(0)
    # the facets do not count the private dataset either
    tag = page.locator("#search-facets a", has_text="énergie")
    expect(tag.locator(".item-count")).to_have_text("2")
    shot("organisation")

    # the private dataset exists, but not for an anonymous visitor
    response = page.goto("/dataset/compteurs-internes")
    assert response is not None and response.status == 404
    shot("jeu-prive-404")


def test_create_dataset_through_the_form(page: Page, shot: Any, portal: Any) -> None:
    editor = factories.User(name="editrice", password=PASSWORD)
    factories.Organization(
        name="service-urbanisme", title="Service de l'urbanisme",
        users=[{"name": editor["name"], "capacity": "editor"}],
    )

    page.goto("/user/login")
    page.locator("#field-login").fill(editor["name"])
    page.locator("#field-password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".account-masthead")).to_contain_text(editor["fullname"])

    page.goto("/dataset/new")
    page.locator("#field-title").fill("Permis de construire délivrés")
    # the URL slug is derived from the title by the page's JavaScript
    expect(page.locator("#field-name")).to_have_value("permis-de-construire-delivres")
    page.locator("#field-notes").fill("Autorisations d'urbanisme délivrées depuis 2020.")
    page.locator("#field-organizations").select_option(label="Service de l'urbanisme")
    page.locator("#field-private").select_option("False")
    page.locator("#field-territorial_typology").select_option("territory")
    page.locator("#field-production_mode").select_option("administrative-records")
    page.locator("#field-method_notes").fill("Extraction du logiciel d'instruction.")
    shot("etape-1")
    page.locator("button[name=save]", has_text="Suivant").click()

    expect(page).to_have_url(re.compile(r"/dataset/permis-de-construire-delivres/resource/new$"))
    page.locator("#resource-link-button").click()
    page.locator("#field-resource-url").fill("https://data.example.org/urbanisme/permis.csv")
    page.locator("#field-name").fill("Permis 2020-2025")
    page.locator("#field-format").fill("CSV")
    shot("etape-2")
    page.locator("button[name=save][value=go-metadata]").click()

    expect(page).to_have_url(re.compile(r"/dataset/permis-de-construire-delivres$"))
    expect(page.locator("article h1")).to_have_text("Permis de construire délivrés")
    resource = page.locator("#dataset-resources .resource-item")
    expect(resource).to_have_count(1)
    expect(resource.locator("a.heading")).to_contain_text("Permis 2020-2025")
    expect(resource.locator(".format-label")).to_have_text("CSV")
    expect(page.locator("aside")).to_contain_text("Service de l'urbanisme")
    expect(page.locator(".additional-info")).to_contain_text("Donnée du territoire")
    shot("jeu-cree")

    # public: an anonymous visitor finds it
    page.context.clear_cookies()
    page.goto("/dataset/")
    expect(page.locator(".account-masthead")).to_contain_text("Connexion")
    page.locator("#field-giant-search").fill("permis delivres")
    page.locator("#field-giant-search").press("Enter")
    expect_results(
        page, '1 jeu de données trouvé pour "permis delivres"', ["Permis de construire délivrés"]
    )
    shot("recherche")
