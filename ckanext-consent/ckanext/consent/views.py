"""Pages and routes of ckanext-consent: the consent page of a processing,
enrolment, "My data" (``/my-data``, ``/mes-donnees``), receipts, the
producer's page and the consent-gated download."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint, Response, stream_with_context

from . import gated
from .logic.action import personal_dataset

_ = toolkit._


def _context() -> dict[str, Any]:
    return {"user": toolkit.g.user, "auth_user_obj": toolkit.g.userobj,
            "client_address": toolkit.request.remote_addr}


def _action(name: str, data: dict[str, Any]) -> Any:
    return toolkit.get_action(name)(_context(), data)


def _errors(err: toolkit.ValidationError) -> str:
    if isinstance(err.error_dict, dict):
        return " ".join(" ".join(map(str, v)) if isinstance(v, list) else str(v)
                        for v in err.error_dict.values())
    return str(err)


def _login_required() -> Any:
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=toolkit.request.full_path)
    return None


def _form_list(name: str) -> list[str]:
    return toolkit.request.form.getlist(name)


# --- consent page of a processing -------------------------------------------

def consent_page(id: str) -> Any:
    try:
        pkg = personal_dataset(id)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Not a personal-data dataset."))
    consents, enrolled = [], False
    if toolkit.g.user:
        consents = _action("consent_list_mine", {"id": pkg["id"]})
        from .logic.action import active_link

        enrolled = active_link(pkg["id"], toolkit.g.userobj.id) is not None
    return toolkit.render("consent/consent_page.html", {
        "pkg": pkg, "pkg_dict": pkg, "consents": consents, "enrolled": enrolled,
    })


def give(id: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    form = toolkit.request.form
    try:
        _action("consent_give", {"id": id, "purposes": _form_list("purposes"),
                                 "recipients": _form_list("recipients"),
                                 "duration_days": form.get("duration_days")})
        toolkit.h.flash_success(_("Your consent is recorded."))
    except toolkit.ValidationError as err:
        toolkit.h.flash_error(_errors(err))
    return toolkit.redirect_to("consent.consent_page", id=id)


def refuse(id: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    try:
        _action("consent_refuse", {"id": id})
        toolkit.h.flash_success(_("Your refusal is recorded."))
    except toolkit.ValidationError as err:
        toolkit.h.flash_error(_errors(err))
    return toolkit.redirect_to("consent.consent_page", id=id)


def _consent_change(action: str, consent_id: str, done: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    data = {"consent_id": consent_id}
    if toolkit.request.form.get("duration_days"):
        data["duration_days"] = toolkit.request.form["duration_days"]
    try:
        result = _action(action, data)
        toolkit.h.flash_success(done)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Consent not found."))
    except toolkit.ValidationError as err:
        toolkit.h.flash_error(_errors(err))
        result = None
    back = toolkit.request.form.get("came_from")
    # Only a path of this site (no scheme, no "//host", no "/\\host").
    if back and back.startswith("/") and not back.startswith(("//", "/\\")):
        return toolkit.redirect_to(back)
    if result:
        return toolkit.redirect_to("consent.consent_page", id=result["package_id"])
    return toolkit.redirect_to("consent.my_data")


def renew(consent_id: str) -> Any:
    return _consent_change("consent_renew", consent_id, _("Your consent is renewed."))


def withdraw(consent_id: str) -> Any:
    return _consent_change("consent_withdraw", consent_id, _("Your consent is withdrawn."))


# --- receipts ----------------------------------------------------------------

def _receipt(consent_id: str) -> dict[str, Any]:
    try:
        return _action("consent_receipt", {"consent_id": consent_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, _("Consent not found."))


def receipt(consent_id: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    return toolkit.render("consent/receipt.html", {"receipt": _receipt(consent_id)})


def receipt_json(consent_id: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    body = json.dumps(_receipt(consent_id), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="consent-receipt-{consent_id}.json"'})


# --- enrolment and "My data" ------------------------------------------------

def enrol() -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    error = None
    if toolkit.request.method == "POST":
        try:
            result = _action("consent_code_redeem", {"code": toolkit.request.form.get("code", "")})
            toolkit.h.flash_success(_("You are now enrolled in: {title}").format(title=result["title"]))
            return toolkit.redirect_to("consent.consent_page", id=result["dataset"])
        except toolkit.ValidationError as err:
            error = _errors(err)
    return toolkit.render("consent/enrol.html", {"error": error})


def my_data() -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    from .logic.action import enrolments

    items = []
    for enrolment in enrolments(toolkit.g.userobj.id):
        pkg = personal_dataset(enrolment["package_id"])
        rows = _action("consent_rows_mine", {"id": pkg["id"]})
        consents = _action("consent_list_mine", {"id": pkg["id"]})
        items.append({"pkg": pkg, "rows": rows, "consents": consents})
    downloads = _action("consent_downloads_mine", {})
    erasures = _action("consent_erasures_mine", {})
    return toolkit.render("consent/my_data.html", {"items": items, "downloads": downloads,
                                                   "erasures": erasures})


def my_rows(id: str, fmt: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    try:
        rows = _action("consent_rows_mine", {"id": id})
    except (toolkit.ValidationError, toolkit.ObjectNotFound):
        return toolkit.abort(404, _("You are not enrolled in this processing."))
    name = f"my-data-{rows['dataset']}"
    if fmt == "json":
        return Response(json.dumps(rows, ensure_ascii=False, indent=2),
                        mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["resource", *rows["columns"]])
    writer.writeheader()
    writer.writerows(rows["rows"])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def unenrol(id: str) -> Any:
    if (redirect := _login_required()) is not None:
        return redirect
    try:
        _action("consent_unenrol", {"id": id})
        toolkit.h.flash_success(_(
            "You are unenrolled; the producer received your erasure request."))
    except toolkit.ValidationError as err:
        toolkit.h.flash_error(_errors(err))
    return toolkit.redirect_to("consent.my_data")


# --- producer's page ---------------------------------------------------------

def manage(id: str) -> Any:
    try:
        toolkit.check_access("consent_download_list", _context(), {"id": id})
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("Only the producer of the dataset may see this page."))
    pkg = personal_dataset(id)
    if toolkit.request.method == "POST":
        try:
            issued = _action("consent_codes_issue", {
                "id": pkg["id"], "keys": toolkit.request.form.get("keys") or None,
                "ttl_days": toolkit.request.form.get("ttl_days") or None})
        except toolkit.ValidationError as err:
            toolkit.h.flash_error(_errors(err))
            return toolkit.redirect_to("consent.manage", id=id)
        return Response(codes_csv(issued["codes"]), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="enrolment-codes-{pkg["name"]}.csv"'})
    return toolkit.render("consent/manage.html", {
        "pkg": pkg, "pkg_dict": pkg,
        "downloads": _action("consent_download_list", {"id": pkg["id"]}),
        "erasures": _action("consent_erasure_list", {"id": pkg["id"]}),
    })


def erasure_answer(id: str, request_id: str) -> Any:
    """The producer's answer to an erasure request, from the manage page."""
    form = toolkit.request.form
    try:
        _action("consent_erasure_handle", {"id": request_id, "status": form.get("status"),
                                           "note": form.get("note")})
        toolkit.h.flash_success(_("Your answer was recorded; the person sees it in their space."))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("Only the producer of the dataset may see this page."))
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Erasure request not found"))
    except toolkit.ValidationError as err:
        toolkit.h.flash_error(_errors(err))
    return toolkit.redirect_to("consent.manage", id=id)


def codes_csv(codes: list[dict[str, Any]]) -> str:
    """For a mail merge: one line per key with its code and expiry."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["person_key", "code", "expires_at"])
    writer.writeheader()
    writer.writerows(codes)
    return buffer.getvalue()


# --- the consent-gated download ---------------------------------------------

def download(id: str, resource_id: str) -> Any:
    args = toolkit.request.values
    try:
        pkg = personal_dataset(id)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("Not a personal-data dataset."))
    if toolkit.request.method == "GET" and not args.get("purpose"):
        if not toolkit.g.user:
            return _login_required()
        from . import access

        return toolkit.render("consent/download.html", {
            "pkg": pkg, "pkg_dict": pkg, "resource_id": resource_id,
            "organizations": access.member_recipients(toolkit.g.user, pkg)})
    try:
        grant = gated.authorise(toolkit.g.user, pkg, resource_id, args.get("purpose", ""),
                                args.get("organization"))
    except toolkit.NotAuthorized as err:
        return toolkit.abort(403, str(err))
    except toolkit.ValidationError as err:
        return toolkit.abort(400, _errors(err))
    except toolkit.ObjectNotFound as err:
        return toolkit.abort(404, str(err))
    filename = f"{pkg['name']}-{grant.purpose}.csv"
    return Response(stream_with_context(gated.stream(grant)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


def get_blueprints() -> list[Blueprint]:
    rules = [
        ("/dataset/<id>/consent", consent_page, ["GET"]),
        ("/dataset/<id>/consent/give", give, ["POST"]),
        ("/dataset/<id>/consent/refuse", refuse, ["POST"]),
        ("/dataset/<id>/consent/manage", manage, ["GET", "POST"]),
        ("/dataset/<id>/consent/erasure/<request_id>", erasure_answer, ["POST"]),
        ("/dataset/<id>/resource/<resource_id>/consent-download", download, ["GET", "POST"]),
        ("/consent/<consent_id>/renew", renew, ["POST"]),
        ("/consent/<consent_id>/withdraw", withdraw, ["POST"]),
        ("/consent/<consent_id>/receipt", receipt, ["GET"]),
        ("/consent/<consent_id>/receipt.json", receipt_json, ["GET"]),
        ("/consent/enrol", enrol, ["GET", "POST"]),
        ("/my-data", my_data, ["GET"]),
        ("/my-data/<id>/rows.<fmt>", my_rows, ["GET"]),
        ("/my-data/<id>/unenrol", unenrol, ["POST"]),
    ]
    # A fresh blueprint per app: CKAN builds one app per test.
    consent = Blueprint("consent", __name__)
    for url, view, methods in rules:
        consent.add_url_rule(url, view_func=view, methods=methods)
    # The French slug of the data subject's space.
    consent.add_url_rule("/mes-donnees", endpoint="mes_donnees", view_func=my_data)
    return [consent]
