"""Fixtures of the access suite: a producer with a restricted dataset, a
project holder with a use case, another partner, and a sysadmin."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories

PLUGINS = ("spmd_search scheming_datasets scheming_organizations spmd spmd_access "
           "activity image_view")
SECRET_URL = "https://data.producer.example/secret-token-7f3a/counts.csv"
UPLOAD_BODY = b"stop,count\nA,12\n"
TERRITORY_FIELDS = {"production_mode": "sensors", "method_notes": "Capteurs."}


def call(action: str, user: dict[str, Any] | None, **data: Any) -> Any:
    return toolkit.get_action(action)({"user": user["name"] if user else ""}, data)


def member_of(org: dict[str, Any], capacity: str = "member") -> dict[str, Any]:
    user = factories.User()
    toolkit.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": capacity})
    return user


@dataclasses.dataclass
class World:
    producer_org: dict[str, Any]
    producer_admin: dict[str, Any]
    producer_member: dict[str, Any]
    requester_org: dict[str, Any]
    requester: dict[str, Any]
    other_org: dict[str, Any]
    other: dict[str, Any]
    sysadmin: dict[str, Any]
    dataset: dict[str, Any]
    link: dict[str, Any]  # resource with an external URL
    upload: dict[str, Any]  # uploaded resource
    use_case: dict[str, Any]
    open_dataset: dict[str, Any]

    def request(self, **extra: Any) -> dict[str, Any]:
        data = {"package_ids": [self.dataset["id"]], "organization_id": self.requester_org["id"],
                "use_case": self.use_case["name"], "purpose": "Dimensionner les lignes",
                "duration_days": 90, **extra}
        return call("spmd_access_request_create", self.requester, **data)


@pytest.fixture
def access_site(clean_db: None, clean_index: None, with_plugins: None,
                migrate_db_for: Any) -> None:
    # The shared clean_db migrates neither activity nor spmd_access (yet).
    migrate_db_for("activity")
    migrate_db_for("spmd_access")


def restricted_dataset(org: dict[str, Any], name: str, access_class: str = "restricted",
                       **extra: Any) -> dict[str, Any]:
    extra.setdefault("user", factories.Sysadmin())
    return factories.Dataset(
        name=name, owner_org=org["id"], territorial_typology="territory",
        access_class=access_class, **TERRITORY_FIELDS, **extra)


@pytest.fixture
def world(access_site: None, create_with_upload: Any) -> World:
    sysadmin = factories.Sysadmin()
    as_admin = {"user": sysadmin}
    producer_org = factories.Organization(name="producteur", partner_roles=["producer"],
                                          **as_admin)
    requester_org = factories.Organization(name="porteur", partner_roles=["project-holder"],
                                           **as_admin)
    other_org = factories.Organization(name="autre", partner_roles=["project-holder"],
                                       **as_admin)
    producer_admin = member_of(producer_org, "admin")
    requester = member_of(requester_org, "editor")
    other = member_of(other_org, "admin")
    dataset = restricted_dataset(producer_org, "comptages-restreints", **as_admin)
    link = factories.Resource(package_id=dataset["id"], url=SECRET_URL, name="Comptages",
                              **as_admin)
    upload = create_with_upload(UPLOAD_BODY, "counts.csv", package_id=dataset["id"],
                                name="Fichier", url="counts.csv",
                                context={"user": sysadmin["name"]})
    toolkit.get_action("resource_view_create")(
        {"user": sysadmin["name"]},
        {"resource_id": link["id"], "view_type": "image_view", "title": "Aperçu",
         "image_url": SECRET_URL})
    use_case = factories.Dataset(
        type="use-case", name="cas-usage-lignes", owner_org=requester_org["id"],
        notes="Dimensionner les lignes", status="active", **as_admin)
    open_dataset = restricted_dataset(producer_org, "comptages-ouverts", access_class="open",
                                      **as_admin)
    factories.Resource(package_id=open_dataset["id"], url="https://open.example/a.csv",
                       **as_admin)
    return World(
        producer_org=producer_org, producer_admin=producer_admin,
        producer_member=member_of(producer_org, "member"), requester_org=requester_org,
        requester=requester, other_org=other_org, other=other,
        sysadmin=sysadmin, dataset=toolkit.get_action("package_show")(
            {"ignore_auth": True}, {"id": dataset["id"]}),
        link=link, upload=upload, use_case=use_case, open_dataset=open_dataset,
    )
