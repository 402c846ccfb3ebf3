"""The form's choices (scheming schemas) and the published SKOS concept
schemes (``dcat/vocabulary.py``) name the same codes with the same French
and English labels: a visitor reads on the dataset page what a harvester
reads in the RDF. Pure: reads the YAML files, needs no CKAN site."""
from __future__ import annotations

import pathlib

import pytest
import yaml

from ckanext.spmd.dcat import vocabulary

SCHEMAS = pathlib.Path(vocabulary.__file__).resolve().parents[1] / "schemas"


def _choices(file: str, field: str) -> dict[str, dict[str, str]]:
    data = yaml.safe_load((SCHEMAS / file).read_text(encoding="utf-8"))
    items = data.get("dataset_fields", []) + data.get("fields", []) + data.get("presets", [])
    for item in items:
        if item.get("field_name") == field or item.get("preset_name") == field:
            values = item.get("values", item)
            return {c["value"]: c["label"] for c in values["choices"]}
    raise AssertionError(f"{field} not found in {file}")


@pytest.mark.parametrize("file, field, scheme", [
    ("presets.yaml", "spmd_typology", vocabulary.TYPOLOGY),
    ("dataset.yaml", "public_service", vocabulary.PUBLIC_SERVICE),
    ("organization.yaml", "partner_roles", vocabulary.PARTNER_ROLE),
])
def test_form_choices_and_skos_concepts_agree(file, field, scheme):
    choices = _choices(file, field)
    concepts = {c.code: {"fr": c.fr, "en": c.en} for c in scheme.concepts}
    assert choices == concepts
