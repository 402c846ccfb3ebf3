"""``ckan consent demo load``: the energy challenge of the demo territory.

Ouest Distribution Électricité (the electricity network operator of the
Métropole de Rivebelle, from ``ckan spmd demo load``) runs an energy-saving
challenge with a few hundred synthetic residents (rows from the open
derivative's demo generator: key, address, street, coordinates, kWh). The
Agence locale de l'énergie et du climat (an association) is the recipient.
Demo accounts: ``camille`` and ``dominique`` enrolled and consenting,
``sacha`` enrolled without consent, ``lea`` not enrolled (a fresh code is
printed at each load), ``agent-alec`` a member of the association. Residents
without a portal account gave their consent on the challenge's paper form:
the operator recorded it in the registry (``user_id`` ``offline:<key>``).

Idempotent: what exists is left as it is (the demo accounts' password is set
again), so a second load changes nothing in the registry.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import secrets
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from werkzeug.datastructures import FileStorage

from . import csvdata, gated, registry, rules, storage
from .model import download_table, event_table, link_table

Echo = Callable[[str], Any]

PRODUCER = {"name": "ouest-distribution-electricite", "title": "Ouest Distribution Électricité",
            "description": "Gestionnaire du réseau public de distribution d'électricité."}
RECIPIENT = {
    "name": "alec-rivebelle",
    "title": "Agence locale de l'énergie et du climat de Rivebelle",
    "description": "Association qui accompagne les habitants dans la maîtrise de leur "
                   "consommation d'énergie (conseil gratuit et indépendant).",
}
DATASET = "defi-energie-donnees-personnelles"
RESOURCE = "consommations-participants.csv"
RESIDENTS = 300
CONSENTING_SHARE = 0.6
SEED = 2026
# (user name, full name, resident number, what they did)
ACCOUNTS = [
    ("camille", "Camille Le Goff", 1, "consents"),
    ("dominique", "Dominique Martin", 2, "consents-statistics"),
    ("sacha", "Sacha Bernard", 3, "enrolled"),
    ("lea", "Léa Morvan", 4, "not-enrolled"),
]
RECIPIENT_AGENT = ("agent-alec", "Agent de l'ALEC")


def _site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _call(action: str, data: dict[str, Any], user: str | None = None) -> Any:
    context = {"user": user, "ignore_auth": False} if user else _site_context()
    return toolkit.get_action(action)(context, data)


def _ensure_org(spec: dict[str, str], echo: Echo) -> dict[str, Any]:
    try:
        return _call("organization_show", {"id": spec["name"]})
    except toolkit.ObjectNotFound:
        echo(f"organisation {spec['name']}: created")
        return _call("organization_create", dict(spec))


def _ensure_user(name: str, fullname: str, password: str, echo: Echo) -> dict[str, Any]:
    try:
        user = _call("user_show", {"id": name})
        _call("user_patch", {"id": user["id"], "password": password})
        return user
    except toolkit.ObjectNotFound:
        echo(f"account {name}: created")
        return _call("user_create", {"name": name, "fullname": fullname, "password": password,
                                     "email": f"{name}@demo.rivebelle.example"})


def key_of(number: int) -> str:
    return f"RB-{number:05d}"


def residents_csv() -> bytes:
    from .derivative.demo import residents

    rows = residents(RESIDENTS, seed=SEED)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def dataset_dict(producer_id: str, recipient_ids: list[str]) -> dict[str, Any]:
    return {
        "type": "personal-data",
        "name": DATASET,
        "title": "Défi énergie : consommations des foyers participants",
        "notes": ("Consommations d'électricité annuelles des foyers inscrits au défi "
                  "« Familles à énergie positive » de la Métropole de Rivebelle. Chaque "
                  "participant choisit qui reçoit ses données, pour quoi et combien de temps ; "
                  "un agrégat anonymisé est publié en open data."),
        "owner_org": producer_id,
        "controller": "Ouest Distribution Électricité, 12 rue de l'Énergie, 35900 Rivebelle",
        "dpo_contact": "dpo@ode-rivebelle.example",
        "purposes": ["energy-advice", "research", "open-statistics"],
        "purpose_label": ("Accompagner les foyers du défi dans la réduction de leur "
                          "consommation et mesurer l'effet du défi."),
        "legal_basis": "consent",
        "data_categories": ["address", "location", "energy-consumption"],
        "recipients": recipient_ids,
        "retention": "3 ans après la fin du défi",
        "security_measures": "Pseudonymisation des compteurs, chiffrement au repos, "
                             "journal des accès, téléchargements filtrés par consentement.",
        "transfers_outside_eu": "Aucun",
        "population": "Foyers volontaires du défi énergie (environ 300)",
        "key_column": "person_key",
        "max_consent_days": 365,
        "tag_string": "énergie,défi,données personnelles",
    }


def _ensure_dataset(producer: dict[str, Any], recipient: dict[str, Any], echo: Echo) -> dict[str, Any]:
    wanted = dataset_dict(producer["id"], [recipient["id"]])
    try:
        pkg = _call("package_show", {"id": DATASET})
    except toolkit.ObjectNotFound:
        echo(f"dataset {DATASET}: created")
        return _call("package_create", wanted)
    changed = {k: v for k, v in wanted.items()
               if k not in ("tag_string", "type") and pkg.get(k) != v
               and not (k == "max_consent_days" and str(pkg.get(k)) == str(v))}
    if changed:
        echo(f"dataset {DATASET}: updated ({', '.join(sorted(changed))})")
        return _call("package_patch", {"id": pkg["id"], **changed})
    return pkg


def _ensure_rows(pkg: dict[str, Any], echo: Echo) -> dict[str, Any]:
    content = residents_csv()
    existing = next((r for r in pkg.get("resources", []) if r.get("name") == RESOURCE), None)
    if existing:
        path = storage.upload_path(existing)
        if path and hashlib.sha256(open(path, "rb").read()).digest() == \
                hashlib.sha256(content).digest():
            return existing
    data = {"name": RESOURCE, "format": "CSV", "url": RESOURCE, "resource_role": "data",
            "description": "Une ligne par foyer : clé pseudonyme, adresse, rue, coordonnées, kWh.",
            "upload": FileStorage(io.BytesIO(content), filename=RESOURCE,
                                  content_type="text/csv")}
    if existing:
        echo(f"resource {RESOURCE}: replaced")
        return _call("resource_update", {"id": existing["id"], **data})
    echo(f"resource {RESOURCE}: created")
    return _call("resource_create", {"package_id": pkg["id"], **data})


def _enrol(pkg: dict[str, Any], user: dict[str, Any], key: str) -> None:
    linked = model.Session.execute(sa.select(link_table.c.id).where(
        link_table.c.package_id == pkg["id"], link_table.c.user_id == user["id"])).first()
    if linked:
        return
    code = _call("consent_codes_issue", {"id": pkg["id"], "keys": [key]})["codes"][0]["code"]
    _call("consent_code_redeem", {"code": code}, user=user["name"])


def _has_events(package_id: str, user_id: str) -> bool:
    return model.Session.execute(sa.select(event_table.c.seq).where(
        event_table.c.package_id == package_id, event_table.c.user_id == user_id)
        .limit(1)).first() is not None


def _offline_consents(pkg: dict[str, Any], recipient_id: str, skip: set[str]) -> int:
    """Paper-form consents of residents without an account (once each)."""
    generator = random.Random(SEED)
    version, _ = registry.current_terms(pkg["id"])
    keys = sorted(csvdata.keys(storage.upload_path(_rows_resource(pkg)) or "", "person_key"))
    added = 0
    for key in keys:
        # Both draws for every key: the choices stay the same from one load to the next.
        consents, research = generator.random() < CONSENTING_SHARE, generator.random() < 0.5
        user_id = f"offline:{key}"
        if key in skip or not consents or _has_events(pkg["id"], user_id):
            continue
        purposes = ["open-statistics"] + (["research"] if research else [])
        now = rules.utcnow()
        registry.append_event(
            consent_id=registry.new_consent_id(), package_id=pkg["id"], user_id=user_id,
            person_key=key, event_type=rules.GIVEN, terms_version=version,
            purposes=purposes, recipients=[recipient_id],
            expires_at=rules.expiry(now, 365), now=now)
        added += 1
    model.Session.commit()
    return added


def _rows_resource(pkg: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in pkg["resources"] if r.get("name") == RESOURCE)


def _demo_download(pkg: dict[str, Any], agent: dict[str, Any], echo: Echo) -> None:
    """One gated download by the association, so that the consenting demo
    accounts find it in their log."""
    done = model.Session.execute(sa.select(download_table.c.id).where(
        download_table.c.package_id == pkg["id"]).limit(1)).first()
    if done:
        return
    grant = gated.authorise(agent["name"], pkg, _rows_resource(pkg)["id"], "research", None)
    for _chunk in gated.stream(grant):
        pass
    echo(f"gated download by {agent['name']} (research): {len(grant.keys)} persons")


def load(echo: Echo = print, password: str | None = None) -> dict[str, Any]:
    password = password or os.environ.get("SPMD_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    producer = _ensure_org(PRODUCER, echo)
    recipient = _ensure_org(RECIPIENT, echo)
    agent = _ensure_user(*RECIPIENT_AGENT, password, echo)
    _call("organization_member_create", {"id": recipient["id"], "username": agent["name"],
                                         "role": "member"})
    pkg = _ensure_dataset(producer, recipient, echo)
    _ensure_rows(pkg, echo)
    pkg = _call("package_show", {"id": pkg["id"]})
    accounts = {}
    for name, fullname, number, role in ACCOUNTS:
        user = _ensure_user(name, fullname, password, echo)
        accounts[name] = user
        if role == "not-enrolled":
            continue
        _enrol(pkg, user, key_of(number))
        if role.startswith("consents") and not _has_events(pkg["id"], user["id"]):
            purposes = (["open-statistics"] if role == "consents-statistics"
                        else ["energy-advice", "research", "open-statistics"])
            _call("consent_give", {"id": pkg["id"], "purposes": purposes,
                                   "recipients": [recipient["id"]], "duration_days": 180},
                  user=name)
    offline = _offline_consents(pkg, recipient["id"], {key_of(n) for _, _, n, _ in ACCOUNTS})
    echo(f"offline consents recorded: {offline}")
    _demo_download(pkg, agent, echo)
    try:
        from .derivative import demo as derivative_demo
    except ImportError:
        echo("open derivative: not available")
    else:
        derivative_demo.load(pkg["id"], echo)
    lea_code = _call("consent_codes_issue", {"id": pkg["id"], "keys": [key_of(4)]})["codes"][0]
    echo(f"enrolment code for lea ({key_of(4)}): {lea_code['code']} "
         f"(valid until {lea_code['expires_at'][:10]})")
    echo(f"demo accounts {', '.join([*accounts, agent['name']])}: password {password}")
    return {"dataset": pkg["name"], "offline_consents": offline, "lea_code": lea_code["code"]}
