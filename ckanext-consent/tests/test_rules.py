"""Pure consent rules, without CKAN."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.consent import rules

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def snap(event: str = rules.GIVEN, version: int = 1, days: int = 30, **kw: object) -> rules.ConsentSnapshot:
    values = dict(consent_id="c1", person_key="K1", event_type=event, terms_version=version,
                  purposes=("research", "open-statistics"), recipients=("org-a",),
                  expires_at=NOW + dt.timedelta(days=days), given_at=NOW - dt.timedelta(days=1))
    values.update(kw)
    return rules.ConsentSnapshot(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("snapshot", "current", "expected"), [
    (snap(), 1, "given"),
    (snap(rules.RENEWED), 1, "given"),
    (snap(rules.WITHDRAWN), 1, "withdrawn"),
    (snap(rules.REFUSED), 1, "refused"),
    (snap(days=-1), 1, "expired"),
    (snap(days=0), 1, "expired"),
    (snap(), 2, "invalidated"),
    (snap(rules.WITHDRAWN), 2, "withdrawn"),
])
def test_states(snapshot: rules.ConsentSnapshot, current: int, expected: str) -> None:
    assert rules.state(snapshot, current, NOW) == expected
    assert rules.DPV_STATUS[expected].startswith("dpv:Consent")


def test_active_keys_filter_purpose_recipient_and_state() -> None:
    snaps = [
        snap(),
        snap(consent_id="c2", person_key="K2", purposes=("research",)),
        snap(consent_id="c3", person_key="K3", recipients=("org-b",)),
        snap(consent_id="c4", person_key="K4", event_type=rules.WITHDRAWN),
        snap(consent_id="c5", person_key="K5", days=-3),
        snap(consent_id="c6", person_key="K6", terms_version=0),
    ]
    assert rules.active_keys(snaps, 1, "open-statistics", now=NOW) == {"K1", "K3"}
    assert rules.active_keys(snaps, 1, "research", "org-a", now=NOW) == {"K1", "K2"}
    assert rules.active_keys(snaps, 1, "research", "org-b", now=NOW) == {"K3"}


def test_check_request() -> None:
    offered = (["research", "open-statistics"], ["org-a", "org-b"], 365)
    rules.check_request(["research"], ["org-a"], 30, *offered)
    with pytest.raises(rules.ConsentRuleError) as err:
        rules.check_request(["marketing"], ["org-a"], 30, *offered)
    assert err.value.field == "purposes" and "marketing" in err.value.message
    with pytest.raises(rules.ConsentRuleError) as err:
        rules.check_request(["research"], [], 30, *offered)
    assert err.value.field == "recipients"
    with pytest.raises(rules.ConsentRuleError) as err:
        rules.check_request(["research"], ["org-a"], 366, *offered)
    assert err.value.field == "duration_days" and "365" in err.value.message


def test_terms_hash_changes_with_any_term_only() -> None:
    pkg = {"controller": "ODE", "purposes": ["b", "a"], "recipients": ["x"], "title": "T",
           "max_consent_days": "365"}
    same = dict(pkg, purposes='["a", "b"]', title="Another title")
    assert rules.terms_hash(rules.terms_of(pkg)) == rules.terms_hash(rules.terms_of(same))
    for name, value in (("controller", "Other"), ("retention", "2 years"), ("recipients", ["y"])):
        assert rules.terms_hash(rules.terms_of(dict(pkg, **{name: value}))) != rules.terms_hash(
            rules.terms_of(pkg))


def _chain(n: int) -> list[tuple[int, str, str, dict[str, object]]]:
    events, prev = [], rules.GENESIS_HASH
    for seq in range(1, n + 1):
        body = {"seq": seq, "event_type": "given", "person_key": f"K{seq}"}
        digest = rules.event_hash(prev, body)
        events.append((seq, prev, digest, body))
        prev = digest
    return events


def test_chain_intact() -> None:
    events = _chain(5)
    assert rules.verify_chain(events, (5, events[-1][2])) == []


def test_chain_detects_edit_deletion_and_truncation() -> None:
    events = _chain(5)
    edited = [*events[:2], (3, events[2][1], events[2][2], {**events[2][3], "event_type": "withdrawn"}), *events[3:]]
    problems = rules.verify_chain(edited, (5, events[-1][2]))
    assert [(p.seq, "edited" in p.reason) for p in problems] == [(3, True)]

    deleted = events[:2] + events[3:]
    reasons = " ".join(p.reason for p in rules.verify_chain(deleted, (5, events[-1][2])))
    assert "missing" in reasons and "broken" in reasons

    truncated = events[:4]
    problems = rules.verify_chain(truncated, (5, events[-1][2]))
    assert len(problems) == 1 and "deleted tail" in problems[0].reason


def test_codes_are_hashed_with_the_secret_and_normalised() -> None:
    code = rules.new_code()
    assert len(rules.normalise_code(code)) == 12
    assert rules.code_hash(code, "s") == rules.code_hash(code.lower().replace("-", " "), "s")
    assert rules.code_hash(code, "s") != rules.code_hash(code, "t")
    assert code not in rules.code_hash(code, "s")


def test_receipt_has_kantara_fields() -> None:
    r = rules.receipt(
        consent_id="c1", person="alice", snapshot=snap(), current_state="given",
        terms={"controller": "ODE", "dpo_contact": "dpo@ode.example", "data_categories": ["consumption"]},
        dataset_title="Challenge", dataset_url="http://x/dataset/challenge",
        recipient_titles={"org-a": "Association A"}, purpose_labels={"research": "Research"},
    )
    for name in ("version", "jurisdiction", "consentTimestamp", "collectionMethod",
                 "consentReceiptID", "language", "piiPrincipalId", "piiControllers",
                 "policyUrl", "services", "sensitive", "spiCat"):
        assert name in r
    assert r["version"] == "KI-CR-v1.1.0"
    purposes = r["services"][0]["purposes"]
    assert {p["purpose"] for p in purposes} == {"Research", "open-statistics"}
    assert purposes[0]["thirdPartyName"] == "Association A"
    assert r["piiControllers"][0]["email"] == "dpo@ode.example"
    assert r["dpvStatus"] == "dpv:ConsentGiven"


@pytest.mark.parametrize("current, outcome, note, problems", [
    ("requested", "erased", "", {}),
    ("requested", "refused", "obligation légale", {}),
    ("requested", "refused", "   ", {"note": "grounds"}),
    ("requested", "done", "", {"status": "unknown"}),
    ("erased", "refused", "", {"status": "closed", "note": "grounds"}),
    ("refused", "erased", "", {"status": "closed"}),
])
def test_erasure_answers(current: str, outcome: str, note: str, problems: dict) -> None:
    assert rules.erasure_outcome_problems(current, outcome, note) == problems
