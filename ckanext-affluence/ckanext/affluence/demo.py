"""``ckan affluence demo load``: the demo network's crowding forecast.

A transit-occupancy dataset owned by the demo's transport delegatee
(``belle-mobilites``, created by ``ckan spmd demo load``), with a real GTFS
feed shipped by the engine (``data/gtfs``, MIT licence, see its NOTICE.md)
and passenger counts generated with realistic daily, weekly and holiday
patterns (``engine/synthetic.py``). The first forecast is produced here and
now, in this process (the same job code the worker runs), so the portal
shows a forecast as soon as the command ends; later uploads go through the
worker. Idempotent: a second run changes nothing.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from ckan.plugins import toolkit
from werkzeug.datastructures import FileStorage

from . import jobs, storage
from .data import gtfs_path
from .engine import synthetic

ORGANIZATION = "belle-mobilites"
NAME = "affluence-prevue-reseau-bel"
COUNTS_WEEKS = 5
# The busiest lines only: counts for the whole network (20 MB) would exceed
# CKAN's default upload limit and make the first forecast slow.
COUNTS_ROUTES = 2


class DemoLoadError(Exception):
    pass


DATASET = {
    "name": NAME,
    "type": "transit-occupancy",
    "title": "Affluence prévue sur le réseau de bus",
    "notes": (
        "Prévision de la fréquentation du réseau de bus, par ligne, sens, arrêt et créneau "
        "horaire, régénérée automatiquement à chaque nouvelle donnée de comptage, chaque nuit "
        "et au fil des signalements des voyageurs.\n\n"
        "Le modèle est ouvert (XGBoost, régression quantile) et publie sa fiche : entrées, "
        "variables, précision en rétro-test comparée à une référence saisonnière.\n\n"
        "*Démonstration : les horaires sont un vrai flux GTFS (réseau de Cairns, 2014, "
        "licence MIT via gtfs_kit) dont le calendrier est décalé de semaines entières "
        "jusqu'à l'année en cours ; les comptages sont simulés.*"
    ),
    "license_id": "odc-odbl",
    "producer_status": "delegatee",
    "frequency": "DAILY",
    "served_authority": "Métropole de Rivebelle",
    "tag_string": "transport en commun,affluence,prévision,GTFS",
}


def _site_context() -> dict[str, Any]:
    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    # affluence_job: the loader runs the first forecast itself, no job needed.
    return {"user": user["name"], "ignore_auth": True, "affluence_job": True}


def _upload(dataset: dict[str, Any], path: Path, role: str, name: str, description: str) -> None:
    with path.open("rb") as f:
        toolkit.get_action("resource_create")(_site_context(), {
            "package_id": dataset["id"], "name": name, "description": description,
            "role": role, "url": path.name, "format": "GTFS" if role == "timetable" else "CSV",
            "upload": FileStorage(stream=f, filename=path.name),
        })


def _busiest_lines(counts: Path, routes: int) -> Path:
    frame = pd.read_csv(counts, dtype={"route_id": str, "stop_id": str})
    busiest = frame.groupby("route_id")["boardings"].sum().nlargest(routes).index
    frame[frame["route_id"].isin(busiest)].to_csv(counts, index=False)
    return counts


def load(echo: Callable[[str], Any] = print, *, weeks: int = COUNTS_WEEKS,
         routes: int = COUNTS_ROUTES) -> dict[str, Any]:
    # A fresh context per action: CKAN keeps per-call state in it.
    try:
        toolkit.get_action("organization_show")(_site_context(), {"id": ORGANIZATION})
    except toolkit.ObjectNotFound:
        raise DemoLoadError(
            f"The organisation {ORGANIZATION} does not exist: run `ckan spmd demo load` first.")
    try:
        dataset = toolkit.get_action("package_show")(_site_context(), {"id": NAME})
        echo(f"Dataset {NAME} already exists")
    except toolkit.ObjectNotFound:
        dataset = toolkit.get_action("package_create")(
            _site_context(), dict(DATASET, owner_org=ORGANIZATION))
        echo(f"Created dataset {NAME}")
    roles = {r.get("role") for r in dataset.get("resources", [])}
    # The 2014 feed, moved by whole weeks to run through the coming weeks:
    # counts end yesterday and the forecast (and the GTFS-RT feed) covers
    # the next days.
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        timetable = synthetic.shift_feed_dates(
            gtfs_path("cairns_gtfs.zip"), Path(folder) / "horaires-bel-gtfs.zip", covering=today)
        if "timetable" not in roles:
            _upload(dataset, timetable, "timetable", "Horaires théoriques (GTFS)",
                    "Flux GTFS du réseau (démonstration : réseau de Cairns, 2014, licence MIT, "
                    "calendrier décalé à l'année en cours).")
            echo("Uploaded the timetable (GTFS)")
        if "counts" not in roles:
            counts = _busiest_lines(synthetic.demo_counts(
                timetable, Path(folder) / "comptages.csv", weeks=weeks,
                end=today - timedelta(days=1)), routes)
            _upload(dataset, counts, "counts", "Comptages de montées par arrêt et créneau",
                    "Montées par arrêt et créneau horaire (format stop_slot), simulées pour "
                    "la démonstration avec des profils journaliers, hebdomadaires et de vacances.")
            echo(f"Uploaded {weeks} weeks of generated counts ({routes} lines)")
    if storage.current_dir(dataset["id"]) is None:
        echo("Producing the first forecast (this takes a while)...")
        run = jobs.run_now(dataset["id"], "demo")
        if run["state"] != "succeeded":
            raise DemoLoadError(f"The forecast run failed: {run.get('error')}")
        echo(f"Forecast published ({run['metrics'].get('used')}, "
             f"{run['metrics'].get('rows')} rows, {run['duration']:.0f} s)")
    else:
        echo("A forecast is already published")
    return toolkit.get_action("package_show")(_site_context(), {"id": NAME})
