"""Enrolment, consents, receipts and the terms versions through the actions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import helpers
from consent_testing import PLUGINS, World

from ckanext.consent.model import code_table

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def test_dataset_type_and_fixed_access_class(world: World) -> None:
    pkg = world.call("package_show", world.sysadmin, id=world.dataset["id"])
    assert pkg["type"] == "personal-data"
    assert pkg["access_class"] == "personal"
    assert pkg["recipients"] == [world.recipient_org["id"]]
    updated = world.call("package_patch", world.producer, id=pkg["id"], access_class="open")
    assert updated["access_class"] == "personal"


def test_codes_are_hashed_single_use_and_link_the_person(world: World) -> None:
    stored = model.Session.execute(sa.select(code_table.c.code_hash)).scalars().all()
    assert len(stored) == 2 and not set(world.codes.values()) & set(stored)
    result = world.call("consent_code_redeem", world.alice, code=world.codes["K1"].lower())
    assert result["dataset"] == "defi-energie"
    with pytest.raises(toolkit.ValidationError, match="unknown, already used or expired"):
        world.call("consent_code_redeem", world.bob, code=world.codes["K1"])
    rows = world.call("consent_rows_mine", world.alice, id="defi-energie")
    assert rows["person_key"] == "K1" and len(rows["rows"]) == 2
    assert {r["kwh"] for r in rows["rows"]} == {"310", "290"}


def test_expired_code_refused(world: World) -> None:
    model.Session.execute(code_table.update().values(expires_at=sa.func.now() - sa.text("interval '1 day'")))
    model.Session.commit()
    with pytest.raises(toolkit.ValidationError, match="expired"):
        world.call("consent_code_redeem", world.alice, code=world.codes["K1"])


def test_redemption_rate_limited(world: World, ckan_config: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.consent.redeem_attempts", 3)
    for _ in range(3):
        with pytest.raises(toolkit.ValidationError, match="unknown"):
            world.call("consent_code_redeem", world.stranger, code="AAAA-BBBB-CCCC")
    with pytest.raises(toolkit.ValidationError, match="Too many attempts"):
        world.call("consent_code_redeem", world.stranger, code=world.codes["K1"])
    # the good code was not spent by the refused attempt
    world.call("consent_code_redeem", world.alice, code=world.codes["K1"])


def test_codes_issue_is_for_the_producer(world: World) -> None:
    for user in (world.alice, world.recipient, world.other_org_member):
        with pytest.raises(toolkit.NotAuthorized):
            world.call("consent_codes_issue", user, id=world.dataset["id"])
    issued = world.call("consent_codes_issue", world.producer, id=world.dataset["id"])
    assert {c["person_key"] for c in issued["codes"]} == {"K1", "K2", "K3", "K4"}
    with pytest.raises(toolkit.ValidationError, match="K9"):
        world.call("consent_codes_issue", world.producer, id=world.dataset["id"], keys=["K9"])
    codes = {c["person_key"]: c["code"] for c in issued["codes"]}
    world.call("consent_code_redeem", world.alice, code=codes["K3"])
    with pytest.raises(toolkit.ValidationError, match="already enrolled"):
        world.call("consent_code_redeem", world.alice, code=codes["K4"])
    again = world.call("consent_codes_issue", world.producer, id=world.dataset["id"], keys=["K3"])
    with pytest.raises(toolkit.ValidationError, match="already linked to another account"):
        world.call("consent_code_redeem", world.bob, code=again["codes"][0]["code"])
    # issuing by default skips enrolled keys
    rest = world.call("consent_codes_issue", world.producer, id=world.dataset["id"])
    assert {c["person_key"] for c in rest["codes"]} == {"K1", "K2", "K4"}


def test_give_renew_withdraw_and_states(enrolled: World, give) -> None:
    w = enrolled
    with pytest.raises(toolkit.ValidationError, match="not enrolled"):
        w.call("consent_give", w.stranger, id=w.dataset["id"], purposes=["research"],
               recipients=[w.recipient_org["id"]])
    with pytest.raises(toolkit.ValidationError, match="may not exceed 365"):
        give(w.alice, days=400)
    with pytest.raises(toolkit.ValidationError, match="Not a recipient"):
        give(w.alice, recipients=[w.other_org["id"]])
    consent = give(w.alice, purposes=["research", "open-statistics"])
    assert consent["state"] == "given" and consent["dpv_status"] == "dpv:ConsentGiven"
    from ckanext.consent import registry

    assert registry.consenting_keys(w.dataset["id"], "open-statistics") == {"K1"}
    renewed = w.call("consent_renew", w.alice, consent_id=consent["consent_id"], duration_days=100)
    assert renewed["expires_at"] > consent["expires_at"][:10]
    with pytest.raises(toolkit.ObjectNotFound):
        w.call("consent_withdraw", w.bob, consent_id=consent["consent_id"])
    withdrawn = w.call("consent_withdraw", w.alice, consent_id=consent["consent_id"])
    assert withdrawn["state"] == "withdrawn"
    assert registry.consenting_keys(w.dataset["id"], "open-statistics") == set()
    refused = w.call("consent_refuse", w.bob, id=w.dataset["id"])
    assert refused["state"] == "refused"
    assert w.call("consent_verify", w.sysadmin)["ok"] is True


def test_change_of_terms_invalidates(enrolled: World, give) -> None:
    w = enrolled
    consent = give(w.alice)
    w.call("package_patch", w.producer, id=w.dataset["id"], title="New title")
    assert w.call("consent_list_mine", w.alice)[0]["state"] == "given"
    w.call("package_patch", w.producer, id=w.dataset["id"], retention="5 years")
    mine = w.call("consent_list_mine", w.alice)
    assert mine[0]["state"] == "invalidated" and mine[0]["current_terms_version"] == 2
    with pytest.raises(toolkit.ValidationError, match="terms of the processing changed"):
        w.call("consent_renew", w.alice, consent_id=consent["consent_id"])
    again = give(w.alice)
    assert again["state"] == "given" and again["terms_version"] == 2


def test_receipt(enrolled: World, give) -> None:
    w = enrolled
    consent = give(w.alice, purposes=["research"])
    receipt = w.call("consent_receipt", w.alice, consent_id=consent["consent_id"])
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["consentReceiptID"] == consent["consent_id"]
    assert receipt["piiPrincipalId"] == "alice"
    assert receipt["piiControllers"][0]["piiController"] == "Ouest Distribution Électricité"
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["purposeCategory"] == ["research"]
    assert purpose["thirdPartyName"] == "Agence locale de l'énergie"
    assert w.call("consent_receipt", w.producer, consent_id=consent["consent_id"])
    for user in (w.bob, w.recipient):
        with pytest.raises(toolkit.ObjectNotFound):
            w.call("consent_receipt", user, consent_id=consent["consent_id"])


def test_unenrol_withdraws_and_sends_erasure_request(enrolled: World, give) -> None:
    w = enrolled
    give(w.alice)
    w.call("consent_unenrol", w.alice, id=w.dataset["id"])
    assert w.call("consent_list_mine", w.alice)[0]["state"] == "withdrawn"
    requests = w.call("consent_erasure_list", w.producer, id=w.dataset["id"])
    assert [r["person_key"] for r in requests] == ["K1"]
    with pytest.raises(toolkit.NotAuthorized):
        w.call("consent_erasure_list", w.alice, id=w.dataset["id"])
    with pytest.raises(toolkit.ValidationError, match="not enrolled"):
        w.call("consent_rows_mine", w.alice, id=w.dataset["id"])


def test_producer_answers_erasure_requests_and_the_person_sees_it(enrolled: World,
                                                                   give) -> None:
    w = enrolled
    give(w.alice)
    w.call("consent_unenrol", w.alice, id=w.dataset["id"])
    request = w.call("consent_erasure_list", w.producer, id=w.dataset["id"])[0]
    assert request["status"] == "requested" and request["handled_at"] is None
    # only the producer answers: not the person, a recipient, another
    # organisation's member, nor anonymous
    for user in (w.alice, w.recipient, w.other_org_member, None):
        with pytest.raises(toolkit.NotAuthorized):
            w.call("consent_erasure_handle", user, id=request["id"], status="erased")
    with pytest.raises(toolkit.ObjectNotFound):
        w.call("consent_erasure_handle", w.producer, id="no-such-request", status="erased")
    with pytest.raises(toolkit.ValidationError) as bad:
        w.call("consent_erasure_handle", w.producer, id=request["id"], status="done")
    assert set(bad.value.error_dict) == {"status"}
    with pytest.raises(toolkit.ValidationError) as bad:
        w.call("consent_erasure_handle", w.producer, id=request["id"], status="refused",
               note="  ")
    assert set(bad.value.error_dict) == {"note"}
    # refused answers wrote nothing
    assert w.call("consent_erasure_list", w.producer, id=w.dataset["id"])[0] == request

    grounds = "Obligation légale de conservation (RGPD art. 17-3-b)"
    answered = w.call("consent_erasure_handle", w.producer, id=request["id"],
                      status="refused", note=grounds)
    assert answered["status"] == "refused" and answered["note"] == grounds
    assert answered["handled_by"] == w.producer["name"] and answered["handled_at"]
    with pytest.raises(toolkit.ValidationError, match="already answered"):
        w.call("consent_erasure_handle", w.producer, id=request["id"], status="erased")
    mine = w.call("consent_erasures_mine", w.alice)
    assert [(m["status"], m["note"], m["dataset"]) for m in mine] == [
        ("refused", grounds, w.dataset["name"])]
    assert "handled_by" not in mine[0]  # the producer's staff stay unnamed
    assert w.call("consent_erasures_mine", w.bob) == []
    with pytest.raises(toolkit.NotAuthorized):
        w.call("consent_erasures_mine", None)


def test_erasure_answer_through_the_pages(app, enrolled: World, give) -> None:
    w = enrolled
    give(w.alice)
    w.call("consent_unenrol", w.alice, id=w.dataset["id"])
    request = w.call("consent_erasure_list", w.producer, id=w.dataset["id"])[0]

    def token(user: dict) -> dict:
        return {"Authorization": helpers.call_action(
            "api_token_create", context={"user": user["name"]}, user=user["name"],
            name="t")["token"]}

    url = f"/dataset/{w.dataset['name']}/consent/erasure/{request['id']}"
    app.post(url, data={"status": "erased"}, headers=token(w.alice), status=403)
    page = app.get(f"/dataset/{w.dataset['name']}/consent/manage",
                   headers=token(w.producer)).get_data(as_text=True)
    assert "consent-erasure-answer" in page and "En attente du producteur" in page
    response = app.post(url, data={"status": "erased"}, headers=token(w.producer),
                        follow_redirects=False)
    assert response.status_code == 302 and response.location.endswith("/consent/manage")
    assert w.call("consent_erasure_list", w.producer, id=w.dataset["id"])[0]["status"] == "erased"
    page = app.get("/mes-donnees", headers=token(w.alice)).get_data(as_text=True)
    assert "Mes demandes d’effacement" in page
    assert "Lignes effacées" in page


def test_anonymous_cannot_act(world: World) -> None:
    for action, data in (("consent_code_redeem", {"code": world.codes["K1"]}),
                         ("consent_list_mine", {}), ("consent_downloads_mine", {})):
        with pytest.raises(toolkit.NotAuthorized):
            helpers.call_action(action, context={"user": "", "ignore_auth": False}, **data)


def test_pages_in_french_with_english_available(app, enrolled: World) -> None:
    url = f"/dataset/{enrolled.dataset['name']}/consent"
    french = app.get(url).get_data(as_text=True)
    assert "Conditions du traitement" in french and "Se connecter pour consentir" in french
    assert "Consentement (RGPD art. 6-1-a)" in french and "Adresse postale" in french
    assert "Terms of the processing" in app.get(f"/en{url}").get_data(as_text=True)
    token = {"Authorization": helpers.call_action(
        "api_token_create", context={"user": "alice"}, user="alice", name="t")["token"]}
    page = app.get("/mes-donnees", headers=token).get_data(as_text=True)
    assert "Mes lignes" in page and "K1" in page and "K2" not in page
    assert app.get("/my-data", headers=token).status_code == 200
    assert app.get("/my-data", follow_redirects=False).status_code == 302


def test_api_update_without_type_still_versions_terms(enrolled: World, give) -> None:
    w = enrolled
    give(w.alice)
    pkg = w.call("package_show", w.producer, id=w.dataset["id"])
    pkg.pop("type")
    w.call("package_update", w.producer, **dict(pkg, retention="7 years"))
    assert w.call("consent_list_mine", w.alice)[0]["state"] == "invalidated"


def test_the_catalogue_map_counts_personal_data_but_search_leaves_it_out(world: World) -> None:
    # The map shows everything the territory holds, personal data included;
    # a plain search (the national harvester's) does not list it.
    result = toolkit.get_action("spmd_catalogue_map")({"user": ""}, {})
    assert result["by_access_class"].get("personal") == 1
    names = {d.get("name") for d in result["completeness"]["datasets"]}
    assert world.dataset["name"] in names
    found = toolkit.get_action("package_search")({"user": ""}, {"q": "*:*", "rows": 100})
    assert world.dataset["name"] not in {d["name"] for d in found["results"]}
