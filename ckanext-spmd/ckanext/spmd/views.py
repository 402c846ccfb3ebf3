"""Pages of ckanext-spmd: the catalogue map, the partners, the datasets to
be qualified."""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint, Response

from . import catalogue_map, typologies

catalogue = Blueprint("spmd_catalogue", __name__)


def _context() -> dict[str, Any]:
    return {"user": toolkit.g.user}


def catalogue_map_page() -> Any:
    result = toolkit.get_action("spmd_catalogue_map")(_context(), {})
    themes = {t["name"]: t["display_name"] for t in toolkit.get_action("group_list")(
        _context(), {"all_fields": True})}
    return toolkit.render("spmd/catalogue_map.html", {
        "map": result,
        "themes": themes,
        "typology_bars": catalogue_map.bars(result["by_typology"]),
        "access_bars": catalogue_map.bars(result["by_access_class"]),
        "role_bars": catalogue_map.bars(result["by_partner_role"]),
        "typologies": list(typologies.TYPOLOGIES) + [catalogue_map.UNQUALIFIED],
        "access_classes": sorted(result["by_access_class"]),
    })


def catalogue_map_export(fmt: str) -> Any:
    result = toolkit.get_action("spmd_catalogue_map")(_context(), {})
    if fmt == "json":
        return Response(json.dumps(result, ensure_ascii=False, indent=1),
                        mimetype="application/json")
    if fmt != "csv":
        return toolkit.abort(404)
    table = toolkit.request.args.get("table", "datasets")
    if table not in ("datasets", "matrix", "producers"):
        return toolkit.abort(400, toolkit._("Unknown table: %s") % table)
    return Response(catalogue_map.to_csv(result, table), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="catalogue-map-{table}.csv"'})


def partners() -> Any:
    role = toolkit.request.args.get("role") or None
    try:
        found = toolkit.get_action("spmd_partner_list")(_context(), {"role": role})
    except toolkit.ValidationError:
        return toolkit.abort(400, toolkit._("Unknown role: %s") % role)
    return toolkit.render("spmd/partners.html", {
        "partners": found, "role": role, "roles": list(typologies.PARTNER_ROLES)})


def to_be_qualified() -> Any:
    try:
        datasets = toolkit.get_action("spmd_to_be_qualified")(_context(), {})
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("Only administrators may see the datasets "
                                            "to be qualified"))
    return toolkit.render("spmd/to_be_qualified.html", {"datasets": datasets})


catalogue.add_url_rule("/catalogue-map", view_func=catalogue_map_page)
catalogue.add_url_rule("/catalogue-map.<fmt>", view_func=catalogue_map_export)
catalogue.add_url_rule("/partners", view_func=partners)
catalogue.add_url_rule("/to-be-qualified", view_func=to_be_qualified)


def get_blueprints() -> list[Blueprint]:
    return [catalogue]
