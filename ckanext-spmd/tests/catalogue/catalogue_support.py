"""Helpers of the catalogue suite: plugins, field values, users."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.tests import factories

PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd"

REFERENCE_FIELDS = {
    "certifying_authority": "Métropole de Rivebelle",
    "reference_scope": "Adresses des huit communes",
    "frequency": "MONTHLY",
    "service_commitment": "Mise à jour sous 5 jours",
    "continuity_contact": "sig@rivebelle.example",
}
TERRITORIAL_FIELDS = {
    "public_service": "transport",
    "producer_status": "delegatee",
    "legal_basis": "Contrat de DSP 2020-2030, article 41",
    "served_authority": "Métropole de Rivebelle",
}
TERRITORY_FIELDS = {
    "production_mode": "sensors",
    "method_notes": "Micro-capteurs étalonnés chaque trimestre.",
}
FIELDS = {
    "reference": REFERENCE_FIELDS,
    "territorial-interest": TERRITORIAL_FIELDS,
    "territory": TERRITORY_FIELDS,
}


def producer(**kwargs: Any) -> dict[str, Any]:
    return factories.Organization(partner_roles=["producer"], **kwargs)


def editor_of(org: dict[str, Any], capacity: str = "editor") -> dict[str, Any]:
    user = factories.User()
    toolkit.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": capacity})
    return user


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    return {"user": user["name"] if user else "", "ignore_auth": False}


def call(action: str, user: dict[str, Any] | None, **data: Any) -> Any:
    return toolkit.get_action(action)(as_user(user), data)


def dataset_data(org: dict[str, Any], typology: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "title": name.replace("-", " ").title(), "owner_org": org["id"],
            "territorial_typology": typology, **FIELDS[typology], **extra}
