"""Partner roles drive who publishes, who files use cases, who manages roles."""
from __future__ import annotations

import pytest
from catalogue_support import PLUGINS, as_user, call, dataset_data, editor_of, producer
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd import roles

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]


def use_case(org: dict, name: str, **extra) -> dict:
    return {"type": "use-case", "name": name, "title": name, "owner_org": org["id"],
            "notes": "Un projet.", "status": "proposed", **extra}


def test_roles_are_stored_and_read_back() -> None:
    org = factories.Organization(partner_roles=["producer", "project-holder"])
    shown = toolkit.get_action("organization_show")({}, {"id": org["id"]})
    assert sorted(shown["partner_roles"]) == ["producer", "project-holder"]
    assert roles.organization_has_role(org["name"], "project-holder")
    assert roles.organization_has_role(org["id"], "producer")
    assert not roles.organization_has_role(org["id"], "observer")
    assert not roles.organization_has_role("no-such-org", "producer")


def test_only_producer_organisations_own_datasets() -> None:
    observer = factories.Organization(partner_roles=["observer"], title="Club des curieux")
    editor = editor_of(observer)
    with pytest.raises(toolkit.NotAuthorized, match="Club des curieux is not a data producer"):
        call("package_create", editor, **dataset_data(observer, "territory", "refuse"))
    assert not toolkit.get_action("package_search")({}, {"q": "name:refuse"})["count"]

    prod = producer()
    prod_editor = editor_of(prod)
    pkg = call("package_create", prod_editor, **dataset_data(prod, "territory", "accepte"))
    # moving it into the observer organisation is refused too (a sysadmin asks)
    sysadmin = factories.Sysadmin()
    with pytest.raises(toolkit.NotAuthorized, match="not a data producer"):
        toolkit.get_action("package_patch")(
            {"user": sysadmin["name"], "ignore_auth": False},
            {"id": pkg["id"], "owner_org": observer["id"]})
    assert call("package_show", None, id=pkg["id"])["owner_org"] == prod["id"]


def test_ckan_capacities_still_apply() -> None:
    prod = producer()
    member = editor_of(prod, capacity="member")
    with pytest.raises(toolkit.NotAuthorized):
        call("package_create", member, **dataset_data(prod, "territory", "par-un-membre"))
    outsider = factories.User()
    with pytest.raises(toolkit.NotAuthorized):
        call("package_create", outsider, **dataset_data(prod, "territory", "par-un-tiers"))


@pytest.mark.parametrize(("strict", "allowed"), [(False, True), (True, False)])
def test_organisations_without_roles_follow_the_strict_option(
        strict: bool, allowed: bool, ckan_config, monkeypatch) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.spmd.roles.strict", strict)
    legacy = factories.Organization()
    editor = editor_of(legacy)
    data = dataset_data(legacy, "territory", "ancienne-orga")
    if allowed:
        assert call("package_create", editor, **data)["name"] == "ancienne-orga"
    else:
        with pytest.raises(toolkit.NotAuthorized, match="not a data producer"):
            call("package_create", editor, **data)


def test_project_holders_file_use_cases_producers_do_not() -> None:
    holder = factories.Organization(partner_roles=["project-holder"])
    holder_editor = editor_of(holder)
    created = call("package_create", holder_editor, **use_case(holder, "projet-velo"))
    assert created["type"] == "use-case"
    prod = producer(title="Producteur seul")
    with pytest.raises(toolkit.NotAuthorized, match="Producteur seul is not a project holder"):
        call("package_create", editor_of(prod), **use_case(prod, "projet-refuse"))


def test_animator_members_and_sysadmins_manage_roles_others_do_not() -> None:
    target = factories.Organization(partner_roles=["observer"])
    target_admin = editor_of(target, capacity="admin")
    # an organisation's own admin may edit it, but not its roles
    with pytest.raises(toolkit.ValidationError) as error:
        call("organization_patch", target_admin, id=target["id"], partner_roles=["producer"])
    assert "Only sysadmins and members of an animator" in error.value.error_dict[
        "partner_roles"][0]
    with pytest.raises(toolkit.NotAuthorized):
        call("spmd_partner_roles_update", target_admin, id=target["id"],
             partner_roles=["producer"])
    # other fields stay editable by that admin
    assert call("organization_patch", target_admin, id=target["id"],
                description="Nouvelle description")["description"] == "Nouvelle description"
    assert roles.organization_roles(target["id"]) == ["observer"]

    animator = factories.Organization(partner_roles=["animator"])
    animator_member = editor_of(animator, capacity="member")
    assert sorted(call("spmd_partner_roles_update", animator_member, id=target["name"],
                       partner_roles=["observer", "producer"])) == ["observer", "producer"]
    sysadmin = factories.Sysadmin()
    assert call("spmd_partner_roles_update", sysadmin, id=target["id"],
                partner_roles="project-holder") == ["project-holder"]
    with pytest.raises(toolkit.ValidationError, match="Unknown role"):
        call("spmd_partner_roles_update", sysadmin, id=target["id"], partner_roles=["king"])
    assert roles.organization_roles(target["id"]) == ["project-holder"]


def test_anonymous_visitors_cannot_manage_roles() -> None:
    target = factories.Organization(partner_roles=["observer"])
    with pytest.raises(toolkit.NotAuthorized):
        toolkit.get_action("spmd_partner_roles_update")(
            as_user(None), {"id": target["id"], "partner_roles": ["producer"]})


def test_the_form_offers_only_organisations_that_may_own_the_type(app) -> None:
    prod = producer(title="Productrice")
    observer = factories.Organization(partner_roles=["observer"], title="Observatrice")
    holder = factories.Organization(partner_roles=["project-holder"], title="Porteuse")
    user = editor_of(prod)
    for org in (observer, holder):
        toolkit.get_action("organization_member_create")(
            {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": "editor"})
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}

    def owner_options(url: str) -> str:
        page = app.get(url, headers=headers).get_data(as_text=True)
        select = page[page.index('id="field-organizations"'):]
        return select[:select.index("</select>")]

    dataset_owners = owner_options("/dataset/new")
    assert "Productrice" in dataset_owners
    assert "Observatrice" not in dataset_owners and "Porteuse" not in dataset_owners
    use_case_owners = owner_options("/use-case/new")
    assert "Porteuse" in use_case_owners and "Productrice" not in use_case_owners
