"""The consent-gated download: who gets which rows, and the log."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests import factories
from consent_testing import PLUGINS, World

from ckanext.consent import rules

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def _url(w: World) -> str:
    return f"/dataset/{w.dataset['name']}/resource/{w.resource['id']}/consent-download"


def download(app, w: World, user: dict | None, purpose: str = "research", status: int = 200,
             **params: str) -> list[list[str]]:
    headers = {}
    if user:
        headers["Authorization"] = factories.APIToken(user=user["name"])["token"]
    response = app.post(_url(w), data={"purpose": purpose, **params}, headers=headers,
                        status=status)
    if status != 200:
        return []
    lines = response.get_data(as_text=True).strip().splitlines()
    return [line.split(",") for line in lines]


def test_rows_of_consenting_people_only_and_logged(app, enrolled: World, give) -> None:
    w = enrolled
    give(w.alice, purposes=["research"])
    give(w.bob, purposes=["open-statistics"])
    rows = download(app, w, w.recipient)
    assert rows[0][0] == "person_key"
    assert [r[0] for r in rows[1:]] == ["K1", "K1"]
    mine = w.call("consent_downloads_mine", w.alice)
    assert len(mine) == 1 and mine[0]["row_count"] == 2 and mine[0]["purpose"] == "research"
    assert mine[0]["organization"] == w.recipient_org["name"] and mine[0]["complete"] is True
    assert w.call("consent_downloads_mine", w.bob) == []
    log = w.call("consent_download_list", w.producer, id=w.dataset["id"])
    assert [(d["user"], d["row_count"]) for d in log] == [(w.recipient["name"], 2)]
    # Bob's consent covers open statistics, not research for the recipient
    stats = download(app, w, w.recipient, purpose="open-statistics")
    assert [r[0] for r in stats[1:]] == ["K2"]


def test_withdrawal_takes_effect_on_next_download(app, enrolled: World, give) -> None:
    w = enrolled
    consent = give(w.alice)
    assert len(download(app, w, w.recipient)) == 3
    w.call("consent_withdraw", w.alice, consent_id=consent["consent_id"])
    assert download(app, w, w.recipient) == [["person_key", "address", "street", "iris", "month", "kwh"]]


def test_expiry(app, enrolled: World, give, monkeypatch: pytest.MonkeyPatch) -> None:
    w = enrolled
    give(w.alice, days=1)
    later = rules.utcnow() + dt.timedelta(days=2)
    monkeypatch.setattr(rules, "utcnow", lambda: later)  # the clock: a true border
    assert len(download(app, w, w.recipient)) == 1
    assert w.call("consent_list_mine", w.alice)[0]["state"] == "expired"


def test_change_of_terms(app, enrolled: World, give) -> None:
    w = enrolled
    give(w.alice)
    w.call("package_patch", w.producer, id=w.dataset["id"], dpo_contact="new-dpo@ode.example")
    assert len(download(app, w, w.recipient)) == 1
    give(w.alice)
    assert len(download(app, w, w.recipient)) == 3


def test_everyone_else_refused(app, enrolled: World, give) -> None:
    w = enrolled
    give(w.alice)
    for user in (None, w.stranger, w.other_org_member, w.alice, w.producer):
        download(app, w, user, status=403)
    download(app, w, w.recipient, purpose="marketing", status=400)
    download(app, w, w.recipient, organization=w.other_org["name"], status=403)
    # refusals are not logged as downloads
    assert w.call("consent_download_list", w.producer, id=w.dataset["id"]) == []
