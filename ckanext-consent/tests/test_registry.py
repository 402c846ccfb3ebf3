"""The registry in PostgreSQL: terms versions, the chain, consenting keys."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.consent import registry, rules

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "consent"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def _give(key: str, purposes: list[str], recipients: list[str], version: int = 1,
          days: int = 30, event: str = rules.GIVEN, consent_id: str | None = None) -> str:
    consent_id = consent_id or registry.new_consent_id()
    registry.append_event(
        consent_id=consent_id, package_id="pkg", user_id=f"user-{key}", person_key=key,
        event_type=event, terms_version=version, purposes=purposes, recipients=recipients,
        expires_at=rules.utcnow() + dt.timedelta(days=days),
    )
    return consent_id


def test_terms_versions() -> None:
    pkg = {"id": "pkg", "controller": "ODE", "purposes": ["research"]}
    assert registry.record_terms(pkg) == (1, True)
    assert registry.record_terms(dict(pkg, title="ignored")) == (1, False)
    assert registry.record_terms(dict(pkg, retention="1 year")) == (2, True)
    assert registry.current_terms("pkg")[0] == 2


def test_consenting_keys_and_chain() -> None:
    registry.record_terms({"id": "pkg", "controller": "ODE"})
    c1 = _give("K1", ["open-statistics", "research"], ["org-a"])
    _give("K2", ["research"], ["org-b"])
    _give("K3", ["open-statistics"], ["org-a"], days=-1)
    assert registry.consenting_keys("pkg", "open-statistics") == {"K1"}
    assert registry.consenting_keys_for("pkg", "research", "org-b") == {"K2"}
    _give("K1", ["open-statistics"], ["org-a"], event=rules.WITHDRAWN, consent_id=c1)
    assert registry.consenting_keys("pkg", "open-statistics") == set()
    model.Session.commit()
    assert registry.verify() == (4, [])


def test_update_refused_by_database_and_tampering_detected() -> None:
    registry.record_terms({"id": "pkg", "controller": "ODE"})
    for key in ("K1", "K2", "K3"):
        _give(key, ["research"], ["org-a"])
    model.Session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        model.Session.execute(sa.text("UPDATE consent_event SET purposes='[\"x\"]' WHERE seq=2"))
    model.Session.rollback()
    # Someone with the table owner's rights bypasses the trigger: verify sees it.
    model.Session.execute(sa.text("ALTER TABLE consent_event DISABLE TRIGGER consent_event_append_only"))
    model.Session.execute(sa.text("UPDATE consent_event SET recipients='[\"org-z\"]' WHERE seq=2"))
    model.Session.execute(sa.text("ALTER TABLE consent_event ENABLE TRIGGER consent_event_append_only"))
    model.Session.commit()
    count, problems = registry.verify()
    assert count == 3 and [p.seq for p in problems] == [2]
    model.Session.execute(sa.text("DELETE FROM consent_event WHERE seq=3"))
    model.Session.commit()
    _, problems = registry.verify()
    assert any("deleted tail" in p.reason for p in problems)


def test_start_up_refused_without_the_masking_plugin() -> None:
    from ckanext.consent import hooks, plugin

    with pytest.raises(RuntimeError, match="needs the plugin `spmd_access`"):
        hooks.check_start_up({"testing": False}, plugin.require_masking)
    hooks.check_start_up({"testing": True}, plugin.require_masking)  # logged only
