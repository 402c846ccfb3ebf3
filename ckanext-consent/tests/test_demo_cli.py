"""`ckan consent demo load` (idempotent), `ckan consent codes`, `ckan consent verify`."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from consent_testing import PLUGINS, World

from ckanext.consent import demo, registry
from ckanext.consent.model import event_table

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def test_demo_load_is_idempotent(app, ckan_config) -> None:
    first = demo.load(echo=lambda _: None, password="Demo-password-2026")
    events = model.Session.execute(sa.select(sa.func.count()).select_from(event_table)).scalar()
    assert first["offline_consents"] > 100 and events == first["offline_consents"] + 2
    second = demo.load(echo=lambda _: None, password="Demo-password-2026")
    assert second["offline_consents"] == 0
    assert model.Session.execute(sa.select(sa.func.count()).select_from(event_table)).scalar() == events
    keys = registry.consenting_keys(demo.DATASET, "open-statistics")
    assert demo.key_of(1) in keys and demo.key_of(2) in keys and demo.key_of(3) not in keys
    context = {"user": "camille", "ignore_auth": False}
    from ckan.plugins import toolkit

    downloads = toolkit.get_action("consent_downloads_mine")(context, {})
    assert len(downloads) == 1 and downloads[0]["organization"] == "alec-rivebelle"
    assert registry.verify()[1] == []


def test_codes_cli_writes_csv_and_verify(cli, world: World, tmp_path) -> None:
    out = tmp_path / "codes.csv"
    result = cli.invoke(ckan_cli, ["consent", "codes", world.dataset["name"], "--keys", "K3,K4",
                                   "--ttl-days", "10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["person_key"] for r in rows] == ["K3", "K4"] and all(len(r["code"]) == 14 for r in rows)
    world.call("consent_code_redeem", world.alice, code=rows[0]["code"])
    bad = cli.invoke(ckan_cli, ["consent", "codes", world.dataset["name"], "--keys", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output

    world.call("consent_give", world.alice, id=world.dataset["id"], purposes=["research"],
               recipients=[world.recipient_org["id"]])
    ok = cli.invoke(ckan_cli, ["consent", "verify"])
    assert ok.exit_code == 0 and "intact: 1 events" in ok.output
    model.Session.execute(sa.text("DELETE FROM consent_event"))
    model.Session.commit()
    tampered = cli.invoke(ckan_cli, ["consent", "verify"])
    assert tampered.exit_code != 0 and "tampered" in tampered.output


def test_demo_load_command_reports_errors_without_a_traceback(cli, monkeypatch) -> None:
    monkeypatch.setenv("SPMD_DEMO_PASSWORD", "short")
    result = cli.invoke(ckan_cli, ["consent", "demo", "load"])
    assert result.exit_code != 0
    assert "password" in result.output and "Traceback" not in result.output
