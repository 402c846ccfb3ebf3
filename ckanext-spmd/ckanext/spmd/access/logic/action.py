"""Actions of access requests to restricted data (usable from ckanapi)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import authz, model
from ckan.plugins import toolkit

from ... import roles
from .. import audit, channels, clock, masking
from ..model import (
    APPROVED,
    EXPIRED,
    PENDING,
    REJECTED,
    REVOKED,
    AccessGrant,
    AccessRequest,
    as_dict,
)

_ = toolkit._
Context = dict[str, Any]
DataDict = dict[str, Any]
PROJECT_HOLDER = "project-holder"
USE_CASE_TYPE = "use-case"
DEFAULT_MAX_DURATION_DAYS = 730
MAX_TEXT = 5000


def max_duration_days() -> int:
    return toolkit.asint(toolkit.config.get(
        "ckanext.spmd.access.max_duration_days", DEFAULT_MAX_DURATION_DAYS))


def _error(field: str, message: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({field: [message]})


def _text(data_dict: DataDict, field: str, required: bool = True) -> str:
    value = data_dict.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise _error(field, _("Missing value"))
    if len(value) > MAX_TEXT:
        raise _error(field, _("At most %d characters") % MAX_TEXT)
    return value


def _package_ids(data_dict: DataDict) -> list[str]:
    raw = data_dict.get("package_ids") or data_dict.get("package_id")
    if isinstance(raw, str):
        raw = [p for p in raw.replace(",", " ").split() if p]
    if not raw:
        raise _error("package_ids", _("Name at least one restricted dataset"))
    return list(dict.fromkeys(str(p) for p in raw))


def _restricted_packages(refs: list[str]) -> list[model.Package]:
    packages = []
    for ref in refs:
        pkg = model.Package.get(ref)
        if pkg is None or pkg.state != "active" or pkg.private:
            raise _error("package_ids", _("Dataset not found: %s") % ref)
        if (pkg.extras.get(masking.ACCESS_CLASS_FIELD) or masking.OPEN) != masking.RESTRICTED:
            raise _error("package_ids", _(
                "%s is not a restricted dataset: only restricted data is requested") % pkg.name)
        packages.append(pkg)
    producers = {pkg.owner_org for pkg in packages}
    if len(producers) != 1 or None in producers:
        raise _error("package_ids", _(
            "All the datasets of a request must come from one producing organisation: "
            "file one request per producer"))
    return packages


def _organization(ref: Any, field: str = "organization_id") -> model.Group:
    group = model.Group.get(str(ref or ""))
    if group is None or not group.is_organization or group.state != "active":
        raise _error(field, _("Organization not found: %s") % (ref or ""))
    return group


def _use_case(ref: str) -> model.Package:
    pkg = model.Package.get(ref)
    if pkg is None or pkg.state != "active" or pkg.type != USE_CASE_TYPE:
        raise _error("use_case", _("Use case not found: %s") % ref)
    return pkg


def _duration(data_dict: DataDict) -> int:
    try:
        days = int(str(data_dict.get("duration_days", "")).strip())
    except ValueError:
        raise _error("duration_days", _("A whole number of days")) from None
    if not 1 <= days <= max_duration_days():
        raise _error("duration_days", _("Between 1 and %d days") % max_duration_days())
    return days


def _expiry(data_dict: DataDict, request: AccessRequest, now: dt.datetime) -> dt.datetime:
    raw = data_dict.get("expires")
    if raw in (None, ""):
        return now + dt.timedelta(days=int(request.duration_days))
    try:
        value = dt.datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise _error("expires", _("An ISO date (YYYY-MM-DD) or date-time")) from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if value <= now:
        raise _error("expires", _("The expiry must be in the future"))
    if value > now + dt.timedelta(days=max_duration_days()):
        raise _error("expires", _("At most %d days from now") % max_duration_days())
    return value


def _user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise toolkit.NotAuthorized(_("You must be logged in"))
    return user


def _get_request(data_dict: DataDict, lock: bool = False) -> AccessRequest:
    request_id = toolkit.get_or_bust(data_dict, "id")
    q = model.Session.query(AccessRequest).filter(AccessRequest.id == str(request_id))
    if lock:
        q = q.with_for_update()
    request = q.one_or_none()
    if request is None:
        raise toolkit.ObjectNotFound(_("Access request not found"))
    return request


def _name(obj: Any) -> str | None:
    return obj.name if obj is not None else None


def request_dictize(request: AccessRequest) -> dict[str, Any]:
    out = as_dict(request)
    out["status"] = request.effective_status()
    org = model.Group.get(request.organization_id)
    producer = model.Group.get(request.producer_org_id)
    out["organization"] = {"id": request.organization_id, "name": _name(org),
                           "title": org.title if org else None}
    out["producer_org"] = {"id": request.producer_org_id, "name": _name(producer),
                           "title": producer.title if producer else None}
    requester = model.User.get(request.user_id)
    out["requester"] = _name(requester)
    datasets = []
    for package_id in request.package_ids:
        pkg = model.Package.get(package_id)
        datasets.append({"id": package_id, "name": _name(pkg),
                         "title": pkg.title if pkg else None})
    out["datasets"] = datasets
    use_case = model.Package.get(request.use_case)
    out["use_case_dataset"] = ({"id": use_case.id, "name": use_case.name,
                                "title": use_case.title} if use_case else None)
    return out


def spmd_access_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a request for access to restricted datasets, for a use case.

    The caller must be a member of the requesting organisation, which must
    hold the ``project-holder`` partner role. All the datasets must be
    restricted and come from one producing organisation.

    :param package_ids: ids or names of the restricted datasets (list, or a
        comma/space separated string); ``package_id`` for one dataset
    :param organization_id: id or name of the requesting organisation
    :param use_case: id or name of the ``use-case`` dataset the data serves
    :param purpose: what the data will be used for (text)
    :param duration_days: how long access is needed, in days (1 to
        ``ckanext.spmd.access.max_duration_days``, default 730)
    :returns: the request (``status``: ``pending``)
    """
    org = _organization(data_dict.get("organization_id"))
    toolkit.check_access("spmd_access_request_create", context,
                         dict(data_dict, organization_id=org.id))
    user = _user(context)
    packages = _restricted_packages(_package_ids(data_dict))
    use_case = _use_case(_text(data_dict, "use_case"))
    request = AccessRequest(
        package_ids=[pkg.id for pkg in packages], organization_id=org.id,
        producer_org_id=packages[0].owner_org, user_id=user.id, use_case=use_case.id,
        purpose=_text(data_dict, "purpose"), duration_days=_duration(data_dict),
        status=PENDING,
    )
    model.Session.add(request)
    model.Session.flush()
    for pkg in packages:
        audit.record("request_created", actor=user.name, request_id=request.id,
                     package_id=pkg.id, organization_id=org.id,
                     producer_org_id=request.producer_org_id, detail=request.purpose)
    model.Session.commit()
    return request_dictize(request)


@toolkit.side_effect_free
def spmd_access_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One access request, with its status (``pending``, ``approved``,
    ``expired``, ``rejected``, ``revoked``), decision, conditions and expiry.

    Visible to sysadmins and the members of the requesting and producing
    organisations.

    :param id: the request id
    """
    request = _get_request(data_dict)
    toolkit.check_access("spmd_access_request_show", context, {"id": request.id})
    return request_dictize(request)


def involved_organizations(user_name: str | None) -> list[str]:
    return roles.user_organizations(user_name)


@toolkit.side_effect_free
def spmd_access_request_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Access requests the caller may see (sysadmins: all; others: those of
    their organisations, as requester or producer), newest first.

    :param status: only this status (``pending``, ``approved``, ``expired``,
        ``rejected``, ``revoked``) (optional)
    :param organization_id: only requests filed by this organisation (optional)
    :param producer_org_id: only requests to this producer (optional)
    :param package_id: only requests naming this dataset (optional)
    """
    toolkit.check_access("spmd_access_request_list", context, data_dict)
    user_name = context.get("user")
    q = model.Session.query(AccessRequest)
    if not authz.is_sysadmin(user_name):
        orgs = involved_organizations(user_name)
        q = q.filter(AccessRequest.organization_id.in_(orgs)
                     | AccessRequest.producer_org_id.in_(orgs))
    for field in ("organization_id", "producer_org_id"):
        if data_dict.get(field):
            q = q.filter(getattr(AccessRequest, field) == _organization(
                data_dict[field], field).id)
    if data_dict.get("package_id"):
        pkg = model.Package.get(str(data_dict["package_id"]))
        q = q.filter(AccessRequest.package_ids.any(pkg.id if pkg else ""))
    status = data_dict.get("status")
    if status and status not in (PENDING, APPROVED, EXPIRED, REJECTED, REVOKED):
        raise _error("status", _("Unknown status: %s") % status)
    out = [request_dictize(r) for r in q.order_by(AccessRequest.created.desc())]
    return [r for r in out if not status or r["status"] == status]


def _decide(context: Context, data_dict: DataDict, auth: str) -> tuple[AccessRequest, str]:
    request = _get_request(data_dict, lock=True)
    toolkit.check_access(auth, context, {"id": request.id})
    return request, _user(context).name


def spmd_access_request_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a pending request (admins of the producing organisation).

    Grants every dataset of the request to the members of the requesting
    organisation until the expiry or a revocation.

    :param id: the request id
    :param conditions: the conditions of use (text, required)
    :param expires: expiry, ISO date or date-time UTC (optional; default:
        now + the requested duration; at most ``max_duration_days`` ahead)
    """
    request, actor = _decide(context, data_dict, "spmd_access_request_approve")
    if request.status != PENDING:
        raise _error("status", _("Only a pending request can be approved (it is %s)")
                     % request.effective_status())
    conditions = _text(data_dict, "conditions")
    now = clock.now()
    expires = _expiry(data_dict, request, now)
    request.status, request.decided_by, request.decided_at = APPROVED, actor, now
    request.conditions, request.expires_at, request.modified = conditions, expires, now
    for package_id in request.package_ids:
        model.Session.add(AccessGrant(
            request_id=request.id, package_id=package_id,
            organization_id=request.organization_id, conditions=conditions,
            expires_at=expires, created=now))
        audit.record("granted", actor=actor, request_id=request.id, package_id=package_id,
                     organization_id=request.organization_id,
                     producer_org_id=request.producer_org_id,
                     detail=f"until {expires.isoformat()}: {conditions}")
    model.Session.commit()
    masking.forget_decisions()
    return request_dictize(request)


def spmd_access_request_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a pending request (admins of the producing organisation).

    :param id: the request id
    :param reason: why (text, required; shown to the requester)
    """
    request, actor = _decide(context, data_dict, "spmd_access_request_reject")
    if request.status != PENDING:
        raise _error("status", _("Only a pending request can be refused (it is %s)")
                     % request.effective_status())
    reason = _text(data_dict, "reason")
    now = clock.now()
    request.status, request.decided_by, request.decided_at = REJECTED, actor, now
    request.reason, request.modified = reason, now
    for package_id in request.package_ids:
        audit.record("refused", actor=actor, request_id=request.id, package_id=package_id,
                     organization_id=request.organization_id,
                     producer_org_id=request.producer_org_id, detail=reason)
    model.Session.commit()
    return request_dictize(request)


def spmd_access_request_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke an approved request before its expiry (admins of the producing
    organisation): its grants stop at once.

    :param id: the request id
    :param reason: why (text, required)
    """
    request, actor = _decide(context, data_dict, "spmd_access_request_revoke")
    if request.effective_status() != APPROVED:
        raise _error("status", _("Only an approved, unexpired request can be revoked (it is %s)")
                     % request.effective_status())
    reason = _text(data_dict, "reason")
    now = clock.now()
    request.status, request.revoked_by, request.revoked_at = REVOKED, actor, now
    request.reason, request.modified = reason, now
    (model.Session.query(AccessGrant)
     .filter(AccessGrant.request_id == request.id, AccessGrant.revoked_at.is_(None))
     .update({AccessGrant.revoked_at: now}, synchronize_session=False))
    for package_id in request.package_ids:
        audit.record("revoked", actor=actor, request_id=request.id, package_id=package_id,
                     organization_id=request.organization_id,
                     producer_org_id=request.producer_org_id, detail=reason)
    model.Session.commit()
    masking.forget_decisions()
    return request_dictize(request)


@toolkit.side_effect_free
def spmd_access_grant_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Grants the caller may see (sysadmins: all; others: grants to or from
    their organisations), with ``active`` computed now.

    :param package_id: only grants on this dataset (optional)
    :param organization_id: only grants to this organisation (optional)
    :param active: only active grants (boolean, optional)
    """
    toolkit.check_access("spmd_access_grant_list", context, data_dict)
    user_name = context.get("user")
    q = model.Session.query(AccessGrant, AccessRequest.producer_org_id).join(
        AccessRequest, AccessRequest.id == AccessGrant.request_id)
    if not authz.is_sysadmin(user_name):
        orgs = involved_organizations(user_name)
        q = q.filter(AccessGrant.organization_id.in_(orgs)
                     | AccessRequest.producer_org_id.in_(orgs))
    if data_dict.get("package_id"):
        pkg = model.Package.get(str(data_dict["package_id"]))
        q = q.filter(AccessGrant.package_id == (pkg.id if pkg else ""))
    if data_dict.get("organization_id"):
        q = q.filter(AccessGrant.organization_id == _organization(
            data_dict["organization_id"]).id)
    now = clock.now()
    out = []
    for grant, producer in q.order_by(AccessGrant.created.desc()):
        row = as_dict(grant)
        row["producer_org_id"] = producer
        row["active"] = grant.revoked_at is None and grant.expires_at > now
        out.append(row)
    if toolkit.asbool(data_dict.get("active", False)):
        out = [row for row in out if row["active"]]
    return out


def audit_scope(user_name: str | None) -> list[str] | None:
    """Producer organisations whose audit log the user reads (None: all)."""
    if authz.is_sysadmin(user_name):
        return None
    return [org for org in roles.user_organizations(user_name)
            if authz.users_role_for_group_or_org(org, user_name) in ("admin", "editor")
            and roles.organization_has_role(org, "producer")]


@toolkit.side_effect_free
def spmd_access_audit_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The audit log of restricted data (grants, refusals, revocations,
    downloads and refused downloads), oldest first. Sysadmins read all of it,
    admins and editors of a producing organisation the events of its data.
    ``/access/audit.csv`` exports the same rows.

    :param package_id: only this dataset (optional)
    :param request_id: only this request (optional)
    :param event: only this event type (optional)
    :param limit: at most this many rows (optional, default 1000)
    :param offset: skip this many rows (optional)
    """
    toolkit.check_access("spmd_access_audit_list", context, data_dict)
    pkg = model.Package.get(str(data_dict.get("package_id") or ""))
    if data_dict.get("event") and data_dict["event"] not in audit.EVENTS:
        raise _error("event", _("Unknown event: %s") % data_dict["event"])
    q = audit.query(audit_scope(context.get("user")),
                    package_id=pkg.id if pkg else data_dict.get("package_id"),
                    request_id=data_dict.get("request_id"), event=data_dict.get("event"))
    try:
        limit = int(data_dict.get("limit", 1000))
        offset = int(data_dict.get("offset", 0))
    except (TypeError, ValueError):
        raise _error("limit", _("A whole number")) from None
    return audit.rows(q, limit=limit, offset=offset)


def get_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {
        name: func for name, func in globals().items()
        if name.startswith("spmd_access_") and callable(func)
    }
    actions.update(channels.actions())
    return actions
