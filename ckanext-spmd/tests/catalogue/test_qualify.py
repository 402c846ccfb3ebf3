"""Datasets to be qualified, and ``ckan spmd qualify`` backfilling them."""
from __future__ import annotations

import pytest
from catalogue_support import PLUGINS, call, dataset_data, editor_of, producer
from ckan.cli.cli import ckan as ckan_command
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd import qualify

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]

RULES = {
    "ckanext.spmd.qualify.by_organization": "transports = territorial-interest",
    "ckanext.spmd.qualify.by_tag": "Référentiel = reference; capteurs = territory",
}


def legacy(name: str, org: dict, tags: list[str] = ()) -> dict:
    """A dataset from before the plugin (created by an internal process)."""
    return toolkit.get_action("package_create")({"ignore_auth": True, "user": ""}, {
        "name": name, "owner_org": org["id"], "tags": [{"name": t} for t in tags]})


def test_rules_are_parsed_and_bad_ones_named() -> None:
    rules = qualify.parse_rules("a = reference;\n b-c = territory ;", "opt")
    assert rules == {"a": "reference", "b-c": "territory"}
    with pytest.raises(qualify.RuleError, match="opt: rule 2 .*unknown typology 'wrong'"):
        qualify.parse_rules("a = reference; b = wrong", "opt")
    with pytest.raises(qualify.RuleError, match="is not 'key = typology'"):
        qualify.parse_rules("just-a-name", "opt")


def test_rules_apply_in_order_harvest_source_tag_organisation_default() -> None:
    rules = qualify.Rules(by_harvest_source={"national": "reference"},
                          by_tag={"capteurs": "territory"},
                          by_organization={"transports": "territorial-interest"},
                          default=None)
    pkg = {"organization": {"name": "transports"}, "tags": [{"name": "Capteurs"}],
           "extras": [{"key": "harvest_source_title", "value": "National"}]}
    assert qualify.typology_for(pkg, rules) == ("reference", "harvest source national")
    pkg["extras"] = []
    assert qualify.typology_for(pkg, rules) == ("territory", "tag Capteurs")
    pkg["tags"] = []
    assert qualify.typology_for(pkg, rules)[0] == "territorial-interest"
    pkg["organization"] = {"name": "other"}
    assert qualify.typology_for(pkg, rules) == (None, "no rule")


def test_administrators_see_the_datasets_to_be_qualified(app) -> None:
    org = producer(name="ville")
    legacy("ancien-jeu", org)
    call("package_create", editor_of(org), **dataset_data(org, "territory", "qualifie"))
    admin = editor_of(org, capacity="admin")
    listed = call("spmd_to_be_qualified", admin)
    assert [d["name"] for d in listed] == ["ancien-jeu"]
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_to_be_qualified", editor_of(org))
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_to_be_qualified", None)
    # another organisation's admin does not see them
    other_admin = editor_of(producer(name="autre"), capacity="admin")
    assert call("spmd_to_be_qualified", other_admin) == []

    page = app.get("/to-be-qualified", headers={"Authorization": factories.APIToken(
        user=admin["name"])["token"]})
    assert page.status_code == 200 and "ancien-jeu" in page.get_data(as_text=True)
    assert app.get("/to-be-qualified").status_code == 403


@pytest.mark.usefixtures("with_extended_cli")
def test_qualify_command_dry_run_then_backfill(cli, ckan_config, monkeypatch) -> None:
    for key, value in RULES.items():
        monkeypatch.setitem(ckan_config, key, value)
    transports = producer(name="transports")
    ville = producer(name="ville")
    legacy("horaires", transports)
    legacy("adresses", ville, tags=["référentiel"])
    legacy("bruit", ville, tags=["capteurs"])
    legacy("divers", ville)

    dry = cli.invoke(ckan_command, ["spmd", "qualify", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "horaires: would be territorial-interest (organization transports)" in dry.output
    assert "adresses: would be reference (tag référentiel)" in dry.output
    assert "divers: no rule matches" in dry.output
    assert "Dry run: 1 reference, 1 territorial-interest, 1 territory, 1 unmatched" in dry.output
    assert "territorial_typology" not in call("package_show", None, id="horaires")

    done = cli.invoke(ckan_command, ["spmd", "qualify"])
    assert done.exit_code == 0, done.output
    assert "Qualified: 1 reference, 1 territorial-interest, 1 territory, 1 unmatched" in done.output
    assert call("package_show", None, id="horaires")["territorial_typology"] == (
        "territorial-interest")
    assert call("package_show", None, id="adresses")["territorial_typology"] == "reference"
    admin = factories.Sysadmin()
    assert [d["name"] for d in call("spmd_to_be_qualified", admin)] == ["divers"]

    again = cli.invoke(ckan_command, ["spmd", "qualify"])
    assert "Qualified: 1 unmatched" in again.output


@pytest.mark.usefixtures("with_extended_cli")
def test_qualify_command_refuses_bad_rules(cli, ckan_config, monkeypatch) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.spmd.qualify.by_tag", "x = nonsense")
    result = cli.invoke(ckan_command, ["spmd", "qualify"])
    assert result.exit_code != 0
    assert "ckanext.spmd.qualify.by_tag: rule 1" in result.output
