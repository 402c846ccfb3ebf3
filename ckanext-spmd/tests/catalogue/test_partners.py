"""The /partners page and the spmd_partner_list action."""
from __future__ import annotations

import pytest
from catalogue_support import PLUGINS, call, dataset_data, editor_of, producer
from ckan.plugins import toolkit
from ckan.tests import factories

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]


@pytest.fixture
def partnership(catalogue_site: None) -> None:
    prod = producer(name="delegataire", title="Délégataire transports")
    call("package_create", editor_of(prod), **dataset_data(prod, "territorial-interest",
                                                           "horaires", title="Horaires"))
    call("package_create", editor_of(prod), **dataset_data(
        prod, "territorial-interest", "interne", title="Interne privé", private=True))
    lab = factories.Organization(name="labo", title="Laboratoire",
                                 partner_roles=["project-holder", "resource"])
    call("package_create", editor_of(lab), type="use-case", name="projet", title="Projet vélo",
         owner_org=lab["id"], notes="n", status="proposed", datasets_used=["horaires"])
    factories.Organization(name="cci", title="CCI", partner_roles=["observer"])
    factories.Organization(name="sans-role", title="Sans rôle")


@pytest.mark.usefixtures("partnership")
def test_partner_list_filters_by_role() -> None:
    everyone = {p["name"]: p for p in call("spmd_partner_list", None)}
    assert set(everyone) == {"delegataire", "labo", "cci"}
    assert [d["name"] for d in everyone["delegataire"]["datasets"]] == ["horaires"]
    assert [u["name"] for u in everyone["labo"]["use_cases"]] == ["projet"]
    holders = call("spmd_partner_list", None, role="project-holder")
    assert [p["name"] for p in holders] == ["labo"]
    with pytest.raises(toolkit.ValidationError):
        call("spmd_partner_list", None, role="king")


@pytest.mark.usefixtures("partnership")
def test_partners_page(app) -> None:
    page = app.get("/partners").get_data(as_text=True)
    for text in ("Partenaires", "Délégataire transports", "Laboratoire", "CCI", "Horaires",
                 "Projet vélo", "Porteur de projet", "Observateur"):
        assert text in page, text
    assert "Sans rôle" not in page and "Interne privé" not in page
    filtered = app.get("/partners?role=observer").get_data(as_text=True)
    assert "CCI" in filtered and "Laboratoire" not in filtered
    assert app.get("/partners?role=king").status_code == 400
    assert "Partners" in app.get("/en/partners").get_data(as_text=True)
