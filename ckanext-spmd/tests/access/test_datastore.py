"""The datastore against the authorisation matrix: datastore_search,
datastore_search_sql, datastore_info and the dump route are refused to
whoever may not have the data.

Needs a datastore database: CKAN_DATASTORE_WRITE_URL and
CKAN_DATASTORE_READ_URL (a read-only role, see ``ckan datastore
set-permissions``); skipped without them.
"""
from __future__ import annotations

import os
from typing import Any

import pytest
from ckan.plugins import toolkit

from .conftest import PLUGINS, World, call
from .test_channels import MATRIX, _setup, _token

WRITE_URL = os.environ.get("CKAN_DATASTORE_WRITE_URL", "")
READ_URL = os.environ.get("CKAN_DATASTORE_READ_URL", "")

pytestmark = [
    pytest.mark.skipif(not (WRITE_URL and READ_URL),
                       reason="CKAN_DATASTORE_WRITE_URL/READ_URL not set: no datastore database"),
    pytest.mark.ckan_config("ckan.plugins", PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.datastore.write_url", WRITE_URL),
    pytest.mark.ckan_config("ckan.datastore.read_url", READ_URL),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),  # worst case
    pytest.mark.usefixtures("with_plugins"),
]


def _observe(w: World, app: Any, user: dict[str, Any] | None) -> dict[str, bool]:
    rid = w.link["id"]
    observed = {}
    for name, action, data in (
        ("datastore_search", "datastore_search", {"resource_id": rid}),
        ("datastore_info", "datastore_info", {"id": rid}),
        ("datastore_search_sql", "datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}),
    ):
        try:
            result = call(action, user, **data)
        except toolkit.NotAuthorized:
            observed[name] = False
        else:
            observed[name] = "Gare" in str(result) or name == "datastore_info"
    dump = app.get(f"/datastore/dump/{rid}", headers=_token(user), status=None)
    assert dump.status_code in (200, 403, 404), dump.status_code  # refused: 403 or 404
    observed["dump"] = dump.status_code == 200 and "Gare" in dump.body
    return observed


@pytest.mark.parametrize("kind", list(MATRIX))
def test_datastore_matrix(kind: str, world: World, app: Any,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ckan import model

    # resource ids are new in every test: datastore tables never collide
    call("datastore_create", world.sysadmin, resource_id=world.link["id"], force=True,
         records=[{"arret": "Gare", "montees": 120}])
    user = _setup(kind, world, monkeypatch)
    model.Session.remove()
    observed = _observe(world, app, user)
    assert observed == dict.fromkeys(observed, MATRIX[kind])
