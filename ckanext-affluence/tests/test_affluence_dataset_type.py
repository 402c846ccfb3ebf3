"""The transit-occupancy dataset type: schema, roles, registration."""
from __future__ import annotations

from typing import Any

import pytest
from affluence_testlib import plugins_mark
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action

pytestmark = [plugins_mark, pytest.mark.usefixtures("site")]


def test_type_is_registered_with_its_common_fields(organization: dict[str, Any],
                                                   editor: dict[str, Any]) -> None:
    dataset = call_action("package_create", {"user": editor["name"]}, type="transit-occupancy",
                          name="reseau", title="Réseau", owner_org=organization["id"],
                          producer_status="delegatee", frequency="DAILY")
    shown = call_action("package_show", id="reseau")
    assert shown["type"] == "transit-occupancy"
    assert shown["territorial_typology"] == "territorial-interest"
    assert shown["public_service"] == "transport"
    assert shown["access_class"] == "open"
    assert shown["producer_status"] == "delegatee"
    assert dataset["frequency"] == "DAILY"


def test_other_typology_or_service_is_refused(organization: dict[str, Any],
                                             editor: dict[str, Any]) -> None:
    with pytest.raises(toolkit.ValidationError) as e:
        call_action("package_create", {"user": editor["name"]}, type="transit-occupancy",
                    name="reseau", title="Réseau", owner_org=organization["id"],
                    public_service="waste", territorial_typology="reference")
    assert "public_service" in e.value.error_dict
    assert "territorial_typology" in e.value.error_dict


def test_resources_declare_a_known_role(make_dataset: Any, editor: dict[str, Any]) -> None:
    dataset = make_dataset(with_inputs=False)
    with pytest.raises(toolkit.ValidationError) as e:
        call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                    url="http://example.org/x.csv", role="banana")
    assert "role" in e.value.error_dict
    with pytest.raises(toolkit.ValidationError) as e:
        call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                    url="http://example.org/x.csv")
    assert "role" in e.value.error_dict
    created = call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                          url="http://example.org/weather.csv", role="weather")
    assert created["role"] == "weather"


def test_validation_field_is_shown_but_never_stored(make_dataset: Any) -> None:
    dataset = make_dataset()
    inputs = [r for r in dataset["resources"] if r["role"] in ("timetable", "counts")]
    assert len(inputs) == 2
    assert all(r["affluence_validation"]["status"] == "pending" for r in inputs)
    # Round-tripping the shown dataset must not store the computed field.
    call_action("package_update", **dataset)
    from ckan import model

    stored = model.Resource.get(inputs[0]["id"])
    assert "affluence_validation" not in (stored.extras or {})
