"""The demo territory's catalogue, as published in RDF, against the official
DCAT-AP 3.0.1 SHACL shapes: no violation for any public demo dataset."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import dcat_shacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from ckanext.spmd.demo import catalogue, loader

PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd spmd_access dcat spmd_dcat"
PUBLIC = [d["name"] for d in catalogue.DATASETS if not d.get("private")]


@pytest.fixture
def demo(clean_db: None, clean_index: None, with_plugins: None, ckan_config: Any,
         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    loader.load(echo=lambda line: None)


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 spmd_dcat_ap")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "100")
@pytest.mark.ckan_config("ckanext.spmd.dcat.catalog_publisher", "metropole-rivebelle")
@pytest.mark.usefixtures("demo")
def test_every_public_demo_dataset_validates_against_dcat_ap_3(app: Any) -> None:
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format="turtle")
    pages = "http://test.ckan.net/dataset/"
    published = {str(page).removeprefix(pages)
                 for d in g.objects(URIRef("http://test.ckan.net"), DCAT.dataset)
                 for page in g.objects(d, DCAT.landingPage) if str(page).startswith(pages)}
    assert published == set(PUBLIC)
    violations = dcat_shacl.results(g)
    assert violations == [], "\n".join(violations)
