"""Typologies through the API: fields per typology, required server-side."""
from __future__ import annotations

import json

import pytest
from catalogue_support import FIELDS, PLUGINS, call, dataset_data, editor_of, producer
from ckan.plugins import toolkit

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("catalogue_site")]


@pytest.mark.parametrize("typology", sorted(FIELDS))
def test_each_typology_is_published_with_its_fields(typology: str) -> None:
    org = producer()
    editor = editor_of(org)
    created = call("package_create", editor, **dataset_data(org, typology, f"jeu-{typology}"))
    shown = call("package_show", None, id=created["id"])
    assert shown["territorial_typology"] == typology
    for field, value in FIELDS[typology].items():
        assert shown[field] == value
    assert shown["access_class"] == "open"


@pytest.mark.parametrize("typology", sorted(FIELDS))
def test_missing_fields_of_a_typology_are_refused_one_by_one(typology: str) -> None:
    org = producer()
    editor = editor_of(org)
    data = dataset_data(org, typology, "incomplet")
    for field in FIELDS[typology]:
        del data[field]
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_create", editor, **data)
    errors = error.value.error_dict
    assert set(errors) == set(FIELDS[typology])
    for field in FIELDS[typology]:
        assert errors[field][0].startswith("Missing value: required for"), errors[field]
    # nothing half-written
    with pytest.raises(toolkit.ObjectNotFound):
        call("package_show", None, id="incomplet")


def test_typology_is_required_from_users_and_checked() -> None:
    org = producer()
    editor = editor_of(org)
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_create", editor, name="sans-typologie", owner_org=org["id"])
    assert "typology" in error.value.error_dict["territorial_typology"][0]
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_create", editor, name="mauvaise", owner_org=org["id"],
             territorial_typology="marketplace")
    assert 'Unknown typology "marketplace"' in error.value.error_dict["territorial_typology"][0]


def test_vocabularies_and_formats_are_checked() -> None:
    org = producer()
    editor = editor_of(org)
    data = dataset_data(org, "reference", "mauvais-champs", frequency="SOMETIMES",
                        spatial="{not json", temporal_start="2024-05-01",
                        temporal_end="2023-01-01", access_class="secret")
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_create", editor, **data)
    errors = error.value.error_dict
    assert 'Unknown frequency "SOMETIMES"' in errors["frequency"][0]
    assert "Not valid JSON" in errors["spatial"][0]
    assert "before its start" in errors["temporal_end"][0]
    assert "access_class" in errors
    bad_service = dataset_data(org, "territorial-interest", "mauvais-service",
                               public_service="circus")
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_create", editor, **bad_service)
    assert list(error.value.error_dict) == ["public_service"]


def test_coverage_fields_are_normalised() -> None:
    org = producer()
    editor = editor_of(org)
    polygon = {"type": "Polygon", "coordinates": [[[-1.7, 48.1], [-1.6, 48.1],
                                                   [-1.6, 48.2], [-1.7, 48.1]]]}
    created = call("package_create", editor, **dataset_data(
        org, "territory", "couverture", spatial=json.dumps(polygon, indent=2),
        temporal_start="2024-01-01", temporal_end="2024-12-31", frequency="daily",
        access_class="restricted"))
    assert json.loads(created["spatial"]) == polygon
    assert "\n" not in created["spatial"]
    assert created["frequency"] == "DAILY"
    assert (created["temporal_start"], created["temporal_end"]) == ("2024-01-01", "2024-12-31")
    assert created["access_class"] == "restricted"


def test_changing_typology_keeps_values_and_asks_for_the_new_ones() -> None:
    org = producer()
    editor = editor_of(org)
    created = call("package_create", editor, **dataset_data(org, "territory", "change"))
    with pytest.raises(toolkit.ValidationError) as error:
        call("package_patch", editor, id=created["id"], territorial_typology="reference")
    assert set(error.value.error_dict) == set(FIELDS["reference"])
    patched = call("package_patch", editor, id=created["id"],
                   territorial_typology="reference", **FIELDS["reference"])
    assert patched["territorial_typology"] == "reference"
    # the territory fields are still there
    assert patched["production_mode"] == "sensors"
    assert patched["method_notes"] == FIELDS["territory"]["method_notes"]


def test_internal_processes_may_leave_a_dataset_unqualified() -> None:
    org = producer()
    pkg = toolkit.get_action("package_create")(
        {"ignore_auth": True, "user": ""}, {"name": "moissonne", "owner_org": org["id"]})
    assert "territorial_typology" not in pkg
    assert call("package_show", None, id="moissonne")["name"] == "moissonne"


def test_schema_is_published_with_french_labels(app) -> None:
    schema = toolkit.get_action("scheming_dataset_schema_show")({}, {"type": "dataset"})
    fields = {f["field_name"]: f for f in schema["dataset_fields"]}
    assert fields["territorial_typology"]["label"]["fr"] == "Typologie territoriale"
    assert {c["value"] for c in fields["territorial_typology"]["choices"]} == set(FIELDS)
    org_schema = toolkit.get_action("scheming_organization_schema_show")(
        {}, {"type": "organization"})
    assert "partner_roles" in {f["field_name"] for f in org_schema["fields"]}
