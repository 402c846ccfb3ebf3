"""Restricted data in the browser: a project holder is refused the file,
requests access for a use case, the producer approves, then the download
works."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config(
        "ckan.plugins",
        "spmd_search scheming_datasets scheming_organizations spmd spmd_access"),
    pytest.mark.usefixtures("empty_site", "with_plugins"),
]

PASSWORD = "Mot-de-passe-2025!"
BODY = b"arret,montees\nGare,120\n"


@pytest.fixture
def partners(empty_site: None, with_plugins: None, create_with_upload: Any) -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    producer = factories.User(name="productrice", password=PASSWORD)
    requester = factories.User(name="porteur", password=PASSWORD)
    producer_org = factories.Organization(
        name="belle-mobilites", title="Belle Mobilités", partner_roles=["producer"],
        users=[{"name": producer["name"], "capacity": "admin"}], user=sysadmin)
    requester_org = factories.Organization(
        name="labo", title="Laboratoire des mobilités", partner_roles=["project-holder"],
        users=[{"name": requester["name"], "capacity": "editor"}], user=sysadmin)
    dataset = factories.Dataset(
        name="frequentation-reseau", title="Fréquentation du réseau",
        owner_org=producer_org["id"], territorial_typology="territory",
        production_mode="sensors", method_notes="Comptages.", access_class="restricted",
        user=sysadmin)
    resource = create_with_upload(BODY, "frequentation.csv", package_id=dataset["id"],
                                  name="Fréquentation", url="frequentation.csv",
                                  context={"user": sysadmin["name"]})
    factories.Dataset(type="use-case", name="ombrage-arrets", title="Ombrager les arrêts",
                      owner_org=requester_org["id"], notes="Prioriser l'ombrage.",
                      status="active", user=sysadmin)
    from ckan import model

    model.Session.commit()
    return {"producer": producer, "requester": requester, "dataset": dataset,
            "resource": resource}


def _login(page: Page, name: str) -> None:
    page.goto("/user/login")
    page.locator("#field-login").fill(name)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("#field-password").press("Enter")
    expect(page.locator(".account-masthead")).to_be_visible()


def _logout(page: Page) -> None:
    page.context.clear_cookies()


def test_request_approve_then_download(page: Page, shot: Any, partners: dict[str, Any]) -> None:
    dataset, resource = partners["dataset"], partners["resource"]
    download = f"/dataset/{dataset['id']}/resource/{resource['id']}/download"

    _login(page, "porteur")
    refused = page.request.get(download)
    assert refused.status == 403
    page.goto(download)
    shot("refused")
    page.locator("a[href*='/access-request']").first.click()

    page.locator("#field-purpose").fill("Croiser la fréquentation et la chaleur aux arrêts.")
    page.locator("#field-duration").fill("90")
    shot("form")
    page.locator("#spmd-access-request-form button[type=submit]").click()
    expect(page.locator(".spmd-access-status")).to_have_attribute("data-status", "pending")
    request_url = page.url
    shot("pending")

    _logout(page)
    _login(page, "productrice")
    page.goto("/access/requests")
    expect(page.locator("body")).to_contain_text("Fréquentation du réseau")
    page.goto(request_url)
    page.locator("#field-conditions").fill("Usage limité au projet, pas de rediffusion.")
    page.locator("#spmd-access-approve button[type=submit]").click()
    expect(page.locator(".spmd-access-status")).to_have_attribute("data-status", "approved")
    expect(page.locator(".spmd-access-conditions")).to_contain_text("pas de rediffusion")
    shot("approved")

    _logout(page)
    _login(page, "porteur")
    page.goto(request_url)
    expect(page.locator(".spmd-access-status")).to_have_attribute("data-status", "approved")
    granted = page.request.get(download)
    assert granted.status == 200
    assert granted.body() == BODY
