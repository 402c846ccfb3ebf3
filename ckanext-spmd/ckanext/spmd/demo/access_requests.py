"""Demo access requests on the demo's restricted datasets: one pending, one
approved. Idempotent: a request is recognised by its requesting
organisation, use case and dataset, and never filed twice. Needs the
``spmd_access`` plugin (skipped, with a message, without it)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan import model, plugins
from ckan.plugins import toolkit

DEMO_REQUESTS: list[dict[str, Any]] = [
    {
        "organization": "observatoire-social-rivebellois",
        "dataset": "consommation-electricite-journaliere",
        "use_case": "defi-energie-quartiers",
        "purpose": ("Mesurer, quartier par quartier, l'effet du défi énergie sur la "
                    "consommation journalière d'électricité."),
        "duration_days": 180,
        "decision": None,
    },
    {
        "organization": "laboratoire-territoires-mobilites",
        "dataset": "frequentation-reseau-bel",
        "use_case": "observatoire-ilots-chaleur",
        "purpose": ("Croiser la fréquentation des arrêts avec les îlots de chaleur pour "
                    "prioriser l'ombrage des arrêts les plus fréquentés."),
        "duration_days": 365,
        "decision": {"conditions": ("Usage limité au projet ; pas de rediffusion des "
                                    "données brutes ; citer Belle Mobilités.")},
    },
]


def load(echo: Callable[[str], None], user: str) -> dict[str, int]:
    """File the demo requests that are missing; ``user`` is the site user."""
    counts = {"created": 0, "unchanged": 0}
    if not plugins.plugin_loaded("spmd_access"):
        echo("access requests: skipped (plugin spmd_access not loaded)")
        return counts
    from ..access.model import AccessRequest

    for spec in DEMO_REQUESTS:
        org = model.Group.get(spec["organization"])
        pkg = model.Package.get(spec["dataset"])
        use_case = model.Package.get(spec["use_case"])
        if not (org and pkg and use_case):
            echo(f"access request {spec['organization']} -> {spec['dataset']}: "
                 "skipped (organisation, dataset or use case missing)")
            continue
        exists = (model.Session.query(AccessRequest.id)
                  .filter(AccessRequest.organization_id == org.id,
                          AccessRequest.use_case == use_case.id,
                          AccessRequest.package_ids.any(pkg.id)).first())
        if exists:
            counts["unchanged"] += 1
            continue
        context = {"user": user, "ignore_auth": True}
        created = toolkit.get_action("spmd_access_request_create")(dict(context), {
            "organization_id": org.id, "package_ids": [pkg.id], "use_case": use_case.id,
            "purpose": spec["purpose"], "duration_days": spec["duration_days"]})
        if spec["decision"]:
            toolkit.get_action("spmd_access_request_approve")(
                dict(context), {"id": created["id"], **spec["decision"]})
        counts["created"] += 1
        echo(f"access request {spec['organization']} -> {spec['dataset']}: created")
    return counts
