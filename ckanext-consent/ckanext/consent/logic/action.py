"""Actions of ckanext-consent: enrolment codes, consents, receipts, the data
subject's own rows and logs, the producer's logs.

Every write is committed whole or not at all; every consent event and every
data change asks the open derivative to regenerate.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from .. import access, csvdata, ratelimit, registry, rules, storage
from ..model import code_table, download_table, erasure_table, link_table

Context = dict[str, Any]
DataDict = dict[str, Any]


# --- shared lookups ----------------------------------------------------------

def personal_dataset(dataset_id: str) -> dict[str, Any]:
    """The full (unmasked) dict of a personal-data dataset, or NotFound."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    pkg = toolkit.get_action("package_show")(
        {"ignore_auth": True, "user": site_user["name"]}, {"id": dataset_id})
    if pkg.get("type") != access.DATASET_TYPE:
        raise toolkit.ObjectNotFound(toolkit._("Not a personal-data dataset."))
    return pkg


def _user(context: Context) -> model.User:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is None:
        raise toolkit.NotAuthorized(toolkit._("Sign in first."))
    return user


def active_link(package_id: str, user_id: str) -> Any:
    return model.Session.execute(sa.select(link_table).where(
        link_table.c.package_id == package_id, link_table.c.user_id == user_id,
        link_table.c.ended_at.is_(None))).first()


def enrolments(user_id: str) -> list[dict[str, Any]]:
    """The person's active links (one per processing)."""
    rows = model.Session.execute(sa.select(link_table).where(
        link_table.c.user_id == user_id, link_table.c.ended_at.is_(None))
        .order_by(link_table.c.created))
    return [dict(r._mapping) for r in rows]


def _require_link(package_id: str, user_id: str) -> Any:
    link = active_link(package_id, user_id)
    if link is None:
        raise toolkit.ValidationError({"id": [toolkit._(
            "You are not enrolled in this processing: redeem your enrolment code first.")]})
    return link


def data_files(pkg: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(resource, local path) of the dataset's uploaded CSV files."""
    files = []
    for res in pkg.get("resources", []):
        path = storage.upload_path(res) if access.is_rows_resource(res) else None
        if path:
            files.append((res, path))
    return files


def _code_secret() -> str:
    return str(toolkit.config.get("ckanext.consent.code_secret")
               or toolkit.config.get("SECRET_KEY") or "")


def _int(data_dict: DataDict, name: str, default: int | None = None) -> int:
    value = data_dict.get(name, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise toolkit.ValidationError({name: [toolkit._("A whole number is expected.")]})


def _rule_error(err: rules.ConsentRuleError) -> toolkit.ValidationError:
    return toolkit.ValidationError({err.field: [toolkit._(err.message)]})


# --- enrolment ---------------------------------------------------------------

def consent_codes_issue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Issue one-time enrolment codes (the plain codes are returned once and
    only their keyed hash is stored). ``keys``: the pseudonymous keys (all
    keys of the data not yet enrolled by default); ``ttl_days``."""
    toolkit.check_access("consent_codes_issue", context, data_dict)
    pkg = personal_dataset(data_dict["id"])
    ttl = _int(data_dict, "ttl_days", toolkit.config.get("ckanext.consent.code_ttl_days", 30))
    if ttl < 1:
        raise toolkit.ValidationError({"ttl_days": [toolkit._("At least one day.")]})
    known: set[str] = set()
    for _res, path in data_files(pkg):
        known |= csvdata.keys(path, pkg["key_column"])
    keys = rules.as_list(data_dict.get("keys"))
    if keys:
        unknown = sorted(set(keys) - known)
        if unknown:
            raise toolkit.ValidationError({"keys": [toolkit._(
                "Keys not found in the data: {keys}").format(keys=", ".join(unknown[:10]))]})
    else:
        enrolled = set(model.Session.execute(sa.select(link_table.c.person_key).where(
            link_table.c.package_id == pkg["id"], link_table.c.ended_at.is_(None))).scalars())
        keys = sorted(known - enrolled)
    now = rules.utcnow()
    expires = now + dt.timedelta(days=ttl)
    secret = _code_secret()
    issued = []
    # A new code replaces the key's unused ones.
    if keys:
        model.Session.execute(code_table.delete().where(
            code_table.c.package_id == pkg["id"], code_table.c.person_key.in_(keys),
            code_table.c.used_at.is_(None)))
    rows = []
    for key in keys:
        code = rules.new_code()
        rows.append({"code_hash": rules.code_hash(code, secret), "package_id": pkg["id"],
                     "person_key": key, "created": now, "expires_at": expires})
        issued.append({"person_key": key, "code": code, "expires_at": expires.isoformat()})
    if rows:
        model.Session.execute(code_table.insert(), rows)
    model.Session.commit()
    return {"dataset": pkg["name"], "codes": issued}


def consent_code_redeem(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Link the signed-in person to the key of a one-time code."""
    toolkit.check_access("consent_code_redeem", context, data_dict)
    user = _user(context)
    limit = int(toolkit.config.get("ckanext.consent.redeem_attempts", 5))
    window = int(toolkit.config.get("ckanext.consent.redeem_window", 900))
    allowed, wait = ratelimit.hit("redeem", user.id, limit, window)
    client = context.get("client_address")
    if client:
        allowed = ratelimit.hit("redeem-ip", client, limit * 4, window)[0] and allowed
    if not allowed:
        raise toolkit.ValidationError({"code": [toolkit._(
            "Too many attempts: try again in {minutes} minutes.").format(
                minutes=max(1, (wait + 59) // 60))]})
    code = str(data_dict.get("code") or "")
    invalid = toolkit.ValidationError({"code": [toolkit._(
        "This code is unknown, already used or expired.")]})
    if len(rules.normalise_code(code)) != 12:
        raise invalid
    now = rules.utcnow()
    row = model.Session.execute(sa.select(code_table).where(
        code_table.c.code_hash == rules.code_hash(code, _code_secret()))
        .with_for_update()).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        model.Session.rollback()
        raise invalid
    existing = active_link(row.package_id, user.id)
    if existing is not None and existing.person_key != row.person_key:
        model.Session.rollback()
        raise toolkit.ValidationError({"code": [toolkit._(
            "Your account is already enrolled in this processing with another key.")]})
    taken = model.Session.execute(sa.select(link_table.c.user_id).where(
        link_table.c.package_id == row.package_id, link_table.c.person_key == row.person_key,
        link_table.c.ended_at.is_(None))).scalar()
    if taken and taken != user.id:
        model.Session.rollback()
        raise toolkit.ValidationError({"code": [toolkit._(
            "This key is already linked to another account; ask the producer.")]})
    model.Session.execute(code_table.update().where(code_table.c.code_hash == row.code_hash)
                          .values(used_at=now, used_by=user.id))
    if existing is None and not taken:
        model.Session.execute(link_table.insert().values(
            id=str(uuid.uuid4()), package_id=row.package_id, person_key=row.person_key,
            user_id=user.id, created=now))
    model.Session.commit()
    ratelimit.reset("redeem", user.id)
    pkg = model.Package.get(row.package_id)
    return {"package_id": row.package_id, "dataset": pkg.name if pkg else None,
            "title": pkg.title if pkg else None}


def consent_unenrol(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End the person's link, withdraw their consents and send the producer
    an erasure request."""
    toolkit.check_access("consent_unenrol", context, data_dict)
    user = _user(context)
    pkg = personal_dataset(data_dict["id"])
    link = _require_link(pkg["id"], user.id)
    version, _ = registry.current_terms(pkg["id"])
    now = rules.utcnow()
    for snap in registry.user_snapshots(user.id, pkg["id"]):
        if snap.event_type in (rules.GIVEN, rules.RENEWED):
            registry.append_event(
                consent_id=snap.consent_id, package_id=pkg["id"], user_id=user.id,
                person_key=snap.person_key, event_type=rules.WITHDRAWN,
                terms_version=snap.terms_version, purposes=snap.purposes,
                recipients=snap.recipients, expires_at=snap.expires_at, now=now)
    model.Session.execute(link_table.update().where(link_table.c.id == link.id)
                          .values(ended_at=now))
    request_id = str(uuid.uuid4())
    model.Session.execute(erasure_table.insert().values(
        id=request_id, package_id=pkg["id"], user_id=user.id, person_key=link.person_key,
        created=now, status="requested"))
    model.Session.commit()
    registry.notify_change(pkg["id"])
    return {"erasure_request": request_id, "dataset": pkg["name"], "terms_version": version}


# --- consents ----------------------------------------------------------------

def _consent_dict(snap: rules.ConsentSnapshot, current: int) -> dict[str, Any]:
    return {
        "consent_id": snap.consent_id,
        "package_id": snap.extra.get("package_id"),
        "state": rules.state(snap, current),
        "dpv_status": rules.DPV_STATUS[rules.state(snap, current)],
        "terms_version": snap.terms_version,
        "current_terms_version": current,
        "purposes": list(snap.purposes),
        "recipients": list(snap.recipients),
        "given_at": snap.given_at.isoformat() if snap.given_at else None,
        "updated": snap.extra["updated"].isoformat() if snap.extra.get("updated") else None,
        "expires_at": snap.expires_at.isoformat() if snap.expires_at else None,
    }


def _terms_version(pkg: dict[str, Any]) -> int:
    version, _ = registry.current_terms(pkg["id"])
    return version or registry.record_terms(pkg)[0]


def consent_give(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Consent to the current terms: ``purposes`` (subset), ``recipients``
    (organisation ids or names), ``duration_days`` (up to the maximum)."""
    toolkit.check_access("consent_give", context, data_dict)
    user = _user(context)
    pkg = personal_dataset(data_dict["id"])
    link = _require_link(pkg["id"], user.id)
    purposes = rules.as_list(data_dict.get("purposes"))
    recipients = []
    for value in rules.as_list(data_dict.get("recipients")):
        group = model.Group.get(value)
        recipients.append(group.id if group else value)
    max_days = int(pkg.get("max_consent_days") or 365)
    days = _int(data_dict, "duration_days", max_days)
    try:
        rules.check_request(purposes, recipients, days, rules.as_list(pkg.get("purposes")),
                            rules.as_list(pkg.get("recipients")), max_days)
    except rules.ConsentRuleError as err:
        raise _rule_error(err)
    version = _terms_version(pkg)
    now = rules.utcnow()
    consent_id = registry.new_consent_id()
    registry.append_event(
        consent_id=consent_id, package_id=pkg["id"], user_id=user.id,
        person_key=link.person_key, event_type=rules.GIVEN, terms_version=version,
        purposes=purposes, recipients=recipients, expires_at=rules.expiry(now, days), now=now)
    model.Session.commit()
    registry.notify_change(pkg["id"])
    snap = registry.snapshot(consent_id)
    assert snap is not None
    return _consent_dict(snap, version)


def consent_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that the person refuses to consent to the current terms."""
    toolkit.check_access("consent_refuse", context, data_dict)
    user = _user(context)
    pkg = personal_dataset(data_dict["id"])
    link = _require_link(pkg["id"], user.id)
    version = _terms_version(pkg)
    consent_id = registry.new_consent_id()
    registry.append_event(
        consent_id=consent_id, package_id=pkg["id"], user_id=user.id,
        person_key=link.person_key, event_type=rules.REFUSED, terms_version=version,
        purposes=[], recipients=[], expires_at=None)
    model.Session.commit()
    snap = registry.snapshot(consent_id)
    assert snap is not None
    return _consent_dict(snap, version)


def _own_consent(context: Context, data_dict: DataDict) -> tuple[model.User, rules.ConsentSnapshot, dict[str, Any]]:
    user = _user(context)
    snap = registry.snapshot(str(data_dict.get("consent_id") or ""))
    if snap is None or snap.extra.get("user_id") != user.id:
        raise toolkit.ObjectNotFound(toolkit._("Consent not found."))
    return user, snap, personal_dataset(str(snap.extra["package_id"]))


def consent_renew(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Extend a consent of the current terms (given or expired)."""
    toolkit.check_access("consent_renew", context, data_dict)
    user, snap, pkg = _own_consent(context, data_dict)
    version = _terms_version(pkg)
    current = rules.state(snap, version)
    if current == rules.STATE_INVALIDATED:
        raise toolkit.ValidationError({"consent_id": [toolkit._(
            "The terms of the processing changed: read them and give your consent again.")]})
    if current not in (rules.STATE_GIVEN, rules.STATE_EXPIRED):
        raise toolkit.ValidationError({"consent_id": [toolkit._(
            "Only a given or expired consent can be renewed.")]})
    max_days = int(pkg.get("max_consent_days") or 365)
    days = _int(data_dict, "duration_days", max_days)
    try:
        rules.check_request(snap.purposes, snap.recipients, days, snap.purposes,
                            snap.recipients, max_days)
    except rules.ConsentRuleError as err:
        raise _rule_error(err)
    now = rules.utcnow()
    registry.append_event(
        consent_id=snap.consent_id, package_id=pkg["id"], user_id=user.id,
        person_key=snap.person_key, event_type=rules.RENEWED, terms_version=version,
        purposes=snap.purposes, recipients=snap.recipients,
        expires_at=rules.expiry(now, days), now=now)
    model.Session.commit()
    registry.notify_change(pkg["id"])
    renewed = registry.snapshot(snap.consent_id)
    assert renewed is not None
    return _consent_dict(renewed, version)


def consent_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a consent: the next download and derivative leave the rows out."""
    toolkit.check_access("consent_withdraw", context, data_dict)
    user, snap, pkg = _own_consent(context, data_dict)
    version = _terms_version(pkg)
    if snap.event_type in (rules.WITHDRAWN, rules.REFUSED):
        return _consent_dict(snap, version)
    registry.append_event(
        consent_id=snap.consent_id, package_id=pkg["id"], user_id=user.id,
        person_key=snap.person_key, event_type=rules.WITHDRAWN,
        terms_version=snap.terms_version, purposes=snap.purposes,
        recipients=snap.recipients, expires_at=snap.expires_at)
    model.Session.commit()
    registry.notify_change(pkg["id"])
    withdrawn = registry.snapshot(snap.consent_id)
    assert withdrawn is not None
    return _consent_dict(withdrawn, version)


@toolkit.side_effect_free
def consent_list_mine(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The signed-in person's consents (optionally for one dataset ``id``)."""
    toolkit.check_access("consent_list_mine", context, data_dict)
    user = _user(context)
    package_id = None
    if data_dict.get("id"):
        package_id = personal_dataset(data_dict["id"])["id"]
    snaps = registry.user_snapshots(user.id, package_id)
    versions: dict[str, int] = {}
    result = []
    for snap in sorted(snaps, key=lambda s: s.extra["updated"], reverse=True):
        pid = str(snap.extra["package_id"])
        if pid not in versions:
            versions[pid] = registry.current_terms(pid)[0]
        result.append(_consent_dict(snap, versions[pid]))
    return result


@toolkit.side_effect_free
def consent_receipt(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The Kantara v1.1 consent receipt of one consent (its person, the
    producer or a sysadmin)."""
    toolkit.check_access("consent_receipt", context, data_dict)
    user = _user(context)
    snap = registry.snapshot(str(data_dict.get("consent_id") or ""))
    if snap is None:
        raise toolkit.ObjectNotFound(toolkit._("Consent not found."))
    pkg = personal_dataset(str(snap.extra["package_id"]))
    if snap.extra.get("user_id") != user.id and not access.is_producer(user.name, pkg):
        raise toolkit.ObjectNotFound(toolkit._("Consent not found."))
    version, terms = registry.current_terms(pkg["id"])
    stored_terms = _terms_at(pkg["id"], snap.terms_version) or terms
    titles = {org_id: (model.Group.get(org_id).title if model.Group.get(org_id) else org_id)
              for org_id in snap.recipients}
    return rules.receipt(
        consent_id=snap.consent_id, person=user.name if snap.extra.get("user_id") == user.id
        else str(snap.extra.get("user_id")), snapshot=snap,
        current_state=rules.state(snap, version), terms=stored_terms,
        dataset_title=pkg["title"],
        dataset_url=toolkit.url_for("personal-data.read", id=pkg["name"], _external=True),
        recipient_titles=titles, purpose_labels=purpose_labels(),
        language=_language(),
    )


def _language() -> str:
    from flask import has_request_context

    if has_request_context() and toolkit.h.lang():
        return str(toolkit.h.lang())
    return str(toolkit.config.get("ckan.locale_default") or "fr")


def _terms_at(package_id: str, version: int) -> dict[str, Any] | None:
    from ..model import terms_table

    row = model.Session.execute(sa.select(terms_table.c.terms).where(
        terms_table.c.package_id == package_id, terms_table.c.version == version)).first()
    return dict(row.terms) if row else None


def purpose_labels() -> dict[str, str]:
    from ..helpers import consent_purpose_label

    return {value: consent_purpose_label(value) for value in (
        "service-provision", "energy-advice", "research", "public-policy", rules.OPEN_STATISTICS)}


# --- the data subject's rows and logs ---------------------------------------

@toolkit.side_effect_free
def consent_rows_mine(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The signed-in person's own rows of a dataset (portability)."""
    toolkit.check_access("consent_rows_mine", context, data_dict)
    user = _user(context)
    pkg = personal_dataset(data_dict["id"])
    link = _require_link(pkg["id"], user.id)
    columns: list[str] = []
    records: list[dict[str, Any]] = []
    for res, path in data_files(pkg):
        header, rows = csvdata.read_rows(path, pkg["key_column"], link.person_key.__eq__)
        columns = columns or header
        for record in csvdata.as_records(header, rows):
            records.append({"resource": res.get("name") or res["id"], **record})
    return {"dataset": pkg["name"], "person_key": link.person_key, "columns": columns,
            "rows": records}


def _download_dict(row: Any) -> dict[str, Any]:
    org = model.Group.get(row.organization_id)
    user = model.User.get(row.user_id)
    pkg = model.Package.get(row.package_id)
    return {
        "id": row.id, "dataset": pkg.name if pkg else row.package_id,
        "dataset_title": pkg.title if pkg else row.package_id,
        "resource_id": row.resource_id,
        "organization": org.name if org else row.organization_id,
        "organization_title": org.title if org else row.organization_id,
        "user": user.name if user else row.user_id,
        "purpose": row.purpose, "row_count": row.row_count, "complete": row.complete,
        "created": row.created.isoformat(),
    }


@toolkit.side_effect_free
def consent_downloads_mine(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Downloads that included the signed-in person's rows."""
    toolkit.check_access("consent_downloads_mine", context, data_dict)
    user = _user(context)
    links = model.Session.execute(sa.select(link_table.c.package_id, link_table.c.person_key)
                                  .where(link_table.c.user_id == user.id)).all()
    if not links:
        return []
    conditions = [sa.and_(download_table.c.package_id == pid,
                          download_table.c["keys"].contains([key])) for pid, key in links]
    rows = model.Session.execute(sa.select(download_table).where(sa.or_(*conditions))
                                 .order_by(download_table.c.created.desc()).limit(500))
    return [_download_dict(r) for r in rows]


@toolkit.side_effect_free
def consent_download_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The producer's view of a dataset's gated downloads."""
    toolkit.check_access("consent_download_list", context, data_dict)
    pkg = personal_dataset(data_dict["id"])
    rows = model.Session.execute(sa.select(download_table).where(
        download_table.c.package_id == pkg["id"]).order_by(download_table.c.created.desc())
        .limit(1000))
    return [_download_dict(r) for r in rows]


def _erasure_dict(row: Any) -> dict[str, Any]:
    handler = model.User.get(row.handled_by) if row.handled_by else None
    pkg = model.Package.get(row.package_id)
    return {"id": row.id, "person_key": row.person_key, "status": row.status,
            "created": row.created.isoformat(),
            "dataset": pkg.name if pkg else row.package_id,
            "dataset_title": pkg.title if pkg else row.package_id,
            "handled_at": row.handled_at.isoformat() if row.handled_at else None,
            "handled_by": handler.name if handler else row.handled_by,
            "note": row.note}


@toolkit.side_effect_free
def consent_erasure_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Erasure requests sent to the producer by people who unenrolled."""
    toolkit.check_access("consent_erasure_list", context, data_dict)
    pkg = personal_dataset(data_dict["id"])
    rows = model.Session.execute(sa.select(erasure_table).where(
        erasure_table.c.package_id == pkg["id"]).order_by(erasure_table.c.created.desc()))
    return [_erasure_dict(r) for r in rows]


def consent_erasure_handle(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The producer's answer to an erasure request ``id``: ``status``
    "erased" (the person's rows are gone from the data) or "refused", with
    the legal grounds in ``note``. An answer is final."""
    request_id = str(data_dict.get("id") or "")
    request = model.Session.execute(
        sa.select(erasure_table).where(erasure_table.c.id == request_id)).first()
    if request is None:
        raise toolkit.ObjectNotFound(toolkit._("Erasure request not found"))
    toolkit.check_access("consent_erasure_handle", context, {"id": request.package_id})
    status = str(data_dict.get("status") or "")
    note = str(data_dict.get("note") or "").strip()
    messages = {
        "unknown": toolkit._("Must be one of: {0}").format(", ".join(rules.ERASURE_OUTCOMES)),
        "closed": toolkit._("This request was already answered ({0}).").format(request.status),
        "grounds": toolkit._("A refusal must state its grounds."),
    }
    problems = rules.erasure_outcome_problems(request.status, status, note)
    if problems:
        raise toolkit.ValidationError({f: [messages[code]] for f, code in problems.items()})
    user = _user(context)
    # the status condition makes a concurrent second answer update nothing
    answered = model.Session.execute(
        erasure_table.update()
        .where(erasure_table.c.id == request.id,
               erasure_table.c.status == rules.ERASURE_REQUESTED)
        .values(status=status, note=note or None, handled_at=rules.utcnow(),
                handled_by=user.id)
        .returning(*erasure_table.c)).first()
    if answered is None:
        model.Session.rollback()
        raise toolkit.ValidationError({"status": [messages["closed"]]})
    model.Session.commit()
    return _erasure_dict(answered)


@toolkit.side_effect_free
def consent_erasures_mine(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The signed-in person's erasure requests and the producers' answers."""
    toolkit.check_access("consent_erasures_mine", context, data_dict)
    user = _user(context)
    rows = model.Session.execute(sa.select(erasure_table).where(
        erasure_table.c.user_id == user.id).order_by(erasure_table.c.created.desc()))
    return [{k: v for k, v in _erasure_dict(r).items() if k != "handled_by"} for r in rows]


@toolkit.side_effect_free
def consent_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    toolkit.check_access("consent_verify", context, data_dict)
    count, problems = registry.verify()
    return {"events": count, "ok": not problems,
            "problems": [{"seq": p.seq, "reason": p.reason} for p in problems]}


def get_actions() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("consent_") and callable(fn)}
