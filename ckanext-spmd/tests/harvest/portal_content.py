"""Database and content of the small portal the harvest tests serve (run as
a script: ``python portal_content.py <ini>``): a clean database, one producer, two public datasets, a
restricted one and, when ckanext-consent is loaded, a personal-data one.
Prints one JSON line: the names created, by kind; then, given a port
(``python portal_content.py <ini> <port>``), serves the portal there."""
from __future__ import annotations

import json
import sys
from typing import Any

POLYGON = json.dumps({"type": "Polygon", "coordinates": [[
    [-1.75, 48.05], [-1.6, 48.05], [-1.6, 48.15], [-1.75, 48.15], [-1.75, 48.05]]]})
SECRET_URL = "http://data.example.org/secret-validations.csv"


def call(action: str, data: dict[str, Any]) -> Any:
    from ckan.plugins import toolkit

    context = {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
               "ignore_auth": True}
    return toolkit.get_action(action)(context, data)


def minimal(schema: dict[str, Any], org_id: str) -> dict[str, Any]:
    """Every required field of a scheming schema, with its first choice or a
    plain value: a personal-data dataset without knowing its form."""
    values: dict[str, Any] = {}
    for field in schema["dataset_fields"]:
        name = field["field_name"]
        if name in ("title", "name", "owner_org", "notes") or not field.get("required"):
            continue
        choices = [c["value"] for c in field.get("choices") or []]
        multiple = "multiple" in (field.get("preset") or "")
        if name == "recipients":
            values[name] = [org_id]
        elif choices:
            values[name] = [choices[0]] if multiple else choices[0]
        elif name == "max_consent_days":
            values[name] = 365
        elif name == "key_column":
            values[name] = "point_de_livraison"
        else:
            values[name] = "Valeur de test"
    return values


def main(ini: str, port: int | None = None) -> None:
    from ckan import plugins
    from ckan.cli import load_config
    from ckan.cli.cli import ckan
    from ckan.config.middleware import make_app

    # A fresh database, through CKAN's own commands, in this one process
    # (each separate `ckan` run would load every plugin again).
    for args in (["db", "clean", "--yes"], ["db", "init"]):
        ckan.main(args=["-c", ini, *args], standalone_mode=False)
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        org = call("organization_create", {
            "name": "belle-mobilites", "title": "Belle Mobilités",
            "partner_roles": ["producer", "service-producer"]})
        common = {"owner_org": org["id"], "license_id": "odc-odbl", "spatial": POLYGON,
                  "temporal_start": "2023-01-01", "temporal_end": "2023-12-31"}
        created: dict[str, list[str]] = {"public": [], "restricted": [], "personal": []}
        call("package_create", {
            **common, "name": "arrets-bel", "title": "Arrêts du réseau BEL",
            "notes": "Arrêts du réseau de transport BEL.", "frequency": "MONTHLY",
            "territorial_typology": "territorial-interest", "access_class": "open",
            "public_service": "transport", "producer_status": "delegatee",
            "legal_basis": "Contrat de délégation de service public BEL 2020-2030",
            "served_authority": "Métropole de Rivebelle",
            "resources": [{"name": "Arrêts (CSV)", "format": "CSV",
                           "url": "http://data.example.org/arrets.csv"}]})
        created["public"].append("arrets-bel")
        call("package_create", {
            **common, "name": "lignes-bel", "title": "Lignes du réseau BEL",
            "notes": "Tracés des lignes.", "frequency": "ANNUAL",
            "territorial_typology": "territory", "access_class": "open",
            "production_mode": "administrative-records", "method_notes": "Export SIG.",
            "resources": [{"name": "Lignes (GeoJSON)", "format": "GeoJSON",
                           "url": "http://data.example.org/lignes.geojson"}]})
        created["public"].append("lignes-bel")
        call("package_create", {
            **common, "name": "validations-bel", "title": "Validations par arrêt",
            "notes": "Validations horaires, partagées sous conditions.",
            "license_id": "other-closed", "frequency": "DAILY",
            "territorial_typology": "territory", "access_class": "restricted",
            "production_mode": "sensors", "method_notes": "Valideurs embarqués.",
            "resources": [{"name": "Validations", "format": "CSV", "url": SECRET_URL}]})
        created["restricted"].append("validations-bel")
        if plugins.plugin_loaded("consent"):
            schema = call("scheming_dataset_schema_show", {"type": "personal-data"})
            call("package_create", {
                "type": "personal-data", "name": "consommations-individuelles",
                "title": "Consommations individuelles", "owner_org": org["id"],
                "notes": "Consommations d'électricité des foyers participants.",
                **minimal(schema, org["id"])})
            created["personal"].append("consommations-individuelles")
    print(json.dumps(created), flush=True)
    if port:
        # Served by this same process (what `ckan run` does, without loading
        # every plugin again nor regenerating the JS translations).
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False,
                   use_debugger=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
