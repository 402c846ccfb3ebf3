"""Routes of ckanext-affluence: the public page, the output files, the
GTFS-Realtime feed, the report form and the editors' regenerate button."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint, Response, send_file

from . import ckan_internals, page, reports, settings, storage
from .engine import api as engine

affluence = Blueprint("affluence", __name__, url_prefix="/affluence")

FILES = {
    "forecast.csv": ("forecast.csv", "text/csv; charset=utf-8"),
    "forecast.json": ("forecast.json", "application/json"),
    "model_card.md": ("model_card.md", "text/markdown; charset=utf-8"),
    "model_card.json": ("model_card.json", "application/json"),
}
_feeds: dict[tuple[str, str], tuple[float, bytes]] = {}


def _context() -> dict[str, Any]:
    return {"user": toolkit.current_user.name if toolkit.current_user.is_authenticated else ""}


def dataset_or_abort(id: str) -> dict[str, Any]:
    """The dataset, if the visitor may see it and its data (else 404/403)."""
    dataset = ckan_internals.light_dataset(id)
    if dataset is None:
        toolkit.abort(404, toolkit._("Dataset not found"))
    try:
        toolkit.check_access("package_show", _context(), {"id": dataset["id"]})
    except toolkit.NotAuthorized:
        toolkit.abort(404, toolkit._("Dataset not found"))
    if dataset.get("type") != "transit-occupancy":
        toolkit.abort(404, toolkit._("This dataset has no crowding forecast."))
    if not data_allowed(dataset):
        toolkit.abort(403, toolkit._("The data of this dataset is restricted."))
    return dataset


def data_allowed(dataset: dict[str, Any]) -> bool:
    if (dataset.get("access_class") or "open") == "open":
        return True
    user = _context()["user"]
    try:
        from ckanext.spmd.access.masking import data_access_allowed
    except ImportError:  # masking module absent: only sysadmins see restricted data
        return bool(user) and toolkit.current_user.sysadmin
    return data_access_allowed(user, dataset)


def forecast_page(id: str) -> str:
    dataset = dataset_or_abort(id)
    data = page.context(dataset["id"], dict(toolkit.request.args))
    return toolkit.render("affluence/page.html", {"pkg": dataset, "affluence": data})


def output_file(id: str, filename: str) -> Any:
    dataset = dataset_or_abort(id)
    name, mimetype = FILES[filename]
    path = storage.output_file(dataset["id"], name)
    if path is None:
        toolkit.abort(404, toolkit._("No forecast has been published yet."))
    return send_file(path, mimetype=mimetype, download_name=f"{dataset['name']}-{name}",
                     max_age=60)


def schema_file(id: str) -> Any:
    dataset_or_abort(id)
    return send_file(engine.FORECAST_SCHEMA, mimetype="application/json", max_age=3600)


def reports_file(id: str) -> Response:
    dataset = dataset_or_abort(id)
    return Response(reports.aggregated_csv(dataset["id"]), mimetype="text/csv",
                    headers={"Cache-Control": "public, max-age=60"})


def gtfs_rt(id: str) -> Response:
    dataset = dataset_or_abort(id)
    run_dir = storage.current_dir(dataset["id"])
    if run_dir is None:
        toolkit.abort(404, toolkit._("No forecast has been published yet."))
    ttl = settings.integer("feed_cache_seconds")
    key = (dataset["id"], run_dir.name)
    cached = _feeds.get(key)
    if cached is None or time.monotonic() - cached[0] > ttl:
        timetable_zip = run_dir / "timetable.zip"
        tz = (page.timetable(dataset["id"]) or {}).get("timezone")
        body = engine.trip_updates_feed(
            run_dir / "forecast.csv", datetime.now(UTC), hours=settings.integer("feed_hours"),
            timetable=timetable_zip if timetable_zip.is_file() else None, timezone=tz,
        )
        _feeds.clear() if len(_feeds) > 64 else None
        _feeds[key] = cached = (time.monotonic(), body)
    return Response(cached[1], mimetype="application/x-protobuf",
                    headers={"Cache-Control": f"public, max-age={ttl}"})


def report(id: str) -> Any:
    dataset = dataset_or_abort(id)
    form = toolkit.request.form
    data = {"id": dataset["id"], "route_id": form.get("route_id"),
            "direction_id": form.get("direction_id"), "stop_id": form.get("stop_id"),
            "level": form.get("level")}
    try:
        toolkit.get_action("affluence_report_create")(_context(), data)
        toolkit.h.flash_success(toolkit._("Thank you: your report is shown to other travellers."))
    except toolkit.ValidationError as e:
        messages = [m for values in e.error_dict.values() for m in values]
        toolkit.h.flash_error(" ".join(messages))
    back = {"line": form.get("route_id"), "direction": form.get("direction_id"),
            "stop": form.get("stop_id"), "day": form.get("day")}
    return toolkit.redirect_to("affluence.page", id=dataset["name"],
                               **{k: v for k, v in back.items() if v})


def regenerate(id: str) -> Any:
    try:
        toolkit.get_action("affluence_regenerate")(_context(), {"id": id, "reason": "manual"})
        toolkit.h.flash_success(toolkit._("A new forecast has been queued."))
    except toolkit.NotAuthorized:
        toolkit.abort(403, toolkit._("Only the dataset's editors can regenerate its forecast."))
    except toolkit.ObjectNotFound:
        toolkit.abort(404, toolkit._("Dataset not found"))
    return toolkit.redirect_to("dataset.read", id=id)


affluence.add_url_rule("/<id>", "page", forecast_page)
affluence.add_url_rule("/<id>/forecast.schema.json", "schema", schema_file)
affluence.add_url_rule("/<id>/reports.csv", "reports", reports_file)
affluence.add_url_rule("/<id>/gtfs-rt.pb", "gtfs_rt", gtfs_rt)
affluence.add_url_rule("/<id>/report", "report", report, methods=["POST"])
affluence.add_url_rule("/<id>/regenerate", "regenerate", regenerate, methods=["POST"])
for _filename in FILES:
    affluence.add_url_rule(f"/<id>/{_filename}", f"file_{_filename.replace('.', '_')}",
                           output_file, defaults={"filename": _filename})


def get_blueprints() -> list[Blueprint]:
    return [affluence]
