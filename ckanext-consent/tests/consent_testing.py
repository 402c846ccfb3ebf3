"""Shared test helpers of ckanext-consent (imported by its conftest and tests)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from ckan.tests import helpers
from werkzeug.datastructures import FileStorage


def masking_installed() -> bool:
    return bool(entry_points(group="ckan.plugins", name="spmd_access"))


# The plugins a personal-data portal runs (masking comes from spmd_access).
PLUGINS = "spmd_search scheming_datasets scheming_organizations spmd {}consent".format(
    "spmd_access " if masking_installed() else "")

CSV = (
    "person_key,address,street,iris,month,kwh\n"
    "K1,1 rue A,rue A,123450101,2026-01,310\n"
    "K1,1 rue A,rue A,123450101,2026-02,290\n"
    "K2,2 rue A,rue A,123450101,2026-01,410\n"
    "K3,3 rue B,rue B,123450102,2026-01,150\n"
    "K4,4 rue B,rue B,123450102,2026-01,220\n"
)


def upload(content: str | bytes, filename: str = "data.csv") -> FileStorage:
    data = content.encode() if isinstance(content, str) else content
    return FileStorage(stream=io.BytesIO(data), filename=filename)


def personal_dataset_dict(owner_org: str, recipients: list[str], **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "type": "personal-data",
        "name": "defi-energie",
        "title": "Défi énergie",
        "notes": "Consommations des foyers participant au défi.",
        "owner_org": owner_org,
        "controller": "Ouest Distribution Électricité",
        "dpo_contact": "dpo@ode.example",
        "purposes": ["energy-advice", "research", "open-statistics"],
        "legal_basis": "consent",
        "data_categories": ["address", "energy-consumption"],
        "recipients": recipients,
        "retention": "3 years after the challenge",
        "security_measures": "Encryption at rest, access log.",
        "transfers_outside_eu": "None",
        "population": "Households taking part in the challenge",
        "key_column": "person_key",
        "max_consent_days": 365,
    }
    values.update(extra)
    return values


@dataclass
class World:
    sysadmin: dict[str, Any]
    producer: dict[str, Any]
    producer_org: dict[str, Any]
    recipient: dict[str, Any]
    recipient_org: dict[str, Any]
    other_org_member: dict[str, Any]
    other_org: dict[str, Any]
    alice: dict[str, Any]
    bob: dict[str, Any]
    stranger: dict[str, Any]
    dataset: dict[str, Any]
    resource: dict[str, Any]
    codes: dict[str, str] = field(default_factory=dict)

    def call(self, action: str, user: dict[str, Any] | None, **data: Any) -> Any:
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        return helpers.call_action(action, context=context, **data)


