"""The extras national harvesters read, and the round trip they must not break."""
from __future__ import annotations

import json
from typing import Any

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.spmd.dcat import api_output

PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd spmd_access dcat spmd_dcat"
POINT = json.dumps({"type": "Point", "coordinates": [-1.68, 48.11]})


def test_polygons_for_the_national_harvester() -> None:
    polygon = json.loads(api_output.national_polygon(POINT) or "")
    assert polygon["type"] == "Polygon"
    xs = [p[0] for p in polygon["coordinates"][0]]
    assert min(xs) < -1.68 < max(xs)
    assert api_output.national_polygon("not json") is None


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins")
def test_show_then_update_round_trip_keeps_the_fields(app: Any) -> None:
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(partner_roles=["producer"])
    context = {"user": sysadmin["name"], "ignore_auth": True}
    created = toolkit.get_action("package_create")(dict(context), {
        "name": "parcs-relais", "title": "Parcs relais", "notes": "Parcs relais.",
        "owner_org": org["id"], "license_id": "odc-odbl", "spatial": POINT,
        "frequency": "MONTHLY", "temporal_start": "2024-01-01",
        "territorial_typology": "territory", "access_class": "open",
        "production_mode": "administrative-records", "method_notes": "Inventaire.",
        "resources": [{"name": "Parcs", "url": "http://data.example.org/p.csv",
                       "format": "CSV"}]})
    shown = app.get("/api/3/action/package_show?id=parcs-relais",
                    headers={"Authorization": sysadmin["token"]}).json["result"]
    mirrored = {e["key"]: e["value"] for e in shown["extras"]}
    assert mirrored["frequency"] == "MONTHLY"
    assert mirrored["temporal_end"] == created["metadata_modified"][:10]
    assert json.loads(mirrored["spatial"])["type"] == "Polygon"

    shown["title"] = "Parcs relais de la métropole"
    response = app.post("/api/3/action/package_update", json=shown,
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 200, response.json
    updated = toolkit.get_action("package_show")(dict(context, for_update=True),
                                                 {"id": "parcs-relais"})
    assert updated["title"] == "Parcs relais de la métropole"
    assert json.loads(updated["spatial"]) == json.loads(POINT)
    assert not updated.get("temporal_end")
    assert not updated.get("extras")
