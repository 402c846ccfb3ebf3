"""The dataset's output resources: created once, refreshed after each run.

Their URLs are the plugin's stable routes (``/affluence/<dataset>/...``),
which serve the files of the ``current`` run folder: swapping the folder
swaps every output at once, and the resources never point at a half-written
file.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ckan.plugins import toolkit

from . import storage

# role -> (file name served by the routes, format, French name, description)
OUTPUTS: dict[str, tuple[str, str, str, str]] = {
    "forecast-csv": (
        "forecast.csv", "CSV", "Prévision de fréquentation (CSV)",
        "Montées attendues (P10, P50, P90), charge à bord, taux d'occupation, "
        "statut d'occupation GTFS-Realtime et niveau d'affluence par ligne, sens, "
        "arrêt, jour et créneau. Schéma de table publié avec la ressource.",
    ),
    "forecast-json": (
        "forecast.json", "JSON", "Prévision de fréquentation (JSON)",
        "Les mêmes lignes que le CSV, avec les métadonnées de la prévision et son schéma.",
    ),
    "model-card": (
        "model_card.md", "Markdown", "Fiche du modèle",
        "Entrées, période d'apprentissage, variables et leur importance, précision "
        "en rétro-test comparée à une référence saisonnière, modèle publié.",
    ),
    "reports": (
        "reports.csv", "CSV", "Signalements des voyageurs (agrégés)",
        "Nombre de signalements d'affluence par jour, heure, ligne, sens, arrêt et "
        "niveau. Aucune donnée personnelle.",
    ),
    "gtfs-rt": (
        "gtfs-rt.pb", "GTFS-RT", "Flux GTFS-Realtime TripUpdates",
        "departure_occupancy_status prévu pour les prochaines heures (protobuf).",
    ),
}
OUTPUT_ROLES = tuple(OUTPUTS)


def output_url(dataset_name: str, filename: str) -> str:
    site = str(toolkit.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site}/affluence/{dataset_name}/{filename}"


def desired(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    name = dataset["name"]
    result = {}
    for role, (filename, fmt, title, description) in OUTPUTS.items():
        resource = {"role": role, "url": output_url(name, filename), "format": fmt,
                    "name": title, "description": description}
        if role == "forecast-csv":
            resource["schema"] = output_url(name, "forecast.schema.json")
        result[role] = resource
    return result


def ensure_resources(dataset: dict[str, Any], context: dict[str, Any]) -> None:
    """Create missing output resources, refresh the others' modification date,
    in one ``package_update`` (one revision, one reindex)."""
    fresh = toolkit.get_action("package_show")(dict(context), {"id": dataset["id"]})
    stamp = storage.current_run_id(fresh["id"])
    now = _now_iso()
    wanted = desired(fresh)
    resources = fresh.get("resources", [])
    for resource in resources:
        role = resource.get("role")
        if role in wanted:
            resource.update(wanted.pop(role))
            resource["last_modified"] = now
            resource["affluence_run"] = stamp
    for resource in wanted.values():
        resources.append(dict(resource, last_modified=now, affluence_run=stamp))
    fresh["resources"] = resources
    toolkit.get_action("package_update")(dict(context), fresh)


def _now_iso() -> str:
    # CKAN stores resource dates as naive UTC ISO strings.
    return datetime.now(UTC).replace(tzinfo=None).isoformat()
