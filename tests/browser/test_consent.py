"""A resident takes control of their personal data in the browser: redeems
an enrolment code, consents, sees a recipient's download in their log,
withdraws, and the recipient's next download leaves their rows out."""
from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories
from playwright.sync_api import Page, expect

from ckanext.consent import demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config(
        "ckan.plugins",
        "spmd_search scheming_datasets scheming_organizations spmd spmd_access consent",
    ),
    pytest.mark.usefixtures("with_plugins"),
]

PASSWORD = "Mot-de-passe-2025!"
KEY = demo.key_of(1)


@pytest.fixture
def site(empty_site: None, with_plugins: None, migrate_db_for: Any) -> dict[str, Any]:
    from ckan import model

    migrate_db_for("spmd_access")
    producer = factories.User()
    agent = factories.User(name="agent-alec", password=PASSWORD)
    resident = factories.User(name="camille", fullname="Camille Le Goff", password=PASSWORD)
    producer_org = factories.Organization(
        name="ouest-distribution-electricite", title="Ouest Distribution Électricité",
        users=[{"name": producer["name"], "capacity": "editor"}])
    recipient_org = factories.Organization(
        name="alec-rivebelle", title="ALEC de Rivebelle",
        users=[{"name": agent["name"], "capacity": "member"}])
    context = {"user": producer["name"]}
    pkg = toolkit.get_action("package_create")(
        dict(context), demo.dataset_dict(producer_org["id"], [recipient_org["id"]]))
    import io

    from werkzeug.datastructures import FileStorage

    resource = toolkit.get_action("resource_create")(dict(context), {
        "package_id": pkg["id"], "name": "rows", "url": "rows.csv",
        "upload": FileStorage(io.BytesIO(demo.residents_csv()), filename="rows.csv")})
    code = toolkit.get_action("consent_codes_issue")(
        dict(context), {"id": pkg["id"], "keys": [KEY]})["codes"][0]["code"]
    token = toolkit.get_action("api_token_create")(
        {"user": agent["name"]}, {"user": agent["name"], "name": "browser-test"})["token"]
    model.Session.commit()
    return {"pkg": pkg, "resource": resource, "code": code, "token": token,
            "resident": resident}


def recipient_download(base: str, site: dict[str, Any]) -> list[str]:
    """The association's download (API token), as its scripts would do it."""
    url = (f"{base}/dataset/{site['pkg']['name']}/resource/{site['resource']['id']}"
           "/consent-download")
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode({"purpose": "research"}).encode(),
        headers={"Authorization": site["token"]}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        lines = response.read().decode().splitlines()
    return [line.split(",")[0] for line in lines[1:]]


def test_redeem_consent_see_download_withdraw(page: Page, shot: Any, live_server: str,
                                              site: dict[str, Any]) -> None:
    assert KEY not in recipient_download(live_server, site)

    page.goto("/user/login")
    page.locator("#field-login").fill("camille")
    page.locator("#field-password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".account-masthead")).to_contain_text("Camille Le Goff")

    page.goto("/consent/enrol")
    page.locator("#code").fill(site["code"].lower())
    shot("code")
    page.locator(".consent-enrol-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/dataset/{site['pkg']['name']}/consent")
    expect(page.locator(".consent-terms")).to_contain_text("Ouest Distribution Électricité")

    form = page.locator(".consent-give-form")
    form.locator("input[name=purposes][value=research]").check()
    form.locator("input[name=recipients]").first.check()
    form.locator("#duration_days").fill("90")
    shot("consent-form")
    form.locator("button.consent-give").click()
    expect(page.locator(".consent-row.consent-given")).to_have_count(1)
    shot("consent-given")

    assert recipient_download(live_server, site) == [KEY]

    page.goto("/mes-donnees")
    expect(page.locator(".consent-my-rows tbody tr")).to_have_count(1)
    expect(page.locator(".consent-my-rows")).to_contain_text(KEY)
    downloads = page.locator(".consent-downloads .consent-download")
    expect(downloads).to_have_count(1)
    expect(downloads.first).to_contain_text("ALEC de Rivebelle")
    shot("my-data-with-download")

    page.locator(".consent-given button.consent-withdraw").click()
    expect(page.locator(".consent-row.consent-withdrawn")).to_have_count(1)
    shot("withdrawn")

    assert recipient_download(live_server, site) == []
    page.goto("/my-data")
    expect(page.locator(".consent-downloads .consent-download")).to_have_count(1)
