"""The authorisation matrix of restricted data against every channel.

For each kind of user, every channel is observed (does the user get the
data: the resource URL, the uploaded file, the view config?) and the whole
observation is compared with what the policy allows, so that a failure
names the channels that leak (or wrongly refuse).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from ckan import model
from ckan.plugins import toolkit

from ckanext.spmd.access import clock, masking

from .conftest import PLUGINS, SECRET_URL, UPLOAD_BODY, World, call

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    # the worst case: activity details (the stored dataset dicts) public
    pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", "true"),
    pytest.mark.usefixtures("with_plugins"),
]


def _urls(pkg: dict[str, Any]) -> list[str]:
    return [r.get("url", "") for r in pkg.get("resources", [])]


def _leaks(value: Any) -> bool:
    return SECRET_URL in json.dumps(value, default=str)


def _token(user: dict[str, Any] | None) -> dict[str, str]:
    if not user:
        return {}
    token = toolkit.get_action("api_token_create")(
        {"user": user["name"]}, {"user": user["name"], "name": "t"})["token"]
    return {"Authorization": token}


CHANNELS: dict[str, Callable[[World, Any, dict[str, Any] | None], bool]] = {}
# The activity stream stores masked copies for everyone (history is metadata;
# the data is reached through package_show): it never carries the data.
NEVER = {"package_activity_list", "activity_show", "activity_diff",
         "organization_activity_list", "recently_changed_activity"}


def channel(func: Callable[[World, Any, dict[str, Any] | None], bool]) -> Any:
    CHANNELS[func.__name__] = func
    return func


@channel
def package_show(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return SECRET_URL in _urls(call("package_show", user, id=w.dataset["id"]))


@channel
def package_show_default_schema(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("package_show", user, id=w.dataset["id"], use_default_schema=True))


@channel
def resource_show(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return call("resource_show", user, id=w.link["id"])["url"] == SECRET_URL


@channel
def package_search(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    results = call("package_search", user, q="name:comptages-restreints")["results"]
    assert results, "the restricted dataset must stay findable"
    return _leaks(results)


@channel
def package_search_default_schema(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("package_search", user, q="name:comptages-restreints",
                       use_default_schema=True)["results"])


@channel
def package_search_raw_fields(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("package_search", user, q="name:comptages-restreints",
                       fl=["id", "data_dict", "validated_data_dict", "res_url"])["results"])


@channel
def package_activity_list(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("package_activity_list", user, id=w.dataset["id"]))


def _activity_ids(w: World) -> list[str]:
    return [a["id"] for a in call("package_activity_list", w.sysadmin, id=w.dataset["id"])
            if a["activity_type"].endswith("package")]


@channel
def activity_show(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    ids = _activity_ids(w)
    return any(_leaks(call("activity_show", user, id=i, include_data=True)) or
               _leaks(call("activity_data_show", user, id=i)) for i in ids)


@channel
def activity_diff(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    diffs = []
    for activity_id in _activity_ids(w):
        for kind in ("unified", "html"):
            try:
                diffs.append(call("activity_diff", user, id=activity_id,
                                  object_type="package", diff_type=kind))
            except toolkit.ObjectNotFound:  # previous activity of another kind
                continue
    assert diffs, "the stream must hold a diff (see _touch)"
    return _leaks(diffs)


@channel
def organization_activity_list(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("organization_activity_list", user, id=w.producer_org["id"]))


@channel
def recently_changed_activity(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    return _leaks(call("recently_changed_packages_activity_list", user))


@channel
def resource_views(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    views = call("resource_view_list", user, id=w.link["id"])
    return _leaks(views)


@channel
def resource_view_show(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    # The view whose config holds the URL (CKAN may add a default image view,
    # listed first or not, whose config holds none).
    views = call("resource_view_list", {"name": w.sysadmin["name"]}, id=w.link["id"])
    view_id = next(v["id"] for v in views if v.get("image_url") == SECRET_URL)
    try:
        return _leaks(call("resource_view_show", user, id=view_id))
    except toolkit.NotAuthorized:
        return False


@channel
def dataset_page(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    res = app.get(f"/dataset/{w.dataset['name']}", headers=_token(user))
    assert res.status_code == 200, "the metadata stays public"
    return SECRET_URL in res.body


@channel
def resource_page(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    res = app.get(f"/dataset/{w.dataset['name']}/resource/{w.link['id']}", headers=_token(user))
    assert res.status_code == 200, "the metadata stays public"
    return SECRET_URL in res.body


@channel
def download_upload(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    for path in (f"/dataset/{w.dataset['id']}/resource/{w.upload['id']}/download",
                 f"/dataset/{w.dataset['id']}/resource/{w.upload['id']}/download/counts.csv"):
        res = app.get(path, headers=_token(user), status=None, follow_redirects=False)
        if res.status_code == 200:
            assert res.get_data() == UPLOAD_BODY
        else:
            assert res.status_code == 403, res.status_code
            assert "Request access" in res.body or "Demander" in res.body
            return False
    return True


@channel
def download_link(w: World, app: Any, user: dict[str, Any] | None) -> bool:
    res = app.get(f"/dataset/{w.dataset['id']}/resource/{w.link['id']}/download",
                  headers=_token(user), status=None, follow_redirects=False)
    return res.status_code in (301, 302) and res.headers["Location"] == SECRET_URL


def _approve(w: World) -> dict[str, Any]:
    request = w.request()
    return call("spmd_access_request_approve", w.producer_admin, id=request["id"],
                conditions="Usage interne au projet",
                expires=(clock.now() + dt.timedelta(days=60)).date().isoformat())


def _setup(kind: str, w: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | None:
    if kind == "anonymous":
        return None
    if kind == "other_organisation":
        return w.other
    if kind == "requester_pending":
        w.request()
        return w.requester
    if kind == "requester_approved":
        _approve(w)
        return w.requester
    if kind == "requester_expired":
        _approve(w)
        later = clock.now() + dt.timedelta(days=61)
        monkeypatch.setattr(clock, "now", lambda: later)
        return w.requester
    if kind == "requester_revoked":
        request = _approve(w)
        call("spmd_access_request_revoke", w.producer_admin, id=request["id"],
             reason="Fin du partenariat")
        return w.requester
    if kind == "producer_member":
        return w.producer_member
    if kind == "sysadmin":
        return w.sysadmin
    raise AssertionError(kind)


MATRIX = {
    "anonymous": False,
    "other_organisation": False,
    "requester_pending": False,
    "requester_approved": True,
    "requester_expired": False,
    "requester_revoked": False,
    "producer_member": True,
    "sysadmin": True,
}


def _touch(w: World) -> None:
    """Two more changes, so that the activity stream holds a diff."""
    for notes in ("Mis à jour", "Mis à jour deux fois"):
        toolkit.get_action("package_patch")({"user": w.producer_admin["name"]},
                                            {"id": w.dataset["id"], "notes": notes})


@pytest.mark.parametrize("kind", list(MATRIX))
def test_authorisation_matrix(kind: str, world: World, app: Any,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _touch(world)
    user = _setup(kind, world, monkeypatch)
    model.Session.remove()
    observed = {name: bool(observe(world, app, user)) for name, observe in CHANNELS.items()}
    expected = {name: MATRIX[kind] and name not in NEVER for name in CHANNELS}
    assert observed == expected


def test_open_datasets_are_not_masked(world: World) -> None:
    shown = call("package_show", None, id=world.open_dataset["id"])
    assert shown["resources"][0]["url"] == "https://open.example/a.csv"
    assert masking.MASKED_FLAG not in shown


def test_masked_resources_keep_their_metadata(world: World) -> None:
    shown = call("package_show", None, id=world.dataset["id"])
    assert shown[masking.MASKED_FLAG] is True
    by_name = {r["name"]: r for r in shown["resources"]}
    assert by_name["Comptages"]["url"] == "" and by_name["Comptages"][masking.MASKED_FLAG]
    assert by_name["Fichier"]["url_type"] == "upload"
    assert by_name["Fichier"]["url"] == ""
    assert shown["title"] and shown["access_class"] == "restricted"


def test_the_index_cannot_be_probed_for_urls(world: World) -> None:
    # a word of the URL, and the raw field
    assert call("package_search", None, q="secret-token-7f3a")["count"] == 0
    assert call("package_search", None, q='res_url:"' + SECRET_URL + '"')["count"] == 0
    # the dataset itself is found by its metadata
    assert call("package_search", None, q="comptages")["count"] >= 1


def test_dataset_turned_restricted_masks_its_earlier_activities(world: World) -> None:
    open_id = world.open_dataset["id"]
    toolkit.get_action("package_patch")({"user": world.producer_admin["name"]},
                                        {"id": open_id, "access_class": "restricted"})
    activities = call("package_activity_list", None, id=open_id)
    assert len(activities) >= 2
    assert "https://open.example/a.csv" not in json.dumps(activities)
    assert "https://open.example/a.csv" in json.dumps(
        call("package_activity_list", world.producer_admin, id=open_id))




def test_a_masked_dict_is_never_written_back(world: World) -> None:
    masked = call("package_show", None, id=world.dataset["id"])
    with pytest.raises(toolkit.ValidationError) as error:
        toolkit.get_action("package_update")({"user": world.sysadmin["name"]}, masked)
    assert masking.MASKED_FLAG in error.value.error_dict
    resource = call("resource_show", None, id=world.link["id"])
    with pytest.raises(toolkit.ValidationError):
        toolkit.get_action("resource_update")({"user": world.sysadmin["name"]}, resource)
    assert call("resource_show", world.sysadmin, id=world.link["id"])["url"] == SECRET_URL
    # the producer's own round trip works
    shown = call("package_show", world.producer_admin, id=world.dataset["id"])
    updated = toolkit.get_action("package_update")({"user": world.producer_admin["name"]}, shown)
    assert SECRET_URL in _urls(updated)
