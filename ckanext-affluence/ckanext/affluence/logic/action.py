"""Actions of ckanext-affluence: runs, validations, regeneration, reports."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ckan.plugins import toolkit

from .. import jobs, page, reports, settings
from ..model import records


def _dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    package_id = toolkit.get_or_bust(data_dict, "id")
    return toolkit.get_action("package_show")(
        {k: v for k, v in context.items() if k in ("user", "auth_user_obj", "ignore_auth")},
        {"id": package_id})


@toolkit.side_effect_free
def affluence_run_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """History of a dataset's regeneration runs, newest first.

    :param id: the dataset's id or name
    :param limit: how many runs (default 20, at most 100)
    """
    toolkit.check_access("affluence_run_list", context, data_dict)
    dataset = _dataset(context, data_dict)
    limit = min(int(data_dict.get("limit") or 20), 100)
    return records.list_runs(dataset["id"], limit)


@toolkit.side_effect_free
def affluence_run_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One run: state (queued, running, failed, succeeded), progress, error
    and per-file errors, duration and metrics.

    :param id: the run id, or ``latest`` with ``package_id``
    """
    run_id = toolkit.get_or_bust(data_dict, "id")
    if run_id == "latest":
        dataset = _dataset(context, {"id": toolkit.get_or_bust(data_dict, "package_id")})
        run = records.last_run(dataset["id"])
    else:
        run = records.get_run(run_id)
    if run is None:
        raise toolkit.ObjectNotFound(toolkit._("Run not found"))
    toolkit.check_access("affluence_run_list", context, {"id": run["package_id"]})
    return run


@toolkit.side_effect_free
def affluence_validation_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Last validation of an input resource: status and errors (file, row,
    column, reason).

    :param resource_id: the resource id
    """
    resource_id = toolkit.get_or_bust(data_dict, "resource_id")
    toolkit.check_access("affluence_validation_show", context, data_dict)
    result = records.get_validation(resource_id)
    if result is None:
        return {"resource_id": resource_id, "status": "unchecked", "errors": []}
    return result


def affluence_regenerate(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Queue a regeneration of the dataset's outputs (editors).

    Deduplicated: returns the run already waiting when there is one.

    :param id: the dataset's id or name
    """
    toolkit.check_access("affluence_regenerate", context, data_dict)
    dataset = _dataset(context, data_dict)
    return jobs.enqueue(dataset["id"], str(data_dict.get("reason") or "manual"))


def affluence_report_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A traveller's crowding report, now (anonymous allowed, rate-limited).

    :param id: the dataset's id or name
    :param route_id: the line (GTFS route_id)
    :param direction_id: 0 or 1
    :param stop_id: the stop (GTFS stop_id), served by the line
    :param level: ``low``, ``medium`` or ``high`` (or 1, 2, 3)
    :param now: the report's time (ISO 8601), optional: the server's clock;
        must be within a few minutes of it
    """
    toolkit.check_access("affluence_report_create", context, data_dict)
    dataset = _dataset(context, data_dict)
    errors: dict[str, list[str]] = {}
    level = reports.LEVELS.get(str(data_dict.get("level", "")).strip().lower())
    if level is None:
        errors["level"] = [toolkit._("Choose a crowding level: low, medium or high.")]
    try:
        direction = int(data_dict.get("direction_id", ""))
        if direction not in (0, 1):
            raise ValueError
    except (TypeError, ValueError):
        direction = -1
        errors["direction_id"] = [toolkit._("The direction must be 0 or 1.")]
    moment = reports.parse_time(data_dict.get("now"))
    if moment is None:
        errors["now"] = [toolkit._("The time is not an ISO 8601 date and time.")]
    elif not reports.time_is_now(moment):
        errors["now"] = [toolkit._("A report tells what happens now: the time must be within {n} minutes of the current time.").format(n=settings.integer("report_tolerance_minutes"))]
    route_id = str(data_dict.get("route_id") or "")
    stop_id = str(data_dict.get("stop_id") or "")
    timetable = page.timetable(dataset["id"])
    if timetable is None:
        errors["id"] = [toolkit._("This dataset has no forecast yet: reports open with the first forecast.")]
    else:
        if route_id not in timetable["routes"]:
            errors["route_id"] = [toolkit._("Unknown line: it is not in the timetable.")]
        if stop_id not in timetable["stops"]:
            errors["stop_id"] = [toolkit._("Unknown stop: it is not in the timetable.")]
        elif route_id in timetable["routes"] and direction >= 0:
            served = timetable["route_stops"].get(f"{route_id}|{direction}")
            if served is not None and stop_id not in served:
                errors["stop_id"] = [toolkit._("This line does not serve this stop in this direction.")]
    if errors:
        raise toolkit.ValidationError(errors)
    address = context.get("affluence_client") or _client_address()
    if reports.hit_rate_limit(address):
        raise toolkit.ValidationError({"rate_limit": [toolkit._("Too many reports from this connection: please try again later.")]})
    assert moment is not None and level is not None
    report_id = records.add_report(dataset["id"], stop_id, route_id, direction, level, moment)
    _maybe_regenerate(dataset["id"])
    return {"id": report_id, "package_id": dataset["id"], "route_id": route_id,
            "direction_id": direction, "stop_id": stop_id, "level": level,
            "crowding_class": ("low", "medium", "high")[level - 1],
            "reported_at": moment.isoformat()}


def _client_address() -> str:
    try:
        return toolkit.request.remote_addr or "unknown"
    except RuntimeError:  # outside a request (CLI, tests): one shared client
        return "local"


def _maybe_regenerate(package_id: str) -> None:
    threshold = settings.integer("report_threshold")
    if threshold <= 0:
        return
    last = records.last_run(package_id)
    since = datetime.fromisoformat(last["queued_at"]) if last else None
    if records.count_reports_since(package_id, since) >= threshold:
        jobs.enqueue(package_id, "reports")


@toolkit.side_effect_free
def affluence_report_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Reports of the last minutes (default: the page's window), newest first.

    :param id: the dataset's id or name
    """
    toolkit.check_access("affluence_report_list", context, data_dict)
    dataset = _dataset(context, data_dict)
    return page.recent_reports(dataset["id"])


def get_actions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "affluence_run_list", "affluence_run_show", "affluence_validation_show",
        "affluence_regenerate", "affluence_report_create", "affluence_report_list")}
