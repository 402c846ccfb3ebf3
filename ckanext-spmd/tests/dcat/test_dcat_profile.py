"""The spmd_dcat_ap profile and the DCAT endpoints, on datasets built here
(plain CKAN: our fields as extras, as harvested or pre-plugin datasets hold them)."""
from __future__ import annotations

import json
from typing import Any

import dcat_shacl
import pytest
from ckan.plugins import toolkit
from ckan.tests import factories
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, FOAF, ORG, RDF, SKOS
from rdflib.namespace import DCTERMS as DCT

PLUGINS = "spmd_search dcat spmd_dcat"
PROFILES = "euro_dcat_ap_3 spmd_dcat_ap"
SITE = "http://test.ckan.net"
EU = "http://publications.europa.eu/resource/authority/"
POLYGON = {"type": "Polygon", "coordinates": [[[-1.75, 48.05], [-1.6, 48.05], [-1.6, 48.15],
                                               [-1.75, 48.15], [-1.75, 48.05]]]}

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", PROFILES),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2"),
    pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins"),
]


def extras(**fields: Any) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in fields.items()]


def producer() -> dict[str, Any]:
    return factories.Organization(
        name="belle-mobilites", title="Belle Mobilités",
        extras=extras(partner_roles=json.dumps(["producer", "service-producer"])))


def open_dataset(org: dict[str, Any], **kw: Any) -> dict[str, Any]:
    fields = dict(territorial_typology="territorial-interest", access_class="open",
                  frequency="MONTHLY", spatial=json.dumps(POLYGON),
                  temporal_start="2023-01-01", temporal_end="2023-12-31",
                  public_service="transport", producer_status="delegatee",
                  legal_basis="Contrat de délégation de service public BEL 2020-2030",
                  served_authority="Métropole de Rivebelle")
    fields.update(kw.pop("fields", {}))
    return factories.Dataset(
        owner_org=org["id"], license_id="odc-odbl", notes="Arrêts du réseau BEL.",
        extras=extras(**fields),
        resources=[{"name": "Arrêts (CSV)", "url": "http://data.example.org/arrets.csv",
                    "format": "CSV"},
                   {"name": "Arrêts (GeoJSON)", "url": "http://data.example.org/arrets.geojson",
                    "format": "GeoJSON"}],
        **kw)


def restricted_dataset(org: dict[str, Any]) -> dict[str, Any]:
    return factories.Dataset(
        owner_org=org["id"], license_id="other-closed", notes="Validations par arrêt.",
        extras=extras(territorial_typology="territory", access_class="restricted",
                      frequency="DAILY", production_mode="sensors",
                      method_notes="Valideurs embarqués, agrégés par heure."),
        resources=[{"name": "Validations", "url": "http://data.example.org/secret.csv",
                    "format": "CSV"}])


def rdf(app: Any, path: str, fmt: str = "turtle") -> Graph:
    response = app.get(path)
    assert response.status_code == 200, response.body
    return Graph().parse(data=response.body, format=fmt)


def test_open_dataset_maps_our_fields_and_validates(app: Any) -> None:
    org = producer()
    dataset = open_dataset(org)
    g = rdf(app, f"/dataset/{dataset['name']}.ttl")
    ref = URIRef(f"{SITE}/dataset/{dataset['id']}")

    typology = URIRef(f"{SITE}/vocabulary/territorial-typology/territorial-interest")
    assert (ref, DCT.type, typology) in g
    assert (typology, SKOS.prefLabel, Literal("Donnée d'intérêt territorial", lang="fr")) in g
    assert (ref, DCT.accessRights, URIRef(EU + "access-right/PUBLIC")) in g
    assert (ref, DCT.accrualPeriodicity, URIRef(EU + "frequency/MONTHLY")) in g
    assert (ref, DCAT.theme, URIRef(f"{SITE}/vocabulary/public-service/transport")) in g
    assert (ref, DCAT.theme, URIRef(EU + "data-theme/TRAN")) in g
    publisher = URIRef(f"{SITE}/organization/{org['id']}")
    assert (ref, DCT.publisher, publisher) in g
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert set(g.objects(publisher, ORG.classification)) == {
        URIRef(f"{SITE}/vocabulary/partner-role/producer"),
        URIRef(f"{SITE}/vocabulary/partner-role/service-producer")}
    legal = g.value(ref, URIRef("http://data.europa.eu/r5r/applicableLegislation"))
    assert "BEL 2020-2030" in str(g.value(legal, DCT.title))
    location = g.value(ref, DCT.spatial)
    assert g.value(location, DCAT.bbox) is not None
    period = g.value(ref, DCT.temporal)
    assert {str(o) for o in g.objects(period, None)} >= {"2023-01-01", "2023-12-31"}

    distributions = list(g.objects(ref, DCAT.distribution))
    assert len(distributions) == 2
    licence = URIRef("https://opendatacommons.org/licenses/odbl/1-0/")
    for distribution in distributions:
        assert (distribution, DCT.license, licence) in g
        assert str(g.value(distribution, DCAT.accessURL)).startswith("http://data.example.org/")
    formats = {g.value(d, DCT["format"]) for d in distributions}
    assert formats == {URIRef(EU + "file-type/CSV"), URIRef(EU + "file-type/GEOJSON")}

    assert dcat_shacl.results(g) == [], "\n".join(dcat_shacl.results(g))


def test_reference_fields(app: Any) -> None:
    org = producer()
    dataset = open_dataset(org, fields=dict(
        territorial_typology="reference", frequency="ANNUAL",
        certifying_authority="Institut national de l'information géographique",
        service_commitment="Mise à jour sous 15 jours après un changement de la source",
        continuity_contact="referentiels@rivebelle.example.org"))
    g = rdf(app, f"/dataset/{dataset['name']}.ttl")
    ref = URIRef(f"{SITE}/dataset/{dataset['id']}")
    text = g.serialize(format="turtle")
    assert "Institut national de l'information géographique" in text
    assert "attribution-role/certifying-authority" in text
    standard = g.value(ref, DCT.conformsTo)
    assert "15 jours" in str(g.value(standard, DCT.description))
    assert URIRef("mailto:referentiels@rivebelle.example.org") in set(g.objects())
    assert dcat_shacl.results(g) == [], "\n".join(dcat_shacl.results(g))


def test_restricted_dataset_has_metadata_but_no_data_url(app: Any) -> None:
    org = producer()
    dataset = restricted_dataset(org)
    page = URIRef(f"{SITE}/dataset/{dataset['name']}")
    for path, fmt in ((f"/dataset/{dataset['name']}.ttl", "turtle"),
                      (f"/dataset/{dataset['name']}.rdf", "xml"),
                      (f"/dataset/{dataset['name']}.jsonld", "json-ld")):
        body = app.get(path).body
        assert "secret.csv" not in body
        g = Graph().parse(data=body, format=fmt)
        ref = URIRef(f"{SITE}/dataset/{dataset['id']}")
        assert (ref, DCT.accessRights, URIRef(EU + "access-right/RESTRICTED")) in g
        distribution = g.value(ref, DCAT.distribution)
        assert g.value(distribution, DCT.title) == Literal("Validations")
        assert list(g.objects(distribution, DCAT.accessURL)) == [page]
        assert list(g.objects(distribution, DCAT.downloadURL)) == []
        assert dcat_shacl.results(g) == [], "\n".join(dcat_shacl.results(g))
    # A sysadmin's export is the same public document.
    sysadmin = factories.SysadminWithToken()
    body = app.get(f"/dataset/{dataset['name']}.ttl",
                   headers={"Authorization": sysadmin["token"]}).body
    assert "secret.csv" not in body


def test_catalogue_pages_in_three_formats(app: Any) -> None:
    org = producer()
    names = {open_dataset(org)["name"] for _ in range(2)} | {restricted_dataset(org)["name"]}
    seen: set[str] = set()
    g = rdf(app, "/catalog.ttl")
    catalog = URIRef(SITE)
    assert (catalog, RDF.type, DCAT.Catalog) in g
    assert g.value(catalog, DCT.publisher) is not None
    assert len(list(g.objects(catalog, DCAT.dataset))) == 2
    hydra = "http://www.w3.org/ns/hydra/core#"
    assert str(next(g.objects(None, URIRef(hydra + "totalItems")))) == "3"
    next_page = str(next(g.objects(None, URIRef(hydra + "next"))))
    assert next_page.endswith("page=2")
    for dataset in g.objects(catalog, DCAT.dataset):
        seen.add(str(g.value(dataset, DCAT.landingPage)).rsplit("/", 1)[-1])
    assert dcat_shacl.results(g) == [], "\n".join(dcat_shacl.results(g))
    page2 = Graph().parse(data=app.get("/catalog.rdf?page=2").body, format="xml")
    assert len(list(page2.objects(catalog, DCAT.dataset))) == 1
    for dataset in page2.objects(catalog, DCAT.dataset):
        seen.add(str(page2.value(dataset, DCAT.landingPage)).rsplit("/", 1)[-1])
    assert seen == names
    jsonld = Graph().parse(data=app.get("/catalog.jsonld?page=1").body, format="json-ld")
    assert len(list(jsonld.objects(catalog, DCAT.dataset))) == 2


def test_personal_data_is_left_out_of_the_catalogue(app: Any) -> None:
    org = producer()
    kept = open_dataset(org)
    personal = factories.Dataset(owner_org=org["id"], notes="Consommations individuelles.",
                                 extras=extras(access_class="personal"))
    body = app.get("/catalog.ttl").body
    assert kept["id"] in body
    assert personal["id"] not in body
    # A filter in the request does not bring it back.
    body = app.get("/catalog.ttl?fq=name:" + personal["name"]).body
    assert personal["id"] not in body
    result = toolkit.get_action("dcat_catalog_search")(
        {"ignore_auth": True}, {"q": personal["name"], "format": "ttl"})
    assert personal["id"] not in result


@pytest.mark.parametrize("path,accept,fmt", [
    ("/vocabulary/territorial-typology", "text/turtle", "turtle"),
    ("/vocabulary/territorial-typology", "application/ld+json", "json-ld"),
    ("/vocabulary/territorial-typology.ttl", "*/*", "turtle"),
    ("/vocabulary/territorial-typology.jsonld", "*/*", "json-ld"),
    ("/vocabulary/territorial-typology/reference", "text/turtle", "turtle"),
])
def test_typology_scheme_is_published(app: Any, path: str, accept: str, fmt: str) -> None:
    response = app.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format=fmt)
    scheme = URIRef(f"{SITE}/vocabulary/territorial-typology")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    concepts = set(g.objects(scheme, SKOS.hasTopConcept))
    assert {str(c).rsplit("/", 1)[-1] for c in concepts} == {
        "reference", "territorial-interest", "territory"}
    for concept in concepts:
        labels = {label.language for label in g.objects(concept, SKOS.prefLabel)}
        assert labels == {"fr", "en"}
    assert dcat_shacl.results(g) == [], "\n".join(dcat_shacl.results(g))


def test_unknown_vocabulary_is_404(app: Any) -> None:
    assert app.get("/vocabulary/nope").status_code == 404
    assert app.get("/vocabulary/territorial-typology/nope").status_code == 404
    assert app.get("/vocabulary/territorial-typology.xls").status_code == 404


def test_published_vocabularies_follow_the_catalogue_lists() -> None:
    """The schemes publish exactly the codes the dataset schema accepts."""
    from ckanext.spmd import typologies
    from ckanext.spmd.dcat import vocabulary

    assert vocabulary.TYPOLOGY.codes() == list(typologies.TYPOLOGIES)
    assert vocabulary.PARTNER_ROLE.codes() == list(typologies.PARTNER_ROLES)
    assert set(typologies.FREQUENCIES) <= set(vocabulary.FREQUENCIES)
    for code in typologies.FREQUENCIES:
        assert vocabulary.frequency_code(
            f"http://publications.europa.eu/resource/authority/frequency/{code}") == code
