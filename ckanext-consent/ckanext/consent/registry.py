"""The consent registry in the database: terms versions, the append-only
event log with its hash chain, and the queries that answer "whose rows may
go where". The rules themselves live in ``rules.py``.

Every answer costs a fixed number of queries, whatever the number of people.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from . import rules
from .model import chain_head_table, event_table, terms_table

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key serialising appends to the chain ("consent").
CHAIN_LOCK = 0x636F6E73


def _package_id(dataset_id: str) -> str:
    pkg = model.Package.get(dataset_id)
    return pkg.id if pkg else dataset_id


# --- terms versions --------------------------------------------------------

def current_terms(package_id: str) -> tuple[int, dict[str, Any]]:
    row = model.Session.execute(
        sa.select(terms_table.c.version, terms_table.c.terms)
        .where(terms_table.c.package_id == package_id)
        .order_by(terms_table.c.version.desc()).limit(1)
    ).first()
    return (row.version, dict(row.terms)) if row else (0, {})


def record_terms(pkg_dict: Mapping[str, Any]) -> tuple[int, bool]:
    """Store the dataset's terms as a new version when they changed.

    Returns (current version, whether a new version was written)."""
    terms = rules.terms_of(pkg_dict)
    digest = rules.terms_hash(terms)
    version, _ = current_terms(pkg_dict["id"])
    if version:
        stored = model.Session.execute(
            sa.select(terms_table.c.terms_hash).where(
                terms_table.c.package_id == pkg_dict["id"], terms_table.c.version == version)
        ).scalar()
        if stored == digest:
            return version, False
    model.Session.execute(terms_table.insert().values(
        package_id=pkg_dict["id"], version=version + 1, terms_hash=digest, terms=terms,
        created=rules.utcnow(),
    ))
    return version + 1, True


# --- the event log ---------------------------------------------------------

def _body(row: Mapping[str, Any]) -> dict[str, Any]:
    """What an event's hash covers (timestamps normalised to UTC)."""
    def iso(value: dt.datetime | None) -> str | None:
        return value.astimezone(dt.UTC).isoformat() if value else None

    return {
        "seq": row["seq"], "consent_id": row["consent_id"], "package_id": row["package_id"],
        "user_id": row["user_id"], "person_key": row["person_key"],
        "event_type": row["event_type"], "terms_version": row["terms_version"],
        "purposes": list(row["purposes"]), "recipients": list(row["recipients"]),
        "expires_at": iso(row["expires_at"]), "created": iso(row["created"]),
    }


def append_event(
    *, consent_id: str, package_id: str, user_id: str, person_key: str, event_type: str,
    terms_version: int, purposes: Sequence[str], recipients: Sequence[str],
    expires_at: dt.datetime | None, now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Append one event to the chain (the caller commits)."""
    if event_type not in rules.EVENT_TYPES:
        raise ValueError(f"unknown consent event type {event_type!r}")
    session = model.Session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    head = session.execute(
        sa.select(chain_head_table.c.seq, chain_head_table.c.hash)
        .where(chain_head_table.c.id == 1)
    ).first()
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, rules.GENESIS_HASH)
    row: dict[str, Any] = {
        "seq": seq, "consent_id": consent_id, "package_id": package_id, "user_id": user_id,
        "person_key": person_key, "event_type": event_type, "terms_version": terms_version,
        "purposes": sorted(purposes), "recipients": sorted(recipients),
        "expires_at": expires_at,
        # Microseconds kept: PostgreSQL stores them, so the hash recomputes.
        "created": (now or rules.utcnow()).astimezone(dt.UTC),
        "prev_hash": prev_hash,
    }
    row["hash"] = rules.event_hash(prev_hash, _body(row))
    session.execute(event_table.insert().values(**row))
    if head:
        session.execute(chain_head_table.update().where(chain_head_table.c.id == 1)
                        .values(seq=seq, hash=row["hash"]))
    else:
        session.execute(chain_head_table.insert().values(id=1, seq=seq, hash=row["hash"]))
    return row


def verify() -> tuple[int, list[rules.ChainProblem]]:
    """Recompute the whole chain: (number of events, problems found)."""
    result = model.Session.execute(sa.select(event_table).order_by(event_table.c.seq))
    count = 0

    def events() -> Any:
        nonlocal count
        for row in result.mappings():
            count += 1
            yield row["seq"], row["prev_hash"], row["hash"], _body(row)

    head = model.Session.execute(
        sa.select(chain_head_table.c.seq, chain_head_table.c.hash)
        .where(chain_head_table.c.id == 1)
    ).first()
    problems = rules.verify_chain(events(), (head.seq, head.hash) if head else None)
    return count, problems


# --- consent snapshots and answers ----------------------------------------

_given_at = sa.func.min(event_table.c.created).over(partition_by=event_table.c.consent_id)


def _snapshot_query() -> sa.Select:
    return (
        sa.select(
            event_table.c.consent_id, event_table.c.person_key, event_table.c.user_id,
            event_table.c.package_id, event_table.c.event_type, event_table.c.terms_version,
            event_table.c.purposes, event_table.c.recipients, event_table.c.expires_at,
            event_table.c.created, _given_at.label("given_at"),
        )
        .distinct(event_table.c.consent_id)
        .order_by(event_table.c.consent_id, event_table.c.seq.desc())
    )


def _snapshot(row: Any) -> rules.ConsentSnapshot:
    return rules.ConsentSnapshot(
        consent_id=row.consent_id, person_key=row.person_key, event_type=row.event_type,
        terms_version=row.terms_version, purposes=tuple(row.purposes),
        recipients=tuple(row.recipients), expires_at=row.expires_at, given_at=row.given_at,
        extra={"user_id": row.user_id, "package_id": row.package_id, "updated": row.created},
    )


def snapshots(package_id: str) -> list[rules.ConsentSnapshot]:
    """The latest state of every consent of a dataset (one query)."""
    rows = model.Session.execute(_snapshot_query().where(event_table.c.package_id == package_id))
    return [_snapshot(r) for r in rows]


def user_snapshots(user_id: str, package_id: str | None = None) -> list[rules.ConsentSnapshot]:
    query = _snapshot_query().where(event_table.c.user_id == user_id)
    if package_id:
        query = query.where(event_table.c.package_id == package_id)
    return [_snapshot(r) for r in model.Session.execute(query)]


def snapshot(consent_id: str) -> rules.ConsentSnapshot | None:
    row = model.Session.execute(_snapshot_query().where(event_table.c.consent_id == consent_id)).first()
    return _snapshot(row) if row else None


def consenting_keys(dataset_id: str, purpose: str) -> set[str]:
    """Keys whose person holds an active consent, for the dataset's current
    terms version, that covers ``purpose`` (any recipient). Two queries."""
    package_id = _package_id(dataset_id)
    version, _ = current_terms(package_id)
    return rules.active_keys(snapshots(package_id), version, purpose)


def consenting_keys_for(dataset_id: str, purpose: str, organization_id: str) -> set[str]:
    """Same, restricted to consents naming the recipient organisation."""
    package_id = _package_id(dataset_id)
    version, _ = current_terms(package_id)
    return rules.active_keys(snapshots(package_id), version, purpose, organization_id)


def new_consent_id() -> str:
    return str(uuid.uuid4())


# --- the derivative's regeneration hook ------------------------------------

def notify_change(dataset_id: str) -> None:
    """Ask the open derivative to regenerate (debounced on its side).

    The derivative is built alongside; until its module exists this is a
    no-op, and a failure there never breaks a consent event."""
    try:
        from ckanext.consent.derivative.jobs import request_regeneration
    except ImportError:
        return
    try:
        request_regeneration(dataset_id)
    except Exception:  # the consent or upload is recorded whatever happens
        log.exception("Could not request the open derivative of %s", dataset_id)
