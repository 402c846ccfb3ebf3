"""Access requests: lifecycle, errors, audit log, pages, migration."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd.access import clock

from .conftest import PLUGINS, World, call, member_of, restricted_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
]


def test_lifecycle_approve_then_revoke_with_audit(world: World) -> None:
    request = world.request()
    assert request["status"] == "pending"
    assert call("spmd_access_request_show", world.producer_admin, id=request["id"])["purpose"]
    pending = call("spmd_access_request_list", world.producer_admin, status="pending")
    assert [r["id"] for r in pending] == [request["id"]]
    approved = call("spmd_access_request_approve", world.producer_admin, id=request["id"],
                    conditions="Pas de rediffusion")
    assert approved["status"] == "approved" and approved["conditions"] == "Pas de rediffusion"
    grants = call("spmd_access_grant_list", world.requester, active=True)
    assert [g["package_id"] for g in grants] == [world.dataset["id"]]
    revoked = call("spmd_access_request_revoke", world.producer_admin, id=request["id"],
                   reason="Fin du projet")
    assert revoked["status"] == "revoked"
    assert call("spmd_access_grant_list", world.requester, active=True) == []
    events = [e["event"] for e in call("spmd_access_audit_list", world.producer_admin)]
    assert events == ["request_created", "granted", "revoked"]


def test_expiry_comes_from_the_frozen_clock(world: World, monkeypatch: Any) -> None:
    request = world.request(duration_days=10)
    approved = call("spmd_access_request_approve", world.producer_admin, id=request["id"],
                    conditions="ok")
    expires = dt.datetime.fromisoformat(approved["expires_at"])
    later = expires + dt.timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert call("spmd_access_request_show", world.requester, id=request["id"])["status"] == "expired"
    with pytest.raises(toolkit.ValidationError) as error:
        call("spmd_access_request_revoke", world.producer_admin, id=request["id"], reason="x")
    assert "expired" in str(error.value.error_dict["status"])


def test_refusal_needs_a_reason_and_is_final(world: World) -> None:
    request = world.request()
    with pytest.raises(toolkit.ValidationError) as error:
        call("spmd_access_request_reject", world.producer_admin, id=request["id"], reason=" ")
    assert error.value.error_dict == {"reason": ["Missing value"]}
    refused = call("spmd_access_request_reject", world.producer_admin, id=request["id"],
                   reason="Données trop sensibles")
    assert refused["status"] == "rejected" and refused["reason"] == "Données trop sensibles"
    with pytest.raises(toolkit.ValidationError):
        call("spmd_access_request_approve", world.producer_admin, id=request["id"],
             conditions="trop tard")
    assert [e["event"] for e in call("spmd_access_audit_list", world.sysadmin,
                                     request_id=request["id"])] == ["request_created", "refused"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("package_ids", ["nope"], "Dataset not found: nope"),
    ("package_ids", ["comptages-ouverts"], "is not a restricted dataset"),
    ("use_case", "inconnu", "Use case not found: inconnu"),
    ("duration_days", "0", "Between 1 and 730 days"),
    ("duration_days", "abc", "A whole number of days"),
    ("purpose", "", "Missing value"),
])
def test_bad_requests_get_a_field_error_and_store_nothing(
        world: World, field: str, value: Any, message: str) -> None:
    with pytest.raises(toolkit.ValidationError) as error:
        world.request(**{field: value})
    assert message in str(error.value.error_dict[field])
    assert call("spmd_access_request_list", world.sysadmin) == []


def test_who_may_file_and_decide(world: World) -> None:
    with pytest.raises(toolkit.NotAuthorized):  # not a member of the requesting org
        call("spmd_access_request_create", world.other, organization_id=world.requester_org["id"],
             package_ids=[world.dataset["id"]], use_case=world.use_case["name"],
             purpose="x", duration_days=5)
    observer = factories.Organization(partner_roles=["observer"], user=world.sysadmin)
    watcher = member_of(observer, "admin")
    with pytest.raises(toolkit.NotAuthorized):  # not a project holder
        call("spmd_access_request_create", watcher, organization_id=observer["id"],
             package_ids=[world.dataset["id"]], use_case=world.use_case["name"],
             purpose="x", duration_days=5)
    request = world.request()
    for user in (world.requester, world.producer_member, world.other):
        with pytest.raises(toolkit.NotAuthorized):
            call("spmd_access_request_approve", user, id=request["id"], conditions="x")
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_access_request_show", world.other, id=request["id"])
    assert call("spmd_access_request_list", world.other) == []
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_access_audit_list", world.requester)


def test_datasets_of_two_producers_are_two_requests(world: World) -> None:
    second = factories.Organization(partner_roles=["producer"], user=world.sysadmin)
    other_dataset = restricted_dataset(second, "autre-restreint")
    with pytest.raises(toolkit.ValidationError) as error:
        world.request(package_ids=[world.dataset["id"], other_dataset["id"]])
    assert "one producing organisation" in str(error.value.error_dict["package_ids"])


def test_audit_log_is_append_only(world: World) -> None:
    import sqlalchemy as sa
    from ckan import model

    world.request()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("UPDATE spmd_access_audit SET actor = 'x'"))
    model.Session.rollback()


def test_pages_and_csv_export(world: World, app: Any) -> None:
    request = world.request()
    token = toolkit.get_action("api_token_create")(
        {"user": world.producer_admin["name"]},
        {"user": world.producer_admin["name"], "name": "t"})["token"]
    headers = {"Authorization": token}
    page = app.get(f"/access/requests/{request['id']}", headers=headers)
    assert "spmd-access-approve" in page.body
    assert request["id"] in app.get("/access/requests", headers=headers).body
    export = app.get("/access/audit.csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(export.body)))
    assert [r["event"] for r in rows] == ["request_created"]
    assert app.get("/access/audit.csv", status=403)
    assert app.get(f"/access/requests/{request['id']}", status=403)


def test_migration_down_and_up(access_site: None) -> None:
    import sqlalchemy as sa
    from ckan import model
    from ckan.cli.db import _run_migrations

    def tables() -> set[str]:
        return set(sa.inspect(model.Session.get_bind()).get_table_names())

    assert {"spmd_access_request", "spmd_access_grant", "spmd_access_audit"} <= tables()
    model.Session.remove()
    _run_migrations("spmd_access", version="base", forward=False)
    assert not {"spmd_access_request", "spmd_access_grant", "spmd_access_audit"} & tables()
    _run_migrations("spmd_access")
    assert {"spmd_access_request", "spmd_access_grant", "spmd_access_audit"} <= tables()


def test_restricted_downloads_are_audited(world: World, app: Any) -> None:
    path = f"/dataset/{world.dataset['id']}/resource/{world.upload['id']}/download"
    request = world.request()
    call("spmd_access_request_approve", world.producer_admin, id=request["id"], conditions="ok")
    token = toolkit.get_action("api_token_create")(
        {"user": world.requester["name"]}, {"user": world.requester["name"], "name": "t"})["token"]
    assert app.get(path, headers={"Authorization": token}).status_code == 200
    app.get(path, status=403)
    downloads = [(e["event"], e["actor"], e["resource_id"]) for e in call(
        "spmd_access_audit_list", world.producer_admin) if e["event"].startswith("download")]
    assert downloads == [("download", world.requester["name"], world.upload["id"]),
                         ("download_refused", None, world.upload["id"])]


def test_dataset_page_offers_an_access_request_only_where_data_is_withheld(
        world: World, app: Any) -> None:
    def page(user: dict[str, Any] | None, dataset: dict[str, Any]) -> str:
        headers = {}
        if user:
            headers["Authorization"] = toolkit.get_action("api_token_create")(
                {"user": user["name"]}, {"user": user["name"], "name": "t"})["token"]
        return app.get(f"/dataset/{dataset['name']}", headers=headers).body

    request_url = f"/dataset/{world.dataset['name']}/access-request"
    assert request_url in page(None, world.dataset)
    assert request_url in page(world.requester, world.dataset)
    assert request_url not in page(world.producer_member, world.dataset)
    assert "/access-request" not in page(world.requester, world.open_dataset)
