"""Pages of access requests (form, request page, lists, audit log with CSV
export), and the download guard of restricted resources."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint, Response, request

from . import audit, download

_ = toolkit._
blueprint = Blueprint("spmd_access", __name__)
blueprint.before_app_request(download.guard_download)


def _context() -> dict[str, Any]:
    return {"user": download.current_user_name()}


def _form() -> dict[str, Any]:
    return {key: value for key, value in request.form.items() if key != "_csrf_token"}


def request_new(package_id: str) -> Any:
    """The request form, reached from a restricted dataset's page."""
    context = _context()
    if not context["user"]:
        return toolkit.redirect_to("user.login", came_from=request.path)
    try:
        pkg = toolkit.get_action("package_show")(dict(context), {"id": package_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, _("Dataset not found"))
    data: dict[str, Any] = {"package_ids": pkg["id"], "duration_days": "365"}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = _form()
        data["package_ids"] = pkg["id"]
        try:
            created = toolkit.get_action("spmd_access_request_create")(dict(context), data)
        except toolkit.ValidationError as e:
            errors = e.error_dict
        except toolkit.NotAuthorized as e:
            errors = {"organization_id": [str(e) or _("Not authorized")]}
        else:
            toolkit.h.flash_success(_("Your access request has been sent to the producer."))
            return toolkit.redirect_to("spmd_access.request_read", id=created["id"])
    use_cases = toolkit.get_action("package_search")(dict(context), {
        "fq": "+dataset_type:use-case", "rows": 100, "include_private": True,
        "sort": "title_string asc"})["results"]
    return toolkit.render("spmd_access/request_form.html", extra_vars={
        "pkg": pkg, "data": data, "errors": errors, "use_cases": use_cases,
        "organizations": toolkit.h.spmd_requesting_organizations(),
    })


def request_read(id: str) -> Any:
    context = _context()
    try:
        access_request = toolkit.get_action("spmd_access_request_show")(dict(context), {"id": id})
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Access request not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("Only the organisations involved see this request"))
    may_decide = True
    try:
        toolkit.check_access("spmd_access_request_approve", dict(context), {"id": id})
    except toolkit.NotAuthorized:
        may_decide = False
    events = []
    if may_decide:
        events = toolkit.get_action("spmd_access_audit_list")(
            dict(context), {"request_id": id})
    return toolkit.render("spmd_access/request_read.html", extra_vars={
        "access_request": access_request, "may_decide": may_decide, "events": events,
        "errors": {},
    })


def _decision(id: str, action: str) -> Any:
    context = _context()
    try:
        toolkit.get_action(f"spmd_access_request_{action}")(dict(context), dict(_form(), id=id))
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Access request not found"))
    except toolkit.NotAuthorized as e:
        return toolkit.abort(403, str(e))
    except toolkit.ValidationError as e:
        for field, messages in e.error_dict.items():
            toolkit.h.flash_error(f"{field}: {'; '.join(map(str, messages))}")
    else:
        toolkit.h.flash_success({
            "approve": _("Access granted."), "reject": _("Request refused."),
            "revoke": _("Access revoked."),
        }[action])
    return toolkit.redirect_to("spmd_access.request_read", id=id)


def request_approve(id: str) -> Any:
    return _decision(id, "approve")


def request_reject(id: str) -> Any:
    return _decision(id, "reject")


def request_revoke(id: str) -> Any:
    return _decision(id, "revoke")


def request_list() -> Any:
    """Requests of the user's organisations; the producer's pending ones first."""
    context = _context()
    if not context["user"]:
        return toolkit.redirect_to("user.login", came_from=request.path)
    from .logic.action import audit_scope

    all_requests = toolkit.get_action("spmd_access_request_list")(dict(context), {})
    producer_orgs = audit_scope(context["user"])
    pending = [r for r in all_requests if r["status"] == "pending"
               and (producer_orgs is None or r["producer_org_id"] in producer_orgs)]
    return toolkit.render("spmd_access/request_list.html", extra_vars={
        "pending": pending,
        "requests": [r for r in all_requests if r not in pending],
    })


def audit_log() -> Any:
    context = _context()
    try:
        events = toolkit.get_action("spmd_access_audit_list")(
            dict(context), {"limit": 500, "event": request.args.get("event") or None})
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("Only producers and sysadmins read the audit log"))
    return toolkit.render("spmd_access/audit.html", extra_vars={"events": events})


def audit_csv() -> Any:
    context = _context()
    try:
        events = toolkit.get_action("spmd_access_audit_list")(
            dict(context), {"limit": 1_000_000})
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("Only producers and sysadmins read the audit log"))
    return Response(audit.to_csv(events), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=spmd-access-audit.csv"})


blueprint.add_url_rule("/dataset/<package_id>/access-request", view_func=request_new,
                       methods=["GET", "POST"])
blueprint.add_url_rule("/access/requests", view_func=request_list)
blueprint.add_url_rule("/access/requests/<id>", view_func=request_read)
blueprint.add_url_rule("/access/requests/<id>/approve", view_func=request_approve,
                       methods=["POST"])
blueprint.add_url_rule("/access/requests/<id>/reject", view_func=request_reject,
                       methods=["POST"])
blueprint.add_url_rule("/access/requests/<id>/revoke", view_func=request_revoke,
                       methods=["POST"])
blueprint.add_url_rule("/access/audit", view_func=audit_log)
blueprint.add_url_rule("/access/audit.csv", view_func=audit_csv)


def get_blueprints() -> list[Blueprint]:
    return [blueprint]
