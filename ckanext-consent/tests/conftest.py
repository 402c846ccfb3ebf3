"""Fixtures of ckanext-consent's tests: a producer, a recipient association,
residents, a personal-data dataset with an uploaded CSV file."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ckan.tests import factories, helpers
from consent_testing import CSV, World, personal_dataset_dict, upload


@pytest.fixture
def world(clean_db: None, clean_index: None, with_plugins: None, app: Any,
          migrate_db_for: Any) -> World:
    from ckan import plugins

    # The shared clean_db migrates neither spmd_access nor activity (yet).
    for plugin in ("activity", "spmd_access"):
        if plugins.plugin_loaded(plugin):
            migrate_db_for(plugin)
    sysadmin = factories.Sysadmin()
    producer, recipient, other = factories.User(), factories.User(), factories.User()
    alice, bob, stranger = factories.User(name="alice"), factories.User(name="bob"), factories.User()
    producer_org = factories.Organization(
        name="ode", title="Ouest Distribution Électricité",
        users=[{"name": producer["name"], "capacity": "editor"}])
    recipient_org = factories.Organization(
        name="alec", title="Agence locale de l'énergie",
        users=[{"name": recipient["name"], "capacity": "member"}])
    other_org = factories.Organization(
        name="autre", users=[{"name": other["name"], "capacity": "admin"}])
    dataset = helpers.call_action(
        "package_create", context={"user": producer["name"]},
        **personal_dataset_dict(producer_org["id"], [recipient_org["id"]]))
    resource = helpers.call_action(
        "resource_create", context={"user": producer["name"]},
        package_id=dataset["id"], name="consommations", upload=upload(CSV), url="data.csv")
    w = World(sysadmin, producer, producer_org, recipient, recipient_org, other, other_org,
              alice, bob, stranger, dataset, resource)
    issued = w.call("consent_codes_issue", producer, id=dataset["id"], keys=["K1", "K2"])
    w.codes = {c["person_key"]: c["code"] for c in issued["codes"]}
    return w


@pytest.fixture
def enrolled(world: World) -> World:
    """Alice holds K1, Bob holds K2."""
    world.call("consent_code_redeem", world.alice, code=world.codes["K1"])
    world.call("consent_code_redeem", world.bob, code=world.codes["K2"])
    return world


@pytest.fixture
def give(enrolled: World) -> Callable[..., dict[str, Any]]:
    def giving(user: dict[str, Any], purposes: list[str] | None = None,
               recipients: list[str] | None = None, days: int = 30) -> dict[str, Any]:
        return enrolled.call(
            "consent_give", user, id=enrolled.dataset["id"],
            purposes=purposes or ["research"],
            recipients=recipients or [enrolled.recipient_org["id"]], duration_days=days)

    return giving
