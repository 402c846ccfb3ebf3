"""RDF/DCAT: the catalogue never lists personal-data datasets, and the RDF
of a personal-data dataset carries no data URL (ckanext-dcat builds from
package_show, masked by spmd_access)."""
from __future__ import annotations

from typing import Any

import pytest
from consent_testing import PLUGINS, World

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS + " dcat spmd_dcat"),
              pytest.mark.usefixtures("with_plugins")]


def test_catalogue_and_dataset_rdf(world: World, app: Any) -> None:
    from ckan.tests import factories

    open_dataset = factories.Dataset(name="jeu-ouvert", owner_org=world.other_org["id"])
    catalogue = app.get("/catalog.ttl").get_data(as_text=True)
    assert open_dataset["id"] in catalogue
    assert world.dataset["name"] not in catalogue and world.dataset["id"] not in catalogue
    for user in (None, world.recipient, world.alice):
        headers = {"Authorization": factories.APIToken(user=user["name"])["token"]} if user else {}
        rdf = app.get(f"/dataset/{world.dataset['name']}.ttl", headers=headers,
                      status=None)
        assert rdf.status_code in (200, 404)
        assert world.resource["url"] not in rdf.get_data(as_text=True)
    producer_rdf = app.get(f"/dataset/{world.dataset['name']}.ttl", headers={
        "Authorization": factories.APIToken(user=world.producer["name"])["token"]})
    assert world.resource["url"] in producer_rdf.get_data(as_text=True)
