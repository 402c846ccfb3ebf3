"""RDF/DCAT output (ckanext-dcat) against the authorisation matrix."""
from __future__ import annotations

from typing import Any

import pytest

from .conftest import PLUGINS, SECRET_URL, World, call
from .test_channels import MATRIX, _setup, _token

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS + " dcat"),
    pytest.mark.usefixtures("with_plugins", "with_request_context"),
]


@pytest.mark.parametrize("kind", ["anonymous", "requester_approved", "sysadmin"])
def test_rdf_dcat_output(kind: str, world: World, app: Any,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """ckanext-dcat builds its RDF from package_show and package_search."""
    user = _setup(kind, world, monkeypatch)
    outputs = [
        call("dcat_dataset_show", user, id=world.dataset["id"], format="turtle"),
        call("dcat_catalog_show", user, format="turtle"),
        app.get(f"/dataset/{world.dataset['name']}.ttl", headers=_token(user)).body,
    ]
    assert all(world.dataset["id"] in out for out in outputs)  # metadata is there
    # ckanext-dcat's /dataset/<id>.ttl view calls dcat_dataset_show with an
    # empty context (no user): masked for everyone, allowed users included.
    assert [SECRET_URL in out for out in outputs] == [MATRIX[kind], MATRIX[kind], False]
