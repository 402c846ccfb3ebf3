"""Pure consent rules: states, expiry, terms versions, the hash chain, codes
and Kantara consent receipts. No CKAN, no database: plain data in, plain
data out, so that every rule is tested on its own.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Event types written to the registry (the log is append-only).
GIVEN = "given"
RENEWED = "renewed"
WITHDRAWN = "withdrawn"
REFUSED = "refused"
EVENT_TYPES = (GIVEN, RENEWED, WITHDRAWN, REFUSED)

# Consent states, named after the W3C Data Privacy Vocabulary (DPV)
# consent status concepts.
STATE_GIVEN = "given"
STATE_REFUSED = "refused"
STATE_WITHDRAWN = "withdrawn"
STATE_EXPIRED = "expired"
STATE_INVALIDATED = "invalidated"
DPV_STATUS = {
    STATE_GIVEN: "dpv:ConsentGiven",
    STATE_REFUSED: "dpv:ConsentRefused",
    STATE_WITHDRAWN: "dpv:ConsentWithdrawn",
    STATE_EXPIRED: "dpv:ConsentExpired",
    STATE_INVALIDATED: "dpv:ConsentInvalidated",
}

OPEN_STATISTICS = "open-statistics"

# The fields of a personal-data dataset that describe the processing: a
# change to any of them is a new terms version.
TERMS_FIELDS = (
    "controller",
    "dpo_contact",
    "purposes",
    "legal_basis",
    "data_categories",
    "recipients",
    "retention",
    "security_measures",
    "transfers_outside_eu",
    "population",
    "key_column",
    "max_consent_days",
)

GENESIS_HASH = "0" * 64


class ConsentRuleError(ValueError):
    """A request that the consent rules refuse; ``field`` names the input."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- terms -----------------------------------------------------------------

def as_list(value: Any) -> list[str]:
    """Scheming multi-valued fields come as lists or as JSON strings."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in decoded] if isinstance(decoded, list) else [str(decoded)]
    return [str(v) for v in value]


def terms_of(pkg: Mapping[str, Any]) -> dict[str, Any]:
    """The processing terms of a dataset, normalised (lists sorted)."""
    terms: dict[str, Any] = {}
    for name in TERMS_FIELDS:
        value = pkg.get(name)
        if name in ("purposes", "recipients", "data_categories"):
            terms[name] = sorted(as_list(value))
        else:
            terms[name] = "" if value is None else str(value).strip()
    return terms


def terms_hash(terms: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(terms).encode()).hexdigest()


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


# --- consent requests ------------------------------------------------------

def check_request(
    purposes: Sequence[str], recipients: Sequence[str], days: int,
    offered_purposes: Iterable[str], offered_recipients: Iterable[str], max_days: int,
) -> None:
    """A consent covers a non-empty subset of the offered purposes and
    recipients, for at most the maximum duration of the terms."""
    offered_p, offered_r = set(offered_purposes), set(offered_recipients)
    if not purposes:
        raise ConsentRuleError("purposes", "Choose at least one purpose.")
    unknown = sorted(set(purposes) - offered_p)
    if unknown:
        raise ConsentRuleError("purposes", f"Not a purpose of this processing: {', '.join(unknown)}")
    if not recipients:
        raise ConsentRuleError("recipients", "Choose at least one recipient.")
    unknown = sorted(set(recipients) - offered_r)
    if unknown:
        raise ConsentRuleError("recipients", f"Not a recipient of this processing: {', '.join(unknown)}")
    if days < 1:
        raise ConsentRuleError("duration_days", "The duration must be at least one day.")
    if max_days and days > max_days:
        raise ConsentRuleError(
            "duration_days", f"The duration may not exceed {max_days} days."
        )


# --- states ----------------------------------------------------------------

@dataclass(frozen=True)
class ConsentSnapshot:
    """The latest event of one consent: each event carries the whole scope."""

    consent_id: str
    person_key: str
    event_type: str
    terms_version: int
    purposes: tuple[str, ...]
    recipients: tuple[str, ...]
    expires_at: dt.datetime | None
    given_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def state(snapshot: ConsentSnapshot, current_terms: int, now: dt.datetime | None = None) -> str:
    now = _aware(now or utcnow())
    if snapshot.event_type == REFUSED:
        return STATE_REFUSED
    if snapshot.event_type == WITHDRAWN:
        return STATE_WITHDRAWN
    if snapshot.terms_version != current_terms:
        return STATE_INVALIDATED
    if snapshot.expires_at is not None and _aware(snapshot.expires_at) <= now:
        return STATE_EXPIRED
    return STATE_GIVEN


def covers(snapshot: ConsentSnapshot, purpose: str, recipient: str | None = None) -> bool:
    return purpose in snapshot.purposes and (recipient is None or recipient in snapshot.recipients)


def active_keys(
    snapshots: Iterable[ConsentSnapshot], current_terms: int, purpose: str,
    recipient: str | None = None, now: dt.datetime | None = None,
) -> set[str]:
    """Keys whose person holds an active consent covering the purpose (and,
    when given, the recipient organisation)."""
    now = now or utcnow()
    return {
        s.person_key for s in snapshots
        if state(s, current_terms, now) == STATE_GIVEN and covers(s, purpose, recipient)
    }


def expiry(start: dt.datetime, days: int) -> dt.datetime:
    return _aware(start) + dt.timedelta(days=days)


# --- hash chain ------------------------------------------------------------

def event_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    """Each event's hash covers its content and the previous event's hash."""
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def verify_chain(
    events: Iterable[tuple[int, str, str, Mapping[str, Any]]],
    head: tuple[int, str] | None = None,
) -> list[ChainProblem]:
    """Check ``(seq, prev_hash, hash, body)`` events in seq order.

    Finds edited events (hash mismatch), deleted events (gap in seq, broken
    link) and a truncated tail (the head anchor, written with every append,
    names a later event than the last one left).
    """
    problems: list[ChainProblem] = []
    expected_seq, expected_prev = 1, GENESIS_HASH
    last = (0, GENESIS_HASH)
    for seq, prev_hash, stored_hash, body in events:
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"events {expected_seq}..{seq - 1} are missing"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "link to the previous event is broken"))
        if event_hash(prev_hash, body) != stored_hash:
            problems.append(ChainProblem(seq, "content does not match its hash (edited)"))
        expected_seq, expected_prev = seq + 1, stored_hash
        last = (seq, stored_hash)
    if head is not None and tuple(head) != last:
        problems.append(ChainProblem(head[0], f"the log ends at event {last[0]} but event {head[0]} was written (deleted tail)"))
    return problems


# --- enrolment codes -------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def code_hash(code: str, secret: str) -> str:
    """Codes are stored as a keyed hash: a stolen table gives no usable code,
    and the lookup stays a single indexed equality."""
    return hmac.new(secret.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


# --- Kantara consent receipt v1.1 ------------------------------------------

def receipt(
    *, consent_id: str, person: str, snapshot: ConsentSnapshot, current_state: str,
    terms: Mapping[str, Any], dataset_title: str, dataset_url: str,
    recipient_titles: Mapping[str, str], purpose_labels: Mapping[str, str],
    language: str = "fr", jurisdiction: str = "FR",
) -> dict[str, Any]:
    """A consent receipt with the field names of Kantara Initiative's
    Consent Receipt Specification v1.1 (plus the DPV status of the consent)."""
    given = snapshot.given_at or utcnow()
    termination = (
        f"Consent expires on {snapshot.expires_at.date().isoformat()} "
        "or when withdrawn, or when the terms of the processing change."
        if snapshot.expires_at else "Until withdrawn."
    )
    third_parties = [recipient_titles.get(r, r) for r in snapshot.recipients]
    return {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(_aware(given).timestamp()),
        "collectionMethod": "web form of the data portal, signed-in data subject",
        "consentReceiptID": consent_id,
        "language": language,
        "piiPrincipalId": person,
        "piiControllers": [{
            "piiController": terms.get("controller", ""),
            "contact": terms.get("dpo_contact", ""),
            "email": terms.get("dpo_contact", "") if "@" in str(terms.get("dpo_contact", "")) else "",
            "onBehalf": False,
            "piiControllerUrl": dataset_url,
        }],
        "policyUrl": dataset_url,
        "services": [{
            "service": dataset_title,
            "purposes": [{
                "purpose": purpose_labels.get(p, p),
                "purposeCategory": [p],
                "consentType": "EXPLICIT",
                "piiCategory": list(terms.get("data_categories", [])),
                "primaryPurpose": False,
                "termination": termination,
                "thirdPartyDisclosure": bool(third_parties),
                "thirdPartyName": ", ".join(third_parties),
            } for p in snapshot.purposes],
        }],
        "sensitive": False,
        "spiCat": [],
        # Not in v1.1, kept alongside: where the consent stands today.
        "consentStatus": current_state,
        "dpvStatus": DPV_STATUS[current_state],
        "termsVersion": snapshot.terms_version,
        "expiresAt": snapshot.expires_at.isoformat() if snapshot.expires_at else None,
    }


# --- erasure requests (GDPR art. 17) -----------------------------------------

ERASURE_REQUESTED = "requested"
ERASURE_ERASED = "erased"
ERASURE_REFUSED = "refused"
ERASURE_OUTCOMES = (ERASURE_ERASED, ERASURE_REFUSED)


def erasure_outcome_problems(current: str, outcome: str, note: str) -> dict[str, str]:
    """Why a producer may not close an erasure request with ``outcome``,
    by input field: "unknown" (not an outcome), "closed" (already answered:
    an answer is never rewritten), "grounds" (a refusal must state them,
    GDPR art. 12(4)). Empty when they may."""
    problems = {}
    if outcome not in ERASURE_OUTCOMES:
        problems["status"] = "unknown"
    elif current != ERASURE_REQUESTED:
        problems["status"] = "closed"
    if outcome == ERASURE_REFUSED and not note.strip():
        problems["note"] = "grounds"
    return problems
