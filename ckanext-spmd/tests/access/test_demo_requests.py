"""The demo territory holds one pending and one approved access request."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ckan.plugins import toolkit

from ckanext.spmd.demo import access_requests, loader

from .conftest import PLUGINS


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("access_site")
def test_demo_requests_are_loaded_once(ckan_config: Any, monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    lines: list[str] = []
    loader.load(echo=lines.append)
    admin = {"user": loader.site_user()}
    requests = toolkit.get_action("spmd_access_request_list")(admin, {})
    assert sorted(r["status"] for r in requests) == ["approved", "pending"]
    approved = next(r for r in requests if r["status"] == "approved")
    assert approved["conditions"] and approved["expires_at"]
    # the approved partner gets the data, the metadata stays public for others
    grants = toolkit.get_action("spmd_access_grant_list")(admin, {"active": True})
    assert [g["package_id"] for g in grants] == approved["package_ids"]
    assert access_requests.load(lines.append, loader.site_user()) == {
        "created": 0, "unchanged": 2}
    assert len(toolkit.get_action("spmd_access_request_list")(admin, {})) == 2
